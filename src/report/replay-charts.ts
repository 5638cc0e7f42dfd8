// The charts of a replay report: what dynmem assigned against what Hyper-V recorded, VM by VM, on the recording's
// own clock. A recording of many VMs shows the worst few: those a reader has to look at.
import type { ComparisonReport } from '../interop/compare.ts';
import type { RecordingClock } from '../sim/replay.ts';
import type { SimulationSeries } from '../sim/series.ts';
import { escapeXml as esc, formatNumber, lineChart, type WallClock } from './svg.ts';

/** Replay charts drawn at most: past this, the VMs with the largest mean |error| are shown. */
export const MAX_REPLAY_CHARTS = 6;

/** Recorded Physical Memory per VM, MB, one value per sample from the recording's first (NaN where missing). */
export type RecordedMemory = ReadonlyMap<string, ArrayLike<number>>;

/** What a report needs of a replay (`Replay` has it): the recorded memory and, if known, the recording's clock. */
export interface ReplayRecording {
  recorded: RecordedMemory;
  clock?: RecordingClock;
}

/** The clock a recording's samples were stamped on (UTC when unknown), for the time axes. */
export function recordingWallClock(clock: RecordingClock | undefined): WallClock {
  return clock ? { name: clock.timeZone, utcOffsetMinutes: -clock.biasMinutes } : { name: 'UTC', utcOffsetMinutes: 0 };
}

/** The VMs to chart, worst first: by mean |error| (VMs with no sample compared last), then by name. */
export function worstVms(comparison: ComparisonReport, count = MAX_REPLAY_CHARTS): string[] {
  const error = (x: number) => (Number.isFinite(x) ? x : -1);
  return [...comparison.perVm]
    .sort((a, b) => error(b.meanAbsErrorMB) - error(a.meanAbsErrorMB) || String(a.vm).localeCompare(String(b.vm)))
    .slice(0, count)
    .map((r) => String(r.vm));
}

/**
 * One chart per VM (up to MAX_REPLAY_CHARTS, the worst by mean |error|): recorded Physical Memory, the memory dynmem
 * assigned at the same samples, and the demand both saw. Ids `chart-replay-1` … in the order shown.
 */
export function replayCharts(
  comparison: ComparisonReport,
  replay: ReplayRecording,
  series: SimulationSeries,
  startTimeMs: number | undefined,
): string {
  const { recorded } = replay;
  const times = series.timeSeconds;
  const shown = worstVms(comparison).filter((vm) => recorded.has(vm) && series.vms.some((s) => s.name === vm));
  const perVm = new Map(comparison.perVm.map((r) => [String(r.vm), r]));
  const all = comparison.perVm.length;
  const how =
    shown.length < all
      ? `The ${formatNumber(shown.length)} of ${formatNumber(all)} VMs with the largest mean |error|, largest first.`
      : all === 1
        ? 'The one VM.'
        : `All ${formatNumber(all)} VMs, largest mean |error| first.`;
  const out = [
    '<h3>Simulated against recorded, per VM</h3>',
    `<p class="note" id="replay-charts-note">${esc(how)} Time on the recording's clock.</p>`,
  ];
  shown.forEach((vm, k) => {
    const s = series.vms.find((v) => v.name === vm)!;
    const rec = recorded.get(vm)!;
    const error = perVm.get(vm)!.meanAbsErrorMB;
    out.push(
      `<figure>${lineChart({
        id: `chart-replay-${k + 1}`,
        title: `${vm}: mean |error| ${formatNumber(error)} MB`,
        xLabel: 'Recording time',
        yLabel: 'MB',
        times,
        width: 760,
        height: 260,
        ...(startTimeMs === undefined ? {} : { startTimeMs, wallClock: recordingWallClock(replay.clock) }),
        lines: [
          {
            label: 'Recorded (Hyper-V)',
            values: times.map((_, i) => (i < rec.length ? rec[i]! : NaN)),
            color: '#000000',
          },
          { label: 'Simulated (dynmem)', values: s.assignedMB, color: '#0072B2' },
          { label: 'Demand', values: s.demandMB, color: '#D55E00', dashed: true },
        ],
      })}</figure>`,
    );
  });
  return out.join('\n');
}
