// plan(): the questions a capacity planner asks (how many VMs fit, how much memory N VMs need, how settings
// change it), answered by runs of the simulator on the profile's traces, on every core or across machines.
import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { resolveHostOptions } from '../host/options.ts';
import { diskCache, type RunCache } from './cache.ts';
import { PlanStopped } from './errors.ts';
import { defaultWorkers, inProcessExecutor, poolExecutor, type RunExecutor } from './executor.ts';
import { describeHeadline } from './headline.ts';
import { type LoadedProfile, loadProfile } from './profile.ts';
import { codeIdentity, compareRuns, hostName, judge, taskFor } from './runs.ts';
import { lastPassing, type SearchResult, type SearchState } from './search.ts';
import type { Plan, PlanResult, PlanRun, RunPoint, SweepPoint, Variant, VariantAnswer } from './types.ts';
import { checkPlan, gridPoints, type ResolvedPlan } from './validate.ts';

export interface PlanProgress {
  /** Runs finished (taken from the cache included) and of those, from the cache. */
  done: number;
  cached: number;
  /** Runs the plan probably makes in all (searches refine this as they go). */
  estimatedTotal: number;
  /** The best answer so far, in words ("dynamic ≥ 38, static ≥ 20 VMs"). */
  best: string;
}

export interface PlanOptions {
  /** Where `profile.traces` is relative to. Default: the working directory. */
  baseDir?: string;
  /** Worker threads (one simulation each). Default: the number of cores; 0 runs everything in this thread. */
  workers?: number;
  /** `redis://HOST:PORT`: put the runs on a BullMQ queue for `dynmem worker`s instead of local threads. */
  queue?: string;
  /** Keep each run's result here (a file per run, named by its key), and take results already there. */
  cacheDir?: string;
  /** Stop: finished runs stay in the cache; plan() rejects with PlanStopped. */
  signal?: AbortSignal;
  onProgress?: (progress: PlanProgress) => void;
}

/** Every run of one plan, each made once: points are keyed by their inputs' hash, results cached on disk. */
class RunBook {
  readonly runs: PlanRun[] = [];
  private readonly byKey = new Map<string, Promise<PlanRun>>();
  private readonly searches = new Map<string, SearchState>();
  cached = 0;
  best = '';

  constructor(
    private readonly plan: ResolvedPlan,
    private readonly profile: LoadedProfile,
    private readonly code: string,
    private readonly executor: RunExecutor,
    private readonly cache: RunCache | undefined,
    private readonly signal: AbortSignal,
    private readonly onProgress: ((p: PlanProgress) => void) | undefined,
  ) {}

  run(point: RunPoint): Promise<PlanRun> {
    const { task, key } = taskFor(this.plan, this.profile, point, this.code);
    let pending = this.byKey.get(key);
    if (!pending) {
      pending = (async () => {
        this.signal.throwIfAborted();
        let metrics = await this.cache?.get(key);
        if (metrics) this.cached++;
        else {
          metrics = await this.executor.run(task, key, this.signal);
          await this.cache?.put(key, metrics);
        }
        const run = judge(point, key, metrics, this.plan.targets);
        this.runs.push(run);
        this.report();
        return run;
      })();
      this.byKey.set(key, pending);
    }
    return pending;
  }

  /** Every run of one point: the run itself and, in a cluster, one with each host failing (N+1). */
  async point(point: RunPoint): Promise<PlanRun[]> {
    const failing = this.plan.targets.failover
      ? Array.from({ length: this.plan.hosts }, (_, i) => ({ ...point, failHost: hostName(this.plan, i) }))
      : [];
    return Promise.all([point, ...failing].map((p) => this.run(p)));
  }

  /** Resolves once every run asked for has finished or failed. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.byKey.values());
  }

  progressOf(search: string, state: SearchState): void {
    this.searches.set(search, state);
    this.report();
  }

  report(): void {
    if (!this.onProgress) return;
    const perPoint = 1 + (this.plan.targets.failover ? this.plan.hosts : 0);
    let remaining = 0;
    for (const s of this.searches.values()) remaining += s.remaining * perPoint;
    const inFlight = this.byKey.size - this.runs.length;
    this.onProgress({
      done: this.runs.length,
      cached: this.cached,
      estimatedTotal: this.runs.length + inFlight + remaining,
      best: this.best,
    });
  }
}

interface Probe {
  ok: boolean;
  runs: PlanRun[];
}

/** The answer of one search, with the runs at it and just past it. */
function answerOf(result: SearchResult, probes: Map<number, Probe>): Omit<VariantAnswer, 'value'> {
  const at = probes.get(result.value);
  const next = probes.get(result.value + 1);
  return {
    at: at?.ok ? at.runs : null,
    next: next && !next.ok ? next.runs : null,
    bounded: result.bounded,
  };
}

/** Most VMs meeting every target, for one variant at one set of settings. */
async function densitySearch(
  book: RunBook,
  variant: Variant,
  hostMemoryMB: number,
  settings: Record<string, unknown>,
  guess: number,
  maxVms: number,
  label: string,
  onBest: (label: string, value: number) => void,
): Promise<VariantAnswer & { probes: Map<number, Probe> }> {
  const probes = new Map<number, Probe>();
  const result = await lastPassing(
    async (vms) => {
      const runs = await book.point({ variant, vms, hostMemoryMB, settings });
      const probe = { ok: runs.every((r) => r.ok), runs };
      probes.set(vms, probe);
      if (probe.ok) onBest(label, vms);
      return probe.ok;
    },
    guess,
    maxVms,
    (state) => book.progressOf(label, state),
  );
  return { ...answerOf(result, probes), value: result.value, probes };
}

/** Least host memory meeting every target with `vms` VMs, searched in steps of `stepMB`. */
async function memorySearch(
  book: RunBook,
  plan: ResolvedPlan,
  variant: Variant,
  vms: number,
  stepMB: number,
  maxMB: number,
  guessMB: number,
  onBest: (label: string, value: number) => void,
): Promise<VariantAnswer> {
  // The smallest memory the host accepts (its reserve must leave something): the search starts above it.
  let floorUnits = 1;
  const host = { failoverCluster: plan.hosts > 1, ...plan.host };
  while (floorUnits * stepMB < maxMB) {
    try {
      resolveHostOptions({ ...host, memoryMB: floorUnits * stepMB });
      break;
    } catch {
      floorUnits++;
    }
  }
  const units = Math.floor(maxMB / stepMB) - floorUnits + 1;
  const memoryOf = (k: number) => (floorUnits + units - k) * stepMB; // k = 1 is the most memory
  const probes = new Map<number, Probe>();
  // "Memory m fails" holds for the least memories and not beyond: the last k whose memory passes is the answer.
  const guessUnits = Math.round(guessMB / stepMB);
  const result = await lastPassing(
    async (k) => {
      const runs = await book.point({ variant, vms, hostMemoryMB: memoryOf(k), settings: {} });
      const probe = { ok: runs.every((r) => r.ok), runs };
      probes.set(k, probe);
      if (probe.ok) onBest(variant, memoryOf(k));
      return probe.ok;
    },
    Math.max(1, floorUnits + units - guessUnits),
    units,
    (state) => book.progressOf(variant, state),
    Math.max(1, Math.ceil(guessUnits / 8)),
  );
  return { ...answerOf(result, probes), value: result.value === 0 ? null : memoryOf(result.value) };
}

/** First guesses for the searches: how many VMs their static sizes, or their usual needs, would fill. */
function guesses(plan: ResolvedPlan, profile: LoadedProfile, hostMemoryMB: number) {
  const host = resolveHostOptions({ failoverCluster: plan.hosts > 1, ...plan.host, memoryMB: hostMemoryMB });
  const liveHosts = plan.targets.failover ? plan.hosts - 1 : plan.hosts;
  const capacity = Math.max(1, liveHosts) * (host.memoryMB - host.reserveMB);
  const t = plan.profile.template ?? {};
  const startup = t.startupMB ?? 512;
  const buffer = 1 + (t.bufferPercent ?? 20) / 100;
  const minimum = t.minimumMB ?? Math.min(512, startup);
  // A VM's need: its 95th-percentile demand plus buffer (peaks of different VMs rarely coincide, so the mean
  // guesses far too many and the peak far too few).
  const p95 = (d: Float64Array) => Float64Array.from(d).sort()[Math.floor(0.95 * (d.length - 1))] ?? 0;
  const sizes = profile.usable.map((trace) => ({
    static: plan.profile.staticMB ?? (plan.profile.maximumFromProvisioned ? trace.provisionedMB : undefined) ?? startup,
    dynamic: Math.max(minimum, p95(trace.demandMB) * buffer),
  }));
  const fill = (size: (k: number) => number) => {
    let used = 0;
    let n = 0;
    while (n < 100_000 && used + size(n) <= capacity) used += size(n++);
    return Math.max(1, n);
  };
  const at = (k: number) => sizes[k % sizes.length]!;
  return {
    vms: { dynamic: fill((k) => at(k).dynamic), static: fill((k) => at(k).static) },
    memoryFor: (vms: number, variant: Variant) => {
      let sum = 0;
      for (let k = 0; k < vms; k++) sum += at(k)[variant];
      return sum / Math.max(1, liveHosts) + host.reserveMB;
    },
  };
}

async function openExecutor(options: PlanOptions, profile: LoadedProfile): Promise<RunExecutor> {
  if (options.queue !== undefined) {
    const { queueExecutor } = await import('./queue.ts');
    return queueExecutor(options.queue);
  }
  const workers = options.workers ?? defaultWorkers();
  return workers === 0 ? inProcessExecutor(profile.parsed) : poolExecutor(workers, profile.parsed);
}

/** The executor, opened on the first run the cache does not have: a plan answered from the cache starts nothing. */
function lazyExecutor(options: PlanOptions, profile: LoadedProfile): RunExecutor {
  let opened: Promise<RunExecutor> | undefined;
  let closed: Promise<void> | undefined;
  return {
    workers: options.queue !== undefined ? 0 : (options.workers ?? defaultWorkers()),
    async run(task, key, signal) {
      signal.throwIfAborted();
      if (closed) throw new Error('the plan has stopped: no more runs.');
      opened ??= openExecutor(options, profile);
      return (await opened).run(task, key, signal);
    },
    close() {
      closed ??= opened ? opened.then((e) => e.close()) : Promise.resolve();
      return closed;
    },
  };
}

/**
 * Answer a plan: density (most VMs with and without Dynamic Memory), host memory (least memory for N VMs) or a
 * settings sweep, every run meeting the plan's targets.
 * @example
 * const result = await plan({
 *   host: { memoryMB: 65536 },
 *   profile: { traces: 'data/bitbrains-sample', template: { startupMB: 1024, minimumMB: 512 }, maximumFromProvisioned: true },
 *   duration: '24h',
 * });
 * console.log(result.headline); // "64 GB host, …: 41 VMs with Dynamic Memory, 23 with static memory (1.8×) …"
 */
export async function plan(input: Plan, options: PlanOptions = {}): Promise<PlanResult> {
  const resolved = checkPlan(input);
  const profile = await loadProfile(
    resolved.profile.traces,
    resolved.profile.skipIdle !== false,
    options.baseDir ?? process.cwd(),
  );
  const code = await codeIdentity();
  const signal = options.signal ?? new AbortController().signal;
  // Every run in flight listens to the one signal.
  setMaxListeners(0, signal);
  const executor = lazyExecutor(options, profile);
  const cache = options.cacheDir === undefined ? undefined : diskCache(resolve(options.cacheDir));
  const book = new RunBook(resolved, profile, code, executor, cache, signal, options.onProgress);
  const bests = new Map<string, number>();
  const onBest = (label: string, value: number) => {
    bests.set(label, value);
    book.best = [...bests].map(([k, v]) => `${k} ${v}`).join(', ');
  };
  const q = resolved.question;
  const hostMemoryMB = resolved.host.memoryMB;
  const result: PlanResult = {
    name: resolved.name,
    question: q.kind,
    hosts: resolved.hosts,
    hostMemoryMB,
    durationSeconds: resolved.durationSeconds,
    targets: resolved.targets,
    headline: '',
    runs: [],
  };
  try {
    if (q.kind === 'density') {
      const guess = guesses(resolved, profile, hostMemoryMB).vms;
      const search = (variant: Variant) =>
        densitySearch(book, variant, hostMemoryMB, {}, guess[variant], q.maxVms, variant, onBest);
      const [dynamic, fixed] = await Promise.all([search('dynamic'), search('static')]);
      result.dynamic = stripProbes(dynamic);
      result.static = stripProbes(fixed);
      result.gain = dynamic.value && fixed.value ? dynamic.value / fixed.value : null;
    } else if (q.kind === 'hostMemory') {
      const g = guesses(resolved, profile, hostMemoryMB);
      const search = (variant: Variant) =>
        memorySearch(book, resolved, variant, q.vms, q.stepMB, q.maxMB, g.memoryFor(q.vms, variant), onBest);
      const [dynamic, fixed] = await Promise.all([search('dynamic'), search('static')]);
      result.dynamic = dynamic;
      result.static = fixed;
      result.gain = dynamic.value && fixed.value ? fixed.value / dynamic.value : null;
    } else {
      const points = gridPoints(q.keys, q.values);
      const sweep = await Promise.all(
        points.map(async (values): Promise<SweepPoint> => {
          const settings = Object.fromEntries(q.keys.map((k, i) => [k.key, values[i]]));
          const memory = settings['host.memoryMB'] ?? settings.memoryMB;
          const pointMemory = typeof memory === 'number' ? memory : hostMemoryMB;
          if (q.vms !== null) {
            const runs = await book.point({ variant: 'dynamic', vms: q.vms, hostMemoryMB: pointMemory, settings });
            return { settings, vms: q.vms, ok: runs.every((r) => r.ok), runs, bounded: false };
          }
          const guess = guesses(resolved, profile, pointMemory).vms.dynamic;
          const label = q.keys.map((k, i) => `${k.key}=${JSON.stringify(values[i])}`).join(' ');
          const found = await densitySearch(book, 'dynamic', pointMemory, settings, guess, q.maxVms, label, onBest);
          return {
            settings,
            vms: found.value ?? 0,
            ok: found.at !== null,
            runs: found.at ?? [],
            bounded: found.bounded,
          };
        }),
      );
      result.sweep = { keys: q.keys.map((k) => k.key), vms: q.vms, points: sweep };
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    // Stop what is running, and let the runs that finished meanwhile reach the cache: what is kept is then settled.
    await executor.close();
    await book.settled();
    throw new PlanStopped([...book.runs].sort(compareRuns));
  } finally {
    await executor.close();
  }
  result.runs = [...book.runs].sort(compareRuns);
  result.headline = describeHeadline(result, resolved);
  return result;
}

function stripProbes({ probes: _probes, ...answer }: VariantAnswer & { probes: Map<number, Probe> }): VariantAnswer {
  return answer;
}
