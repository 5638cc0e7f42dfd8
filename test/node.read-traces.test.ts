import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { listTraceFiles, readTraceFile } from '../src/node/read-traces.ts';
import { TraceError } from '../src/traces/index.ts';

const sampleDir = fileURLToPath(new URL('../data/bitbrains-sample', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/bitbrains-duplicates.csv', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'dynmem-traces-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readTraceFile', () => {
  it('gunzips and reads a bundled Bitbrains file, named after the file', async () => {
    const path = join(sampleDir, '17.csv.gz');
    const traces = await readTraceFile(path);
    expect(traces).toHaveLength(1);
    const t = traces[0]!;
    expect(t.vm).toBe('17');
    expect(t.source).toBe(path);
    expect(t.times.length).toBe(313);
    expect(t.startTime).toBe(1372629804);
    expect(t.demandMB[0]).toBe(206916.53333333333 / 1024);
    expect(t.provisionedMB).toBe(2048);
  });

  it('reads a plain Bitbrains file (the real duplicates excerpt)', async () => {
    const t = (await readTraceFile(fixture))[0]!;
    expect(t.vm).toBe('bitbrains-duplicates');
    expect(t.repairs.duplicateTimestamps).toBe(5);
    expect(t.demandMB[6]).toBe(128623.73333333334 / 1024);
  });

  it('reads a generic CSV, plain and gzipped', async () => {
    const text = 'time,vm,demandMB\n0,a,100\n0,b,200\n30,a,110\n30,b,210\n';
    writeFileSync(join(tmp, 'fleet.csv'), text);
    writeFileSync(join(tmp, 'fleet.csv.gz'), gzipSync(text));
    for (const name of ['fleet.csv', 'fleet.csv.gz']) {
      const traces = await readTraceFile(join(tmp, name));
      expect(traces.map((t) => t.vm)).toEqual(['a', 'b']);
      expect(Array.from(traces[1]!.demandMB)).toEqual([200, 210]);
      expect(traces[0]!.intervalSeconds).toBe(30);
    }
  });

  it('errors name the path', async () => {
    writeFileSync(join(tmp, 'other.csv'), 'a,b,c\n1,2,3\n');
    const err = await readTraceFile(join(tmp, 'other.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).file).toBe(join(tmp, 'other.csv'));
    expect((err as Error).message).toContain(`${join(tmp, 'other.csv')} line 1: not a trace file`);

    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, readFileSync(fixture, 'utf8').replace('95069.06666666667', 'x'));
    await expect(readTraceFile(bad)).rejects.toThrow(`${bad} line 2: 'Memory usage [KB]' is not a number: 'x'`);

    await expect(readTraceFile(join(tmp, 'missing.csv.gz'))).rejects.toThrow(join(tmp, 'missing.csv.gz'));
    writeFileSync(join(tmp, 'fake.csv.gz'), 'time,vm,demandMB\n');
    await expect(readTraceFile(join(tmp, 'fake.csv.gz'))).rejects.toThrow(
      `${join(tmp, 'fake.csv.gz')}: not a valid gzip`,
    );
  });
});

describe('listTraceFiles', () => {
  it('lists a folder: all 100 sample files, numerically sorted, nothing else', async () => {
    const files = await listTraceFiles(sampleDir);
    expect(files.length).toBe(100);
    expect(files.slice(0, 3)).toEqual(['1', '2', '3'].map((n) => join(sampleDir, `${n}.csv.gz`)));
    expect(files[99]).toBe(join(sampleDir, '100.csv.gz'));
  });

  it('expands a * in the last segment, numerically sorted', async () => {
    const files = await listTraceFiles(join(sampleDir, '1*.csv.gz'));
    const names = files.map((f) => f.slice(sampleDir.length + 1));
    expect(names).toEqual(
      ['1', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '100'].map((n) => `${n}.csv.gz`),
    );
  });

  it('mixes .csv and .csv.gz in a folder, sorts by number, skips other files and folders', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(join(dir, 'sub.csv'), { recursive: true });
    for (const name of ['10.csv', '2.csv.gz', 'vm-10.csv', 'vm-9.csv', 'notes.txt']) writeFileSync(join(dir, name), '');
    const names = (await listTraceFiles(dir)).map((f) => f.slice(dir.length + 1));
    expect(names).toEqual(['2.csv.gz', '10.csv', 'vm-9.csv', 'vm-10.csv']);
    expect(await listTraceFiles(join(dir, '10.csv'))).toEqual([join(dir, '10.csv')]);
  });

  it('errors name the path', async () => {
    await expect(listTraceFiles(join(tmp, 'nope'))).rejects.toThrow(join(tmp, 'nope'));
    await expect(listTraceFiles(join(tmp, '*', 'x.csv'))).rejects.toThrow(/only supported in the last path segment/);
    await expect(listTraceFiles(join(sampleDir, '*.parquet'))).rejects.toThrow(
      `${join(sampleDir, '*.parquet')}: no files match`,
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await expect(listTraceFiles(empty)).rejects.toThrow(`${empty}: folder contains no .csv or .csv.gz files`);
  });
});

describe('the bundled sample', () => {
  it('is small and every file reads as a real trace', async () => {
    let bytes = 0;
    let gaps = 0;
    let duplicates = 0;
    for (const path of await listTraceFiles(sampleDir)) {
      bytes += readFileSync(path).length;
      const t = (await readTraceFile(path))[0]!;
      expect(t.times.length).toBeGreaterThanOrEqual(310);
      expect(t.times.length).toBeLessThanOrEqual(313);
      expect(t.times[t.times.length - 1]).toBeLessThanOrEqual(26 * 3600 + 150);
      expect(t.intervalSeconds).toBe(300);
      gaps += t.repairs.gaps;
      duplicates += t.repairs.duplicateTimestamps;
    }
    expect(bytes).toBeLessThan(1_000_000);
    expect(duplicates).toBe(0); // hence test/fixtures/bitbrains-duplicates.csv
    expect(gaps).toBeGreaterThan(0);
  });
});
