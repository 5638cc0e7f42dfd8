// How a scenario's trace paths become traces: from files in Node, by fetch in browsers, or by a loader the
// caller supplies.

import { isNode } from '../platform.ts';
import { parseTraceText } from '../traces/parse-trace.ts';
import type { DemandTrace } from '../traces/types.ts';

export interface TraceLoader {
  /** Every trace in one file (Bitbrains: one; generic CSV: one per VM). */
  read(path: string): Promise<DemandTrace[]>;
  /** The trace files of a folder or glob, sorted. */
  list(pattern: string): Promise<string[]>;
}

/**
 * A trace file's text from its bytes, gunzipped when they are gzip: told by the magic bytes, not the name, since a
 * server that sends a .gz with Content-Encoding: gzip (Apache's default AddEncoding, S3 objects stored that way) has
 * the browser decompress it already. Browser-safe (DecompressionStream).
 */
export async function traceText(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  }
  return new TextDecoder().decode(bytes);
}

const browserLoader = (base: string | undefined): TraceLoader => ({
  async read(path) {
    const url = new URL(path, base ?? (globalThis as { location?: { href: string } }).location?.href);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${path}: cannot fetch trace (HTTP ${response.status})`);
    return parseTraceText(await traceText(new Uint8Array(await response.arrayBuffer())), path);
  },
  async list(pattern) {
    throw new Error(`${pattern}: listing a folder of traces needs Node; give each VM's trace instead.`);
  },
});

/** Files relative to `baseDir` in Node; URLs relative to `baseDir` (or the page) in browsers. */
export async function defaultTraceLoader(baseDir?: string): Promise<TraceLoader> {
  if (!isNode()) return browserLoader(baseDir);
  // Variable specifiers keep browser bundlers away from Node-only modules.
  const pathModule = 'node:path';
  const path = (await import(/* @vite-ignore */ pathModule)) as typeof import('node:path');
  const files = (await import(
    /* @vite-ignore */ new URL('../node/read-traces.js', import.meta.url).href
  )) as typeof import('../node/read-traces.ts');
  const resolve = (p: string) => (baseDir === undefined ? p : path.resolve(baseDir, p));
  return {
    read: (p) => files.readTraceFile(resolve(p)),
    list: (p) => files.listTraceFiles(resolve(p)),
  };
}
