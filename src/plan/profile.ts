// The profile's traces, read once by the planner: each file named by the hash of its bytes, so a run's key covers
// the demand it ran on and workers elsewhere can fetch exactly those bytes.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { listTraceFiles, parseTraceBytes } from '../node/read-traces.ts';
import { TraceError } from '../traces/errors.ts';
import type { DemandTrace } from '../traces/types.ts';
import { PlanError } from './validate.ts';

/** A trace file as runs address it: `name` (its file name, which names a Bitbrains VM) and `id` (sha256 of it). */
export interface TraceRef {
  name: string;
  id: string;
}

export interface LoadedProfile {
  refs: TraceRef[];
  /** Where each file is on this machine, by id. */
  files: Record<string, string>;
  /** The traces a fleet would use, in its order (idle ones dropped unless skipIdle is false). */
  usable: DemandTrace[];
  /** Each file's traces, parsed as a run parses them (named by the file's name), by id. */
  parsed: Record<string, DemandTrace[]>;
}

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export async function loadProfile(traces: string, skipIdle: boolean, baseDir: string): Promise<LoadedProfile> {
  let paths: string[];
  try {
    paths = await listTraceFiles(resolve(baseDir, traces));
  } catch (error) {
    throw new PlanError('profile.traces', (error as Error).message, { file: traces });
  }
  const refs: TraceRef[] = [];
  const files: Record<string, string> = {};
  const all: DemandTrace[] = [];
  const parsed: Record<string, DemandTrace[]> = {};
  for (const path of paths) {
    const bytes = await readFile(path);
    const ref = { name: basename(path), id: sha256(bytes) };
    if (refs.some((r) => r.name === ref.name))
      throw new PlanError('profile.traces', `two files are named ${ref.name}.`);
    refs.push(ref);
    files[ref.id] = path;
    try {
      // Parsed under the name a run gives it, so that runs can use these very traces.
      parsed[ref.id] = parseTraceBytes(bytes, ref.name);
      all.push(...parsed[ref.id]!);
    } catch (error) {
      if (error instanceof TraceError)
        throw new PlanError('profile.traces', `${path}: ${error.message}`, { file: path, line: error.line });
      throw new PlanError('profile.traces', (error as Error).message, { file: path });
    }
  }
  const usable = skipIdle ? all.filter((t) => t.demandMB.some((x) => x !== 0)) : all;
  if (usable.length === 0) throw new PlanError('profile.traces', `no usable traces in ${traces}.`);
  return { refs, files, usable, parsed };
}
