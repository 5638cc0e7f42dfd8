// The HTML report: one self-contained page (inline CSS and SVG, no scripts, no URLs) that can be mailed, archived or
// opened offline, with the key figures of a run, its charts and the tables of what went wrong.
import type { AssignedComparison, ComparisonReport } from '../interop/compare.ts';
import type { PolicyRun } from '../sim/policies.ts';
import type { HostSeries, SimulationSeries } from '../sim/series.ts';
import type { SimulationSummary } from '../sim/summary.ts';
import { mb, num, pct, table, text } from './cells.ts';
import { policiesSection } from './policies.ts';
import { type ReplayRecording, recordingWallClock, replayCharts } from './replay-charts.ts';
import { type ChartLine, type ChartMark, escapeXml as esc, formatClock, formatNumber, lineChart } from './svg.ts';

/**
 * How simulated assigned memory compared with a Hyper-V recording (see `compareAssigned`), per VM and over all
 * samples; rendered as the "dynmem vs Hyper-V recorded" section.
 */
export type { ComparisonReport };

export interface ReportHtmlOptions {
  /** Page title and heading; default "dynmem report: <scenario>". */
  title?: string;
  comparison?: ComparisonReport;
  /** A replay's recording (a `Replay` will do): with `comparison`, the report charts simulated against recorded
   * memory for the worst VMs, and every time axis runs on the recording's clock. */
  replay?: ReplayRecording;
  /** The runs of a `policies` scenario: rendered side by side as the "Policies compared" section. */
  policies?: PolicyRun[];
}

export { MAX_TABLE_ROWS } from './cells.ts';
/** Per-host charts and lines are drawn up to this many hosts; beyond it they would be unreadable. */
export const MAX_HOSTS_CHARTED = 8;

// Okabe–Ito colours, one per kind of series, with dashes that tell them apart without colour too.
const COLOR = {
  assigned: '#0072B2',
  demand: '#D55E00',
  capacity: '#000000',
  static: '#7F7F7F',
  available: '#009E73',
  pressure: '#0072B2',
  average: '#CC79A7',
  paging: '#E69F00',
  short: '#D55E00',
};

/** Legend of an envelope: what a sample's shaded range means. */
const BETWEEN_SAMPLES = 'least to most between samples';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #f6f6f4; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
header dl { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 8px 0 0; }
header dt { color: #666; } header dd { margin: 0 0 0 6px; font-weight: 600; }
header dl div { display: flex; }
table { border-collapse: collapse; background: #fff; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #efefec; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
tr.more td { color: #666; font-style: italic; }
tfoot td { font-weight: 600; }
.figures th { font-weight: normal; background: #fff; }
.note { color: #666; font-size: 13px; }
figure { margin: 12px 0; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 10px; margin: 16px 0 4px; }
.headline div { background: #fff; border: 1px solid #ddd; padding: 10px 14px; }
.headline .big { font-size: 28px; font-weight: 700; line-height: 1.2; display: block; }
.headline .what { color: #555; font-size: 13px; }
.headline .bad .big { color: #B34700; }
p.empty { color: #666; font-style: italic; margin: 6px 0 14px; }
.bars { background: #fff; border: 1px solid #ddd; padding: 8px 12px; max-width: 760px; }
.bars div { display: grid; grid-template-columns: 220px 1fr 110px; align-items: center; gap: 8px; margin: 4px 0; }
.bars span.bar { display: block; height: 14px; }
.hosts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 8px; }
`;

/**
 * Simulated time as a readable duration.
 * @example
 * formatDuration(93600); // "1 d 2 h"
 * formatDuration(5430);  // "1 h 30 min 30 s"
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  let rest = Math.round(Math.abs(seconds));
  if (rest === 0) return '0 s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n) parts.push(`${n} ${unit}`);
  }
  return (seconds < 0 ? '-' : '') + parts.join(' ');
}

/** A list of names that stays short: a failover may leave hundreds of VMs unplaced. */
function nameList(names: string[], max = 20): string {
  const shown = names.slice(0, max).map(esc).join(', ');
  return names.length > max ? `${shown} … ${formatNumber(names.length - max)} more` : shown;
}

function figures(s: SimulationSummary): string {
  const m = s.memory;
  // Summaries saved by earlier versions lack the newer fields: read them as empty.
  const idle = s.traces.idle ?? [];
  const r = s.traces.repairs;
  const rows: [string, string, string?][] = [
    ['Memory saved', `${mb(m.savedMB)} MB (${pct(m.savedPercent)})`, 'static memory − mean assigned'],
    ['Static memory (same VMs)', `${mb(m.staticMB)} MB`, 'provisioned memory, else startup RAM, of the VMs that ran'],
    ['Mean assigned memory', `${mb(m.meanAssignedMB)} MB`, `peak ${mb(m.peakAssignedMB)} MB`],
    ['Mean demand', `${mb(m.meanDemandMB)} MB`],
    ['Host memory', `${mb(m.hostMemoryMB)} MB`, `reserve ${mb(m.reserveMB)} MB`],
    ['Average pressure', pct(s.pressure.average), 'System Current Pressure, time-weighted over hosts'],
    ['Peak pressure', pct(s.pressure.peak), 'any host, any tick'],
    ['VM-seconds short', formatNumber(s.shortfall.vmSecondsShort), 'VM-seconds with demand above memory'],
    ['Guest paging', `${formatNumber(s.shortfall.guestPagingMBs)} MB·s`, 'Σ (demand − memory) over those seconds'],
    [
      'Smart Paging',
      `${formatNumber(s.smartPaging.mbSeconds)} MB·s`,
      `peak ${mb(s.smartPaging.peakMB)} MB on a host; VMs that used it: ${formatNumber(s.smartPaging.vms)}`,
    ],
    ['Start failures', formatNumber(s.startFailures.length)],
    ['Failovers', formatNumber(s.failovers.length)],
    ['Event errors', formatNumber(s.eventErrors.length)],
    [
      'Headroom',
      `${mb(s.headroom.minAvailableMB)} MB`,
      `least Available Memory summed over hosts; least on one host ${mb(s.headroom.minHostAvailableMB)} MB`,
    ],
    [
      'Trace files',
      formatNumber(s.traces.files),
      `${formatNumber(s.traces.repaired.length)} repaired; ${formatNumber(idle.length)} idle, left out` +
        (idle.length ? `: ${idle.slice(0, 20).join(', ')}${idle.length > 20 ? ' …' : ''}` : ''),
    ],
    [
      'Trace repairs',
      `duplicate timestamps ${formatNumber(r.duplicateTimestamps)}, out of order ${formatNumber(r.outOfOrder)}, ` +
        `gaps ${formatNumber(r.gaps)} (${formatDuration(r.gapSeconds)})`,
    ],
  ];
  return `<table class="figures"><tbody>\n${rows
    .map(
      ([k, v, note]) =>
        `<tr><th scope="row">${esc(k)}</th><td class="num">${esc(v)}</td><td class="note">${note ? esc(note) : ''}</td></tr>`,
    )
    .join('\n')}</tbody></table>`;
}

function figure(svg: string): string {
  return `<figure>${svg}</figure>`;
}

/** Hosts drawn one by one only when there are several (one host is the total) and few enough to read. */
function chartedHosts(series: SimulationSeries): HostSeries[] {
  return series.hosts.length >= 2 && series.hosts.length <= MAX_HOSTS_CHARTED ? series.hosts : [];
}

/** MB as a reader takes it in: GB past five digits (or when `scale`, the largest figure beside it, is). */
function memory(x: number, scale = x): string {
  return Math.abs(scale) >= 100_000 ? `${formatNumber(x / 1024, 1)} GB` : `${mb(x)} MB`;
}

/** The four answers a reader wants first, in large type. */
function headline(s: SimulationSummary): string {
  const shortHours = s.shortfall.vmSecondsShort / 3600;
  const shortVms = s.shortfall.vms ?? 0;
  const cards: [string, string, boolean][] = [
    [`${memory(s.memory.savedMB)}`, `memory saved against static memory (${pct(s.memory.savedPercent)})`, false],
    [
      formatNumber(shortVms),
      `VMs short of memory at some time; ${formatNumber(shortHours, shortHours < 10 ? 1 : 0)} VM-hours in all`,
      shortVms > 0,
    ],
    [formatNumber(s.startFailures.length), 'start failures', s.startFailures.length > 0],
    [
      s.smartPaging.vms ? `${formatNumber(s.smartPaging.vms)} VM${s.smartPaging.vms === 1 ? '' : 's'}` : 'none',
      s.smartPaging.vms
        ? `used Smart Paging (peak ${memory(s.smartPaging.peakMB)}, ${formatNumber(s.smartPaging.mbSeconds)} MB·s)`
        : 'Smart Paging',
      false,
    ],
  ];
  return `<section class="headline" aria-label="Headline">${cards
    .map(
      ([big, what, bad]) =>
        `<div${bad ? ' class="bad"' : ''}><span class="big">${esc(big)}</span><span class="what">${esc(what)}</span></div>`,
    )
    .join('')}</section>`;
}

/** Static memory beside what Dynamic Memory held, as bars on one scale: the saving without crushing any chart. */
function staticComparison(s: SimulationSummary): string {
  const m = s.memory;
  const rows: [string, number, string][] = [
    ['Static memory (same VMs)', m.staticMB, COLOR.static],
    ['Peak assigned', m.peakAssignedMB, COLOR.assigned],
    ['Mean assigned', m.meanAssignedMB, COLOR.assigned],
    ['Mean demand', m.meanDemandMB, COLOR.demand],
  ];
  const top = Math.max(1, ...rows.map((r) => r[1]));
  return `<div class="bars" id="static-comparison">${rows
    .map(
      ([label, value, color]) =>
        `<div><span>${esc(label)}</span><span class="bar" style="width:${((100 * Math.max(0, value)) / top).toFixed(1)}%;background:${color}"></span><span class="num">${esc(memory(value, top))}</span></div>`,
    )
    .join('')}</div>`;
}

/** What happened when, for the charts' time axes: the scenario's events, failures, live migrations and Smart Paging
 * episodes. */
function eventMarks(s: SimulationSummary, series: SimulationSeries): ChartMark[] {
  const kinds: Record<string, string> = {
    failHost: 'Host failure',
    recoverHost: 'Host recovery',
    restart: 'Restart',
    stop: 'Stop',
    start: 'Start',
    setMemory: 'Settings change',
    setDemand: 'Demand set',
  };
  const marks: ChartMark[] = (s.events ?? []).map((e) => ({
    at: e.atSeconds,
    kind: kinds[e.action] ?? e.action,
    label: `${kinds[e.action] ?? e.action}: ${e.target}`,
  }));
  for (const f of s.startFailures)
    marks.push({ at: f.atSeconds, kind: 'Start failure', label: `Start failure: ${f.vm}` });
  for (const m of s.migrations?.list ?? [])
    marks.push({
      at: m.atSeconds,
      kind: 'Migration',
      label: `Migration: ${m.vm} ${m.from} → ${m.to}, ${m.mb} MB in ${m.seconds} s${m.status === 'done' ? '' : ` (${m.status})`}`,
    });
  // A Smart Paging episode starts where the sampled Smart Paging leaves zero.
  const paging = series.total.smartPagingMB;
  paging.forEach((x, i) => {
    if (x > 0 && !(paging[i - 1]! > 0)) {
      marks.push({ at: series.timeSeconds[i]!, kind: 'Smart Paging episode', label: 'Smart Paging' });
    }
  });
  return marks;
}

/** A host's values with gaps (NaN) where the host was down: from its failure to its recovery. */
function withDownGaps(values: number[], host: string, s: SimulationSummary, times: number[]): number[] {
  const spans: [number, number][] = [];
  for (const f of s.failovers) {
    if (f.host !== host) continue;
    const back = (s.events ?? []).find(
      (e) => e.action === 'recoverHost' && e.target === host && e.atSeconds > f.atSeconds,
    );
    spans.push([f.atSeconds, back ? back.atSeconds : Infinity]);
  }
  if (!spans.length) return values;
  return values.map((v, i) => (spans.some(([from, to]) => times[i]! > from && times[i]! < to) ? NaN : v));
}

/** True when a chart would show nothing but zeros. */
const allZero = (lines: ChartLine[]) => lines.every((l) => Array.from(l.values).every((v) => !(Math.abs(v) > 0)));

/** Time 0 on the clock of the run's traces or recording; undefined for the 2000-01-01 default (no real clock). */
function startTimeMs(summary: SimulationSummary): number | undefined {
  const ms = Date.parse(summary.startTime);
  return Number.isFinite(ms) && ms !== Date.UTC(2000, 0, 1) ? ms : undefined;
}

/** A host's series with the fields older versions lack (the extremes between samples) as gaps. */
function withExtremes<S extends Omit<HostSeries, 'name'>>(s: S, times: number[]): S {
  const gap = () => times.map(() => NaN);
  return {
    ...s,
    assignedMaxMB: s.assignedMaxMB ?? gap(),
    assignedMinMB: s.assignedMinMB ?? gap(),
    pressureMax: s.pressureMax ?? gap(),
    pressureMin: s.pressureMin ?? gap(),
    shortVms: s.shortVms ?? gap(),
  };
}

function charts(summary: SimulationSummary, series: SimulationSeries, replay: ReplayRecording | undefined): string {
  const times = series.timeSeconds;
  // Series saved by earlier versions lack the extremes between samples: drawn as nothing, not refused.
  const total = withExtremes(series.total, times);
  const hosts = chartedHosts(series).map((h) => withExtremes(h, times));
  const out: string[] = [];
  const marks = eventMarks(summary, series);
  // Dates on long runs only when time 0 is on a real clock; a replay reads every span on the recording's clock.
  const start = startTimeMs(summary);
  const wall = replay !== undefined && start !== undefined;
  const xLabel = wall ? 'Recording time' : 'Simulated time';
  const clock =
    start === undefined ? {} : { startTimeMs: start, ...(wall ? { wallClock: recordingWallClock(replay.clock) } : {}) };
  // What the hosts that are up can give VMs (memory − reserve): a failed host's share leaves while it is down.
  const capacity = total.assignedMB.map((a, i) => a + total.availableMB[i]!);
  // One host's extremes are the run's own; Σ over hosts reached at different ticks only bounds them.
  const oneHost = series.hosts.length === 1;
  const hasRanges = series.total.pressureMax !== undefined;
  // A host without a running Dynamic Memory VM has no pressure (its 0 means none): a gap, like a failed host.
  const pressureWhereAny = (values: number[], max: number[]) =>
    hasRanges ? values.map((v, i) => (Number.isNaN(max[i]!) ? NaN : v)) : values;
  // The one-minute moving average shows only on runs of up to 12 hours, where a pixel of the chart is under a
  // minute; on longer ones it is the current pressure again at the chart's resolution, a second line over the first.
  const showAverage = times.length > 0 && times[times.length - 1]! - times[0]! <= 12 * 3600;
  const chart = (options: Parameters<typeof lineChart>[0], empty: string) =>
    allZero(options.lines)
      ? `<p class="empty" id="${options.id}-empty">${esc(empty)}</p>`
      : figure(lineChart({ marks, ...clock, ...options }));

  out.push('<h2>Assigned memory and demand</h2>');
  out.push(
    chart(
      {
        id: 'chart-assigned',
        title: 'Assigned memory against demand, all hosts',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'Assigned', values: total.assignedMB, color: COLOR.assigned },
          { label: 'Demand', values: total.demandMB, color: COLOR.demand, dashed: true },
          {
            label: 'Capacity (memory − reserve)',
            values: capacity,
            color: COLOR.capacity,
            dashed: true,
          },
        ],
        envelopes: oneHost
          ? [
              {
                label: `Assigned, ${BETWEEN_SAMPLES}`,
                lower: total.assignedMinMB,
                upper: total.assignedMaxMB,
                color: COLOR.assigned,
              },
            ]
          : [],
      },
      'No VM held memory during the run.',
    ),
  );
  out.push('<h3>Against static memory</h3>');
  out.push(staticComparison(summary));
  if (hosts.length) {
    // One y scale for every host chart, so that hosts compare at a glance.
    const yMax = hosts.reduce((m, h) => h.assignedMB.concat(h.demandMB).reduce((a, x) => Math.max(a, x), m), 0);
    out.push('<div class="hosts">');
    hosts.forEach((h, i) => {
      out.push(
        chart(
          {
            id: `chart-assigned-host-${i + 1}`,
            title: `Host ${h.name}`,
            xLabel,
            yLabel: 'MB',
            times,
            width: 500,
            height: 240,
            maxPoints: 600,
            yMax,
            lines: [
              { label: 'Assigned', values: withDownGaps(h.assignedMB, h.name, summary, times), color: COLOR.assigned },
              {
                label: 'Demand',
                values: withDownGaps(h.demandMB, h.name, summary, times),
                color: COLOR.demand,
                dashed: true,
              },
            ],
            envelopes: [
              {
                label: `Assigned, ${BETWEEN_SAMPLES}`,
                lower: withDownGaps(h.assignedMinMB, h.name, summary, times),
                upper: withDownGaps(h.assignedMaxMB, h.name, summary, times),
                color: COLOR.assigned,
              },
            ],
          },
          `Host ${h.name}: no VM held memory.`,
        ),
      );
    });
    out.push('</div>');
  }

  out.push('<h2>Available memory</h2>');
  out.push(
    chart(
      {
        id: 'chart-available',
        title: 'Available memory',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'All hosts', values: total.availableMB, color: COLOR.available },
          ...hosts.map(
            (h): ChartLine => ({
              label: h.name,
              values: withDownGaps(h.availableMB, h.name, summary, times),
              dashed: true,
            }),
          ),
        ],
        // Available memory moves against assigned memory: its range is the assigned range, mirrored.
        envelopes: oneHost
          ? [
              {
                label: `Available, ${BETWEEN_SAMPLES}`,
                lower: total.availableMB.map((a, i) => a - (total.assignedMaxMB[i]! - total.assignedMB[i]!)),
                upper: total.availableMB.map((a, i) => a + (total.assignedMB[i]! - total.assignedMinMB[i]!)),
                color: COLOR.available,
              },
            ]
          : [],
      },
      'No memory was available at any sample: every MB was assigned.',
    ),
  );

  // Shade pressure above 100: demand exceeds memory there and guests page. (Hyper-V's "Low" status depends on each
  // VM's buffer setting, so no fixed pressure range would mark it truthfully.)
  const peakPressure = total.pressureMax
    .concat(total.pressure, ...hosts.map((h) => h.pressure))
    .filter(Number.isFinite) // a failed host's range is NaN
    .reduce((m, x) => Math.max(x, m), 0);
  out.push('<h2>Pressure</h2>');
  out.push(
    chart(
      {
        id: 'chart-pressure',
        title: 'Pressure (demand as % of memory)',
        xLabel,
        yLabel: 'Pressure (%)',
        times,
        band: [{ from: 100, to: Math.max(120, peakPressure), label: 'Demand above memory', color: '#D55E00' }],
        lines: [
          {
            label: 'Current, all hosts',
            values: pressureWhereAny(total.pressure, total.pressureMax),
            color: COLOR.pressure,
          },
          ...(showAverage
            ? [
                {
                  label: 'Average (last minute), all hosts',
                  values: pressureWhereAny(total.averagePressure, total.pressureMax),
                  color: COLOR.average,
                  dashed: true,
                },
              ]
            : []),
          ...hosts.map(
            (h): ChartLine => ({
              label: `Current, ${h.name}`,
              values: pressureWhereAny(withDownGaps(h.pressure, h.name, summary, times), h.pressureMax),
            }),
          ),
          // Several hosts: their lines show the spread; what a sample would hide is the highest any reached.
          ...(oneHost || !hasRanges
            ? []
            : [
                {
                  label: 'Highest of any host between samples',
                  values: total.pressureMax,
                  color: COLOR.static,
                  dashed: true,
                },
              ]),
        ],
        envelopes: oneHost
          ? [
              {
                label: `Current, ${BETWEEN_SAMPLES}`,
                lower: total.pressureMin,
                upper: total.pressureMax,
                color: COLOR.pressure,
              },
            ]
          : [],
      },
      'No VM with Dynamic Memory ran.',
    ),
  );
  // Series saved before VMs short were kept have none: no chart rather than a false "none".
  if (total.shortVms.some(Number.isFinite))
    out.push(
      chart(
        {
          id: 'chart-short',
          title: 'VMs short of memory (each sample: the most at any tick since the one before)',
          xLabel,
          yLabel: 'VMs',
          times,
          // Whole VMs: at least 0 to 5 on the axis, so that its ticks are whole numbers.
          yMax: 5,
          height: 240,
          lines: [
            {
              label: oneHost ? 'Demand above memory' : 'All hosts (Σ of each host’s most)',
              values: total.shortVms,
              color: COLOR.short,
            },
            ...hosts.map(
              (h): ChartLine => ({
                label: h.name,
                values: withDownGaps(h.shortVms, h.name, summary, times),
                dashed: true,
              }),
            ),
          ],
        },
        'No VM was short of memory at any tick.',
      ),
    );

  out.push('<h2>Smart Paging</h2>');
  out.push(
    chart(
      {
        id: 'chart-smart-paging',
        title: 'Smart Paging in use (each sample: the most at any tick since the one before)',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'All hosts', values: total.smartPagingMB, color: COLOR.paging },
          ...hosts.map((h): ChartLine => ({ label: h.name, values: h.smartPagingMB, dashed: true })),
        ],
      },
      'No Smart Paging during the run.',
    ),
  );
  return out.join('\n');
}

function incidents(s: SimulationSummary): string {
  const out: string[] = [];
  const at = (t: number) => num(esc(formatClock(t, true)));
  if (s.busiestVms.length) {
    out.push('<h2>VMs under the most pressure</h2>');
    out.push(
      table(
        [
          'VM',
          'Host',
          'Maximum pressure',
          'Average pressure, last minute of the run',
          'Assigned at end (MB)',
          'Smart Paging (MB·s)',
        ],
        s.busiestVms.map(
          (b) =>
            text(b.vm) +
            text(b.host ?? '—') +
            num(pct(b.maximumPressure)) +
            // Hyper-V's Average Pressure is a moving average (a minute by default): at the end of the run, not over it.
            num(b.host === null ? 'off' : pct(b.averagePressure)) +
            num(mb(b.assignedMB)) +
            num(mb(b.smartPagingMBs)),
        ),
      ),
    );
  }
  if (s.startFailures.length) {
    out.push(`<h2>Start failures (${formatNumber(s.startFailures.length)})</h2>`);
    out.push(
      table(
        ['Time (h:mm:ss)', 'VM', 'Code', 'Message'],
        s.startFailures.map((f) => at(f.atSeconds) + text(f.vm) + text(f.code) + text(f.message)),
      ),
    );
  }
  if (s.failovers.length) {
    out.push(`<h2>Failovers (${formatNumber(s.failovers.length)})</h2>`);
    out.push(
      table(
        ['Time (h:mm:ss)', 'Failed host', 'VMs restarted', 'VMs that fit nowhere', 'No Auto Start (left off)'],
        s.failovers.map(
          (f) =>
            `${at(f.atSeconds) + text(f.host) + num(formatNumber(f.restarted))}<td>${nameList(f.failed)}</td>` +
            `<td>${nameList(f.notStarted)}</td>`,
        ),
      ),
    );
  }
  const failbacks = s.recoveries.filter((r) => r.failedBack.length > 0);
  if (failbacks.length) {
    out.push(`<h2>Failbacks (${formatNumber(failbacks.length)})</h2>`);
    out.push(
      table(
        ['Time (h:mm:ss)', 'Recovered host', 'VMs moved back'],
        failbacks.map((r) => `${at(r.atSeconds) + text(r.host)}<td>${nameList(r.failedBack)}</td>`),
      ),
    );
  }
  if (s.eventErrors.length) {
    out.push(`<h2>Event errors (${formatNumber(s.eventErrors.length)})</h2>`);
    out.push(
      table(
        ['Time (h:mm:ss)', 'Event', 'Code', 'Message'],
        s.eventErrors.map((e) => at(e.atSeconds) + text(e.event) + text(e.code) + text(e.message)),
      ),
    );
  }
  if (s.traces.repaired.length) {
    out.push(`<h2>Repaired trace files (${formatNumber(s.traces.repaired.length)})</h2>`);
    out.push(
      table(
        ['File', 'Duplicate timestamps', 'Out of order', 'Gaps', 'Gap time'],
        s.traces.repaired.map(
          (f) =>
            text(f.file) +
            num(formatNumber(f.repairs.duplicateTimestamps)) +
            num(formatNumber(f.repairs.outOfOrder)) +
            num(formatNumber(f.repairs.gaps)) +
            num(esc(formatDuration(f.repairs.gapSeconds))),
        ),
      ),
    );
  }
  return out.join('\n');
}

function comparisonRow(c: AssignedComparison): string {
  return (
    num(formatNumber(c.samples)) +
    num(mb(c.meanAbsErrorMB)) +
    num(mb(c.p95AbsErrorMB)) +
    num(Number.isFinite(c.within5Percent) ? pct(100 * c.within5Percent) : '—')
  );
}

function comparison(c: ComparisonReport, charts: string): string {
  // The comparison may come from a JSON file the user supplied: refuse a wrong shape plainly rather than render "undefined".
  if (!c || typeof c !== 'object' || !Array.isArray(c.perVm) || !c.overall || typeof c.overall !== 'object') {
    throw new TypeError('reportHtml: options.comparison must be { perVm: [...], overall: {...} }.');
  }
  return (
    '<h2 id="comparison">dynmem vs Hyper-V recorded</h2>\n' +
    '<p class="note">Assigned memory: simulated against recorded Physical Memory at the same samples. ' +
    '"Within 5 %" is the share of samples whose error is at most 5 % of the recorded value.</p>\n' +
    table(
      ['VM', 'Samples', 'Mean |error| MB', 'p95 |error| MB', 'Within 5 %'],
      c.perVm.map((r) => text(String(r.vm)) + comparisonRow(r)),
      `<tfoot><tr><td>All VMs</td>${comparisonRow(c.overall)}</tr></tfoot>`,
    ) +
    charts
  );
}

/** ", 09:00 W. Europe Standard Time": a recording's time 0 as its own clock read it, after the UTC time. */
function recordingLocalTime(startTime: string, replay: ReplayRecording | undefined): string {
  const ms = Date.parse(startTime);
  if (!replay?.clock || !Number.isFinite(ms)) return '';
  const local = new Date(ms - replay.clock.biasMinutes * 60_000).toISOString();
  return ` (${local.slice(11, 16)} ${replay.clock.timeZone})`;
}

/**
 * The report of a run as one self-contained HTML page: header, key figures, SVG charts (ids `chart-assigned`,
 * `chart-available`, `chart-pressure`, `chart-smart-paging`, and `chart-assigned-host-N` for 2–8 hosts), tables of
 * start failures, failovers, event errors and repaired traces when there are any, and optionally a comparison with a
 * Hyper-V recording. No scripts, fonts, images or links to fetch: it opens offline. Every name is HTML-escaped.
 * @example
 * const { summary, series } = await simulate(scenario);
 * writeFileSync('report.html', reportHtml(summary, series, { title: 'Bitbrains, 100 VMs' }));
 */
export function reportHtml(
  summary: SimulationSummary,
  series: SimulationSeries,
  options: ReportHtmlOptions = {},
): string {
  const title = options.title ?? `dynmem report: ${summary.scenario}`;
  const meta: [string, string][] = [
    ['Scenario', summary.scenario],
    ['Engine', summary.engine],
    ['Simulated', formatDuration(summary.durationSeconds)],
    ['Hosts', formatNumber(summary.hosts)],
    ['VMs', formatNumber(summary.vms)],
    ['Samples', formatNumber(series.timeSeconds.length)],
    // Newer summaries say when simulated time 0 was on the traces' clock; older ones do not.
    ...('startTime' in summary && typeof summary.startTime === 'string'
      ? [['Time 0', summary.startTime + recordingLocalTime(summary.startTime, options.replay)] as [string, string]]
      : []),
    ['Computed in', `${formatNumber(summary.wallSeconds, 1)} s`],
  ];
  const body = [
    `<header><h1>${esc(title)}</h1><dl>${meta.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl></header>`,
    headline(summary),
    ...(summary.warnings ?? []).map((w) => `<p class="note">Warning: ${esc(w)}</p>`),
    options.policies === undefined ? '' : policiesSection(options.policies),
    '<h2>Key figures</h2>',
    figures(summary),
    charts(summary, series, options.replay),
    incidents(summary),
    options.comparison === undefined
      ? ''
      : comparison(
          options.comparison,
          options.replay === undefined
            ? ''
            : `\n${replayCharts(options.comparison, options.replay, series, startTimeMs(summary))}`,
        ),
  ]
    .filter(Boolean)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dynmem">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
