// Writing a run's report files: summary.json, timeseries.csv (+ vm-timeseries.csv), report.html, and
// PDH-CSV counters on request.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulationPdhCsv } from '../interop/simulation-pdh.ts';
import { type ComparisonReport, reportHtml, timeSeriesCsv, vmSeriesCsv } from '../report/index.ts';
import type { SimulationResult } from '../sim/simulate.ts';

export type ReportFormat = 'html' | 'csv' | 'json' | 'pdh-csv';

/** JSON with Infinity written as null and numbers kept readable. */
export function summaryJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/**
 * Write the report of a run into `dir` (created if missing); returns the files written.
 * @example await writeReport('out', await simulate(scenario)); // out/summary.json, out/timeseries.csv, out/report.html
 */
export async function writeReport(
  dir: string,
  result: SimulationResult & { comparison?: ComparisonReport },
  formats: readonly ReportFormat[] = ['html', 'csv', 'json'],
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    written.push(path);
  };
  const { summary, series } = result;
  if (formats.includes('json'))
    await put('summary.json', summaryJson(result.comparison ? { ...summary, comparison: result.comparison } : summary));
  if (formats.includes('csv')) {
    await put('timeseries.csv', timeSeriesCsv(series));
    if (series.vms.length > 0) await put('vm-timeseries.csv', vmSeriesCsv(series));
  }
  if (formats.includes('html')) {
    await put('report.html', reportHtml(summary, series, result.comparison ? { comparison: result.comparison } : {}));
  }
  if (formats.includes('pdh-csv')) {
    const files = simulationPdhCsv(summary, series, (vm) => result.cluster.vm(vm).host);
    for (const { host, csv } of files) {
      await put(files.length === 1 ? 'counters.csv' : `counters-${host.replace(/[^\w.-]/g, '_')}.csv`, csv);
    }
  }
  return written;
}
