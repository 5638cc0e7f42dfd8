// Writing a run's report files: summary.json, timeseries.csv (+ vm-timeseries.csv), report.html, and
// PDH-CSV counters on request.
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { simulationPdhCsv } from '../interop/simulation-pdh.ts';
import {
  type ComparisonReport,
  type ReplayRecording,
  reportHtml,
  timeSeriesCsv,
  vmSeriesCsv,
} from '../report/index.ts';
import type { SimulationResult } from '../sim/simulate.ts';

export type ReportFormat = 'html' | 'csv' | 'json' | 'pdh-csv';

/** A run to report: a replay adds its comparison with the recording and the recording itself (charted in HTML). */
export type ReportedRun = SimulationResult & { comparison?: ComparisonReport; replay?: ReplayRecording };

/** JSON with Infinity written as null; `rounded` (reports) prints numbers to at most 3 decimals (see `jsonNumber`). */
export function summaryJson(value: unknown, options: { rounded?: boolean } = {}): string {
  const number = options.rounded ? jsonNumber : (x: number) => (Number.isFinite(x) ? x : null);
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' ? number(v) : v), 2)}\n`;
}

/**
 * A number as the summary prints it: whole numbers as they are, others to 3 decimals (MB, % and seconds need no
 * more; floating-point dust such as 4.43e-162 becomes 0), non-finite ones as null.
 */
export function jsonNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return x;
  const rounded = Math.sign(x) * (Math.round(Math.abs(x) * 1000) / 1000);
  return rounded === 0 ? 0 : rounded;
}

/**
 * Write the report of a run into `dir` (created if missing); returns the files written. All or nothing: the files
 * are written into a temporary folder beside `dir` and renamed into place only when every one is complete (the
 * whole folder at once when `dir` is new), so a failure part-way leaves no report files behind.
 * @example await writeReport('out', await simulate(scenario)); // out/summary.json, out/timeseries.csv, out/report.html
 */
export async function writeReport(
  dir: string,
  result: ReportedRun,
  formats: readonly ReportFormat[] = ['html', 'csv', 'json'],
): Promise<string[]> {
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), `.${basename(dir)}.partial-`));
  const names: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFile(join(staging, name), text);
    names.push(name);
  };
  try {
    await renderInto(put, result, formats);
    await moveInto(staging, dir, names);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return names.map((name) => join(dir, name));
}

/** The staged files into `dir`: the folder itself renamed when `dir` does not exist yet, else file by file. */
async function moveInto(staging: string, dir: string, names: string[]): Promise<void> {
  if ((await stat(dir).catch(() => undefined)) === undefined) {
    await chmod(staging, 0o777 & ~process.umask()); // a folder made as mkdir would (mkdtemp's is private)
    await rename(staging, dir);
    return;
  }
  for (const name of names) await rename(join(staging, name), join(dir, name));
  await rm(staging, { recursive: true, force: true });
}

async function renderInto(
  put: (name: string, text: string) => Promise<void>,
  result: ReportedRun,
  formats: readonly ReportFormat[],
): Promise<void> {
  const { summary, series } = result;
  if (formats.includes('json')) {
    const extra = {
      ...(result.comparison ? { comparison: result.comparison } : {}),
      ...(result.policies ? { policies: result.policies.map((run) => run.figures) } : {}),
    };
    await put('summary.json', summaryJson({ ...summary, ...extra }, { rounded: true }));
  }
  if (formats.includes('csv')) {
    await put('timeseries.csv', timeSeriesCsv(series));
    if (series.vms.length > 0) await put('vm-timeseries.csv', vmSeriesCsv(series));
  }
  if (formats.includes('html')) {
    const options = {
      ...(result.comparison ? { comparison: result.comparison } : {}),
      ...(result.replay ? { replay: result.replay } : {}),
      ...(result.policies ? { policies: result.policies } : {}),
    };
    await put('report.html', reportHtml(summary, series, options));
  }
  if (formats.includes('pdh-csv')) {
    const files = simulationPdhCsv(summary, series, (vm) => result.cluster.vm(vm).host);
    for (const { host, csv } of files) {
      await put(files.length === 1 ? 'counters.csv' : `counters-${host.replace(/[^\w.-]/g, '_')}.csv`, csv);
    }
  }
}
