import { describe, expect, it } from 'vitest';
import { DynamicMemoryError } from '../src/errors.ts';
import { compareAssigned } from '../src/interop/index.ts';

describe('compareAssigned', () => {
  it('computes the metrics on hand-checked values, skipping NaN recorded samples', () => {
    // |errors| = 40, 50, 200, 0, 10 (the NaN sample is skipped); 5 % bounds: 50, 50, 100, 25, 10.
    const recorded = [1000, 1000, 2000, NaN, 500, 200];
    const simulated = [1040, 950, 2200, 9999, 500, 210];
    const r = compareAssigned(recorded, simulated);
    expect(r.samples).toBe(5);
    expect(r.meanAbsErrorMB).toBe(60); // 300 / 5
    expect(r.p95AbsErrorMB).toBe(200); // nearest rank: ceil(0.95 × 5) = 5th of 0, 10, 40, 50, 200
    expect(r.within5Percent).toBe(0.8); // all but the 200 MB miss; 50 of 1000 is exactly 5 %, and counts
  });

  it('p95 by nearest rank over 20 samples is the 19th smallest error', () => {
    const recorded = new Float64Array(20).fill(1000);
    const simulated = Float64Array.from({ length: 20 }, (_, i) => 1000 + i + 1); // errors 1…20
    const r = compareAssigned(recorded, simulated);
    expect(r.p95AbsErrorMB).toBe(19);
    expect(r.meanAbsErrorMB).toBe(10.5);
    expect(r.within5Percent).toBe(1);
  });

  it('treats a recorded 0 as within 5 % only when the simulation also has 0', () => {
    expect(compareAssigned([0, 0], [0, 2]).within5Percent).toBe(0.5);
  });

  it('returns NaN metrics when nothing was recorded', () => {
    const r = compareAssigned([NaN, NaN], [1, 2]);
    expect(r.samples).toBe(0);
    expect(r.meanAbsErrorMB).toBeNaN();
    expect(r.p95AbsErrorMB).toBeNaN();
    expect(r.within5Percent).toBeNaN();
  });

  it('refuses mismatched lengths and a simulated NaN', () => {
    expect(() => compareAssigned([1, 2], [1])).toThrow(DynamicMemoryError);
    expect(() => compareAssigned([1], [NaN])).toThrow(/sample 0/);
  });
});
