// The reference engine: the portable kernel compiled by tsc, over plain typed arrays.

import { tick } from '../../assembly/kernel/balancer.ts';
import { HostStore, VmStore } from '../../assembly/kernel/store.ts';
import { Packed } from '../../assembly/kernel/waterfill.ts';
import { copyColumns, type Engine, fillColumns } from './engine.ts';

export function createJsEngine(): Engine {
  const rows = (capacity: number) => () => new Float64Array(capacity);
  let vms = fillColumns(new VmStore(), rows(0));
  let hosts = fillColumns(new HostStore(), rows(0));
  let packed = fillColumns(new Packed(), rows(0));
  let vmCapacity = 0;
  let hostCapacity = 0;
  return {
    kind: 'js',
    get vms() {
      return vms;
    },
    get hosts() {
      return hosts;
    },
    get vmCapacity() {
      return vmCapacity;
    },
    get hostCapacity() {
      return hostCapacity;
    },
    grow(nextVmCapacity, nextHostCapacity) {
      const nextVms = fillColumns(new VmStore(), rows(nextVmCapacity));
      const nextHosts = fillColumns(new HostStore(), rows(nextHostCapacity));
      copyColumns(vms, nextVms);
      copyColumns(hosts, nextHosts);
      vms = nextVms;
      hosts = nextHosts;
      packed = fillColumns(new Packed(), rows(nextVmCapacity));
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run(hostCount, ticks, dt, alpha) {
      tick(vms, hosts, packed, hostCount, ticks, dt, alpha);
    },
  };
}
