// Runs across machines: the planner puts each run on a BullMQ queue in Redis (job id = the run's key, so a run is
// queued once however often it is asked for) and ships the profile's trace files into Redis by content hash;
// `dynmem worker`s take the jobs. bullmq and ioredis are loaded only here, on first use.
import { readFile } from 'node:fs/promises';
import type { RunExecutor } from './executor.ts';
import type { RunTask } from './run-task.ts';
import type { RunMetrics } from './types.ts';
import { PlanError } from './validate.ts';

export const QUEUE_NAME = 'dynmem-plan';
/** Where a trace file's bytes wait for workers: addressed by their sha256, so equal files are shipped once. */
export const traceKey = (id: string): string => `dynmem:trace:${id}`;
/** A job as it travels: the task without this machine's file paths. */
export type RunJob = Omit<RunTask, 'files'>;

export interface RedisConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
}

/** `redis://[user:password@]HOST:PORT[/db]` as connection options. */
export function redisConnection(url: string): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PlanError('queue', `expected redis://HOST:PORT, not ${JSON.stringify(url)}.`);
  }
  if (parsed.protocol !== 'redis:' || parsed.hostname === '') {
    throw new PlanError('queue', `expected redis://HOST:PORT, not ${JSON.stringify(url)}.`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new PlanError('queue', `the database in ${url} must be a number.`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

export async function queueExecutor(url: string): Promise<RunExecutor> {
  const connection = redisConnection(url);
  const [{ Queue, QueueEvents }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
  // Reach Redis once, without retrying, so that a wrong address is an error rather than a plan that waits forever.
  const redis = new Redis({ ...connection, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    throw new PlanError('queue', `cannot reach Redis at ${url}: ${(error as Error).message}`);
  }
  const queue = new Queue<RunJob, RunMetrics>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // Every job waited for listens to the queue and its events.
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  const shipped = new Map<string, Promise<unknown>>();
  const ship = (task: RunTask) =>
    Promise.all(
      task.traces.map((ref) => {
        let done = shipped.get(ref.id);
        if (!done) {
          done = readFile(task.files[ref.id]!).then((bytes) => redis.set(traceKey(ref.id), bytes, 'NX'));
          shipped.set(ref.id, done);
        }
        return done;
      }),
    );
  return {
    workers: 0,
    async run(task, key, signal) {
      await ship(task);
      const { files: _files, ...data } = task;
      // A job of the same id (an earlier or concurrent plan of the same runs) is that job: adding it is a no-op.
      const job = await queue.add('run', data, {
        jobId: `run-${key}`,
        attempts: 3,
        removeOnComplete: false,
        removeOnFail: false,
      });
      if (await job.isFailed()) await job.retry('failed');
      return untilAborted(job.waitUntilFinished(events), signal);
    },
    async close() {
      await Promise.all([queue.close(), events.close(), redis.quit()]);
    },
  };
}
