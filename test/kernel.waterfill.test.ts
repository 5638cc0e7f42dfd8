import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shareRatio, waterFill, weightedShare } from '../assembly/kernel/waterfill.ts';
import { columnStore, VM_COLUMNS } from '../src/engine/columns.ts';

/** The water-fill over VMs with these tier needs and weights, every goal starting at 0: the shares. */
function run(needs: number[], weights: number[], pool: number, start = 0) {
  const n = needs.length;
  const v = columnStore(VM_COLUMNS, () => new Float64Array(n));
  let weightedNeed = 0;
  let unweightedNeed = 0;
  needs.forEach((need, i) => {
    const w = weightedShare(need, weights[i]!);
    v.need[i] = need;
    v.weight[i] = weights[i]!;
    v.shareWeight[i] = w;
    v.ratio[i] = shareRatio(need, w);
    if (w > 0) weightedNeed += need;
    else unweightedNeed += need;
  });
  waterFill(v, 0, n, pool, start, weightedNeed, unweightedNeed);
  return Array.from(v.goal);
}

describe('waterFill', () => {
  it('gives every need when the pool is large enough', () => {
    expect(run([100, 200], [1, 1], 1000)).toEqual([100, 200]);
  });

  it('shares by weight: twice the weight, twice the share', () => {
    expect(run([1000, 1000], [5000, 10000], 300)).toEqual([100, 200]);
  });

  it('caps a small need and gives the rest to the others', () => {
    // λ·w: the first VM needs only 50; the other two split the remaining 250 equally.
    expect(run([50, 1000, 1000], [1, 1, 1], 300)).toEqual([50, 125, 125]);
  });

  it('serves weight-0 VMs only after every weighted VM is full, then evenly', () => {
    expect(run([100, 500, 500], [5000, 0, 0], 300)).toEqual([100, 100, 100]);
    expect(run([100, 500, 500], [5000, 0, 0], 90)).toEqual([90, 0, 0]);
  });

  it('hands out the pool exactly, in whole MB, with ties settled in VM order', () => {
    expect(run([100, 100, 100], [1, 1, 1], 100)).toEqual([34, 33, 33]);
  });

  it('never exceeds the pool or a need, uses the whole pool, and does not depend on the start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ need: fc.integer({ min: 0, max: 5000 }), weight: fc.integer({ min: 0, max: 10000 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 100000 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (vms, pool, start) => {
          const needs = vms.map((v) => v.need);
          const weights = vms.map((v) => v.weight);
          const a = run(needs, weights, pool, 0);
          const b = run(needs, weights, pool, start);
          const total = needs.reduce((s, x) => s + x, 0);
          const given = a.reduce((s, x) => s + x, 0);
          expect(given).toBe(Math.min(pool, total));
          a.forEach((g, i) => {
            expect(Number.isInteger(g)).toBe(true);
            expect(g).toBeGreaterThanOrEqual(0);
            expect(g).toBeLessThanOrEqual(needs[i]!);
          });
          expect(b).toEqual(a);
        },
      ),
    );
  });
});
