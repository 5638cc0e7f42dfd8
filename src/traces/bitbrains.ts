/**
 * Reader for the Bitbrains GWA-T-12 per-VM traces (Grid Workloads Archive, TU Delft) in their published format:
 * a header line, then one row per sample, cells separated by `;` and a TAB. Despite its name the `Timestamp [ms]`
 * column holds Unix SECONDS; memory columns are in KB. Columns are found by header name, so extra whitespace,
 * `;` without a TAB, CRLF line ends and blank lines are all accepted. Only the timestamp and the two memory columns
 * are read; the others just have to be there (every row must have as many cells as the header). The nominal interval
 * is the published 300 s; steps longer than 450 s count as gaps.
 */
import { firstContentLine, splitCsvRow, splitLines } from '../csv.ts';
import { readNumberCell, TraceError } from './errors.ts';
import { assembleTrace, type DemandTrace, type RawSeries } from './types.ts';

/** The sample interval Bitbrains publishes; the nominal interval of every Bitbrains trace, gaps are judged by it. */
const BITBRAINS_INTERVAL_SECONDS = 300;

const TIMESTAMP = 'Timestamp [ms]';
const USAGE = 'Memory usage [KB]';
const PROVISIONED = 'Memory capacity provisioned [KB]';

/** The `;`-separated cells of a line; a stray quote is a TraceError at that line. */
function splitCells(line: string, source: string, lineNo: number): string[] {
  return splitCsvRow(line, ';', (column, problem) => {
    throw new TraceError(source, lineNo, `cell ${column}: ${problem}`);
  });
}

/**
 * The cells of a line without quotes, as many as `splitCells` finds, but only the three read are cut out (the others
 * are left empty): a month of samples has eleven cells a row, and cutting them all made most of the garbage.
 */
function wantedCells(line: string, tCol: number, uCol: number, pCol: number): string[] {
  const cells: string[] = [];
  let start = 0;
  for (let column = 0; ; column++) {
    const end = line.indexOf(';', start);
    const stop = end < 0 ? line.length : end;
    cells.push(column === tCol || column === uCol || column === pCol ? line.slice(start, stop) : '');
    if (end < 0) return cells;
    start = end + 1;
  }
}

/** Header names compare case-insensitively with runs of whitespace collapsed. */
function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The VM name a trace file implies: its base name without `.csv`, `.csv.gz` or `.gz`. */
export function vmNameFromSource(source: string): string {
  const base = source.slice(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
  return base.replace(/(\.csv)?(\.gz)?$/i, '') || base;
}

/**
 * Parses one Bitbrains per-VM trace file.
 * @param text the file's text (already gunzipped)
 * @param source file name or label, used in error messages (and for the VM name when `vm` is not given)
 * @param vm VM name; defaults to the file name without `.csv`/`.csv.gz`, e.g. "17"
 * @returns demand in MB (`Memory usage [KB]` / 1024, unrounded) and the largest provisioned memory, with the
 *   repairs made (duplicate timestamps, rows out of order, gaps) counted in `repairs`
 * @throws TraceError for a missing header or column, a wrong cell count, a non-numeric timestamp, or a memory
 *   cell that is not a non-negative number, or when there are no data rows
 * @example
 * const trace = parseBitbrains(gunzipSync(readFileSync('2013-7/17.csv.gz')).toString(), '17.csv.gz');
 * trace.vm; // '17'
 */
export function parseBitbrains(text: string, source: string, vm: string = vmNameFromSource(source)): DemandTrace {
  const lines = splitLines(text);
  const first = firstContentLine(lines);
  if (first === undefined) {
    throw new TraceError(source, 1, `empty file: expected a header line starting with '${TIMESTAMP}'`);
  }

  const headerLine = first.lineNo;
  const header = splitCells(lines[first.index]!, source, headerLine).map((h) => h.trim().replace(/\s+/g, ' '));
  const names = header.map(normalizeName);
  // Accept any "Timestamp ..." spelling for the first column: the unit in the published name is wrong anyway.
  const tCol = names.findIndex((n) => n === normalizeName(TIMESTAMP) || /^timestamp\b/.test(n));
  const uCol = names.indexOf(normalizeName(USAGE));
  const pCol = names.indexOf(normalizeName(PROVISIONED));
  const missing = tCol < 0 ? TIMESTAMP : uCol < 0 ? USAGE : undefined;
  if (missing !== undefined) {
    const found = header.join('; ');
    throw new TraceError(source, headerLine, `missing column '${missing}' (header: '${found}')`, missing);
  }
  const tName = header[tCol]!;
  const uName = header[uCol]!;
  const pName = pCol >= 0 ? header[pCol]! : PROVISIONED;
  const columns = header.length;

  const raw: RawSeries = { times: [], demandMB: [], provisionedMB: [] };
  for (let lineIndex = first.index + 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex]!;
    if (line.trim() === '') continue;
    const lineNo = lineIndex + 1;
    const cells = line.includes('"') ? splitCells(line, source, lineNo) : wantedCells(line, tCol, uCol, pCol);
    if (cells.length !== columns) {
      throw new TraceError(source, lineNo, `expected ${columns} columns separated by ';', found ${cells.length}`);
    }
    raw.times.push(readNumberCell(cells[tCol]!.trim(), source, lineNo, tName, false));
    raw.demandMB.push(readNumberCell(cells[uCol]!.trim(), source, lineNo, uName, true) / 1024);
    if (pCol >= 0) raw.provisionedMB.push(readNumberCell(cells[pCol]!.trim(), source, lineNo, pName, true) / 1024);
  }
  if (raw.times.length === 0) throw new TraceError(source, headerLine, 'no data rows after the header');
  return assembleTrace(raw, vm, source, { nominal: BITBRAINS_INTERVAL_SECONDS });
}
