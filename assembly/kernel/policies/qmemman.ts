// Qubes qmemman: each VM prefers 1.3 × what it uses (at least 200 MiB); a surplus is shared in proportion to
// preference, a shortage is met by the donors (VMs above their preference) first. Portable (asc and tsc).

import { hostEndVm, hostFirstVm } from '../jit.ts';
import { BALANCED, HostStore, VmStore } from '../store.ts';

/** Preferred memory of a VM using `demand` MB: factor × demand (at least the preferred minimum), inside the VM's
 * [floor, ceiling]. Also the least a donor keeps when a VM starts (src/host/lifecycle.ts). */
export function preferredMB(demand: f64, floor: f64, ceiling: f64, factor: f64, minPreferred: f64): f64 {
  const wish = Math.max(Math.min(Math.ceil(demand * factor), ceiling), minPreferred);
  return Math.min(ceiling, Math.max(floor, wish));
}

/** Goals of the balanced VMs of `host`, whose balanced VMs may hold `pool` MB in all. */
export function decideQmemman(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const balanced = v.balanced;
  const assigned = v.assigned;
  const goal = v.goal;
  const pref = v.need; // scratch: each VM's preference
  const factor = h.qmemmanFactor[host]!;
  const minPreferred = h.qmemmanMinPreferred[host]!;
  let held = 0.0;
  let sumPref = 0.0;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const p = preferredMB(v.demand[i]!, v.floor[i]!, v.ceiling[i]!, factor, minPreferred);
    pref[i] = p;
    sumPref += p;
    held += assigned[i]!;
  }
  const free = pool - held;
  const available = free - (sumPref - held); // free − Σ need
  if (available > 0.0) {
    shareSurplus(v, from, to, pref, available * 0.999);
    return;
  }
  // Short: donors give down to their preference (unless it is too little to bother), the acceptors share what
  // that frees plus the free memory in proportion to preference, each up to its preference.
  const donorMinimum = h.qmemmanDonorMinimum[host]!;
  let pot = free > 0.0 ? free : 0.0;
  let acceptorPref = 0.0;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const actual = assigned[i]!;
    const p = pref[i]!;
    goal[i] = actual;
    if (actual - p >= donorMinimum) {
      goal[i] = p;
      pot += actual - p;
    } else if (actual < p) {
      acceptorPref += p;
    }
  }
  if (acceptorPref == 0.0) return;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const actual = assigned[i]!;
    const p = pref[i]!;
    if (actual < p) goal[i] = Math.min(p, actual + Math.floor((pot * p) / acceptorPref));
  }
}

/** goal = pref + a share of `surplus` in proportion to pref; a VM that reaches its ceiling is capped there and
 * its excess shared among the rest, until nobody is over. */
function shareSurplus(v: VmStore, from: i32, to: i32, pref: F64Column, surplus: f64): void {
  const balanced = v.balanced;
  const ceiling = v.ceiling;
  const goal = v.goal;
  const capped = v.share; // scratch: 1 once a VM is capped
  let openPref = 0.0;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    capped[i] = 0.0;
    openPref += pref[i]!;
  }
  let left = surplus;
  for (let round = from; round <= to && openPref > 0.0; round++) {
    let newlyCapped = false;
    let cappedPref = 0.0;
    let taken = 0.0;
    for (let i = from; i < to; i++) {
      if (balanced[i]! != BALANCED || capped[i]! != 0.0) continue;
      const p = pref[i]!;
      const share = (p / openPref) * left;
      if (p + share >= ceiling[i]!) {
        capped[i] = 1.0;
        goal[i] = ceiling[i]!;
        taken += ceiling[i]! - p;
        cappedPref += p;
        newlyCapped = true;
      } else {
        goal[i] = p + Math.floor(share);
      }
    }
    if (!newlyCapped) return;
    left -= taken;
    openPref -= cappedPref;
  }
}
