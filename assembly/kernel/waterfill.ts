// Exact weighted water-fill in whole MB. Portable (asc and tsc).
//
// Share `pool` MB among the VMs from..to (a host's VMs are consecutive in the store): each gets min(need, λ × weight), with λ the level at which the
// shares add up to the pool. Weight-0 VMs are served only after every weighted VM is full, then evenly.
// The needs worth sharing are first packed into contiguous scratch columns, so the search runs over dense
// arrays with no indirection.

/** Scratch columns for the packed needs (as long as the VM store; allocated like the store's columns). */
export class Packed {
  need!: F64Column;
  weight!: F64Column;
  ratio!: F64Column;
  share!: F64Column;
  slot!: F64Column;
}

/** The level λ at which the first `count` packed needs fill `pool` (which is below their sum).
 * Newton steps on the concave piecewise-linear Σ min(need, λw): from any start the first step lands at or below
 * the answer and later ones climb to it; the answer is the one λ consistent with its own capped/open split, so
 * it does not depend on the start. */
export function level(p: Packed, count: i32, pool: f64, start: f64): f64 {
  const need = p.need;
  const weight = p.weight;
  const ratio = p.ratio;
  let lambda = start > 0.0 ? start : 0.0;
  for (let step = 0; step < 200; step++) {
    let cappedNeed = 0.0;
    let openWeight = 0.0;
    let highestCapped = 0.0;
    let lowestOpen = Infinity;
    for (let j = 0; j < count; j++) {
      const r = ratio[j];
      if (r <= lambda) {
        cappedNeed += need[j];
        if (r > highestCapped) highestCapped = r;
      } else {
        openWeight += weight[j];
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
  return lambda;
}

/** Shares of the first `count` packed needs at level λ, added to out[slot]; exactly `pool` MB in all: the
 * whole MB lost to rounding go one each, in VM order, to the VMs still short. */
export function hand(p: Packed, count: i32, pool: f64, lambda: f64, out: F64Column): void {
  const need = p.need;
  const weight = p.weight;
  const share = p.share;
  const slot = p.slot;
  let given = 0.0;
  for (let j = 0; j < count; j++) {
    const s = Math.min(need[j], Math.floor(lambda * weight[j]));
    share[j] = s;
    given += s;
    out[<i32>slot[j]] += s;
  }
  // Floating point can put λ a hair high: take single MB back, in VM order, until within the pool.
  for (let j = 0; j < count && given > pool; j++) {
    if (share[j] > 0.0) {
      share[j] -= 1.0;
      out[<i32>slot[j]] -= 1.0;
      given -= 1.0;
    }
  }
  let left = pool - given;
  for (let j = 0; j < count && left > 0.0; j++) {
    if (share[j] < need[j]) {
      out[<i32>slot[j]] += 1.0;
      left -= 1.0;
    }
  }
}

/** Pack the positive needs of weighted VMs (`unit` false) or of weight-0 VMs at weight 1 (`unit` true). */
function pack(from: i32, to: i32, need: F64Column, weight: F64Column, unit: bool, p: Packed): i32 {
  let count = 0;
  for (let i = from; i < to; i++) {
    const n = need[i];
    const w = weight[i];
    if (n <= 0.0 || (unit ? w != 0.0 : w == 0.0)) continue;
    const wi = unit ? 1.0 : w;
    p.need[count] = n;
    p.weight[count] = wi;
    p.ratio[count] = n / wi;
    p.slot[count] = <f64>i;
    count++;
  }
  return count;
}

/** Water-fill `pool` MB (whole) over whole-MB needs, ADDING each VM's share to out[i]. Returns the weighted λ
 * found, which the caller keeps as the next search's starting point. */
export function waterFill(
  from: i32,
  to: i32,
  need: F64Column,
  weight: F64Column,
  pool: f64,
  start: f64,
  out: F64Column,
  p: Packed,
): f64 {
  let weightedNeed = 0.0;
  let unweightedNeed = 0.0;
  for (let i = from; i < to; i++) {
    const n = need[i];
    if (n <= 0.0) continue;
    if (weight[i] == 0.0) unweightedNeed += n;
    else weightedNeed += n;
  }
  if (pool >= weightedNeed + unweightedNeed) {
    for (let i = from; i < to; i++) {
      const n = need[i];
      if (n > 0.0) out[i] += n;
    }
    return start;
  }
  if (pool < weightedNeed) {
    const count = pack(from, to, need, weight, false, p);
    const lambda = level(p, count, pool, start);
    hand(p, count, pool, lambda, out);
    return lambda;
  }
  // Every weighted VM is full; weight-0 VMs share what is left evenly.
  for (let i = from; i < to; i++) {
    if (weight[i] != 0.0 && need[i] > 0.0) out[i] += need[i];
  }
  const rest = pool - weightedNeed;
  const count = pack(from, to, need, weight, true, p);
  hand(p, count, rest, level(p, count, rest, 0.0), out);
  return start;
}
