// A deliberately simple model of the balancer's allocation, written from the design's words, for checking
// the kernels: sort the VMs by need/weight and fill the tiers in real numbers.

export interface OracleVm {
  minimumMB: number;
  maximumMB: number;
  bufferPercent: number;
  weight: number;
  demandMB: number;
}

/** Continuous weighted water-fill: each gets min(need, λ·w), Σ = pool (weight-0 VMs after all others, evenly). */
function share(needs: number[], weights: number[], pool: number): number[] {
  const out = needs.map(() => 0);
  const fillGroup = (members: number[], w: (i: number) => number, amount: number) => {
    const sorted = [...members].sort((a, b) => needs[a]! / w(a) - needs[b]! / w(b));
    let left = amount;
    let openWeight = sorted.reduce((s, i) => s + w(i), 0);
    for (const i of sorted) {
      const level = left / openWeight;
      const give = Math.min(needs[i]!, level * w(i));
      out[i] = give;
      left -= give;
      openWeight -= w(i);
    }
  };
  const weighted = needs.map((_, i) => i).filter((i) => weights[i]! > 0 && needs[i]! > 0);
  const unweighted = needs.map((_, i) => i).filter((i) => weights[i] === 0 && needs[i]! > 0);
  const weightedNeed = weighted.reduce((s, i) => s + needs[i]!, 0);
  if (pool <= weightedNeed) fillGroup(weighted, (i) => weights[i]!, pool);
  else {
    for (const i of weighted) out[i] = needs[i]!;
    fillGroup(unweighted, () => 1, pool - weightedNeed);
  }
  return out;
}

/** Goal of every VM for a pool of memory, by the tiers: minimum, then demand, then buffer. */
export function oracleGoals(vms: OracleVm[], pool: number): number[] {
  const lo = vms.map((v) => v.minimumMB);
  const mid = vms.map((v) => Math.min(v.maximumMB, Math.max(v.minimumMB, v.demandMB)));
  const top = vms.map((v) =>
    Math.min(v.maximumMB, Math.max(v.minimumMB, v.demandMB + Math.ceil((v.demandMB * v.bufferPercent) / 100))),
  );
  const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
  const weights = vms.map((v) => v.weight);
  if (sum(top) <= pool) return top;
  if (sum(mid) <= pool) {
    const extra = share(
      top.map((t, i) => t - mid[i]!),
      weights,
      pool - sum(mid),
    );
    return mid.map((m, i) => m + extra[i]!);
  }
  const extra = share(
    mid.map((m, i) => m - lo[i]!),
    weights,
    pool - sum(lo),
  );
  return lo.map((l, i) => l + extra[i]!);
}
