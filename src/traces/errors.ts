import { parseDecimal } from '../csv.ts';

/**
 * A trace file that cannot be read as a demand trace. The message always names the file and the line,
 * and the column where one applies, so a person can open the file and fix it.
 */
export class TraceError extends Error {
  /** File name or label the trace was read from. */
  readonly file: string;
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  /** Header name of the offending column, when the problem is in one column. */
  readonly column?: string;

  constructor(file: string, line: number, problem: string, column?: string) {
    super(`${file} line ${line}: ${problem}`);
    this.name = 'TraceError';
    this.file = file;
    this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/**
 * Parses one trimmed numeric cell, or throws a TraceError naming the file, line and column.
 * @internal shared by the readers; not part of the public API.
 */
export function readNumberCell(cell: string, file: string, line: number, column: string, nonNegative: boolean): number {
  if (cell === '') throw new TraceError(file, line, `'${column}' is empty`, column);
  const value = parseDecimal(cell);
  if (!Number.isFinite(value)) throw new TraceError(file, line, `'${column}' is not a number: '${cell}'`, column);
  if (nonNegative && value < 0) throw new TraceError(file, line, `'${column}' is negative: '${cell}'`, column);
  return value;
}
