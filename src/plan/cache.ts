// Results on disk, one JSON file per run named by its key: an interrupted or repeated plan takes what is there
// and runs only the rest.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunMetrics } from './types.ts';

export interface RunCache {
  get(key: string): Promise<RunMetrics | undefined>;
  put(key: string, metrics: RunMetrics): Promise<void>;
}

export function diskCache(dir: string): RunCache {
  let made: Promise<unknown> | undefined;
  return {
    async get(key) {
      try {
        return JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')) as RunMetrics;
      } catch (error) {
        // Missing, or cut short by a crash mid-write of an older version: either way, run it again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
        throw error;
      }
    },
    async put(key, metrics) {
      made ??= mkdir(dir, { recursive: true });
      await made;
      // Write then rename: a reader never sees half a file, even when the plan is stopped mid-write.
      const temp = join(dir, `${key}.${process.pid}.tmp`);
      await writeFile(temp, JSON.stringify(metrics));
      await rename(temp, join(dir, `${key}.json`));
    },
  };
}
