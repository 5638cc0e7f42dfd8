// `dynmem simulate --checkpoint FILE`: the run saves its checkpoints to FILE (atomically) and, when FILE exists,
// resumes from it; once the report is written the file is removed.
import { rm, stat } from 'node:fs/promises';
import { DynamicMemoryError } from '../errors.ts';
import { writeFileAtomically } from '../node/atomic-file.ts';
import { readJsonFile } from '../node/json-file.ts';
import type { SimulateOptions } from '../sim/simulate.ts';

export interface CheckpointFile {
  /** What simulate takes: where to resume from (if FILE exists), and where checkpoints go. */
  options: Pick<SimulateOptions, 'resumeFrom' | 'onCheckpoint' | 'checkpointEverySeconds'>;
  /** Simulated seconds the resumed checkpoint had done, or undefined for a fresh run. */
  resumedAt: number | undefined;
  /** A refusal of the checkpoint, as one naming the file. */
  named(error: unknown): unknown;
  /** The run is over and its report written: the checkpoint is no longer needed. */
  remove(): Promise<void>;
}

export async function checkpointFile(file: string, everySeconds: number | undefined): Promise<CheckpointFile> {
  const exists = (await stat(file).catch(() => undefined)) !== undefined;
  const saved = exists ? await readJsonFile(file) : undefined;
  const resumedAt = (saved as { timeSeconds?: unknown } | undefined)?.timeSeconds;
  return {
    options: {
      ...(saved !== undefined ? { resumeFrom: saved } : {}),
      ...(everySeconds !== undefined ? { checkpointEverySeconds: everySeconds } : {}),
      onCheckpoint: (checkpoint) => writeFileAtomically(file, JSON.stringify(checkpoint)),
    },
    resumedAt: saved === undefined ? undefined : typeof resumedAt === 'number' ? resumedAt : 0,
    named(error) {
      if (!(error instanceof DynamicMemoryError) || error.code !== 'InvalidCheckpoint') return error;
      const details = error.field === undefined ? {} : { field: error.field };
      return new DynamicMemoryError(error.code, `${file}: ${error.message}`, details);
    },
    remove: () => rm(file, { force: true }),
  };
}
