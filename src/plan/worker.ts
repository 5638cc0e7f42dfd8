// `dynmem worker`: takes plan runs from the BullMQ queue and runs them on its own thread pool. The queue keeps the
// results; a worker that dies mid-run leaves its job locked until the lock runs out, then BullMQ's stalled-job check
// (run by the other workers) puts it back for another worker.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWorkers, poolExecutor } from './executor.ts';
import { sha256 } from './profile.ts';
import { QUEUE_NAME, type RunJob, redisConnection, traceKey } from './queue.ts';
import { codeIdentity } from './runs.ts';
import type { RunMetrics } from './types.ts';

export interface QueueWorkerOptions {
  /** `redis://HOST:PORT`. */
  queue: string;
  /** Threads, one run each. Default: the number of cores. */
  threads?: number;
  /** Seconds a job stays locked without word from its worker before another takes it over. Default 30. */
  lockSeconds?: number;
  /** Where fetched trace files are kept. Default: dynmem-traces in the system's temporary folder. */
  traceDir?: string;
  /** Stop taking jobs, finish the running ones, and resolve. */
  signal?: AbortSignal;
  /** Told once the worker is connected and waiting for jobs. */
  onReady?: (threads: number) => void;
  /** Told when a job starts and ends (its key is the run's). */
  onJob?: (event: { key: string; state: 'started' | 'done' | 'failed'; message?: string }) => void;
}

/** Takes jobs until `signal` aborts. */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const connection = redisConnection(options.queue);
  const threads = options.threads ?? defaultWorkers();
  const lockMs = Math.round((options.lockSeconds ?? 30) * 1000);
  const traceDir = options.traceDir ?? join(tmpdir(), 'dynmem-traces');
  const [{ Worker, UnrecoverableError }, { Redis }, pool, code] = await Promise.all([
    import('bullmq'),
    import('ioredis'),
    poolExecutor(threads),
    codeIdentity(),
  ]);
  const redis = new Redis({ ...connection, lazyConnect: true });
  await redis.connect();
  const fetched = new Map<string, Promise<string>>();

  /** A local copy of a trace file, fetched from Redis once and checked against its hash. */
  const traceFile = (id: string): Promise<string> => {
    let path = fetched.get(id);
    if (!path) {
      path = (async () => {
        const file = join(traceDir, id);
        const have = await readFile(file).catch(() => undefined);
        if (have && sha256(have) === id) return file;
        const bytes = await redis.getBuffer(traceKey(id));
        if (!bytes) throw new Error(`trace ${id} is not in Redis: the planner ships traces before queueing runs.`);
        if (sha256(bytes) !== id) throw new Error(`trace ${id} in Redis does not match its hash.`);
        await mkdir(traceDir, { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, bytes);
        await rename(temp, file);
        return file;
      })();
      path.catch(() => fetched.delete(id));
      fetched.set(id, path);
    }
    return path;
  };

  const idle = new AbortController().signal;
  const worker = new Worker<RunJob, RunMetrics>(
    QUEUE_NAME,
    async (job) => {
      const key = (job.id ?? '').replace(/^run-/, '');
      if (job.data.code !== code) {
        throw new UnrecoverableError(
          `this worker runs other dynmem code (${code.slice(0, 12)}) than the planner (${job.data.code.slice(0, 12)}): install the same dynmem version everywhere.`,
        );
      }
      options.onJob?.({ key, state: 'started' });
      try {
        const paths = await Promise.all(job.data.traces.map((ref) => traceFile(ref.id)));
        const files = Object.fromEntries(job.data.traces.map((ref, i) => [ref.id, paths[i]!]));
        const metrics = await pool.run({ ...job.data, files }, key, idle);
        options.onJob?.({ key, state: 'done' });
        return metrics;
      } catch (error) {
        options.onJob?.({ key, state: 'failed', message: (error as Error).message });
        throw error;
      }
    },
    { connection, concurrency: threads, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 5 },
  );
  await worker.waitUntilReady();
  options.onReady?.(threads);
  // Without a signal, a worker serves until its process ends.
  if (!options.signal?.aborted) {
    await new Promise((resolve) => options.signal?.addEventListener('abort', resolve, { once: true }));
  }
  // Finish the jobs in hand (their results are stored), then let go.
  await worker.close();
  await pool.close();
  await redis.quit();
}
