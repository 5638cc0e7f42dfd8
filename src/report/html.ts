// The HTML report: one self-contained page (inline CSS and SVG, no scripts, no URLs) that can be mailed, archived or
// opened offline, with the key figures of a run, its charts and the tables of what went wrong.
import type { AssignedComparison, ComparisonReport } from '../interop/compare.ts';
import type { HostSeries, SimulationSeries } from '../sim/series.ts';
import type { SimulationSummary } from '../sim/summary.ts';
import { type ChartLine, escapeXml as esc, formatClock, formatNumber, lineChart } from './svg.ts';

/**
 * How simulated assigned memory compared with a Hyper-V recording (see `compareAssigned`), per VM and over all
 * samples; rendered as the "dynmem vs Hyper-V recorded" section.
 */
export type { ComparisonReport };

export interface ReportHtmlOptions {
  /** Page title and heading; default "dynmem report: <scenario>". */
  title?: string;
  comparison?: ComparisonReport;
}

/** Long tables stop here: a page with 10,000 start failures helps nobody, and stays loadable. */
export const MAX_TABLE_ROWS = 200;
/** Per-host charts and lines are drawn up to this many hosts; beyond it they would be unreadable. */
export const MAX_HOSTS_CHARTED = 8;

const COLOR = {
  assigned: '#0072B2',
  demand: '#D55E00',
  static: '#7F7F7F',
  available: '#009E73',
  pressure: '#0072B2',
  average: '#CC79A7',
  paging: '#E69F00',
};

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
.hosts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 8px; }
`;

const mb = (x: number) => formatNumber(x, Math.abs(x) < 100 && !Number.isInteger(x) ? 1 : 0);
const pct = (x: number) => (Number.isFinite(x) ? `${formatNumber(x, 1)} %` : '—');
/** A right-aligned cell; its content is already HTML (numbers formatted, text escaped). */
const num = (html: string) => `<td class="num">${html}</td>`;
const text = (s: string) => `<td>${esc(s)}</td>`;

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

/** A table whose cells are already HTML; rows past MAX_TABLE_ROWS are counted in a last "… N more" row. */
function table(headers: string[], rows: string[], extra = ''): string {
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const more = rows.length - shown.length;
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n` +
    shown.map((r) => `<tr>${r}</tr>`).join('\n') +
    (more > 0 ? `\n<tr class="more"><td colspan="${headers.length}">… ${formatNumber(more)} more</td></tr>` : '') +
    `</tbody>${extra}</table>`
  );
}

/** A list of names that stays short: a failover may leave hundreds of VMs unplaced. */
function nameList(names: string[], max = 20): string {
  const shown = names.slice(0, max).map(esc).join(', ');
  return names.length > max ? `${shown} … ${formatNumber(names.length - max)} more` : shown;
}

function figures(s: SimulationSummary): string {
  const m = s.memory;
  const r = s.traces.repairs;
  const rows: [string, string, string?][] = [
    ['Memory saved', `${mb(m.savedMB)} MB (${pct(m.savedPercent)})`, 'static memory − mean assigned'],
    ['Static memory (same VMs)', `${mb(m.staticMB)} MB`, 'provisioned memory, else startup RAM, of the VMs that ran'],
    ['Mean assigned memory', `${mb(m.meanAssignedMB)} MB`, `peak ${mb(m.peakAssignedMB)} MB`],
    ['Mean demand', `${mb(m.meanDemandMB)} MB`],
    ['Host memory', `${mb(m.hostMemoryMB)} MB`, `reserve ${mb(m.reserveMB)} MB`],
    ['Average pressure', formatNumber(s.pressure.average, 1), 'System Current Pressure, time-weighted over hosts'],
    ['Peak pressure', formatNumber(s.pressure.peak, 1), 'any host, any tick'],
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
    ['Trace files', formatNumber(s.traces.files), `${formatNumber(s.traces.repaired.length)} repaired`],
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

function charts(summary: SimulationSummary, series: SimulationSeries): string {
  const times = series.timeSeconds;
  const total = series.total;
  const hosts = chartedHosts(series);
  const out: string[] = [];
  const xLabel = 'Simulated time';

  out.push('<h2>Assigned memory and demand</h2>');
  out.push(
    figure(
      lineChart({
        id: 'chart-assigned',
        title: 'Assigned memory against demand, all hosts',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'Assigned', values: total.assignedMB, color: COLOR.assigned },
          { label: 'Demand', values: total.demandMB, color: COLOR.demand, dashed: true },
          // A flat line at static memory shows the saving as the gap above "Assigned".
          {
            label: 'Static memory',
            values: times.map(() => summary.memory.staticMB),
            color: COLOR.static,
            dashed: true,
          },
        ],
      }),
    ),
  );
  if (hosts.length) {
    out.push('<div class="hosts">');
    hosts.forEach((h, i) =>
      out.push(
        figure(
          lineChart({
            id: `chart-assigned-host-${i + 1}`,
            title: `Host ${h.name}`,
            xLabel,
            yLabel: 'MB',
            times,
            width: 500,
            height: 240,
            maxPoints: 600,
            lines: [
              { label: 'Assigned', values: h.assignedMB, color: COLOR.assigned },
              { label: 'Demand', values: h.demandMB, color: COLOR.demand, dashed: true },
            ],
          }),
        ),
      ),
    );
    out.push('</div>');
  }

  out.push('<h2>Available memory</h2>');
  out.push(
    figure(
      lineChart({
        id: 'chart-available',
        title: 'Available memory',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'All hosts', values: total.availableMB, color: COLOR.available },
          ...hosts.map((h): ChartLine => ({ label: h.name, values: h.availableMB, dashed: true })),
        ],
      }),
    ),
  );

  // Shade pressure above 100: demand exceeds memory there and guests page. (Hyper-V's "Low" status depends on each
  // VM's buffer setting, so no fixed pressure range would mark it truthfully.)
  const peakPressure = total.pressure.concat(...hosts.map((h) => h.pressure)).reduce((m, x) => Math.max(x, m), 0);
  out.push('<h2>Pressure</h2>');
  out.push(
    figure(
      lineChart({
        id: 'chart-pressure',
        title: 'Pressure (demand as % of memory)',
        xLabel,
        yLabel: 'Pressure',
        times,
        band: [{ from: 100, to: Math.max(120, peakPressure), label: 'Demand above memory', color: '#D55E00' }],
        lines: [
          { label: 'Current, all hosts', values: total.pressure, color: COLOR.pressure },
          { label: 'Average, all hosts', values: total.averagePressure, color: COLOR.average, dashed: true },
          ...hosts.map((h): ChartLine => ({ label: `Current, ${h.name}`, values: h.pressure })),
        ],
      }),
    ),
  );

  out.push('<h2>Smart Paging</h2>');
  out.push(
    figure(
      lineChart({
        id: 'chart-smart-paging',
        title: 'Smart Paging in use',
        xLabel,
        yLabel: 'MB',
        times,
        lines: [
          { label: 'All hosts', values: total.smartPagingMB, color: COLOR.paging },
          ...hosts.map((h): ChartLine => ({ label: h.name, values: h.smartPagingMB, dashed: true })),
        ],
      }),
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
        ['VM', 'Host', 'Maximum pressure', 'Average pressure (end)', 'Assigned at end (MB)', 'Smart Paging (MB·s)'],
        s.busiestVms.map(
          (b) =>
            text(b.vm) +
            text(b.host ?? '—') +
            num(formatNumber(b.maximumPressure, 1)) +
            num(formatNumber(b.averagePressure, 1)) +
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

function comparison(c: ComparisonReport): string {
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
    )
  );
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
      ? [['Time 0', summary.startTime] as [string, string]]
      : []),
    ['Computed in', `${formatNumber(summary.wallSeconds, 1)} s`],
  ];
  const body = [
    `<header><h1>${esc(title)}</h1><dl>${meta.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl></header>`,
    '<h2>Key figures</h2>',
    figures(summary),
    charts(summary, series),
    incidents(summary),
    options.comparison === undefined ? '' : comparison(options.comparison),
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
