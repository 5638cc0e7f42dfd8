/**
 * What a reader fixed in its input; never silent: the simulator reports these counts.
 * - `duplicateTimestamps`: rows dropped because an earlier row (in file order) had the same timestamp; the first wins.
 * - `outOfOrder`: kept rows that came after a row with a later timestamp and were moved by sorting.
 * - `gaps`: differences between consecutive kept samples longer than 1.5 × `intervalSeconds`; they are kept
 *   (the simulator interpolates linearly across them).
 * - `gapSeconds`: seconds missing in those gaps, Σ (difference − intervalSeconds).
 */
export interface TraceRepairs {
  duplicateTimestamps: number;
  outOfOrder: number;
  gaps: number;
  gapSeconds: number;
}

/** One VM's memory demand over time, as read from a trace. */
export interface DemandTrace {
  /** VM name (Bitbrains: file name without .csv/.csv.gz, e.g. "17"). */
  vm: string;
  /** File name or label used in error messages. */
  source: string;
  /** First timestamp, seconds (Unix seconds for Bitbrains). */
  startTime: number;
  /** Seconds since startTime, strictly increasing, times[0] === 0. */
  times: Float64Array;
  /** Demand in MB (MiB), NOT rounded (Bitbrains: Memory usage [KB] / 1024). */
  demandMB: Float64Array;
  /**
   * Largest provisioned memory seen, MB, rounded UP to a multiple of 2 (Bitbrains: Memory capacity provisioned [KB]);
   * absent when the trace has none (or only zeros).
   */
  provisionedMB?: number;
  /**
   * Nominal sample interval, seconds. Bitbrains: the published 300 (not measured: in some files, e.g. 20 and 54 of
   * 2013-7, a second 300 s series interleaves late in the month and would drag a median to 170 s and turn every
   * regular step into a "gap"). Generic CSV: the median of the differences between samples (the lower middle one
   * when their count is even, so it is an interval that really occurs), or 0 (unknown) for a single sample.
   */
  intervalSeconds: number;
  repairs: TraceRepairs;
}

/** Rows of one VM as they appear in the file, before repairs. @internal */
export interface RawSeries {
  /** Timestamps in seconds, file order. */
  times: number[];
  /** Demand in MB, file order. */
  demandMB: number[];
  /** Provisioned memory in MB per row, NaN where the row has none; empty when the format has no such column. */
  provisionedMB: number[];
}

/**
 * Applies the documented repairs (drop duplicate timestamps keeping the first row, sort, measure the interval and
 * the gaps) and builds the DemandTrace. The caller guarantees at least one row.
 * @param interval `{ nominal }` when the format publishes its interval, else `{ single }`: the interval to report
 *   when there is only one sample (the median of the differences is used otherwise)
 * @internal shared by the readers; not part of the public API.
 */
export function assembleTrace(
  raw: RawSeries,
  vm: string,
  source: string,
  interval: { nominal: number } | { single: number },
): DemandTrace {
  const n = raw.times.length;
  const seen = new Set<number>();
  const kept: number[] = [];
  let duplicateTimestamps = 0;
  let outOfOrder = 0;
  let latest = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = raw.times[i]!;
    // A duplicate is judged against every earlier row, so "first" means first in the file even when unsorted.
    if (seen.has(t)) {
      duplicateTimestamps++;
      continue;
    }
    seen.add(t);
    if (t < latest) outOfOrder++;
    else latest = t;
    kept.push(i);
  }
  // Timestamps are unique now, so the sort order is total and deterministic.
  if (outOfOrder > 0) kept.sort((a, b) => raw.times[a]! - raw.times[b]!);

  const m = kept.length;
  const startTime = raw.times[kept[0]!]!;
  const times = new Float64Array(m);
  const demandMB = new Float64Array(m);
  let maxProvisioned = 0;
  for (let j = 0; j < m; j++) {
    const i = kept[j]!;
    times[j] = raw.times[i]! - startTime;
    demandMB[j] = raw.demandMB[i]!;
    const p = raw.provisionedMB.length > 0 ? raw.provisionedMB[i]! : NaN;
    if (p > maxProvisioned) maxProvisioned = p;
  }

  let intervalSeconds = 'nominal' in interval ? interval.nominal : interval.single;
  let gaps = 0;
  let gapSeconds = 0;
  if (m > 1) {
    const diffs = new Float64Array(m - 1);
    for (let j = 1; j < m; j++) diffs[j - 1] = times[j]! - times[j - 1]!;
    if (!('nominal' in interval)) {
      const sorted = diffs.slice().sort();
      intervalSeconds = sorted[(sorted.length - 1) >> 1]!;
    }
    for (const d of diffs) {
      if (d > 1.5 * intervalSeconds) {
        gaps++;
        gapSeconds += d - intervalSeconds;
      }
    }
  }

  const trace: DemandTrace = {
    vm,
    source,
    startTime,
    times,
    demandMB,
    intervalSeconds,
    repairs: { duplicateTimestamps, outOfOrder, gaps, gapSeconds },
  };
  // Hyper-V memory settings are multiples of 2 MB; rounding up keeps the provisioned size usable as a maximum.
  if (maxProvisioned > 0) trace.provisionedMB = Math.ceil(maxProvisioned / 2) * 2;
  return trace;
}
