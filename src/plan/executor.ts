// Where a plan's runs execute: in this thread, on a pool of worker threads (one simulation per task), or on a
// queue that workers on other machines serve. The planner sees one interface.
import { availableParallelism } from 'node:os';
import type { DemandTrace } from '../traces/types.ts';
import runTask, { type RunTask, seedTraces } from './run-task.ts';
import type { RunMetrics } from './types.ts';

export interface RunExecutor {
  /** How many runs go at once. */
  readonly workers: number;
  run(task: RunTask, key: string, signal: AbortSignal): Promise<RunMetrics>;
  close(): Promise<void>;
}

/** One run at a time in this thread: for a library caller who wants no threads, and the reference the pool matches. */
export function inProcessExecutor(traces: Record<string, DemandTrace[]> = {}): RunExecutor {
  seedTraces(traces);
  let last: Promise<unknown> = Promise.resolve();
  return {
    workers: 1,
    run(task, _key, signal) {
      const next = last.then(() => {
        signal.throwIfAborted();
        return runTask(task);
      });
      last = next.catch(() => undefined);
      return next;
    },
    async close() {},
  };
}

export const defaultWorkers = (): number => availableParallelism();

/**
 * A piscina pool of `workers` threads, each running one simulation at a time, given `traces` (already parsed, by id)
 * when it starts. piscina is loaded here, on first use, so importing dynmem never pays for it.
 */
export async function poolExecutor(workers: number, traces: Record<string, DemandTrace[]> = {}): Promise<RunExecutor> {
  const { Piscina } = await import('piscina');
  const pool = new Piscina<RunTask, RunMetrics>({
    filename: new URL('./run-task.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Threads stay up for the whole plan, each with the traces parsed once by the planner.
    idleTimeout: 60_000,
    workerData: { traces },
  });
  return {
    workers,
    run: (task, _key, signal) => pool.run(task, { signal }),
    close: () => pool.destroy(),
  };
}
