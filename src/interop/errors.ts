// The error every interop reader throws for a file it cannot read: where it is, so a person can open the file there.

/**
 * A problem in an imported file, with its position. `line` and `column` are 1-based; for CSV input the column is
 * the CSV field number (the timestamp is column 1), which points at a counter far better than a character offset
 * in a line that can be thousands of characters wide.
 * @example
 * try { parsePdhCsv(text, 'counters.csv'); } catch (e) {
 *   if (e instanceof InteropError) console.log(e.file, e.line, e.column);
 * }
 */
export class InteropError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(file: string, line: number, column: number, problem: string) {
    super(`${file}, line ${line}, column ${column}: ${problem}`);
    this.name = 'InteropError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}
