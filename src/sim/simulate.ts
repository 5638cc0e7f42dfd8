// Trace-driven simulation: demand streamed into the engine in batches of ticks, counters sampled, a summary.

import type { Checkpoint } from '../checkpoint/format.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import type { Fleet } from '../host/fleet.ts';
import { resumeRunning } from '../host/lifecycle.ts';
import { memoryLimitFor } from '../host/vm-ops.ts';
import { changedSettings, type VmConfig, type VmSettings } from '../settings.ts';
import { buildScenario, type SimVm, type TraceFileReport } from './build.ts';
import { DemandFeed } from './demand-feed.ts';
import { type PolicyRun, policiesOf, policyFigures, withPolicy } from './policies.ts';
import {
  openSimulation,
  otherScenario,
  type Resume,
  type RunState,
  scenarioHash,
  simulationCheckpoint,
} from './run-checkpoint.ts';
import {
  checkScenario,
  DEFAULT_DURATION,
  parseDuration,
  type Scenario,
  ScenarioError,
  type ScenarioEvent,
} from './scenario.ts';
import { newSeries, type SimulationSeries, takeSample } from './series.ts';
import { type RunLog, type SimulationSummary, summarize } from './summary.ts';
import { defaultTraceLoader, type TraceLoader } from './trace-loader.ts';

export interface SimulateOptions {
  /** Where relative trace paths start (Node: a folder; browsers: a URL). Default: the working directory or page. */
  baseDir?: string;
  /** Supply traces yourself (tests, browsers, other storage). */
  traceLoader?: TraceLoader;
  /** Called after each batch of ticks with simulated seconds done and in all. */
  onProgress?: (doneSeconds: number, totalSeconds: number) => void;
  /**
   * The most balancer ticks per engine call. Default: no limit; the run calls the engine once from each change
   * (demand step, event, output sample) to the next, and the core skips the ticks in which nothing moves. The
   * results do not depend on it: 1 (tick by tick, slower) is there to check exactly that.
   */
  maxTicksPerCall?: number;
  /**
   * Called with a checkpoint of the run (`kind: 'simulation'`) every `checkpointEverySeconds` of simulated time;
   * awaited before the run goes on. Give one back as `resumeFrom` to go on from there after a crash.
   */
  onCheckpoint?: (checkpoint: Checkpoint<'simulation'>) => void | Promise<void>;
  /**
   * Simulated seconds between checkpoints. Default 3600. Each is taken at the first output sample, trace grid
   * point or event at or after the interval, so the engine calls (and the results) are those of a run without
   * checkpoints.
   */
  checkpointEverySeconds?: number;
  /**
   * A checkpoint from `onCheckpoint` of a run of the same scenario on the same traces (a hash of both is checked):
   * the run goes on from it, and its results equal the uninterrupted run's (`wallSeconds` adds up the parts). The
   * engine may differ.
   */
  resumeFrom?: unknown;
}

/** Default simulated seconds between checkpoints. */
export const DEFAULT_CHECKPOINT_SECONDS = 3600;

export interface SimulationResult {
  summary: SimulationSummary;
  series: SimulationSeries;
  /** The cluster at the end of the run, for further questions. */
  cluster: Cluster;
  /** With `policies`: every policy's run, in the scenario's order (summary, series and cluster are the first's). */
  policies?: PolicyRun[];
}

function whole(seconds: number, interval: number, path: string): number {
  if (Math.abs(seconds / interval - Math.round(seconds / interval)) > 1e-9) {
    throw new ScenarioError(path, `${seconds} s is not a whole number of balancer intervals (${interval} s).`);
  }
  return Math.round(seconds / interval) * interval;
}

function describeEvent(e: ScenarioEvent): string {
  return 'vm' in e ? `${e.action} ${e.vm}` : `${e.action} ${e.host}`;
}

/** The settings change an event makes, for setMemory and balloonDriver events; undefined for the others. */
function eventSettings(e: ScenarioEvent): Partial<VmConfig> | undefined {
  if (e.action === 'setMemory') return e.settings;
  if (e.action !== 'balloonDriver') return undefined;
  return {
    ...(e.rateMBps !== undefined ? { balloonDriverRateMBps: e.rateMBps } : {}),
    ...(e.limitMB !== undefined ? { balloonDriverLimitMB: e.limitMB } : {}),
  };
}

/** Where in an event a refused setting is: `.settings.<field>`, or a balloonDriver event's own field. */
function eventFieldPath(e: ScenarioEvent, field: string | undefined): string {
  if (e.action !== 'balloonDriver') return `.settings${field ? `.${field}` : ''}`;
  if (field === 'balloonDriverRateMBps') return '.rateMBps';
  return field === 'balloonDriverLimitMB' ? '.limitMB' : '';
}

/**
 * Every setMemory (and balloonDriver) event's settings checked before the run, in time order on top of the VM's settings then (the
 * rules that depend on whether the VM runs can only be applied when the event happens: those refusals are
 * recorded in the summary's eventErrors).
 */
function checkEventSettings(fleet: Fleet, events: { e: ScenarioEvent; at: number }[]): void {
  const settings = new Map<string, VmSettings>();
  const order = events.map((event, index) => ({ ...event, index })).sort((a, b) => a.at - b.at);
  for (const { e, index } of order) {
    const change = eventSettings(e);
    if (change === undefined || !('vm' in e)) continue;
    if (Object.keys(change).length === 0) {
      // an event that changes nothing is a mistake in the file (a misplaced or forgotten field), not a no-op
      const what = e.action === 'balloonDriver' ? 'needs rateMBps or limitMB' : 'needs at least one setting';
      throw new ScenarioError(`events[${index}]${e.action === 'setMemory' ? '.settings' : ''}`, `${e.action} ${what}.`);
    }
    const record = fleet.vm(e.vm);
    const before = settings.get(e.vm) ?? record.settings;
    try {
      const context = { running: false, limit: memoryLimitFor(fleet, record), runtimeResize: false, version: '' };
      settings.set(e.vm, changedSettings(e.vm, before, change, context));
    } catch (error) {
      if (!(error instanceof DynamicMemoryError)) throw error;
      const path = `events[${index}]${eventFieldPath(e, error.field)}`;
      throw new ScenarioError(path, error.message);
    }
  }
}

/**
 * Run a scenario: real demand traces through the balancer, counters sampled over time, and a summary. With
 * `policies`, the same VMs run once per policy and `policies` holds every run's summary, series and key figures.
 * @example
 * const { summary } = await simulate({
 *   duration: '24h',
 *   hosts: [{ memoryMB: 262144 }],
 *   fleets: [{ traces: 'data/bitbrains-sample', template: { startupMB: 2048, minimumMB: 512 }, maximumFromProvisioned: true }],
 * });
 * console.log(summary.memory.savedPercent);
 */
export async function simulate(input: Scenario, options: SimulateOptions = {}): Promise<SimulationResult> {
  const scenario = checkScenario(input);
  if (typeof options !== 'object' || options === null) {
    throw new DynamicMemoryError('InvalidArgument', `simulate() options must be an object, not ${shown(options)}.`, {
      field: 'options',
    });
  }
  const maxTicks = options.maxTicksPerCall ?? Infinity;
  if (!(maxTicks === Infinity || (Number.isInteger(maxTicks) && maxTicks >= 1))) {
    throw new DynamicMemoryError(
      'InvalidArgument',
      `maxTicksPerCall must be a whole number ≥ 1, not ${String(options.maxTicksPerCall)}.`,
      { field: 'maxTicksPerCall' },
    );
  }
  const every = checkpointInterval(options);
  const resume = options.resumeFrom === undefined ? undefined : openSimulation(options.resumeFrom);
  const loader = options.traceLoader ?? (await defaultTraceLoader(options.baseDir));
  const policies = policiesOf(scenario);
  if (resume && (resume.policyIndex >= policies.length || resume.finished.length !== resume.policyIndex)) {
    throw otherScenario(resume.scenarioHash, `${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}`);
  }
  const results: SimulationResult[] = [];
  for (const [k, policy] of policies.entries()) {
    const finished = resume?.finished[k];
    if (finished) {
      results.push({
        summary: finished.summary,
        series: finished.series,
        cluster: await finished.cluster(scenario.engine),
      });
      continue;
    }
    const onProgress = options.onProgress;
    const progress =
      onProgress && ((done: number, total: number) => onProgress(k * total + done, policies.length * total));
    const onCheckpoint = options.onCheckpoint;
    const checkpoints = onCheckpoint && {
      everySeconds: every,
      save: (hash: string, run: RunState) =>
        onCheckpoint(simulationCheckpoint(scenario.engine ?? 'wasm', hash, k, results, run)),
    };
    results.push(
      await simulateOne(withPolicy(scenario, policy), loader, {
        maxTicks,
        onProgress: progress,
        hashOf: (vms) => scenarioHash(scenario, vms),
        checkpoints,
        resume: resume?.policyIndex === k ? resume : undefined,
      }),
    );
  }
  const first = results[0]!;
  if (scenario.policies === undefined) return first;
  const runs = results.map(({ summary, series, cluster }, k) => {
    const policy = scenario.policies![k]!;
    const counters = cluster.counters();
    const operations = counters.memoryAddOperations + counters.memoryRemoveOperations;
    return { policy, summary, series, figures: policyFigures(policy, summary, series, operations) };
  });
  return { ...first, policies: runs };
}

function checkpointInterval(options: SimulateOptions): number {
  const every = options.checkpointEverySeconds;
  if (every === undefined) return DEFAULT_CHECKPOINT_SECONDS;
  if (typeof every !== 'number' || !Number.isFinite(every) || every <= 0) {
    throw new DynamicMemoryError(
      'InvalidArgument',
      `checkpointEverySeconds must be a number of seconds > 0, not ${String(every)}.`,
      { field: 'checkpointEverySeconds' },
    );
  }
  if (options.onCheckpoint === undefined) {
    throw new DynamicMemoryError('InvalidArgument', 'checkpointEverySeconds needs onCheckpoint to hand them to.', {
      field: 'checkpointEverySeconds',
    });
  }
  return every;
}

/** How one policy's run is driven: engine calls, progress, checkpoints, and where it resumes from. */
interface RunContext {
  maxTicks: number;
  onProgress: SimulateOptions['onProgress'];
  /** The hash of the scenario and its VMs' demand (checked against a resumed checkpoint, written into new ones). */
  hashOf: (vms: SimVm[]) => string;
  checkpoints: { everySeconds: number; save: (hash: string, run: RunState) => void | Promise<void> } | undefined;
  resume: Resume | undefined;
}

async function simulateOne(scenario: Scenario, loader: TraceLoader, context: RunContext): Promise<SimulationResult> {
  const { maxTicks, onProgress, resume } = context;
  const built = await buildScenario(scenario, loader);
  // hashing every trace costs a pass over them: only checkpoints need it
  const hash = resume || context.checkpoints ? context.hashOf(built.vms) : '';
  if (resume && resume.scenarioHash !== hash) throw otherScenario(resume.scenarioHash, hash);
  let fleet = built.cluster.fleet;
  const interval = fleet.balancer.balancerIntervalSeconds;
  const duration = whole(parseDuration(scenario.duration ?? DEFAULT_DURATION, 'duration'), interval, 'duration');
  const sampleEvery = whole(
    parseDuration(scenario.sampleInterval ?? 300, 'sampleInterval'),
    interval,
    'sampleInterval',
  );
  const traceStep = whole(parseDuration(scenario.traceStep ?? 300, 'traceStep'), interval, 'traceStep');
  const events: { e: ScenarioEvent; at: number; scheduled?: boolean }[] = (scenario.events ?? []).map((e, i) => ({
    e,
    at: whole(parseDuration(e.at, `events[${i}].at`), interval, `events[${i}].at`),
  }));
  events.forEach(({ e }, i) => {
    if ('vm' in e && !fleet.has(e.vm)) throw new ScenarioError(`events[${i}].vm`, `no VM is named '${e.vm}'.`);
    if ('host' in e) {
      try {
        fleet.hostByName(e.host);
      } catch {
        throw new ScenarioError(`events[${i}].host`, `no host is named '${e.host}'.`);
      }
    }
  });
  checkEventSettings(fleet, events);
  // Checked against the scenario's start; a resumed run goes on in the checkpoint's cluster.
  const cluster = resume ? await resume.cluster(scenario.engine) : built.cluster;
  fleet = cluster.fleet;
  // Scheduled starts are events too; at time 0 they come before the scenario's own events.
  const starts = built.vms
    .filter((vm) => vm.startAt !== undefined)
    .map((vm) => ({
      e: { at: 0, action: 'start', vm: vm.name } as ScenarioEvent,
      at: Math.ceil(vm.startAt! / interval) * interval,
      scheduled: true,
    }));
  events.unshift(...starts);
  events.sort((a, b) => a.at - b.at);

  const indexOf = new Map(built.vms.map((vm, k) => [vm.name, k]));
  const log: RunLog = resume?.run.log ?? {
    startFailures: [],
    failovers: [],
    recoveries: [],
    eventErrors: [],
    events: [],
  };
  const perVm = scenario.perVmSeries ?? built.vms.length <= 200;
  const series = resume?.run.series ?? newSeries(cluster, perVm ? built.vms.map((v) => v.name) : []);

  const demand = new DemandFeed(cluster, built.vms, scenario.demandInterpolation ?? 'step', traceStep);
  if (resume) demand.restore(resume.run.demand);

  const start = (vm: SimVm, t: number) => {
    try {
      cluster.start(vm.name);
      if (vm.initialAssignedMB !== undefined) resumeRunning(fleet, fleet.vm(vm.name), vm.initialAssignedMB);
    } catch (error) {
      if (!(error instanceof DynamicMemoryError)) throw error;
      log.startFailures.push({ vm: vm.name, atSeconds: t, code: error.code, message: error.message });
    }
  };

  const apply = (event: ScenarioEvent, t: number, scheduled = false) => {
    if (!scheduled)
      log.events.push({ atSeconds: t, action: event.action, target: 'vm' in event ? event.vm : event.host });
    try {
      switch (event.action) {
        case 'start':
          start(built.vms[indexOf.get(event.vm)!]!, t);
          break;
        case 'stop':
          cluster.stop(event.vm);
          break;
        case 'restart':
          cluster.restart(event.vm);
          break;
        case 'setMemory':
        case 'balloonDriver':
          cluster.setMemory(event.vm, eventSettings(event)!);
          break;
        case 'setDemand':
          cluster.setDemand(event.vm, event.demandMB);
          demand.hold(indexOf.get(event.vm)!, event.demandMB);
          break;
        case 'failHost':
          log.failovers.push({ ...cluster.failHost(event.host), atSeconds: t });
          break;
        case 'recoverHost':
          log.recoveries.push({ ...cluster.recoverHost(event.host), atSeconds: t });
          break;
      }
    } catch (error) {
      if (!(error instanceof DynamicMemoryError)) throw error;
      log.eventErrors.push({ atSeconds: t, event: describeEvent(event), code: error.code, message: error.message });
    }
  };

  // Starts that time out while the balancer runs are start failures too, at the time they fail.
  let startFailuresSeen = fleet.startFailures.length;
  const advance = (seconds: number) => {
    fleet.advance(seconds);
    for (; startFailuresSeen < fleet.startFailures.length; startFailuresSeen++) {
      const { vm, atSeconds, error } = fleet.startFailures[startFailuresSeen]!;
      log.startFailures.push({ vm, atSeconds, code: error.code, message: error.message });
    }
  };

  const wallStart = Date.now();
  const wallSeconds = () => (resume?.run.wallSeconds ?? 0) + (Date.now() - wallStart) / 1000;
  let t = 0;
  let nextEvent = 0;
  let nextSample = sampleEvery;
  let nextFeed = traceStep;
  if (resume) ({ t, nextEvent, nextSample, nextFeed } = resume.run);
  else {
    demand.feed(0);
    while (nextEvent < events.length && events[nextEvent]!.at === 0) {
      const { e, scheduled } = events[nextEvent++]!;
      apply(e, 0, scheduled);
    }
    takeSample(series, cluster, 0);
  }

  const checkpoints = context.checkpoints;
  const nextCheckpointAfter = (time: number) =>
    checkpoints ? (Math.floor(time / checkpoints.everySeconds) + 1) * checkpoints.everySeconds : Infinity;
  let nextCheckpoint = nextCheckpointAfter(t);
  while (t < duration) {
    const eventAt = nextEvent < events.length ? events[nextEvent]!.at : Infinity;
    const until = Math.min(duration, nextSample, nextFeed, eventAt);
    for (let ticks = Math.round((until - t) / interval); ticks > 0; ticks -= maxTicks) {
      advance(Math.min(ticks, maxTicks) * interval);
    }
    t = until;
    if (t === nextSample || t === duration) {
      takeSample(series, cluster, t);
      nextSample += sampleEvery;
    }
    if (t === nextFeed) {
      demand.feed(t);
      nextFeed += traceStep;
    }
    while (nextEvent < events.length && events[nextEvent]!.at === t) {
      const { e, scheduled } = events[nextEvent++]!;
      apply(e, t, scheduled);
    }
    onProgress?.(t, duration);
    // At a step the run takes anyway, never between: the engine calls stay those of a run without checkpoints.
    if (checkpoints && t >= nextCheckpoint && t < duration) {
      await checkpoints.save(hash, {
        t,
        nextSample,
        nextFeed,
        nextEvent,
        wallSeconds: wallSeconds(),
        log,
        series,
        demand: demand.state,
        cluster: cluster.state(),
      });
      nextCheckpoint = nextCheckpointAfter(t);
    }
  }

  const summary = summarize({
    scenario,
    cluster,
    vms: built.vms,
    series,
    log,
    traceFiles: built.traceFiles as TraceFileReport[],
    idleTraces: built.idleTraces,
    warnings: built.warnings,
    durationSeconds: duration,
    wallSeconds: wallSeconds(),
    ...(scenario.startTime !== undefined
      ? { startTime: Date.parse(scenario.startTime) / 1000 }
      : built.startTime !== undefined
        ? { startTime: built.startTime }
        : {}),
  });
  return { summary, series, cluster };
}
