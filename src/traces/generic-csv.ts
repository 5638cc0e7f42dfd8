/**
 * Reader for dynmem's generic demand CSV, a simple format for traces from any source.
 *
 * ```csv
 * time,vm,demandMB,provisionedMB
 * 0,web-1,1024,4096
 * 0,db-1,8000.5,16384
 * 60,web-1,1100,
 * 60,db-1,8100,16384
 * ```
 *
 * - First line: the header `time,vm,demandMB`, optionally followed by `,provisionedMB` (names case-insensitive,
 *   in this order, nothing else).
 * - `time`: seconds, any start (Unix seconds or 0, fractions allowed); each VM's trace starts at its own first time.
 * - `vm`: the VM name; rows of several VMs may be interleaved in one file; traces are returned in the order each VM
 *   first appears. A cell may be quoted (RFC 4180: a name with `,` or `"` in quotes, a quote doubled).
 * - `demandMB`: memory demand in MB (MiB), a non-negative number, fractions allowed.
 * - `provisionedMB` (optional column, may be left empty on a row): the VM's provisioned memory in MB; the trace
 *   reports the largest seen, rounded up to a multiple of 2.
 * - Separator `,`; whitespace around cells, CRLF line ends and blank lines are ignored.
 *
 * Repairs, per VM and counted in `repairs`: a row whose time repeats an earlier row of the same VM is dropped (the
 * first wins), rows out of order are sorted, gaps longer than 1.5 × the median interval are kept and counted.
 */
import { csvText, firstContentLine, splitCsvRow, splitLines } from '../csv.ts';
import { readNumberCell, TraceError } from './errors.ts';
import { assembleTrace, type DemandTrace, type RawSeries } from './types.ts';

/** The column names, in their required order. */
const COLUMNS = ['time', 'vm', 'demandMB', 'provisionedMB'] as const;

/** The cells of a line, trimmed, quoted or not; a problem is a TraceError at that line. */
function splitCells(line: string, source: string, lineNo: number): string[] {
  const fail = (column: number, problem: string): never => {
    throw new TraceError(source, lineNo, `cell ${column}: ${problem}`);
  };
  return splitCsvRow(line, ',', fail, true).map((cell) => cell.trim());
}

/** The header's names, lower case, or undefined when the line is not one CSV row. */
function headerNames(line: string): string[] | undefined {
  try {
    return splitCells(line, '', 0).map((name) => name.toLowerCase());
  } catch {
    return undefined;
  }
}

/** True when a header line names the generic format (`time,vm,demandMB`, optionally `,provisionedMB`). */
export function isGenericCsvHeader(line: string): boolean {
  const names = headerNames(line);
  if (names === undefined || (names.length !== 3 && names.length !== 4)) return false;
  return names.every((n, i) => n === COLUMNS[i]!.toLowerCase());
}

/**
 * Parses a generic demand CSV (format above) into one trace per VM, in order of first appearance.
 * @param text the file's text (already gunzipped)
 * @param source file name or label, used in error messages
 * @throws TraceError for a wrong header, a wrong cell count, an empty VM name, a non-numeric time, a memory cell
 *   that is not a non-negative number, or when there are no data rows
 * @example
 * const [web] = parseGenericCsv('time,vm,demandMB\n0,web-1,1024\n60,web-1,1100\n', 'web.csv');
 * web.intervalSeconds; // 60
 */
export function parseGenericCsv(text: string, source: string): DemandTrace[] {
  const lines = splitLines(text);
  const first = firstContentLine(lines);
  if (first === undefined) {
    throw new TraceError(source, 1, `empty file: expected the header 'time,vm,demandMB'`);
  }
  const headerLine = first.lineNo;
  const header = lines[first.index]!;
  if (!isGenericCsvHeader(header)) {
    throw new TraceError(
      source,
      headerLine,
      `expected the header 'time,vm,demandMB' or 'time,vm,demandMB,provisionedMB', found '${header.trim()}'`,
    );
  }
  const columns = splitCells(header, source, headerLine).length;

  const byVm = new Map<string, RawSeries>();
  for (let lineIndex = first.index + 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex]!;
    if (line.trim() === '') continue;
    const lineNo = lineIndex + 1;
    const cells = splitCells(line, source, lineNo);
    if (cells.length !== columns) {
      throw new TraceError(source, lineNo, `expected ${columns} columns separated by ',', found ${cells.length}`);
    }
    const time = readNumberCell(cells[0]!, source, lineNo, 'time', false);
    const vm = cells[1]!;
    if (vm === '') throw new TraceError(source, lineNo, `'vm' is empty`, 'vm');
    const demand = readNumberCell(cells[2]!, source, lineNo, 'demandMB', true);
    let series = byVm.get(vm);
    if (series === undefined) {
      series = { times: [], demandMB: [], provisionedMB: [] };
      byVm.set(vm, series);
    }
    series.times.push(time);
    series.demandMB.push(demand);
    if (columns === 4) {
      const p = cells[3]!;
      series.provisionedMB.push(p === '' ? NaN : readNumberCell(p, source, lineNo, 'provisionedMB', true));
    }
  }
  if (byVm.size === 0) throw new TraceError(source, headerLine, 'no data rows after the header');

  const traces: DemandTrace[] = [];
  // A lone sample has no interval; 0 says "unknown" rather than inventing one.
  for (const [vm, series] of byVm) traces.push(assembleTrace(series, vm, source, { single: 0 }));
  return traces;
}

/**
 * Writes traces as a generic CSV, one trace after another (so parsing it back returns them in the same order);
 * the inverse of parseGenericCsv. A VM name with a comma, quote or line break is quoted (RFC 4180).
 * @throws Error when a VM name cannot be read back as it is (empty, with spaces around it, or a line break)
 * @example
 * writeFileSync('traces.csv', formatGenericCsv(parseGenericCsv(text, 'in.csv')));
 */
export function formatGenericCsv(traces: readonly DemandTrace[]): string {
  const withProvisioned = traces.some((t) => t.provisionedMB !== undefined);
  const out = [withProvisioned ? 'time,vm,demandMB,provisionedMB' : 'time,vm,demandMB'];
  for (const trace of traces) {
    if (trace.vm.trim() === '' || trace.vm !== trace.vm.trim() || /[\r\n]/.test(trace.vm)) {
      throw new Error(`VM name ${JSON.stringify(trace.vm)} cannot be written to a generic CSV`);
    }
    const vm = csvText(trace.vm);
    const p = withProvisioned ? `,${trace.provisionedMB ?? ''}` : '';
    for (let i = 0; i < trace.times.length; i++) {
      out.push(`${trace.startTime + trace.times[i]!},${vm},${trace.demandMB[i]!}${p}`);
    }
  }
  return `${out.join('\n')}\n`;
}
