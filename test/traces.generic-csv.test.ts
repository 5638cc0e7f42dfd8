import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatGenericCsv, parseBitbrains, parseGenericCsv, TraceError } from '../src/traces/index.ts';
import { thrown } from './refusal.ts';

const sampleDir = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));
const sample = (n: number) => gunzipSync(readFileSync(`${sampleDir}${n}.csv.gz`)).toString('utf8');

const traceError = (fn: () => unknown): TraceError => thrown(fn, TraceError);

const doc = `time,vm,demandMB,provisionedMB
0,web-1,1024,4096
0,db-1,8000.5,16383
60,web-1,1100,
60,db-1,8100,16384
120,web-1,1200,4096
`;

describe('parseGenericCsv', () => {
  it('reads interleaved VMs in order of first appearance (the documented example)', () => {
    const traces = parseGenericCsv(doc, 'doc.csv');
    expect(traces).toHaveLength(2);
    const web = traces[0]!;
    const db = traces[1]!;
    expect(web.vm).toBe('web-1');
    expect(web.source).toBe('doc.csv');
    expect(Array.from(web.times)).toEqual([0, 60, 120]);
    expect(Array.from(web.demandMB)).toEqual([1024, 1100, 1200]);
    expect(web.provisionedMB).toBe(4096);
    expect(web.intervalSeconds).toBe(60);
    expect(db.vm).toBe('db-1');
    expect(Array.from(db.demandMB)).toEqual([8000.5, 8100]);
    expect(db.provisionedMB).toBe(16384); // largest seen, already a multiple of 2
    expect(db.repairs).toEqual({ duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 });
  });

  it('gives each VM its own start; 3-column files have no provisioned size', () => {
    const traces = parseGenericCsv('time,vm,demandMB\n1000,a,1\n1010,b,2\n1020,a,3\n1030,b,4\n', 'x.csv');
    const a = traces[0]!;
    const b = traces[1]!;
    expect([a.startTime, b.startTime]).toEqual([1000, 1010]);
    expect(Array.from(b.times)).toEqual([0, 20]);
    expect(a.provisionedMB).toBeUndefined();
  });

  it('rounds provisionedMB up to a multiple of 2', () => {
    const t = parseGenericCsv('time,vm,demandMB,provisionedMB\n0,v,1,1023.5\n', 'p.csv')[0]!;
    expect(t.provisionedMB).toBe(1024);
  });

  it('repairs per VM: duplicates (first kept), out of order, gaps', () => {
    const text = [
      'time,vm,demandMB',
      '0,a,10',
      '0,b,20', // same time, other VM: not a duplicate
      '60,a,11',
      '60,a,99', // duplicate of a@60
      '180,a,13', // 120 missing
      '120,b,22',
      '60,b,21', // out of order for b
      '240,a,14',
      '300,a,15',
    ].join('\n');
    const traces = parseGenericCsv(text, 'r.csv');
    const a = traces[0]!;
    const b = traces[1]!;
    expect(a.repairs).toEqual({ duplicateTimestamps: 1, outOfOrder: 0, gaps: 1, gapSeconds: 60 });
    expect(Array.from(a.times)).toEqual([0, 60, 180, 240, 300]);
    expect(Array.from(a.demandMB)).toEqual([10, 11, 13, 14, 15]);
    expect(b.repairs).toEqual({ duplicateTimestamps: 0, outOfOrder: 1, gaps: 0, gapSeconds: 0 });
    expect(Array.from(b.times)).toEqual([0, 60, 120]);
    expect(Array.from(b.demandMB)).toEqual([20, 21, 22]);
  });

  it('accepts a single row (interval 0: unknown), CRLF, spaces, quotes, blank lines', () => {
    const t = parseGenericCsv('\uFEFF Time , VM , DemandMB \r\n 5 , "vm 1" , 2.5 \r\n\r\n', 's.csv')[0]!;
    expect(t.vm).toBe('vm 1');
    expect(t.startTime).toBe(5);
    expect(Array.from(t.demandMB)).toEqual([2.5]);
    expect(t.intervalSeconds).toBe(0);
  });

  it('round-trips real Bitbrains traces through formatGenericCsv', () => {
    const traces = [17, 1, 31].map((n) => parseBitbrains(sample(n), `${n}.csv.gz`));
    const back = parseGenericCsv(formatGenericCsv(traces), 'round.csv');
    expect(back.map((t) => t.vm)).toEqual(['17', '1', '31']);
    back.forEach((t, i) => {
      const original = traces[i]!;
      expect(Array.from(t.times)).toEqual(Array.from(original.times));
      expect(Array.from(t.demandMB)).toEqual(Array.from(original.demandMB));
      expect(t.startTime).toBe(original.startTime);
      expect(t.provisionedMB).toBe(original.provisionedMB);
      expect(t.intervalSeconds).toBe(300);
      expect(t.repairs).toEqual(original.repairs);
    });
    expect(back[0]!.demandMB[0]).toBe(206916.53333333333 / 1024);
  });

  it('quotes VM names with commas and quotes, and reads them back', () => {
    const t = parseGenericCsv(doc, 'doc.csv')[0]!;
    const names = ['web, old', 'say "hi"', '"quoted"'];
    const text = formatGenericCsv(names.map((vm) => ({ ...t, vm })));
    expect(text.split('\n')[1]).toBe('0,"web, old",1024,4096');
    expect(parseGenericCsv(text, 'back.csv').map((back) => back.vm)).toEqual(names);
  });

  it.each(['', ' web', 'web ', 'a\nb', 'a\r\nb'])('refuses the VM name %j, which would not read back', (vm) => {
    const t = parseGenericCsv(doc, 'doc.csv')[0]!;
    expect(() => formatGenericCsv([{ ...t, vm }])).toThrow(/cannot be written/);
  });
});

describe('parseGenericCsv errors', () => {
  it('names file, line and column', () => {
    const e = traceError(() => parseGenericCsv('time,vm,demandMB\n0,a,1\n60,a,abc\n', 'g.csv'));
    expect(e.message).toBe("g.csv line 3: 'demandMB' is not a number: 'abc'");
    expect([e.file, e.line, e.column]).toEqual(['g.csv', 3, 'demandMB']);
    const neg = traceError(() => parseGenericCsv('time,vm,demandMB,provisionedMB\n0,a,1,-2\n', 'g.csv'));
    expect(neg.message).toBe("g.csv line 2: 'provisionedMB' is negative: '-2'");
    const vm = traceError(() => parseGenericCsv('time,vm,demandMB\n0, ,1\n', 'g.csv'));
    expect([vm.line, vm.column]).toEqual([2, 'vm']);
    const t = traceError(() => parseGenericCsv('time,vm,demandMB\n\nsoon,a,1\n', 'g.csv'));
    expect(t.message).toBe("g.csv line 3: 'time' is not a number: 'soon'");
  });

  it('refuses wrong column counts, wrong headers, no rows', () => {
    expect(traceError(() => parseGenericCsv('time,vm,demandMB\n0,a,1,5\n', 'g.csv')).message).toBe(
      "g.csv line 2: expected 3 columns separated by ',', found 4",
    );
    const h = traceError(() => parseGenericCsv('time,demandMB,vm\n0,1,a\n', 'g.csv'));
    expect(h.line).toBe(1);
    expect(h.message).toMatch(/expected the header 'time,vm,demandMB'/);
    expect(traceError(() => parseGenericCsv('time,vm,demandMB\n', 'g.csv')).message).toBe(
      'g.csv line 1: no data rows after the header',
    );
    expect(traceError(() => parseGenericCsv('', 'g.csv')).line).toBe(1);
  });
});
