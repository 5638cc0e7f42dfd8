import { describe, expect, it } from 'vitest';
import { type ComparisonReport, reportHtml } from '../src/report/html.ts';
import { reportHtml as fromIndex, lineChart, timeSeriesCsv } from '../src/report/index.ts';
import type { HostSeries, SimulationSeries } from '../src/sim/series.ts';
import type { SimulationSummary } from '../src/sim/summary.ts';

const EVIL = '<b>&"x"';
const EVIL_ESCAPED = '&lt;b&gt;&amp;&quot;x&quot;';

function host(name: string, n: number, scale: number): HostSeries {
  const demand = Array.from({ length: n }, (_, i) => scale * (1000 + 400 * Math.sin(i / 3)));
  return {
    name,
    assignedMB: demand.map((d) => Math.round(d * 1.2)),
    demandMB: demand,
    availableMB: demand.map((d) => 16384 - Math.round(d * 1.2)),
    pressure: demand.map((d) => (100 * d) / Math.round(d * 1.2)),
    averagePressure: demand.map(() => 83),
    smartPagingMB: demand.map((_, i) => (i === 5 ? 256 : 0)),
    runningVms: demand.map(() => 2),
    assignedMaxMB: demand.map((d) => Math.round(d * 1.3)),
    assignedMinMB: demand.map((d) => Math.round(d * 1.1)),
    pressureMax: demand.map((d) => (100 * d) / Math.round(d * 1.1)),
    pressureMin: demand.map((d) => (100 * d) / Math.round(d * 1.3)),
    shortVms: demand.map((_, i) => (i === 7 ? 1 : 0)),
  };
}

function fixture(hostCount = 2, n = 24): { summary: SimulationSummary; series: SimulationSeries } {
  const hosts = Array.from({ length: hostCount }, (_, k) => host(k === 0 ? `host ${EVIL}` : `h${k + 1}`, n, 1 + k / 2));
  const sum = (pick: (h: HostSeries) => number[]) =>
    Array.from({ length: n }, (_, i) => hosts.reduce((s, h) => s + pick(h)[i]!, 0));
  const series: SimulationSeries = {
    timeSeconds: Array.from({ length: n }, (_, i) => i * 3600),
    hosts,
    total: {
      assignedMB: sum((h) => h.assignedMB),
      demandMB: sum((h) => h.demandMB),
      availableMB: sum((h) => h.availableMB),
      pressure: hosts[0]!.pressure,
      averagePressure: hosts[0]!.averagePressure,
      smartPagingMB: sum((h) => h.smartPagingMB),
      runningVms: sum((h) => h.runningVms),
      assignedMaxMB: sum((h) => h.assignedMaxMB),
      assignedMinMB: sum((h) => h.assignedMinMB),
      pressureMax: hosts[0]!.pressureMax,
      pressureMin: hosts[0]!.pressureMin,
      shortVms: sum((h) => h.shortVms),
    },
    vms: [{ name: EVIL, assignedMB: [], demandMB: [], pressure: [], smartPagingMB: [] }],
  };
  // The cast lets the fixture carry fields that a newer SimulationSummary adds (startTime) and an older one lacks.
  const summary = {
    scenario: `scenario ${EVIL}`,
    engine: 'wasm',
    durationSeconds: (n - 1) * 3600,
    hosts: hostCount,
    vms: 2 * hostCount,
    memory: {
      hostMemoryMB: 16384 * hostCount,
      reserveMB: 2048 * hostCount,
      staticMB: 4096 * hostCount,
      meanAssignedMB: 2500,
      peakAssignedMB: 4000,
      meanDemandMB: 2000,
      savedMB: 8192 - 2500,
      savedPercent: 69.5,
    },
    pressure: { average: 83.2, peak: 104.7 },
    shortfall: { vmSecondsShort: 120, guestPagingMBs: 3456.5, vms: 3 },
    smartPaging: { mbSeconds: 76800, peakMB: 256, vms: 1 },
    busiestVms: [
      { vm: EVIL, host: 'h1', maximumPressure: 187.25, averagePressure: 95.5, assignedMB: 1536, smartPagingMBs: 76800 },
    ],
    staticVms: [],
    startFailures: [
      { vm: EVIL, atSeconds: 3600, code: 'E_OUTOFMEMORY', message: `Not enough memory to start ${EVIL}.` },
    ],
    failovers: [{ atSeconds: 7200, host: 'h2', restarted: 1, failed: [EVIL], notStarted: [] }],
    recoveries: [],
    migrations: {
      count: 1,
      balance: 1,
      failback: 0,
      list: [
        {
          atSeconds: 11 * 3600,
          vm: 'web',
          from: 'h1',
          to: 'h2',
          mb: 2048,
          seconds: 3,
          reason: 'balance',
          status: 'done',
        },
      ],
    },
    events: [
      { atSeconds: 7200, action: 'failHost', target: 'h2' },
      { atSeconds: 4 * 3600, action: 'restart', target: EVIL },
      { atSeconds: 10 * 3600, action: 'recoverHost', target: 'h2' },
    ],
    warnings: [
      'fleets[0].maximumFromProvisioned: 2 VMs provisioned with less than startupMB (2048 MB) got startupMB as maximum: a, b.',
    ],
    eventErrors: Array.from({ length: 250 }, (_, i) => ({
      atSeconds: i,
      event: `stop vm${i}`,
      code: 'NotFound',
      message: 'No such VM.',
    })),
    headroom: { minAvailableMB: 12000, minHostAvailableMB: 5000 },
    traces: {
      files: 3,
      idle: ['quiet-1', 'quiet-2'],
      repairs: { duplicateTimestamps: 2, outOfOrder: 1, gaps: 1, gapSeconds: 600 },
      repaired: [
        { file: `traces/${EVIL}.csv`, repairs: { duplicateTimestamps: 2, outOfOrder: 1, gaps: 1, gapSeconds: 600 } },
      ],
    },
    startTime: '2013-08-12T00:00:00.000Z',
    wallSeconds: 1.25,
  } as SimulationSummary;
  return { summary, series };
}

/** The `<svg …>…</svg>` element with this id. */
function chart(html: string, id: string): string | undefined {
  const start = html.indexOf(`<svg id="${id}"`);
  if (start < 0) return undefined;
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}

describe('reportHtml', () => {
  const { summary, series } = fixture();
  const html = reportHtml(summary, series);

  it('is one page with the four charts by id, each an <svg> that draws a line', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['chart-assigned', 'chart-available', 'chart-pressure', 'chart-smart-paging']) {
      const svg = chart(html, id);
      expect(svg, id).toBeDefined();
      expect(svg!).toMatch(/<(path|polyline) class="series" d="M[\d.]+,[\d.]+L/);
      expect(html.split(`id="${id}"`)).toHaveLength(2); // ids are unique
    }
    // Two hosts: each also gets its own assigned-vs-demand chart.
    expect(chart(html, 'chart-assigned-host-1')).toBeDefined();
    expect(chart(html, 'chart-assigned-host-2')).toBeDefined();
  });

  it('needs nothing from the network and runs no scripts', () => {
    expect(html).not.toContain('http://');
    expect(html).not.toContain('https://');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('escapes every user string', () => {
    expect(html).not.toContain(EVIL);
    expect(html).toContain(`scenario ${EVIL_ESCAPED}`); // header and <title>
    expect(html).toContain(`<td>${EVIL_ESCAPED}</td>`); // start failure VM
    expect(html).toContain(`traces/${EVIL_ESCAPED}.csv`); // repaired trace
    expect(html).toContain(`Host host ${EVIL_ESCAPED}`); // per-host chart title
  });

  it('shows the key figures and the incident tables, capping long tables', () => {
    expect(html).toContain('Memory saved');
    expect(html).toContain('2013-08-12T00:00:00.000Z');
    expect(html).toContain('5,692 MB (69.5 %)');
    expect(html).toContain('Start failures (1)');
    expect(html).toContain('Failovers (1)');
    expect(html).toContain('Event errors (250)');
    expect(html).toContain('… 50 more');
    expect(html).toContain('stop vm199');
    expect(html).not.toContain('stop vm200<');
    expect(html).toContain('Repaired trace files (1)');
    expect(html).not.toContain('dynmem vs Hyper-V recorded');
  });

  it('renders the comparison with Hyper-V when given', () => {
    const comparison: ComparisonReport = {
      perVm: [
        { vm: EVIL, samples: 288, meanAbsErrorMB: 42.25, p95AbsErrorMB: 128, within5Percent: 0.9375 },
        { vm: 'db', samples: 0, meanAbsErrorMB: NaN, p95AbsErrorMB: NaN, within5Percent: NaN },
      ],
      overall: { samples: 288, meanAbsErrorMB: 42.25, p95AbsErrorMB: 128, within5Percent: 0.9375 },
    };
    const page = reportHtml(summary, series, { title: 'Compared', comparison });
    expect(page).toContain('dynmem vs Hyper-V recorded');
    expect(page).toContain(
      `<td>${EVIL_ESCAPED}</td><td class="num">288</td><td class="num">42.3</td><td class="num">128</td><td class="num">93.8 %</td>`,
    );
    expect(page).toContain('<td class="num">—</td>');
    expect(page).toContain('All VMs');
    expect(page).toContain('<title>Compared</title>');
    expect(() => reportHtml(summary, series, { comparison: {} as ComparisonReport })).toThrow(TypeError);
  });

  it('leaves out empty tables and per-host charts for one host or many', () => {
    const one = fixture(1);
    one.summary.startFailures = [];
    one.summary.busiestVms = [];
    one.summary.failovers = [];
    one.summary.eventErrors = [];
    one.summary.traces.repaired = [];
    const page = reportHtml(one.summary, one.series);
    expect(page).not.toContain('Start failures (');
    expect(page).not.toContain('VMs under the most pressure');
    expect(page).not.toContain('Event errors (');
    expect(page).not.toContain('chart-assigned-host-');
    const many = fixture(9);
    expect(reportHtml(many.summary, many.series)).not.toContain('chart-assigned-host-');
  });

  it('stays small for a day sampled every second', () => {
    const { summary: s, series: day } = fixture(8, 86_400);
    day.timeSeconds = day.timeSeconds.map((_, i) => i);
    const page = reportHtml(s, day);
    expect(page.length).toBeLessThan(1_500_000);
  });

  it('is re-exported from the report index', () => {
    expect(fromIndex).toBe(reportHtml);
    expect(typeof timeSeriesCsv).toBe('function');
    expect(typeof lineChart).toBe('function');
  });
});

describe('reportHtml busiest VMs', () => {
  it('lists the VMs under the most pressure, escaped', () => {
    const { summary, series } = fixture(1);
    const page = reportHtml(summary, series);
    expect(page).toContain('<h2>VMs under the most pressure</h2>');
    expect(page).toContain(
      `<td>${EVIL_ESCAPED}</td><td>h1</td><td class="num">187.3 %</td><td class="num">95.5 %</td><td class="num">1,536</td><td class="num">76,800</td>`,
    );
  });
});

describe('reportHtml for a reader in a hurry', () => {
  const { summary, series } = fixture();
  const html = reportHtml(summary, series);

  it('opens with the headline in large type, and the warnings', () => {
    const bigs = [...html.matchAll(/<span class="big">([^<]*)<\/span><span class="what">([^<]*)</g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(bigs).toEqual([
      ['5,692 MB', 'memory saved against static memory (69.5 %)'],
      ['3', 'VMs short of memory at some time; 0.0 VM-hours in all'],
      ['1', 'start failures'],
      ['1 VM', 'used Smart Paging (peak 256 MB, 76,800 MB·s)'],
    ]);
    expect(html.indexOf('class="headline"')).toBeLessThan(html.indexOf('<h2>Key figures</h2>'));
    expect(html).toContain('<p class="note">Warning: fleets[0].maximumFromProvisioned: 2 VMs');
    expect(html).toContain('1 repaired; 2 idle, left out: quiet-1, quiet-2');
  });

  it('keeps static memory out of the main chart: a bar beside assigned memory instead', () => {
    const assigned = chart(html, 'chart-assigned')!;
    expect([...assigned.matchAll(/<path class="series"[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
      'Assigned',
      'Demand',
      'Capacity (memory − reserve)',
    ]);
    expect(html).toMatch(
      /id="static-comparison"><div><span>Static memory \(same VMs\)<\/span><span class="bar" style="width:100\.0%/,
    );
  });

  it('marks failures, recoveries, restarts, start failures, live migrations and Smart Paging episodes on the time axis', () => {
    const kinds = [...chart(html, 'chart-pressure')!.matchAll(/<line class="mark" data-kind="([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(kinds).toEqual([
      'Host failure',
      'Restart',
      'Host recovery',
      'Start failure',
      'Migration',
      'Smart Paging episode',
    ]);
    expect(chart(html, 'chart-pressure')!).toContain('Migration: web h1 → h2, 2048 MB in 3 s at ');
    for (const kind of new Set(kinds)) expect(chart(html, 'chart-pressure')!).toContain(`>${kind}</text>`);
  });

  it("leaves a gap in a host's lines while it is down (2:00 to 10:00)", () => {
    const host2 = chart(html, 'chart-assigned-host-2')!;
    const assigned = /<path class="series" d="([^"]*)"[^>]*><title>Assigned</.exec(host2)![1]!;
    // Two runs of points: before the failure and after the recovery.
    expect(assigned.match(/M/g)).toHaveLength(2);
    const host1 = chart(html, 'chart-assigned-host-1')!;
    expect(/<path class="series" d="([^"]*)"[^>]*><title>Assigned</.exec(host1)![1]!.match(/M/g)).toHaveLength(1);
  });

  it('replaces a chart with nothing in it by one line of text', () => {
    const quiet = fixture();
    quiet.series.total.smartPagingMB.fill(0);
    for (const h of quiet.series.hosts) h.smartPagingMB.fill(0);
    const page = reportHtml(quiet.summary, quiet.series);
    expect(chart(page, 'chart-smart-paging')).toBeUndefined();
    expect(page).toContain('<p class="empty" id="chart-smart-paging-empty">No Smart Paging during the run.</p>');
  });

  it('shades what happened between samples: the pressure range, each host’s assigned range, and VMs short', () => {
    const envelopesOf = (id: string) =>
      [...chart(html, id)!.matchAll(/<path class="envelope" d="([^"]*)"[^>]*><title>([^<]*)</g)].map((m) => m[2]);
    // Several hosts: their own lines show the spread; the highest any reached between samples is a line of its own.
    expect(envelopesOf('chart-pressure')).toEqual([]);
    expect(chart(html, 'chart-pressure')).toContain('<title>Highest of any host between samples</title>');
    expect(envelopesOf('chart-assigned-host-1')).toEqual(['Assigned, least to most between samples']);
    // Two hosts: Σ of their extremes would only bound the total's, so the total chart has no range.
    expect(envelopesOf('chart-assigned')).toEqual([]);
    // host-2 is down 2:00 to 10:00: its range has a gap there too (two closed outlines).
    const host2 = /<path class="envelope" d="([^"]*)"/.exec(chart(html, 'chart-assigned-host-2')!)![1]!;
    expect(host2.match(/Z/g)).toHaveLength(2);
    const short = chart(html, 'chart-short')!;
    expect(short).toContain('VMs short of memory (each sample: the most at any tick since the one before)');
    expect([...short.matchAll(/<path class="series"[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
      'All hosts (Σ of each host’s most)',
      `host ${EVIL_ESCAPED}`,
      'h2',
    ]);
    // Whole VMs on the axis: 0 to 5 in steps of 1.
    expect([...short.matchAll(/text-anchor="end" fill="#444">([^<]*)</g)].map((m) => m[1])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    const one = fixture(1);
    const onePage = reportHtml(one.summary, one.series);
    expect(
      [...chart(onePage, 'chart-pressure')!.matchAll(/class="envelope"[^>]*><title>([^<]*)</g)].map((m) => m[1]),
    ).toEqual(['Current, least to most between samples']);
    expect(chart(onePage, 'chart-available')).toContain('<title>Available, least to most between samples</title>');
    expect([
      ...chart(reportHtml(one.summary, one.series), 'chart-assigned')!.matchAll(/class="envelope"/g),
    ]).toHaveLength(1);
    for (const h of one.series.hosts) h.shortVms.fill(0);
    one.series.total.shortVms.fill(0);
    expect(reportHtml(one.summary, one.series)).toContain(
      '<p class="empty" id="chart-short-empty">No VM was short of memory at any tick.</p>',
    );
  });

  it('draws the one-minute average pressure on runs up to 12 hours only, and capacity only of hosts up', () => {
    const titles = (page: string) =>
      [...chart(page, 'chart-pressure')!.matchAll(/<path class="series"[^>]*><title>([^<]*)</g)].map((m) => m[1]);
    // 23 hours: left out.
    expect(titles(html)).not.toContain('Average (last minute), all hosts');
    const short = fixture(2, 13); // 0:00 to 12:00
    expect(titles(reportHtml(short.summary, short.series))).toContain('Average (last minute), all hosts');
    // Capacity is assigned + available at each sample: what the hosts that are up can give. While h2 is down
    // (2:00 to 10:00) the simulator gives it neither: the line steps from 32,768 MB down to 16,384 MB and back.
    const down = fixture();
    const h2 = down.series.hosts[1]!;
    for (let i = 3; i < 10; i++) {
      down.series.total.assignedMB[i]! -= h2.assignedMB[i]!;
      down.series.total.availableMB[i]! -= h2.availableMB[i]!;
      h2.assignedMB[i] = 0;
      h2.availableMB[i] = 0;
    }
    const capacityYs = (page: string) =>
      new Set(
        /<path class="series" d="([^"]*)"[^>]*><title>Capacity/
          .exec(chart(page, 'chart-assigned')!)![1]!
          .match(/,[\d.]+/g),
      );
    expect(capacityYs(html).size).toBe(1);
    expect(capacityYs(reportHtml(down.summary, down.series)).size).toBe(2);
  });
});
