// The "Policies compared" section of the HTML report: the same VMs under each allocation policy, one row of key
// figures per policy and charts with one line per policy.
import type { PolicyRun } from '../sim/policies.ts';
import { mb, num, pct, table, text } from './cells.ts';
import { type ChartLine, formatNumber, lineChart, PALETTE } from './svg.ts';

const HEADERS = [
  'Policy',
  'Memory saved',
  'VM-seconds short',
  'Pressure p95',
  'Peak pressure',
  'Operations',
  'Start failures',
];

function row({ figures: f }: PolicyRun): string {
  return (
    text(f.policy) +
    num(`${mb(f.savedMB)} MB (${pct(f.savedPercent)})`) +
    num(formatNumber(f.vmSecondsShort)) +
    num(formatNumber(f.pressureP95, 1)) +
    num(formatNumber(f.pressurePeak, 1)) +
    num(formatNumber(f.operations)) +
    num(formatNumber(f.startFailures))
  );
}

/** One chart of a whole-run series, one line per policy. */
function chart(runs: PolicyRun[], id: string, title: string, yLabel: string, pick: (run: PolicyRun) => number[]) {
  const lines: ChartLine[] = runs.map((run, k) => ({
    label: run.policy,
    values: pick(run),
    color: PALETTE[k % PALETTE.length]!,
  }));
  return `<figure>${lineChart({ id, title, xLabel: 'Simulated time', yLabel, times: runs[0]!.series.timeSeconds, lines })}</figure>`;
}

/**
 * The section for the runs of a `policies` scenario (ids `policies`, `chart-policies-assigned`,
 * `chart-policies-pressure`, `chart-policies-available`). The rest of the report shows the first policy's run.
 */
export function policiesSection(runs: PolicyRun[]): string {
  if (runs.length === 0) return '';
  return [
    '<h2 id="policies">Policies compared</h2>',
    `<p class="note">The same VMs and demand under each policy (README "Policies"). Memory saved: against static ` +
      'memory; pressure p95: the 95th percentile of the sampled System Current Pressure; operations: memory add ' +
      `and remove operations. The sections below show the ${runs[0]!.policy} run.</p>`,
    table(HEADERS, runs.map(row)),
    chart(runs, 'chart-policies-assigned', 'Assigned memory by policy', 'MB', (r) => r.series.total.assignedMB),
    chart(
      runs,
      'chart-policies-pressure',
      'System Current Pressure by policy',
      'pressure',
      (r) => r.series.total.pressure,
    ),
    chart(runs, 'chart-policies-available', 'Available memory by policy', 'MB', (r) => r.series.total.availableMB),
  ].join('\n');
}
