// Exact weighted water-fill in whole MB. Portable (asc and tsc).
//
// Share `pool` MB among the VMs order[from..to): each gets min(need, λ × weight), with λ the level at which
// the shares add up to the pool. Weight-0 VMs are served only after every weighted VM is full, then evenly.

/** The level λ that fills `pool`, by Newton steps on the concave piecewise-linear Σ min(need, λw).
 * From any start, the first step lands at or below the answer and later steps climb to it, changing the
 * capped/uncapped split each time, so the loop ends; the answer is taken from the final split alone. */
function level(order: Int32Array, from: i32, to: i32, need: Float64Array, weight: Float64Array,
  unitWeights: bool, pool: f64, start: f64): f64 {
  let lambda = start > 0.0 ? start : 0.0;
  let first = true;
  while (true) {
    let cappedNeed = 0.0;
    let openWeight = 0.0;
    for (let k = from; k < to; k++) {
      const i = order[k];
      const n = need[i];
      if (n <= 0.0) continue;
      const w = weight[i];
      if (unitWeights ? w != 0.0 : w == 0.0) continue;
      const wi = unitWeights ? 1.0 : w;
      if (n <= lambda * wi) cappedNeed += n;
      else openWeight += wi;
    }
    if (openWeight == 0.0) {
      // Everything capped yet over the pool: the start was too high; climb from zero.
      lambda = 0.0;
      first = false;
      continue;
    }
    const next = (pool - cappedNeed) / openWeight;
    if (next == lambda || (!first && next < lambda)) return next > lambda ? next : lambda;
    lambda = next;
    first = false;
  }
  return lambda;
}

/** Grant each VM its whole-MB share; returns MB handed out (never above `pool`). */
function fill(order: Int32Array, from: i32, to: i32, need: Float64Array, weight: Float64Array,
  unitWeights: bool, pool: f64, lambda: f64, grant: Float64Array): f64 {
  let given = 0.0;
  for (let k = from; k < to; k++) {
    const i = order[k];
    const n = need[i];
    const w = weight[i];
    if (n <= 0.0 || (unitWeights ? w != 0.0 : w == 0.0)) continue;
    const share = Math.min(n, Math.floor(lambda * (unitWeights ? 1.0 : w)));
    grant[i] = share;
    given += share;
  }
  // Rounding: settle the last few MB one at a time, in VM order, so the pool is used exactly.
  for (let k = from; k < to && given > pool; k++) {
    const i = order[k];
    const w = weight[i];
    if (need[i] <= 0.0 || (unitWeights ? w != 0.0 : w == 0.0) || grant[i] <= 0.0) continue;
    grant[i] -= 1.0;
    given -= 1.0;
  }
  for (let k = from; k < to && given < pool; k++) {
    const i = order[k];
    const w = weight[i];
    if (unitWeights ? w != 0.0 : w == 0.0) continue;
    if (grant[i] < need[i]) {
      grant[i] += 1.0;
      given += 1.0;
    }
  }
  return given;
}

/** Water-fill `pool` MB over needs; writes `grant` for every VM in range and returns the weighted λ found
 * (the caller keeps it as the next tick's starting point). Needs must be whole MB. */
export function waterFill(order: Int32Array, from: i32, to: i32, need: Float64Array, weight: Float64Array,
  pool: f64, start: f64, grant: Float64Array): f64 {
  let weightedNeed = 0.0;
  let unweightedNeed = 0.0;
  for (let k = from; k < to; k++) {
    const i = order[k];
    grant[i] = 0.0;
    const n = need[i];
    if (n <= 0.0) continue;
    if (weight[i] == 0.0) unweightedNeed += n;
    else weightedNeed += n;
  }
  if (pool >= weightedNeed + unweightedNeed) {
    for (let k = from; k < to; k++) {
      const i = order[k];
      const n = need[i];
      grant[i] = n > 0.0 ? n : 0.0;
    }
    return start;
  }
  if (pool < weightedNeed) {
    const lambda = level(order, from, to, need, weight, false, pool, start);
    fill(order, from, to, need, weight, false, pool, lambda, grant);
    return lambda;
  }
  // Every weighted VM is full; weight-0 VMs share what is left evenly.
  for (let k = from; k < to; k++) {
    const i = order[k];
    if (weight[i] != 0.0 && need[i] > 0.0) grant[i] = need[i];
  }
  const rest = pool - weightedNeed;
  const even = level(order, from, to, need, weight, true, rest, 0.0);
  fill(order, from, to, need, weight, true, rest, even, grant);
  return start;
}
