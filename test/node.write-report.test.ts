// Reports are written all or nothing: staged in a temporary folder and renamed into place.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SimulationResult, simulate } from 'dynmem';
import { writeReport } from 'dynmem/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);

let result: SimulationResult;
beforeAll(async () => {
  result = await simulate({
    duration: 600,
    sampleInterval: 60,
    hosts: [{ memoryMB: 8192, reserveMB: 0 }],
    vms: [{ name: 'a', startupMB: 1024, demandMB: 500 }],
  });
});

describe('writeReport', () => {
  it('a new folder appears whole, with the usual permissions, and nothing else beside it', async () => {
    const parent = tempDir();
    const out = join(parent, 'report');
    const written = await writeReport(out, result);
    expect(written.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      'report.html',
      'summary.json',
      'timeseries.csv',
      'vm-timeseries.csv',
    ]);
    expect(readdirSync(parent)).toEqual(['report']);
    expect(statSync(out).mode & 0o777).toBe(0o777 & ~process.umask());
  });

  it('a failure part-way leaves no report files behind (the summary was already rendered)', async () => {
    const parent = tempDir();
    const out = join(parent, 'report');
    // The HTML page is rendered after summary.json and the CSVs: series without hosts make it throw.
    const broken = { ...result, series: { ...result.series, hosts: undefined } } as unknown as SimulationResult;
    await expect(writeReport(out, broken)).rejects.toThrow();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('into an existing folder: other files are kept, old report files replaced only when all are written', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'summary.json'), 'old');
    const broken = { ...result, series: { ...result.series, hosts: undefined } } as unknown as SimulationResult;
    await expect(writeReport(out, broken)).rejects.toThrow();
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'summary.json']);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('old');
    await writeReport(out, result);
    expect(readdirSync(out).sort()).toEqual([
      'notes.txt',
      'report.html',
      'summary.json',
      'timeseries.csv',
      'vm-timeseries.csv',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).durationSeconds).toBe(600);
  });
});
