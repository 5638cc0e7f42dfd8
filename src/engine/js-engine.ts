// The reference engine: the portable kernel compiled by tsc, over plain typed arrays.

import { portableHyperv, tick } from '../../assembly/kernel/balancer.ts';
import { columnStore, copyColumns, HOST_COLUMNS, VM_COLUMNS } from './columns.ts';
import type { Engine } from './engine.ts';

export function createJsEngine(): Engine {
  const rows = (capacity: number) => () => new Float64Array(capacity);
  let vms = columnStore(VM_COLUMNS, rows(0));
  let hosts = columnStore(HOST_COLUMNS, rows(0));
  let vmCapacity = 0;
  let hostCapacity = 0;
  return {
    kind: 'js',
    threads: 1,
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
      const nextVms = columnStore(VM_COLUMNS, rows(nextVmCapacity));
      const nextHosts = columnStore(HOST_COLUMNS, rows(nextHostCapacity));
      copyColumns(VM_COLUMNS, vms, nextVms);
      copyColumns(HOST_COLUMNS, hosts, nextHosts);
      vms = nextVms;
      hosts = nextHosts;
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run(hostCount, ticks, dt, alpha) {
      tick(vms, hosts, hostCount, ticks, dt, alpha, portableHyperv);
    },
  };
}
