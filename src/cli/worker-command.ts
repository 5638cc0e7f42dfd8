// `dynmem worker --queue redis://HOST:PORT`: serve plan runs from the queue on this machine's cores until stopped.
import { parseArgs } from 'node:util';
import { runQueueWorker } from '../plan/worker.ts';
import { PLAN_USAGE, PlanUsageError, positiveInteger } from './plan-command.ts';

export async function workerCommand(argv: string[]): Promise<number> {
  let options: Parameters<typeof runQueueWorker>[0];
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        queue: { type: 'string' },
        workers: { type: 'string' },
        lock: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(`${PLAN_USAGE}\n`);
      return 0;
    }
    if (values.queue === undefined) throw new PlanUsageError('worker needs --queue redis://HOST:PORT.');
    const lock = values.lock === undefined ? undefined : Number(values.lock);
    if (lock !== undefined && !(Number.isFinite(lock) && lock > 0)) {
      throw new PlanUsageError(`--lock takes seconds > 0, not '${values.lock}'.`);
    }
    const threads = positiveInteger(values.workers, '--workers');
    options = {
      queue: values.queue,
      ...(threads !== undefined ? { threads } : {}),
      ...(lock !== undefined ? { lockSeconds: lock } : {}),
    };
  } catch (error) {
    process.stderr.write(`dynmem worker: ${(error as Error).message}\n${PLAN_USAGE}\n`);
    return 2;
  }
  const stop = new AbortController();
  // The first Ctrl-C (or SIGTERM) finishes the runs in hand; a second one ends the process at once.
  const graceful = () => {
    process.stderr.write('dynmem worker: finishing the runs in hand (Ctrl-C again to quit now)\n');
    stop.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', graceful);
  process.once('SIGTERM', graceful);
  try {
    await runQueueWorker({
      ...options,
      signal: stop.signal,
      onReady: (threads) =>
        process.stderr.write(`dynmem worker: taking runs from ${options.queue} on ${threads} thread(s)\n`),
      onJob: ({ key, state, message }) =>
        process.stdout.write(`${state} ${key.slice(0, 16)}${message ? `: ${message}` : ''}\n`),
    });
  } catch (error) {
    if ((error as Error).name === 'PlanError') {
      process.stderr.write(`dynmem worker: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  return 0;
}
