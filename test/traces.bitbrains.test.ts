import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type DemandTrace, parseBitbrains, TraceError } from '../src/traces/index.ts';
import { thrown } from './refusal.ts';

const sampleDir = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/bitbrains-duplicates.csv', import.meta.url));
const sample = (n: number): string => gunzipSync(readFileSync(`${sampleDir}${n}.csv.gz`)).toString('utf8');

const traceError = (fn: () => unknown): TraceError => thrown(fn, TraceError);

/** Replaces one cell (0-based column) of one 1-based line. */
function withCell(text: string, line: number, column: number, value: string): string {
  const lines = text.split('\n');
  const cells = lines[line - 1]!.split(';');
  cells[column] = `\t${value}`;
  lines[line - 1] = cells.join(';');
  return lines.join('\n');
}

function expectSameSeries(a: DemandTrace, b: DemandTrace): void {
  expect(Array.from(a.times)).toEqual(Array.from(b.times));
  expect(Array.from(a.demandMB)).toEqual(Array.from(b.demandMB));
  expect(a.startTime).toBe(b.startTime);
  expect(a.provisionedMB).toBe(b.provisionedMB);
}

describe('parseBitbrains on the bundled real sample', () => {
  it('reads 1.csv.gz: real KB values / 1024, Unix seconds, 300 s interval, no repairs', () => {
    const t = parseBitbrains(sample(1), '1.csv.gz');
    expect(t.vm).toBe('1');
    expect(t.source).toBe('1.csv.gz');
    expect(t.times.length).toBe(313);
    expect(t.startTime).toBe(1372629804);
    expect(t.times[0]).toBe(0);
    // line 2: 1372629804; ... 8218624.0; 1034592.8   line 42: 1372641804; ... 123031.2
    expect(t.demandMB[0]).toBe(1034592.8 / 1024);
    expect(t.times[40]).toBe(1372641804 - 1372629804);
    expect(t.demandMB[40]).toBe(123031.2 / 1024);
    // provisioned grows from 8,218,624 KB to 8,388,608 KB inside the window: the largest wins
    expect(t.provisionedMB).toBe(8192);
    expect(t.intervalSeconds).toBe(300);
    expect(t.repairs).toEqual({ duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 });
    for (let i = 1; i < t.times.length; i++) expect(t.times[i]).toBeGreaterThan(t.times[i - 1]!);
    expect(t.times[312]).toBe(1372723413 - 1372629804);
  });

  it('reads 17.csv.gz with its own first row and provisioned size', () => {
    const t = parseBitbrains(sample(17), 'data/bitbrains-sample/17.csv.gz');
    expect(t.vm).toBe('17');
    expect(t.demandMB[0]).toBe(206916.53333333333 / 1024);
    expect(t.demandMB[40]).toBe(170567.2 / 1024);
    expect(t.provisionedMB).toBe(2048);
  });

  it('keeps and counts the real gaps of 31.csv.gz (three 600 s steps)', () => {
    const t = parseBitbrains(sample(31), '31.csv.gz');
    expect(t.times.length).toBe(310);
    expect(t.intervalSeconds).toBe(300);
    expect(t.repairs.gaps).toBe(3);
    expect(t.repairs.gapSeconds).toBe(900);
    // the gap after 1372648705 (line 65) is kept as one long step, to be interpolated by the simulator
    const i = t.times.indexOf(1372648705 - t.startTime);
    expect(t.times[i + 1]! - t.times[i]!).toBe(600);
  });

  it('rounds a fractional provisioned size up to a multiple of 2 MB', () => {
    const text = sample(28);
    const lines = text.split('\n');
    const t = parseBitbrains(text, '28.csv.gz');
    const maxKB = Math.max(
      ...lines
        .slice(1)
        .filter(Boolean)
        .map((l) => Number(l.split(';')[5])),
    );
    expect(t.provisionedMB! % 2).toBe(0);
    expect(t.provisionedMB).toBe(Math.ceil(maxKB / 1024 / 2) * 2);
    expect(t.provisionedMB! - maxKB / 1024).toBeLessThan(2);
  });

  it('reports no provisioned size for a VM that reports only zeros (38 in this window)', () => {
    const t = parseBitbrains(sample(38), '38.csv.gz');
    expect(t.provisionedMB).toBeUndefined();
    expect(t.demandMB.every((d) => d === 0)).toBe(true);
  });
});

describe('parseBitbrains repairs', () => {
  it('drops real duplicate timestamps (20.csv.gz excerpt), keeping the first row of each', () => {
    const t = parseBitbrains(readFileSync(fixture, 'utf8'), 'bitbrains-duplicates.csv');
    expect(t.vm).toBe('bitbrains-duplicates');
    expect(t.repairs).toEqual({ duplicateTimestamps: 5, outOfOrder: 0, gaps: 0, gapSeconds: 0 });
    expect(t.times.length).toBe(10);
    expect(Array.from(t.times)).toEqual([0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700]);
    expect(t.startTime).toBe(1373973637);
    // 1373975437 appears with 128623.73333333334 KB, then 671088.0 KB: the first is kept
    expect(t.demandMB[6]).toBe(128623.73333333334 / 1024);
    // 1373975737 appears with 671088.0 KB, then twice with 0.0
    expect(t.demandMB[7]).toBe(655.359375);
    expect(t.demandMB[8]).toBe(0);
    expect(t.provisionedMB).toBe(4096);
  });

  it('sorts rows out of order and counts them', () => {
    const lines = sample(17).split('\n');
    const moved = lines.splice(5, 2); // lines 6 and 7 go to the end
    const shuffled = [...lines.filter(Boolean), ...moved].join('\n');
    const t = parseBitbrains(shuffled, '17.csv.gz');
    expect(t.repairs.outOfOrder).toBe(2);
    expect(t.repairs.duplicateTimestamps).toBe(0);
    expectSameSeries(t, parseBitbrains(sample(17), '17.csv.gz'));
  });

  it('judges duplicates in file order, before sorting', () => {
    const lines = sample(17).split('\n');
    const header = lines[0];
    // rows 3, 2, then a second copy of 2 with another usage: the later copy is the duplicate
    const copy = withCell(lines[1]!, 1, 6, '999.0');
    const t = parseBitbrains([header, lines[2], lines[1], copy].join('\n'), '17.csv.gz');
    expect(t.repairs).toMatchObject({ duplicateTimestamps: 1, outOfOrder: 1 });
    expect(t.demandMB[0]).toBe(206916.53333333333 / 1024);
  });

  it('counts a synthetic gap (rows removed) with its missing seconds', () => {
    const lines = sample(1).split('\n');
    lines.splice(10, 4); // 4 rows missing: one 1500 s step instead of five 300 s steps
    const t = parseBitbrains(lines.join('\n'), '1.csv.gz');
    expect(t.repairs.gaps).toBe(1);
    expect(t.repairs.gapSeconds).toBe(1500 - 300);
    expect(t.times.length).toBe(309);
  });

  it('accepts a short file: a single row is a trace', () => {
    const lines = sample(17).split('\n');
    const t = parseBitbrains(`${lines[0]}\n${lines[1]}\n`, '17.csv');
    expect(t.vm).toBe('17');
    expect(Array.from(t.times)).toEqual([0]);
    expect(Array.from(t.demandMB)).toEqual([206916.53333333333 / 1024]);
    expect(t.intervalSeconds).toBe(300);
    expect(t.repairs).toEqual({ duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 });
  });

  it('tolerates CRLF, ";" without TAB, extra spaces and trailing empty lines', () => {
    const text = sample(17);
    const variant = text
      .split('\n')
      .map((l) => l.replace(/;\t/g, ' ;  ').replace(/Memory usage/, 'Memory   usage'))
      .join('\r\n')
      .concat('\r\n\r\n  \r\n');
    expectSameSeries(parseBitbrains(variant, '17.csv'), parseBitbrains(text, '17.csv.gz'));
  });

  it('keeps the published 300 s as the interval when a second series interleaves (as in 54.csv.gz)', () => {
    const rows = [0, 134, 300, 434, 600, 1200].map((t) => `${1374673474 + t};\t1024`);
    const t = parseBitbrains(['Timestamp [ms];\tMemory usage [KB]', ...rows].join('\n'), '54.csv');
    expect(t.intervalSeconds).toBe(300);
    expect(t.repairs).toMatchObject({ gaps: 1, gapSeconds: 300 });
  });

  it('finds columns by name, in any order', () => {
    const text = 'Memory usage [KB];\tTimestamp [ms]\n2048;\t100\n4096;\t400\n';
    const t = parseBitbrains(text, 'x.csv', 'vm-x');
    expect(t.vm).toBe('vm-x');
    expect(Array.from(t.demandMB)).toEqual([2, 4]);
    expect(Array.from(t.times)).toEqual([0, 300]);
    expect(t.provisionedMB).toBeUndefined();
  });
});

describe('parseBitbrains errors', () => {
  it('names file, line and column for a non-numeric memory cell', () => {
    const e = traceError(() => parseBitbrains(withCell(sample(17), 42, 6, 'abc'), '17.csv.gz'));
    expect(e.message).toBe("17.csv.gz line 42: 'Memory usage [KB]' is not a number: 'abc'");
    expect(e.file).toBe('17.csv.gz');
    expect(e.line).toBe(42);
    expect(e.column).toBe('Memory usage [KB]');
  });

  it('refuses a negative memory cell, an empty cell, a bad timestamp', () => {
    const neg = traceError(() => parseBitbrains(withCell(sample(17), 7, 5, '-1.0'), '17.csv.gz'));
    expect(neg.message).toBe("17.csv.gz line 7: 'Memory capacity provisioned [KB]' is negative: '-1.0'");
    expect(neg.column).toBe('Memory capacity provisioned [KB]');
    const empty = traceError(() => parseBitbrains(withCell(sample(17), 3, 6, ''), '17.csv.gz'));
    expect(empty.message).toBe("17.csv.gz line 3: 'Memory usage [KB]' is empty");
    const ts = traceError(() => parseBitbrains(sample(17).replace('\n1372630104;', '\n0x1F;'), '17.csv.gz'));
    expect([ts.line, ts.column]).toEqual([3, 'Timestamp [ms]']);
    expect(ts.message).toContain("is not a number: '0x1F'");
  });

  it('refuses a row with the wrong number of columns', () => {
    const lines = sample(17).split('\n');
    lines[9] = lines[9]!.split(';').slice(0, 10).join(';');
    const e = traceError(() => parseBitbrains(lines.join('\n'), '17.csv.gz'));
    expect(e.message).toBe("17.csv.gz line 10: expected 11 columns separated by ';', found 10");
    expect(e.column).toBeUndefined();
  });

  it('refuses a missing column, an empty file, a header without rows', () => {
    const noUsage = sample(17).replace('Memory usage [KB]', 'Memory used');
    const e = traceError(() => parseBitbrains(noUsage, '17.csv.gz'));
    expect(e.line).toBe(1);
    expect(e.column).toBe('Memory usage [KB]');
    expect(e.message).toMatch(/^17\.csv\.gz line 1: missing column 'Memory usage \[KB\]'/);
    expect(traceError(() => parseBitbrains('\n\n', 'e.csv')).message).toMatch(/^e\.csv line 1: empty file/);
    const header = sample(17).split('\n')[0];
    expect(traceError(() => parseBitbrains(`${header}\n\n`, 'h.csv')).message).toBe(
      'h.csv line 1: no data rows after the header',
    );
  });
});
