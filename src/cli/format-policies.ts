// The policies of a comparison side by side on a terminal: one row of key figures per policy.
import type { PolicyRun } from '../sim/policies.ts';

const COLUMNS: [string, (run: PolicyRun) => string][] = [
  ['policy', (r) => r.policy],
  ['saved MB', (r) => Math.round(r.figures.savedMB).toLocaleString('en-US')],
  ['saved %', (r) => r.figures.savedPercent.toFixed(1)],
  ['VM-s short', (r) => Math.round(r.figures.vmSecondsShort).toLocaleString('en-US')],
  ['pressure p95', (r) => r.figures.pressureP95.toFixed(1)],
  ['peak', (r) => r.figures.pressurePeak.toFixed(1)],
  ['operations', (r) => r.figures.operations.toLocaleString('en-US')],
  ['start failures', (r) => String(r.figures.startFailures)],
];

export function formatPolicies(runs: PolicyRun[]): string {
  const cells = [COLUMNS.map(([head]) => head), ...runs.map((run) => COLUMNS.map(([, cell]) => cell(run)))];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const lines = cells.map((row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
  return `\nPolicies compared (the figures above are the ${runs[0]!.policy} run's):\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
