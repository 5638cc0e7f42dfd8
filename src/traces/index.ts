/**
 * Demand-trace readers: Bitbrains GWA-T-12 and a generic CSV. Browser-safe (text in, traces out); reading files
 * and gunzipping live in `src/node/read-traces.ts`.
 */

export { parseBitbrains, vmNameFromSource } from './bitbrains.ts';
export { TraceError } from './errors.ts';
export { formatGenericCsv, isGenericCsvHeader, parseGenericCsv } from './generic-csv.ts';
export { parseTraceText } from './parse-trace.ts';
export type { DemandTrace, TraceRepairs } from './types.ts';
