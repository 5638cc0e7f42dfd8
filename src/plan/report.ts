// A plan's report: plan.html (self-contained: inline CSS and SVG, no scripts, no URLs), plan.csv (one row per run)
// and plan.json (the whole result).
import { csvNumber, csvText } from '../report/csv.ts';
import { escapeXml as esc, formatNumber } from '../report/svg.ts';
import { type CurveSeries, curveChart, heatMap } from './chart.ts';
import { describeHost, formatMemory } from './headline.ts';
import type { PlanResult, PlanRun, Variant, VariantAnswer } from './types.ts';

const COLOR: Record<Variant, string> = { dynamic: '#0072B2', static: '#7F7F7F' };
const NAME: Record<Variant, string> = { dynamic: 'Dynamic Memory', static: 'Static memory' };

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #f6f6f4; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.headline { font-size: 19px; font-weight: 600; background: #fff; border-left: 4px solid #0072B2; padding: 10px 14px; }
table { border-collapse: collapse; background: #fff; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #efefec; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
tr.answer td { background: #e8f1f8; font-weight: 600; }
.note { color: #666; font-size: 13px; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; margin: 12px 0; }
`;

const num = (html: string) => `<td class="num">${html}</td>`;
const pct = (x: number, d = 3) => `${formatNumber(x, d)} %`;
const show = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v));

/** The runs of the plan itself (not the N+1 runs with a host failing). */
const baseRuns = (result: PlanResult) => result.runs.filter((r) => !r.point.failHost);

function table(headers: string[], rows: string[]): string {
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n` +
    rows.join('\n') +
    '</tbody></table>'
  );
}

function targetsList(result: PlanResult): string {
  const t = result.targets;
  const items = [
    `Demand above memory at most ${pct(t.shortfallPercent, 2)} of VM-seconds (VMs × duration).`,
    `Boot storm: every VM started within ${formatNumber(t.startSpreadSeconds)} s, none failing.`,
    t.failover
      ? `N+1: each host in turn fails at ${formatNumber(t.failoverAtSeconds)} s; every one of its VMs restarts on the others.`
      : result.hosts > 1
        ? 'N+1 not required.'
        : '',
    t.restarts
      ? `Restart wave: every VM restarts once, from ${formatNumber(t.restarts.atSeconds)} s over ${formatNumber(t.restarts.spreadSeconds)} s; none failing.`
      : '',
    t.smartPagingPeakMB === null
      ? 'Smart Paging: no bound.'
      : `Smart Paging at most ${formatMemory(t.smartPagingPeakMB ?? Math.floor(result.hostMemoryMB / 10))} on any host at any time.`,
  ].filter(Boolean);
  return `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
}

/** Curve points of one variant's runs (base runs only); ok means the count or memory met every target, N+1 included. */
function curve(result: PlanResult, variant: Variant, x: (r: PlanRun) => number, y: (r: PlanRun) => number) {
  const passes = (r: PlanRun) =>
    result.runs
      .filter((o) => o.point.variant === variant && o.point.vms === r.point.vms)
      .filter((o) => o.point.hostMemoryMB === r.point.hostMemoryMB)
      .every((o) => o.ok);
  return baseRuns(result)
    .filter((r) => r.point.variant === variant && Object.keys(r.point.settings).length === 0)
    .map((r) => ({ x: x(r), y: y(r), ok: passes(r) }));
}

function answerMarks(result: PlanResult, toX: (v: number) => number) {
  const marks: { x: number; label: string; color: string }[] = [];
  for (const variant of ['dynamic', 'static'] as const) {
    const a: VariantAnswer | undefined = result[variant];
    if (a?.value) marks.push({ x: toX(a.value), label: `${NAME[variant]}: ${show(a.value)}`, color: COLOR[variant] });
  }
  return marks;
}

function densitySection(result: PlanResult): string {
  const series = (variant: Variant, y: (r: PlanRun) => number): CurveSeries => ({
    label: NAME[variant],
    color: COLOR[variant],
    dashed: variant === 'static',
    points: curve(result, variant, (r) => r.point.vms, y),
  });
  const marks = answerMarks(result, (v) => v);
  return [
    '<h2>Density</h2>',
    curveChart({
      title: 'Demand above memory (the tail of pressure past 100 %)',
      xLabel: 'VMs',
      yLabel: '% of VM-seconds',
      series: [
        series('dynamic', (r) => r.metrics.shortfallPercent),
        series('static', (r) => r.metrics.shortfallPercent),
      ],
      limit: { y: result.targets.shortfallPercent, label: `target ${pct(result.targets.shortfallPercent, 2)}` },
      marks,
    }),
    curveChart({
      title: 'VM-seconds short of demand',
      xLabel: 'VMs',
      yLabel: 'VM-seconds',
      series: [series('dynamic', (r) => r.metrics.vmSecondsShort), series('static', (r) => r.metrics.vmSecondsShort)],
      marks,
    }),
    curveChart({
      title: 'Memory saved against static memory',
      xLabel: 'VMs',
      yLabel: 'MB',
      series: [series('dynamic', (r) => r.metrics.savedMB)],
      marks,
    }),
    '<p class="note">Each dot is a run: filled when the count met every target (N+1 runs included), hollow when it missed one. The searches probe counts by galloping from a first guess, then bisecting; the answer and the next count up are both run.</p>',
  ].join('\n');
}

function hostMemorySection(result: PlanResult): string {
  const series = (variant: Variant): CurveSeries => ({
    label: NAME[variant],
    color: COLOR[variant],
    dashed: variant === 'static',
    points: curve(
      result,
      variant,
      (r) => r.point.hostMemoryMB / 1024,
      (r) => r.metrics.shortfallPercent,
    ),
  });
  return [
    '<h2>Host memory</h2>',
    curveChart({
      title: 'Demand above memory by host memory',
      xLabel: 'Host memory (GB)',
      yLabel: '% of VM-seconds',
      series: [series('dynamic'), series('static')],
      limit: { y: result.targets.shortfallPercent, label: `target ${pct(result.targets.shortfallPercent, 2)}` },
      marks: answerMarks(result, (v) => v / 1024),
    }),
  ].join('\n');
}

function sweepSection(result: PlanResult): string {
  const sweep = result.sweep!;
  const fixedCount = sweep.vms !== null;
  const rows = sweep.points.map((p) => {
    const m = p.runs[0]?.metrics;
    return (
      `<tr${p.ok ? '' : ' class="missed"'}>` +
      sweep.keys.map((k) => num(esc(show(p.settings[k])))).join('') +
      num(formatNumber(p.vms)) +
      `<td>${p.ok ? 'yes' : esc(p.runs.flatMap((r) => r.missed).join('; ') || 'no')}</td>` +
      num(m ? pct(m.shortfallPercent) : '—') +
      num(m ? formatNumber(m.savedMB) : '—') +
      num(m ? formatNumber(m.peakPressure, 1) : '—') +
      num(m ? formatNumber(m.startFailures) : '—') +
      num(m ? formatNumber(m.smartPagingPeakMB) : '—') +
      '</tr>'
    );
  });
  const out = [
    '<h2>Settings sweep</h2>',
    table(
      [
        ...sweep.keys,
        'VMs',
        'meets every target',
        'demand above memory',
        'saved MB',
        'peak pressure',
        'start failures',
        'Smart Paging peak MB',
      ],
      rows,
    ),
  ];
  const varying = sweep.keys.filter((k) => new Set(sweep.points.map((p) => JSON.stringify(p.settings[k]))).size > 1);
  if (varying.length === 2) {
    const [xKey, yKey] = varying as [string, string];
    const distinct = (k: string) => [
      ...new Map(sweep.points.map((p) => [JSON.stringify(p.settings[k]), p.settings[k]])).values(),
    ];
    const xValues = distinct(xKey);
    const yValues = distinct(yKey);
    const at = (xi: number, yi: number) =>
      sweep.points.find(
        (p) =>
          JSON.stringify(p.settings[xKey]) === JSON.stringify(xValues[xi]) &&
          JSON.stringify(p.settings[yKey]) === JSON.stringify(yValues[yi]),
      );
    out.push(
      fixedCount
        ? heatMap({
            title: `Demand above memory with ${sweep.points[0]!.vms} VMs`,
            xLabel: xKey,
            yLabel: yKey,
            xValues,
            yValues,
            value: (xi, yi) => at(xi, yi)?.runs[0]?.metrics.shortfallPercent ?? Number.NaN,
            format: (v) => pct(v),
            higherIsBetter: false,
          })
        : heatMap({
            title: 'VMs that fit',
            xLabel: xKey,
            yLabel: yKey,
            xValues,
            yValues,
            value: (xi, yi) => at(xi, yi)?.vms ?? Number.NaN,
            format: (v) => `${formatNumber(v)} VMs`,
            higherIsBetter: true,
          }),
    );
  }
  return out.join('\n');
}

function runsSection(result: PlanResult): string {
  const answers = new Set<PlanRun>([...(result.dynamic?.at ?? []), ...(result.static?.at ?? [])]);
  const rows = result.runs.map(
    (r) =>
      `<tr${answers.has(r) ? ' class="answer"' : ''}><td>${esc(NAME[r.point.variant])}</td>` +
      num(formatNumber(r.point.vms)) +
      num(esc(formatMemory(r.point.hostMemoryMB))) +
      `<td>${esc(
        Object.entries(r.point.settings)
          .map(([k, v]) => `${k} ${show(v)}`)
          .join(', '),
      )}</td>` +
      `<td>${esc(r.point.failHost ? `${r.point.failHost} fails` : '')}</td>` +
      num(pct(r.metrics.shortfallPercent)) +
      num(formatNumber(r.metrics.startFailures)) +
      num(formatNumber(r.metrics.failoverFailed)) +
      num(formatNumber(r.metrics.smartPagingPeakMB)) +
      num(formatNumber(r.metrics.savedMB)) +
      `<td>${r.ok ? 'yes' : esc(r.missed.join('; '))}</td></tr>`,
  );
  return [
    '<h2>Every run</h2>',
    table(
      [
        'VMs with',
        'VMs',
        'host memory',
        'settings',
        'N+1',
        'demand above memory',
        'start failures',
        'left off',
        'Smart Paging peak MB',
        'saved MB',
        'meets every target',
      ],
      rows,
    ),
    '<p class="note">Highlighted: the runs at the answer. Each run is keyed by the hash of its inputs (scenario, trace contents, dynmem\'s code): see plan.csv.</p>',
  ].join('\n');
}

/** plan.html: the headline, the targets, the curve or sweep, and every run. */
export function planHtml(result: PlanResult): string {
  const body = [
    `<h1>${esc(`dynmem plan: ${result.name}`)}</h1>`,
    `<p class="headline">${esc(result.headline)}</p>`,
    `<p>${esc(`${describeHost(result)}, ${formatNumber(result.durationSeconds / 3600, 1)} h per run, ${result.runs.length} runs.`)}</p>`,
    '<h2>Targets</h2>',
    targetsList(result),
    result.question === 'density' ? densitySection(result) : '',
    result.question === 'hostMemory' ? hostMemorySection(result) : '',
    result.question === 'sweep' ? sweepSection(result) : '',
    runsSection(result),
  ].join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(`dynmem plan: ${result.name}`)}</title><style>${CSS}</style></head><body><main>\n${body}\n</main></body></html>\n`;
}

const METRIC_COLUMNS = [
  'shortfallPercent',
  'vmSecondsShort',
  'guestPagingMBs',
  'startFailures',
  'failoverFailed',
  'restartFailures',
  'smartPagingPeakMB',
  'smartPagingMBs',
  'averagePressure',
  'peakPressure',
  'staticMB',
  'meanAssignedMB',
  'savedMB',
  'savedPercent',
  'minAvailableMB',
] as const;

/** plan.csv: one row per run (RFC 4180, CRLF), the sweep's settings as columns. */
export function planCsv(result: PlanResult): string {
  const keys = [...new Set(result.runs.flatMap((r) => Object.keys(r.point.settings)))];
  const header = ['variant', 'vms', 'host_memory_mb', ...keys, 'fail_host', ...METRIC_COLUMNS, 'ok', 'missed', 'key'];
  const rows = result.runs.map((r) =>
    [
      r.point.variant,
      csvNumber(r.point.vms),
      csvNumber(r.point.hostMemoryMB),
      ...keys.map((k) => {
        const v = r.point.settings[k];
        return v === undefined ? '' : typeof v === 'number' ? csvNumber(v) : csvText(String(v));
      }),
      csvText(r.point.failHost ?? ''),
      ...METRIC_COLUMNS.map((c) => csvNumber(r.metrics[c])),
      r.ok ? 'true' : 'false',
      csvText(r.missed.join('; ')),
      r.key,
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
