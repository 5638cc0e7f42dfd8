// The running cursors that feed trace demand read exactly what a binary search over the samples reads, for traces
// that wrap and inline samples that hold, time-shifted copies sharing one trace, and times that go back; the blocks
// of demands read ahead hold what the cursors read at each grid point.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DemandAhead } from '../src/sim/demand-ahead.ts';
import { constantCurve, DemandCursors, demandAt, inlineCurve, traceCurve } from '../src/sim/demand-curve.ts';
import type { DemandTrace } from '../src/traces/types.ts';

function trace(gaps: number[], values: number[]): DemandTrace {
  const times = new Float64Array(values.length);
  for (let k = 1; k < values.length; k++) times[k] = times[k - 1]! + gaps[k - 1]!;
  return {
    vm: 't',
    source: 't.csv',
    startTime: 0,
    times,
    demandMB: Float64Array.from(values),
    intervalSeconds: 300,
    repairs: { duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 },
  };
}

describe('DemandCursors', () => {
  it('hand-checked: a 3-sample trace wraps after its last interval; a copy is shifted', () => {
    const t = trace([300, 300], [1000, 1600, 400]); // period 900: 1000 → 1600 → 400 → 1000 …
    const cursors = new DemandCursors([traceCurve(t), traceCurve(t, 450)]);
    expect([0, 150, 300, 600, 750, 900, 1050].map((s) => cursors.at(0, s))).toEqual([
      1000, 1300, 1600, 400, 700, 1000, 1300,
    ]);
    // the copy 450 s ahead: at 0 it is halfway from 1600 to 400, at 150 on the third sample, at 450 back at the first
    expect([0, 150, 450].map((s) => cursors.at(1, s))).toEqual([1000, 400, 1000]);
  });

  it('equals demandAt at any times, forward with wraps and backward', () => {
    const sample = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 20 }),
      values: fc.array(fc.integer({ min: 0, max: 8000 }), { minLength: 21, maxLength: 21 }),
      offsets: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 1, maxLength: 4 }),
      steps: fc.array(fc.integer({ min: -400, max: 2000 }), { minLength: 1, maxLength: 60 }),
      inline: fc.boolean(),
    });
    fc.assert(
      fc.property(sample, ({ gaps, values, offsets, steps, inline }) => {
        const t = trace(gaps, values.slice(0, gaps.length + 1));
        const curves = offsets.map((offset) =>
          inline ? inlineCurve(Array.from(t.times, (s, k) => [s + offset, t.demandMB[k]!])) : traceCurve(t, offset),
        );
        const cursors = new DemandCursors(curves);
        let now = 0;
        for (const step of steps) {
          now = Math.max(0, now + step);
          curves.forEach((curve, k) => {
            expect(cursors.at(k, now)).toBe(demandAt(curve, now));
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replace: a VM follows its new curve at once', () => {
    const t = trace([300], [1000, 2000]);
    const cursors = new DemandCursors([traceCurve(t), traceCurve(t)]);
    expect(cursors.at(0, 300)).toBe(2000);
    cursors.replace(0, inlineCurve([[0, 512]]));
    expect([cursors.at(0, 300), cursors.at(0, 10_000), cursors.at(1, 300)]).toEqual([512, 512, 2000]);
  });
});

describe('DemandAhead', () => {
  it('gives every VM the demand at each grid point, through blocks, curves replaced, cursors set back and off-grid times', () => {
    const sample = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 20 }),
      values: fc.array(fc.integer({ min: 0, max: 8000 }), { minLength: 21, maxLength: 21 }),
      offsets: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 1, maxLength: 6 }),
      gridStep: fc.constantFrom(60, 300, 450),
      points: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
      replaced: fc.option(fc.record({ at: fc.nat(39), vm: fc.nat(5), mb: fc.integer({ min: 0, max: 9000 }) })),
      setBack: fc.option(fc.nat(39)),
    });
    fc.assert(
      fc.property(sample, ({ gaps, values, offsets, gridStep, points, replaced, setBack }) => {
        const t = trace(gaps, values.slice(0, gaps.length + 1));
        const curves = offsets.map((offset) => traceCurve(t, offset));
        const cursors = new DemandCursors(curves);
        const ahead = new DemandAhead(cursors, curves.length, gridStep);
        points.forEach((point, step) => {
          if (replaced && replaced.at === step && replaced.vm < curves.length) {
            curves[replaced.vm] = constantCurve(replaced.mb);
            cursors.replace(replaced.vm, curves[replaced.vm]!);
            ahead.reread(replaced.vm);
          }
          if (setBack === step) {
            cursors.restorePositions(new Int32Array(curves.length));
            ahead.forget();
          }
          const time = point * gridStep;
          expect(Array.from(ahead.at(time))).toEqual(curves.map((curve) => demandAt(curve, time)));
          expect(Array.from(ahead.at(time + 0.5))).toEqual(curves.map((curve) => demandAt(curve, time + 0.5)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads a block of grid points at a time, at most 4 MB of them', () => {
    const t = trace([300, 300], [1000, 1600, 400]);
    let reads = 0;
    const cursors = new DemandCursors(Array.from({ length: 10_000 }, (_, k) => traceCurve(t, k)));
    const read = cursors.at.bind(cursors);
    cursors.at = (k, time) => {
      reads++;
      return read(k, time);
    };
    const ahead = new DemandAhead(cursors, 10_000, 300);
    ahead.at(0);
    expect(reads).toBe(52 * 10_000); // 4 MiB / (8 B × 10,000 VMs) = 52 points
    for (let point = 1; point < 52; point++) ahead.at(point * 300);
    expect(reads).toBe(52 * 10_000);
    ahead.at(52 * 300);
    expect(reads).toBe(104 * 10_000);
  });
});
