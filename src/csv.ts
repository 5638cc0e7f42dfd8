// CSV text as every reader and writer of the library handles it: the byte order mark, lines, quoted cells
// (RFC 4180) and strict decimal numbers. Browser-safe: strings in, strings out.

/** Drops a leading byte order mark (Windows tools write one). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines without their line ends (CRLF, LF or a lone CR), after a leading byte order mark is dropped. */
export function splitLines(text: string): string[] {
  return stripBom(text).split(/\r\n|\n|\r/);
}

/** Index and 1-based line number of the first line that is not blank, or undefined when every line is blank. */
export function firstContentLine(lines: readonly string[]): { index: number; lineNo: number } | undefined {
  const index = lines.findIndex((line) => line.trim() !== '');
  return index < 0 ? undefined : { index, lineNo: index + 1 };
}

/** Called with the 1-based cell number and what is wrong; throws the reader's own error. */
export type CsvProblem = (column: number, problem: string) => never;

const BLANK = /[ \t]/;

/**
 * The cells of one CSV line: bare, or quoted with `"` (a doubled quote inside is a quote), separated by `separator`.
 * A quoted cell keeps its separators and quotes; a quote inside a bare cell, or anything but the separator after a
 * quoted one, is refused through `problem`. With `blanksAroundQuotes`, spaces and tabs around a quoted cell are
 * allowed (and dropped), as hand-written files have them.
 * @example
 * splitCsvRow('1,"web, old","say ""hi"""', ',', fail); // ['1', 'web, old', 'say "hi"']
 */
export function splitCsvRow(
  line: string,
  separator: string,
  problem: CsvProblem,
  blanksAroundQuotes = false,
): string[] {
  if (!line.includes('"')) return line.split(separator); // the common line: bare cells only
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    const column = cells.length + 1;
    let open = i;
    if (blanksAroundQuotes) while (BLANK.test(line[open] ?? '')) open++;
    if (line[open] === '"') {
      let value = '';
      i = open + 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) problem(column, 'a quoted cell is not closed before the end of the line.');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (blanksAroundQuotes) while (BLANK.test(line[i] ?? '')) i++;
      cells.push(value);
      if (i === line.length) return cells;
      if (line[i] !== separator) {
        problem(
          column,
          `unexpected ${JSON.stringify(line[i])} after a quoted cell; expected ${JSON.stringify(separator)}.`,
        );
      }
      i++;
    } else {
      const next = line.indexOf(separator, i);
      const end = next < 0 ? line.length : next;
      const value = line.slice(i, end);
      if (value.includes('"')) problem(column, 'a quote inside an unquoted cell.');
      cells.push(value);
      if (next < 0) return cells;
      i = next + separator.length;
    }
  }
}

/**
 * One CSV cell for text: quoted (with quotes doubled) only when it holds a comma, quote or line break, per RFC 4180.
 * @example
 * csvText('web-1');      // "web-1"
 * csvText('a,"b"');      // "\"a,\"\"b\"\"\""
 */
export function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Strict decimal syntax: Number() alone would accept '', ' ', '0x1F', 'Infinity', which are not data.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A trimmed cell as a number when it is written as a plain decimal (sign, digits, point, exponent), else NaN.
 * @example
 * parseDecimal('1.5e3'); // 1500
 * parseDecimal('0x1F');  // NaN
 */
export function parseDecimal(cell: string): number {
  return DECIMAL.test(cell) ? Number(cell) : NaN;
}
