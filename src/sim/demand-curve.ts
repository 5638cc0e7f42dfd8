// A VM's demand over simulated time: linear interpolation between samples. A trace wraps around at its end, so a
// trace of any length can drive a run of any length; inline samples hold their first and last values instead.
import type { DemandTrace } from '../traces/types.ts';

export interface DemandCurve {
  /** Sample times, seconds from the start of the curve, increasing, times[0] = 0. */
  times: Float64Array;
  values: Float64Array;
  /** Length of one cycle: after it the curve starts over (last sample + one interval). */
  period: number;
  /** Seconds into the curve at simulated time 0 (time-shifted copies differ only in this). */
  offset: number;
  /** Start over after `period` (traces), or hold the first and last values outside the samples (inline). */
  wrap: boolean;
}

export function constantCurve(demandMB: number): DemandCurve {
  return { times: Float64Array.of(0), values: Float64Array.of(demandMB), period: 1, offset: 0, wrap: false };
}

export function traceCurve(trace: DemandTrace, offset = 0): DemandCurve {
  const n = trace.times.length;
  const interval = trace.intervalSeconds > 0 ? trace.intervalSeconds : 300;
  return { times: trace.times, values: trace.demandMB, period: trace.times[n - 1]! + interval, offset, wrap: true };
}

export function inlineCurve(pairs: [number, number][]): DemandCurve {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const t0 = sorted[0]![0];
  const times = Float64Array.from(sorted, (p) => p[0] - t0);
  return {
    times,
    values: Float64Array.from(sorted, (p) => p[1]),
    period: times[times.length - 1]!,
    offset: -t0,
    wrap: false,
  };
}

/** Curve time x (simulated time plus the curve's offset), wrapped into one cycle (traces) or clamped (inline). */
function cycleTime(curve: DemandCurve, x: number): number {
  if (!curve.wrap) return Math.min(Math.max(x, 0), curve.times[curve.times.length - 1]!);
  if (x >= 0 && x < curve.period) return x; // the first cycle, most runs' whole length: no division
  const wrapped = x % curve.period;
  return wrapped < 0 ? wrapped + curve.period : wrapped;
}

/** The value at cycle time x, given `lo`, the last sample at or before x (linear towards the next sample). */
function valueBetween(curve: DemandCurve, x: number, lo: number): number {
  const { times, values, period } = curve;
  const n = times.length;
  const t0 = times[lo]!;
  if (x === t0) return values[lo]!;
  const t1 = lo + 1 < n ? times[lo + 1]! : period;
  const v0 = values[lo]!;
  const v1 = lo + 1 < n ? values[lo + 1]! : values[0]!;
  return v0 + ((v1 - v0) * (x - t0)) / (t1 - t0);
}

/** The last sample at or before cycle time x (binary search). */
function sampleBefore(times: Float64Array, x: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Demand at simulated time t, MB (not rounded). */
export function demandAt(curve: DemandCurve, t: number): number {
  const x = cycleTime(curve, t + curve.offset);
  return valueBetween(curve, x, sampleBefore(curve.times, x));
}

/**
 * Demand of many VMs read at times that move forward, as a run does: each VM keeps the index of the last sample it
 * passed, so a reading costs O(1) (a step or two forward, or back to the start after a trace wraps) instead of a
 * binary search. Readings equal `demandAt` exactly, in any order (going back in time costs a binary search).
 * Time-shifted copies of a trace share its samples: per VM only its offset and index are kept, in flat arrays,
 * so a pass over thousands of VMs reads a few small arrays rather than an object per VM.
 */
export class DemandCursors {
  /** The distinct curves (offsets aside), each VM's curve in it, its offset and its cursor. */
  private readonly shapes: DemandCurve[] = [];
  private readonly shapeByValues = new Map<Float64Array, number>();
  private readonly shapeOf: Int32Array;
  private readonly offset: Float64Array;
  private readonly index: Int32Array;

  constructor(curves: readonly DemandCurve[]) {
    this.shapeOf = new Int32Array(curves.length);
    this.offset = new Float64Array(curves.length);
    this.index = new Int32Array(curves.length);
    curves.forEach((curve, k) => this.replace(k, curve));
  }

  /** Demand of curve k at simulated time t, MB (not rounded). */
  at(k: number, t: number): number {
    const curve = this.shapes[this.shapeOf[k]!]!;
    const times = curve.times;
    const last = times.length - 1;
    const x = cycleTime(curve, t + this.offset[k]!);
    let lo = this.index[k]!;
    if (times[lo]! > x) lo = sampleBefore(times, x); // back in time (a wrap, a block read again): search
    while (lo < last && times[lo + 1]! <= x) lo++;
    this.index[k] = lo;
    return valueBetween(curve, x, lo);
  }

  /** Where each VM's cursor stands (a checkpoint keeps them; readings do not depend on them). */
  get positions(): Int32Array {
    return this.index.slice();
  }

  /** Cursors back where a checkpoint found them. */
  restorePositions(positions: ArrayLike<number>): void {
    this.index.set(positions);
  }

  /** Curve k follows `curve` from now on (a scenario's setDemand event). */
  replace(k: number, curve: DemandCurve): void {
    let shape = this.shapeByValues.get(curve.values);
    const same = (s: DemandCurve) =>
      s.times === curve.times && s.values === curve.values && s.period === curve.period && s.wrap === curve.wrap;
    if (shape === undefined || !same(this.shapes[shape]!)) {
      shape = this.shapes.push(curve) - 1;
      this.shapeByValues.set(curve.values, shape);
    }
    this.shapeOf[k] = shape;
    this.offset[k] = curve.offset;
    this.index[k] = 0;
  }
}
