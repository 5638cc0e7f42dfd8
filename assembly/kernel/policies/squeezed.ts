// Xen squeezed: one fraction γ of every domain's [dynamic-min, dynamic-max] range, chosen so that the host keeps
// exactly its free target ("slush"); free before allocate. Portable (asc and tsc).

import { hostEndVm, hostFirstVm } from '../jit.ts';
import { BALANCED, HostStore, VmStore } from '../store.ts';

/** Goals of the balanced VMs of `host`, whose balanced VMs may hold `pool` MB in all. */
export function decideSqueezed(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const balanced = v.balanced;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const assigned = v.assigned;
  const goal = v.goal;
  let held = 0.0;
  let reclaimable = 0.0;
  let range = 0.0;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const dmin = floor[i]!;
    const actual = assigned[i]!;
    held += actual;
    if (actual > dmin) reclaimable += actual - dmin;
    range += ceiling[i]! - dmin;
  }
  const surplus = Math.max(0.0, pool - held + reclaimable - h.squeezedSlush[host]!);
  const gamma = range > 0.0 ? Math.min(1.0, surplus / range) : 1.0;
  // Targets, and whether any domain must shrink: then only the shrinking targets are issued this time.
  let shrinking = false;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const dmin = floor[i]!;
    const target = dmin + Math.floor(gamma * (ceiling[i]! - dmin));
    goal[i] = target;
    if (target < assigned[i]!) shrinking = true;
  }
  if (!shrinking) return;
  for (let i = from; i < to; i++) {
    if (balanced[i]! == BALANCED && goal[i]! > assigned[i]!) goal[i] = assigned[i]!;
  }
}
