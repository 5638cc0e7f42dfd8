/**
 * Node-only trace file access: reads Bitbrains or generic CSV trace files (plain or gzipped) and expands folders and
 * simple globs into sorted lists of trace files. The parsing itself is the browser-safe `src/traces`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseTraceText } from '../traces/parse-trace.ts';
import type { DemandTrace } from '../traces/types.ts';

const TRACE_FILE = /\.csv(\.gz)?$/i;

/** Reads a file, naming the path in any error. */
async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read trace file: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads one trace file: a Bitbrains GWA-T-12 file (header starts with `Timestamp`) gives one trace named after the
 * file (e.g. "17" for `17.csv.gz`); a generic CSV (header `time,vm,demandMB`) gives one trace per VM.
 * `.gz` / `.csv.gz` files are gunzipped (so is any file that starts with the gzip magic bytes).
 * @throws TraceError (with `file` = path) for content that is not a valid trace (see parseTraceText); Error naming
 *   the path when the file cannot be read or gunzipped
 */
export async function readTraceFile(path: string): Promise<DemandTrace[]> {
  return parseTraceBytes(await readBytes(path), path);
}

/**
 * Parses a trace file's bytes as `readTraceFile` does (gunzipped when `source` ends in .gz or they start with the
 * gzip magic bytes); `source` names the file in errors and, for Bitbrains, the VM.
 */
export function parseTraceBytes(data: Uint8Array, source: string): DemandTrace[] {
  let bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const gzipMagic = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (/\.gz$/i.test(source) || gzipMagic) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${source}: not a valid gzip file: ${(e as Error).message}`, { cause: e });
    }
  }
  return parseTraceText(bytes.toString('utf8'), source);
}

/** Orders names naturally: digit runs compare as numbers, so "2.csv" comes before "10.csv". */
function compareNatural(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length; // "02" after "2": still a total order
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Entries of a folder that are files, naming the folder in any error. */
async function filesIn(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new Error(`${dir}: cannot list folder: ${(e as Error).message}`, { cause: e });
  }
  return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
}

/**
 * Expands a trace location into a sorted list of file paths:
 * - a folder: every `*.csv` and `*.csv.gz` file directly inside it;
 * - a glob with `*` (any run of characters except `/`) in the last path segment only, e.g. `traces/2013-7/*.csv.gz`;
 * - a single file: itself.
 * Names sort naturally (numbers by value: `2.csv.gz` before `10.csv.gz`).
 * @throws Error naming the path when it does not exist, a `*` appears before the last segment, or nothing matches
 */
export async function listTraceFiles(pattern: string): Promise<string[]> {
  const last = basename(pattern);
  if (pattern.includes('*')) {
    const dir = dirname(pattern);
    if (dir.includes('*')) throw new Error(`${pattern}: '*' is only supported in the last path segment`);
    const escaped = last.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    const re = new RegExp(`^${escaped}$`);
    const names = (await filesIn(dir)).filter((n) => re.test(n)).sort(compareNatural);
    if (names.length === 0) throw new Error(`${pattern}: no files match`);
    return names.map((n) => join(dir, n));
  }
  let info: import('node:fs').Stats;
  try {
    info = await stat(pattern);
  } catch (e) {
    throw new Error(`${pattern}: no such trace file or folder: ${(e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory()) return [pattern];
  const names = (await filesIn(pattern)).filter((n) => TRACE_FILE.test(n)).sort(compareNatural);
  if (names.length === 0) throw new Error(`${pattern}: folder contains no .csv or .csv.gz files`);
  return names.map((n) => join(pattern, n));
}
