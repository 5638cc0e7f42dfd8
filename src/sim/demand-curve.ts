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

/** Demand at simulated time t, MB (not rounded). */
export function demandAt(curve: DemandCurve, t: number): number {
  const { times, values, period } = curve;
  const n = times.length;
  if (n === 1) return values[0]!;
  let x = t + curve.offset;
  if (!curve.wrap) {
    if (x <= 0) return values[0]!;
    if (x >= times[n - 1]!) return values[n - 1]!;
  } else {
    x %= period;
    if (x < 0) x += period;
  }
  // binary search: the last sample at or before x
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  const t0 = times[lo]!;
  const t1 = lo + 1 < n ? times[lo + 1]! : period;
  const v0 = values[lo]!;
  const v1 = lo + 1 < n ? values[lo + 1]! : values[0]!;
  return v0 + ((v1 - v0) * (x - t0)) / (t1 - t0);
}
