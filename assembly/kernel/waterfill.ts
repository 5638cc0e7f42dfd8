// Exact weighted water-fill in whole MB over one host's VMs. Portable (asc and tsc).
//
// The tier's needs sit in the `need` column with each VM's `shareWeight` (0: it takes no part) and `ratio`
// (need per unit of weight; Infinity when it takes no part). Each VM gets min(need, λ × weight), with λ the water
// level at which the shares add up to the pool. Weight-0 VMs are served only after every weighted VM is full,
// then evenly. Every amount is whole MB, so every sum is exact whatever order it is taken in.
import * as jit from './jit.ts';
import * as order from './order.ts';
import { VmStore } from './store.ts';

// Imports bound to module consts, which V8 treats as constants in the loops (see jit.ts).
const lesser = order.lesser;
const unboxed = jit.unboxed;

/** Newton steps allowed to find the water level. They take a handful in practice (the first step lands at or
 * below the answer and each later one passes at least one VM's ratio); running out means a broken invariant. */
export const WATER_LEVEL_STEP_LIMIT = 200;

/** Share weight and ratio of a VM with tier need `need` and balancer weight `weight` in the weighted sharing. */
export function weightedShare(need: f64, weight: f64): f64 {
  return need > 0.0 && weight != 0.0 ? weight : 0.0;
}

/** The ratio need / share weight, Infinity for a VM that takes no part. */
export function shareRatio(need: f64, shareWeight: f64): f64 {
  return shareWeight > 0.0 ? need / shareWeight : Infinity;
}

/**
 * The level λ at which the needs of VMs from..to fill `pool` (which is below their sum).
 * Newton steps on the concave piecewise-linear Σ min(need, λw): from any start the first step lands at or below
 * the answer and later ones climb to it; the answer is the one λ consistent with its own capped/open split, so it
 * does not depend on the start.
 */
export function waterLevel(v: VmStore, from: i32, to: i32, pool: f64, start: f64): f64 {
  const need = v.need;
  const shareWeight = v.shareWeight;
  const ratio = v.ratio;
  let lambda = start > 0.0 ? start : 0.0;
  for (let step = 0; step < WATER_LEVEL_STEP_LIMIT; step++) {
    let cappedNeed = 0.0;
    let openWeight = 0.0;
    let highestCapped = 0.0;
    let lowestOpen = Infinity;
    for (let i = from; i < to; i++) {
      const r = ratio[i]!;
      if (r <= lambda) {
        cappedNeed += need[i]!;
        if (r > highestCapped) highestCapped = r;
      } else {
        openWeight += shareWeight[i]!;
        if (r < lowestOpen) lowestOpen = r;
      }
    }
    if (openWeight == 0.0) {
      lambda = 0.0; // everything capped yet over the pool: the start was too high
      continue;
    }
    const next = (pool - cappedNeed) / openWeight;
    if (next >= highestCapped && next < lowestOpen) return next;
    lambda = next;
  }
  throw new Error('dynmem: the water level did not converge');
}

/** Shares at level λ, added to `goal`: exactly `pool` MB in all (the whole MB lost to rounding go one each, in VM
 * order, to the VMs still short). */
export function handOut(v: VmStore, from: i32, to: i32, pool: f64, level: f64): void {
  const lambda = unboxed(level);
  const need = v.need;
  const shareWeight = v.shareWeight;
  const share = v.share;
  const goal = v.goal;
  let given = 0.0;
  for (let i = from; i < to; i++) {
    const s = lesser(need[i]!, Math.floor(lambda * shareWeight[i]!));
    share[i] = s;
    goal[i]! += s;
    given += s;
  }
  fixUpHandOut(v, from, to, pool, given);
}

/** After the shares at λ gave `given` MB: whole MB back or out, one each in VM order, until exactly `pool`. */
export function fixUpHandOut(v: VmStore, from: i32, to: i32, pool: f64, given: f64): void {
  const need = v.need;
  const shareWeight = v.shareWeight;
  const share = v.share;
  const goal = v.goal;
  // Floating point can put λ a hair high: take single MB back, in VM order, until within the pool.
  for (let i = from; i < to && given > pool; i++) {
    if (share[i]! > 0.0) {
      share[i]! -= 1.0;
      goal[i]! -= 1.0;
      given -= 1.0;
    }
  }
  let left = pool - given;
  for (let i = from; i < to && left > 0.0; i++) {
    if (shareWeight[i]! > 0.0 && share[i]! < need[i]!) {
      goal[i]! += 1.0;
      left -= 1.0;
    }
  }
}

/**
 * Share `pool` MB over the tier's needs of VMs from..to, ADDING each VM's share to its goal. `weightedNeed` and
 * `unweightedNeed` are the needs of VMs with and without weight; `shareWeight` and `ratio` hold the weighted
 * sharing. Returns the weighted water level (`start` when there was none to find), the next search's start.
 */
export function waterFill(
  v: VmStore,
  from: i32,
  to: i32,
  pool: f64,
  start: f64,
  weightedNeed: f64,
  unweightedNeed: f64,
): f64 {
  const need = v.need;
  const goal = v.goal;
  if (pool >= weightedNeed + unweightedNeed) {
    for (let i = from; i < to; i++) goal[i]! += need[i]!;
    return start;
  }
  if (pool < weightedNeed) {
    const lambda = waterLevel(v, from, to, pool, start);
    handOut(v, from, to, pool, lambda);
    return lambda;
  }
  // Every weighted VM is full; weight-0 VMs share what is left evenly (weight 1 each).
  const shareWeight = v.shareWeight;
  const ratio = v.ratio;
  const weight = v.weight;
  for (let i = from; i < to; i++) {
    const n = need[i]!;
    if (shareWeight[i]! > 0.0) goal[i]! += n;
    const unit = n > 0.0 && weight[i]! == 0.0 ? 1.0 : 0.0;
    shareWeight[i] = unit;
    ratio[i] = shareRatio(n, unit);
  }
  const rest = pool - weightedNeed;
  handOut(v, from, to, rest, waterLevel(v, from, to, rest, 0.0));
  return start;
}
