// Which reader a trace file needs, told by its header: one rule for files read in Node and traces fetched by
// browsers alike.
import { splitLines, stripBom } from '../csv.ts';
import { shown } from '../errors.ts';
import { parseBitbrains, vmNameFromSource } from './bitbrains.ts';
import { TraceError } from './errors.ts';
import { isGenericCsvHeader, parseGenericCsv } from './generic-csv.ts';
import type { DemandTrace } from './types.ts';

/**
 * Every trace in a trace file's text, read by its header: a Bitbrains GWA-T-12 header (its first cell starts with
 * `Timestamp`) gives one trace named after the file; a generic CSV header (`time,vm,demandMB`) one trace per VM.
 * @param text the file's text (already gunzipped)
 * @param source file name or URL, used in error messages and for a Bitbrains trace's VM name
 * @throws TraceError for any other header, naming its line
 * @example
 * const [trace] = parseTraceText('time,vm,demandMB\n0,web-1,1024\n60,web-1,1100\n', 'web.csv');
 * trace.demandMB; // Float64Array [1024, 1100]
 */
export function parseTraceText(text: string, source: string): DemandTrace[] {
  if (typeof text !== 'string')
    throw new TraceError(source, 1, `expected the file's text (a string), not ${shown(text)}.`);
  const [throughHeader = '', header = ''] = /^\s*([^\r\n]*)/.exec(stripBom(text)) ?? [];
  if (/^timestamp/i.test(header)) return [parseBitbrains(text, source, vmNameFromSource(source))];
  if (isGenericCsvHeader(header)) return parseGenericCsv(text, source);
  const lineNo = splitLines(throughHeader).length; // blank lines may come first
  throw new TraceError(
    source,
    lineNo,
    `not a trace file: expected a Bitbrains header starting with 'Timestamp [ms]' or 'time,vm,demandMB', found '${header.trim().slice(0, 80)}'`,
  );
}
