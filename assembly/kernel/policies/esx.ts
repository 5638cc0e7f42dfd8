// VMware ESX: a VM is given the pages it touches while memory is free; when the host would fall below its
// minFree, memory is revoked from the VMs with the fewest adjusted shares per page
// ρ = S / (P × (f + k × (1 − f))), k = 1 / (1 − τ), idle memory taxed by τ (min-funding revocation).
// Portable (asc and tsc).

import { hostEndVm, hostFirstVm } from '../jit.ts';
import { BALANCED, HostStore, VmStore } from '../store.ts';

/** Shares of a VM: its Hyper-V weight, at least 1 (ESX has no zero shares). */
export function esxShares(weight: f64): f64 {
  return weight > 1.0 ? weight : 1.0;
}

/** Pages VM i keeps when revocation stops at funding level x (= 1/ρ per share): the P at which its ρ equals 1/x,
 * inside [floor, pages]. With demand d active and P ≥ d, P × (f + k(1 − f)) = kP − (k − 1)d. */
function pagesAt(x: f64, shares: f64, d: f64, k: f64, floor: f64, pages: f64): f64 {
  const y = shares * x;
  const p = y >= d ? (y + (k - 1.0) * d) / k : y;
  return Math.min(pages, Math.max(floor, p));
}

/** Goals of the balanced VMs of `host`, whose balanced VMs may hold `pool` MB in all. */
export function decideEsx(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const balanced = v.balanced;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const assigned = v.assigned;
  const demand = v.demand;
  const weight = v.weight;
  const goal = v.goal;
  const pages = v.need; // scratch: what each VM holds once it has the pages it touches
  // Every VM gets the pages it touches (its demand, within its range); idle pages stay until revoked.
  let total = 0.0;
  let floors = 0.0;
  let highest = 0.0; // a funding level at which no VM gives anything
  const k = 1.0 / (1.0 - h.esxIdleTax[host]!);
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const min = floor[i]!;
    const touched = Math.min(ceiling[i]!, Math.max(min, demand[i]!));
    const p = Math.max(assigned[i]!, touched);
    pages[i] = p;
    goal[i] = p;
    total += p;
    floors += min;
    const x = (k * p) / esxShares(weight[i]!);
    if (x > highest) highest = x;
  }
  const budget = pool - h.esxMinFree[host]!;
  if (total <= budget) return;
  if (floors >= budget) {
    for (let i = from; i < to; i++) if (balanced[i]! == BALANCED) goal[i] = floor[i]!;
    return;
  }
  // Bisect the funding level at which what the VMs keep fits the budget (Σ pagesAt is monotone in x).
  let lo = 0.0;
  let hi = highest;
  for (let step = 0; step < 64; step++) {
    const mid = 0.5 * (lo + hi);
    let kept = 0.0;
    for (let i = from; i < to; i++) {
      if (balanced[i]! != BALANCED) continue;
      const min = floor[i]!;
      kept += pagesAt(mid, esxShares(weight[i]!), demand[i]!, k, min, pages[i]!);
    }
    if (kept <= budget) lo = mid;
    else hi = mid;
  }
  // Whole MB at the level found; what rounding leaves goes one MB each, in VM order, to VMs still short.
  let left = budget;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED) continue;
    const min = floor[i]!;
    const g = Math.floor(pagesAt(lo, esxShares(weight[i]!), demand[i]!, k, min, pages[i]!));
    goal[i] = g;
    left -= g;
  }
  while (left >= 1.0) {
    let gave = false;
    for (let i = from; i < to && left >= 1.0; i++) {
      if (balanced[i]! != BALANCED || goal[i]! >= pages[i]!) continue;
      goal[i]! += 1.0;
      left -= 1.0;
      gave = true;
    }
    if (!gave) break;
  }
}
