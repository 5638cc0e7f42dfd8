// The error every interop reader throws for a file it cannot read: where it is, so a person can open the file there.
import { shown } from '../errors.ts';

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

/** A reader's input, or an InteropError when it is not text at all (nothing, a Buffer, an object). */
export function checkText(text: unknown, source: string): string {
  if (typeof text !== 'string') {
    throw new InteropError(source, 1, 1, `expected the file's text (a string), not ${shown(text)}.`);
  }
  return text;
}
