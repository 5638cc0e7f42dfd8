// The replay report's charts: simulated against recorded memory for the worst VMs, on the recording's own clock.
import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../src/interop/compare.ts';
import { reportHtml } from '../src/report/html.ts';
import { MAX_REPLAY_CHARTS, worstVms } from '../src/report/replay-charts.ts';
import type { SimulationSeries } from '../src/sim/series.ts';
import type { SimulationSummary } from '../src/sim/summary.ts';

const SAMPLES = 16;
const VMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
// Mean |error| per VM, MB: h has no recorded sample at all (NaN).
const ERRORS = [10, 80, 30, 5, 60, 40, 70, NaN];

const comparison: ComparisonReport = {
  perVm: VMS.map((vm, k) => ({
    vm,
    samples: Number.isNaN(ERRORS[k]!) ? 0 : SAMPLES,
    meanAbsErrorMB: ERRORS[k]!,
    p95AbsErrorMB: ERRORS[k]!,
    within5Percent: 0.5,
  })),
  overall: { samples: 7 * SAMPLES, meanAbsErrorMB: 42, p95AbsErrorMB: 80, within5Percent: 0.5 },
};

const times = Array.from({ length: SAMPLES }, (_, i) => i * 60);
// As an earlier version saved it: without the extremes between samples (assignedMaxMB, pressureMax, shortVms …).
const series = {
  timeSeconds: times,
  hosts: [],
  total: {
    assignedMB: times.map(() => 8000),
    demandMB: times.map(() => 6000),
    availableMB: times.map(() => 20000),
    pressure: times.map(() => 75),
    averagePressure: times.map(() => 75),
    smartPagingMB: times.map(() => 0),
    runningVms: times.map(() => 8),
  },
  vms: VMS.map((name, k) => ({
    name,
    assignedMB: times.map((_, i) => 1000 + 100 * k + i),
    demandMB: times.map(() => 800 + 100 * k),
    pressure: times.map(() => 80),
    smartPagingMB: times.map(() => 0),
  })),
} as unknown as SimulationSeries;

const summary = {
  scenario: 'Replay of counters.csv',
  engine: 'wasm',
  durationSeconds: (SAMPLES - 1) * 60,
  hosts: 1,
  vms: VMS.length,
  memory: {
    hostMemoryMB: 32768,
    reserveMB: 2432,
    staticMB: 16000,
    meanAssignedMB: 8000,
    peakAssignedMB: 8000,
    meanDemandMB: 6000,
    savedMB: 8000,
    savedPercent: 50,
  },
  pressure: { average: 75, peak: 75 },
  shortfall: { vmSecondsShort: 0, guestPagingMBs: 0, vms: 0 },
  smartPaging: { mbSeconds: 0, peakMB: 0, vms: 0 },
  busiestVms: [],
  staticVms: [],
  startFailures: [],
  failovers: [],
  recoveries: [],
  events: [],
  warnings: [],
  eventErrors: [],
  headroom: { minAvailableMB: 20000, minHostAvailableMB: 20000 },
  traces: {
    files: 0,
    idle: [],
    repairs: { duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 },
    repaired: [],
  },
  // 09:00 in W. Europe Standard Time (bias −60: UTC = local − 60 min).
  startTime: '2025-04-02T08:00:00.000Z',
  wallSeconds: 0.1,
} as unknown as SimulationSummary;

// Recorded: each VM's simulated memory plus its error, b's last two samples missing.
const recorded = new Map(
  VMS.map((vm, k) => [
    vm,
    Float64Array.from(times, (_, i) =>
      Number.isNaN(ERRORS[k]!) || (vm === 'b' && i >= SAMPLES - 2) ? NaN : 1000 + 100 * k + i + ERRORS[k]!,
    ),
  ]),
);
const clock = { timeZone: 'W. Europe Standard Time', biasMinutes: -60 };

function chart(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  expect(start, id).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}
const seriesTitles = (svg: string) => [...svg.matchAll(/<path class="series"[^>]*><title>([^<]*)</g)].map((m) => m[1]);
const xTicks = (svg: string) => [...svg.matchAll(/text-anchor="middle" fill="#444">([^<]*)</g)].map((m) => m[1]);

describe('worstVms', () => {
  it('orders by mean |error|, largest first, VMs with nothing compared last, at most six', () => {
    expect(MAX_REPLAY_CHARTS).toBe(6);
    expect(worstVms(comparison)).toEqual(['b', 'g', 'e', 'f', 'c', 'a']);
    expect(worstVms(comparison, 99)).toEqual(['b', 'g', 'e', 'f', 'c', 'a', 'd', 'h']);
  });
});

describe('reportHtml of a replay', () => {
  const html = reportHtml(summary, series, { comparison, replay: { recorded, clock } });

  it('charts the six worst VMs of eight, says so, and in that order', () => {
    expect(html).toContain(
      '<p class="note" id="replay-charts-note">The 6 of 8 VMs with the largest mean |error|, largest first.',
    );
    const titles = [1, 2, 3, 4, 5, 6].map((k) => chart(html, `chart-replay-${k}`).match(/<title[^>]*>([^<]*)</)![1]);
    expect(titles).toEqual([
      'b: mean |error| 80 MB',
      'g: mean |error| 70 MB',
      'e: mean |error| 60 MB',
      'f: mean |error| 40 MB',
      'c: mean |error| 30 MB',
      'a: mean |error| 10 MB',
    ]);
    expect(html).not.toContain('id="chart-replay-7"');
  });

  it('draws recorded, simulated and demand lines, with a gap where the recording has none', () => {
    const svg = chart(html, 'chart-replay-1');
    expect(seriesTitles(svg)).toEqual(['Recorded (Hyper-V)', 'Simulated (dynmem)', 'Demand']);
    const recordedPath = svg.match(/<path class="series" d="([^"]*)"[^>]*><title>Recorded/)![1]!;
    // 14 recorded points of b, then the gap: one move-to, 13 line-tos.
    expect(recordedPath.match(/M/g)).toHaveLength(1);
    expect(recordedPath.match(/L/g)).toHaveLength(SAMPLES - 2 - 1);
  });

  it("reads time on the recording's clock: 09:00 to 09:15 local, labelled with its time zone", () => {
    const svg = chart(html, 'chart-replay-1');
    expect(svg).toContain('Recording time (W. Europe Standard Time, Apr 2, 2025)');
    expect(xTicks(svg)).toEqual(['09:00', '09:02', '09:04', '09:06', '09:08', '09:10', '09:12', '09:14']);
    // The run's own charts use the same clock; the header gives time 0 in UTC and on the recording's clock.
    expect(chart(html, 'chart-assigned')).toContain('Recording time (W. Europe Standard Time, Apr 2, 2025)');
    expect(html).toContain('<dt>Time 0</dt><dd>2025-04-02T08:00:00.000Z (09:00 W. Europe Standard Time)</dd>');
  });

  it('charts every VM when there are six or fewer, on UTC when the clock is unknown', () => {
    const few: ComparisonReport = { ...comparison, perVm: comparison.perVm.slice(0, 3) };
    const page = reportHtml(summary, series, { comparison: few, replay: { recorded } });
    expect(page).toContain('All 3 VMs, largest mean |error| first.');
    expect(chart(page, 'chart-replay-1')).toContain('Recording time (UTC, Apr 2, 2025)');
    expect(xTicks(chart(page, 'chart-replay-1'))[0]).toBe('08:00');
    expect(page).toContain('id="chart-replay-3"');
    expect(page).not.toContain('id="chart-replay-4"');
  });

  it('draws a series without the extremes between samples with no ranges and no VMs-short chart', () => {
    expect(html).not.toContain('class="envelope"');
    expect(html).not.toContain('between samples');
    expect(html).not.toContain('chart-short');
    expect(chart(html, 'chart-pressure')).toContain('<title>Current, all hosts</title>');
  });

  it('has no replay charts without a recording', () => {
    expect(reportHtml(summary, series, { comparison })).not.toContain('chart-replay-');
  });
});
