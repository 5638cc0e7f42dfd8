// The reference engine: the portable kernel compiled by tsc, over plain typed arrays.
import { VmStore, HostStore } from '../../assembly/kernel/store.ts';
import { tick } from '../../assembly/kernel/balancer.ts';
import { Packed } from '../../assembly/kernel/waterfill.ts';
import { copyColumns, type Engine } from './engine.ts';

export function createJsEngine(): Engine {
  let vms = new VmStore(0);
  let hosts = new HostStore(0);
  let packed = new Packed(0);
  let vmCapacity = 0;
  let hostCapacity = 0;
  return {
    kind: 'js',
    get vms() { return vms; },
    get hosts() { return hosts; },
    get vmCapacity() { return vmCapacity; },
    get hostCapacity() { return hostCapacity; },
    grow(nextVmCapacity, nextHostCapacity) {
      const nextVms = new VmStore(nextVmCapacity);
      const nextHosts = new HostStore(nextHostCapacity);
      copyColumns(vms, nextVms);
      copyColumns(hosts, nextHosts);
      vms = nextVms;
      hosts = nextHosts;
      packed = new Packed(nextVmCapacity);
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run(hostCount, ticks, dt, alpha) {
      tick(vms, hosts, packed, hostCount, ticks, dt, alpha);
    },
  };
}
