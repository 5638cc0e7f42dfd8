// parseTraceText: one rule, in Node and browsers alike, for which reader a trace file needs: told by its header,
// and a clear refusal (file and line) for a file that is neither format.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseTraceText, TraceError } from '../src/traces/index.ts';
import { thrown } from './refusal.ts';

const sample17 = gunzipSync(
  readFileSync(fileURLToPath(new URL('../data/bitbrains-sample/17.csv.gz', import.meta.url))),
).toString('utf8');

describe('parseTraceText', () => {
  it('reads a Bitbrains file by its Timestamp header, naming the trace after the file', () => {
    const traces = parseTraceText(sample17, 'traces/17.csv.gz');
    expect(traces.map((t) => t.vm)).toEqual(['17']);
    expect(traces[0]!.intervalSeconds).toBe(300);
  });

  it('reads a generic CSV by its header, one trace per VM, after a byte order mark and blank lines', () => {
    const traces = parseTraceText('\uFEFF\n\ntime,vm,demandMB\n0,a,100\n0,b,200\n60,a,150\n', 'mixed.csv');
    expect(traces.map((t) => [t.vm, [...t.demandMB]])).toEqual([
      ['a', [100, 150]],
      ['b', [200]],
    ]);
  });

  it.each([
    ['an unknown header', 'when,who,howMuch\n0,a,1\n', 1, "found 'when,who,howMuch'"],
    ['an unknown header after blank lines', '\r\n\r\n  cpu;mem\n1;2\n', 3, "found 'cpu;mem'"],
    ['an empty file', '', 1, "found ''"],
  ])('refuses %s, naming the file and line', (_case, text, line, found) => {
    const error = thrown(() => parseTraceText(text, 'x.csv'), TraceError);
    expect([error.file, error.line]).toEqual(['x.csv', line]);
    expect(error.message).toContain('not a trace file');
    expect(error.message).toContain(found);
  });
});
