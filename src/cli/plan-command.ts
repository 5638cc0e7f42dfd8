// `dynmem plan PLAN.json`: answer a capacity question on every core (or across machines through a queue), write
// plan.html, plan.json and plan.csv, and print the answer in one line first.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JsonFileError, readJsonFile } from '../node/json-file.ts';
import { summaryJson } from '../node/write-report.ts';
import { PlanStopped } from '../plan/errors.ts';
import { plan } from '../plan/plan.ts';
import { planCsv, planHtml } from '../plan/report.ts';
import type { Plan } from '../plan/types.ts';
import { ScenarioError } from '../sim/scenario.ts';
import { TraceError } from '../traces/errors.ts';
import { progressBar } from './progress.ts';

export const PLAN_USAGE = `Usage:
  dynmem plan PLAN.json [--workers N] [--queue redis://HOST:PORT] [--out DIR] [--cache DIR] [--no-cache]
                        [--json] [--no-progress]
  dynmem worker --queue redis://HOST:PORT [--workers N] [--lock SECONDS]

  plan      answer the plan's question (density, hostMemory or sweep; see README, "Plan capacity")
            --workers N   threads, one run each (default: the number of cores, ${availableParallelism()} here)
            --queue URL   put the runs on a BullMQ queue in Redis for 'dynmem worker's instead
            --out DIR     report folder: plan.html, plan.json, plan.csv (default ./plan-report)
            --cache DIR   results of finished runs, reused by a repeated or interrupted plan (default OUT/cache)
            --json        print the result as JSON on stdout
  worker    take plan runs from the queue until stopped (Ctrl-C finishes the runs in hand)
            --workers N   threads (default: the number of cores)
            --lock S      seconds before a silent worker's run is given to another (default 30)

Exit codes: 0 ok, 1 plan or data error, 2 usage error, 130 stopped (finished runs are kept in the cache).`;

/** A usage mistake in the plan or worker command line (exit code 2). */
export class PlanUsageError extends Error {}

export function positiveInteger(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new PlanUsageError(`${flag} takes a whole number ≥ ${min}, not '${value}'.`);
  return n;
}

const DATA_ERRORS = [ScenarioError, TraceError, JsonFileError];

export async function planCommand(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`dynmem plan: ${(error as Error).message}\n${PLAN_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${PLAN_USAGE}\n`);
    return 0;
  }
  const file = resolve(args.positionals[0]!);
  const out = resolve(args.values.out ?? 'plan-report');
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  let best = '';
  let cached = 0;
  const bar =
    args.values.progress !== false && process.stderr.isTTY
      ? progressBar(process.stderr, (done, total, elapsed) => {
          const eta = done > 0 && total > done ? `  ETA ${Math.ceil((elapsed / done) * (total - done))} s` : '';
          return `${done}/~${total} runs${eta}${best ? `  best: ${best}` : ''}`;
        })
      : undefined;
  const cacheDir = args.values['no-cache'] ? undefined : resolve(args.values.cache ?? join(out, 'cache'));
  try {
    const input = (await readJsonFile(file)) as Plan;
    const result = await plan(input, {
      baseDir: dirname(file),
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      ...(args.values.queue !== undefined ? { queue: args.values.queue } : {}),
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      signal: stop.signal,
      onProgress: (p) => {
        best = p.best;
        cached = p.cached;
        bar?.update(p.done, Math.max(p.done, p.estimatedTotal));
      },
    });
    bar?.done();
    await mkdir(out, { recursive: true });
    const written: string[] = [];
    for (const [name, text] of [
      ['plan.html', planHtml(result)],
      ['plan.json', summaryJson(result)],
      ['plan.csv', planCsv(result)],
    ] as const) {
      await writeFile(join(out, name), text);
      written.push(join(out, name));
    }
    if (args.values.json) process.stdout.write(summaryJson(result));
    else {
      const reused = cached ? `, ${cached} of them from the cache (${cacheDir})` : '';
      process.stdout.write(
        `${result.headline}\n\n${result.runs.length} runs${reused}.\nReport: ${written.join(', ')}\n`,
      );
    }
    return 0;
  } catch (error) {
    bar?.done();
    if (error instanceof PlanStopped) {
      process.stderr.write(
        `dynmem plan: stopped; ${error.runs.length} finished run(s) kept${cacheDir ? ` in ${cacheDir}` : ''}: run the same command again to resume.\n`,
      );
      return 130;
    }
    if (DATA_ERRORS.some((type) => error instanceof type) || (error as Error).name === 'DynamicMemoryError') {
      process.stderr.write(`dynmem plan: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workers: { type: 'string' },
      queue: { type: 'string' },
      out: { type: 'string', short: 'o' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values['no-progress']) values.progress = false;
  if (!values.help && positionals.length !== 1)
    throw new PlanUsageError('plan takes one plan file: dynmem plan PLAN.json');
  if (values.queue !== undefined && values.workers !== undefined) {
    throw new PlanUsageError('--workers is for local threads; with --queue, start workers with dynmem worker.');
  }
  return { values, positionals, workers: positiveInteger(values.workers, '--workers') };
}
