// oVirt MoM's balloon rules: each guest on its own, shrunk while the host is short of free memory (harder the
// shorter it is), grown back otherwise, at most maxChange of its memory per interval and never by less than
// minChange (the dead-band). Portable (asc and tsc).

import { hostEndVm, hostFirstVm } from '../jit.ts';
import { BALANCED, HostStore, VmStore } from '../store.ts';

/** Goals of the balanced VMs of `host`, whose balanced VMs may hold `pool` MB in all. */
export function decideMom(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const balanced = v.balanced;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const assigned = v.assigned;
  const demand = v.demand;
  const goal = v.goal;
  let held = 0.0;
  for (let i = from; i < to; i++) if (balanced[i]! == BALANCED) held += assigned[i]!;
  const hostFree = (pool - held) / h.memory[host]!;
  const pressure = h.momPressure[host]!;
  const critical = h.momCritical[host]!;
  const guestFree = h.momGuestFree[host]!;
  const maxChange = h.momMaxChange[host]!;
  const minChange = h.momMinChange[host]!;
  const shrink = hostFree < pressure;
  // Free memory each guest keeps: the minimum scaled down with the host's; below the critical level negative
  // (the guest is made to swap).
  const wantedFree = !shrink
    ? guestFree
    : hostFree <= critical
      ? hostFree - critical
      : guestFree * (hostFree / pressure);
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const min = floor[i]!;
    const cur = assigned[i]!;
    const max = ceiling[i]!;
    const keep = Math.max(min, demand[i]! + wantedFree * cur);
    let next = cur;
    if (shrink) {
      const shrunk = Math.max(keep, cur * (1.0 - maxChange));
      if (cur - shrunk > minChange * cur) next = Math.ceil(shrunk);
    } else if (cur < max) {
      const grown = Math.min(Math.max(cur * (1.0 + maxChange), keep), max);
      if (Math.abs(grown - cur) > minChange * cur) next = Math.floor(grown);
    }
    goal[i] = Math.min(max, Math.max(min, next));
  }
}
