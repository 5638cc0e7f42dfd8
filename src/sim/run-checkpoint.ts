// A simulation part-way as a checkpoint: the cluster, where the run's loop stands, what it has recorded and
// sampled, the demand feed, and a hash of the scenario and its traces so that it resumes only the run it came from.

import { badCheckpoint, type Checkpoint, list, object, openCheckpoint, sealCheckpoint } from '../checkpoint/format.ts';
import { Fnv1a } from '../checkpoint/hash.ts';
import { type Cluster, type ClusterState, clusterFromState } from '../cluster/cluster.ts';
import type { EngineKind } from '../engine/engine.ts';
import { DynamicMemoryError, type DynamicMemoryErrorCode } from '../errors.ts';
import type { SimVm } from './build.ts';
import type { DemandFeedState } from './demand-feed.ts';
import type { Scenario } from './scenario.ts';
import type { SimulationSeries } from './series.ts';
import type { RunLog, SimulationSummary } from './summary.ts';

/** One policy's run part-way: everything its loop needs to go on. */
export interface RunState {
  /** Simulated seconds done; the next output sample, trace grid point and event (index) to come. */
  t: number;
  nextSample: number;
  nextFeed: number;
  nextEvent: number;
  /** Wall-clock seconds spent on the run so far (the summary's wallSeconds adds them up across resumes). */
  wallSeconds: number;
  log: RunLog;
  /** The series so far (the extremes since the last sample are in the cluster's columns). */
  series: SimulationSeries;
  demand: DemandFeedState;
  cluster: ClusterState;
}

/** A `policies` comparison's run that is over: what its result is made of. */
interface FinishedRun {
  summary: SimulationSummary;
  series: SimulationSeries;
  cluster: ClusterState;
}

interface SimulationState {
  scenarioHash: string;
  /** The policy (index in the scenario's `policies`, 0 without) whose run `run` is. */
  policyIndex: number;
  finished: FinishedRun[];
  run: RunState;
}

/** A resumed simulation, checked as far as it can be before the scenario is built. */
export interface Resume {
  scenarioHash: string;
  policyIndex: number;
  finished: {
    summary: SimulationSummary;
    series: SimulationSeries;
    cluster: (engine?: EngineKind) => Promise<Cluster>;
  }[];
  run: RunState;
  /** The cluster of `run`, on the engine the scenario names. */
  cluster: (engine?: EngineKind) => Promise<Cluster>;
}

/**
 * The scenario and every VM's demand as the run reads it (trace samples as exact doubles, offsets, start times,
 * static memory): a checkpoint resumes only a run of the same scenario on the same traces. The engine and its
 * threads are left out: a run may resume on another.
 */
export function scenarioHash(scenario: Scenario, vms: readonly SimVm[]): string {
  const { engine: _, threads: __, ...rest } = scenario;
  const hash = new Fnv1a().text(JSON.stringify(rest));
  const seen = new Map<Float64Array, number>(); // copies of a trace share its samples: hashed once
  for (const vm of vms) {
    const { times, values, period, offset, wrap } = vm.curve;
    hash.text(JSON.stringify([vm.name, vm.staticMB, vm.startAt ?? null, vm.initialAssignedMB ?? null]));
    hash.text(JSON.stringify([period, offset, wrap]));
    for (const samples of [times, values]) {
      const first = seen.get(samples);
      if (first !== undefined) hash.text(`#${first}`);
      else {
        seen.set(samples, seen.size);
        hash.doubles(samples);
      }
    }
  }
  return hash.hex;
}

/** The log as JSON holds it: a failover's errors by their fields. */
function encodeLog(log: RunLog): unknown {
  return {
    ...log,
    failovers: log.failovers.map((f) => ({
      ...f,
      failed: f.failed.map(({ vm, error }) => ({ vm, error: { ...error, message: error.message } })),
    })),
  };
}

function decodeLog(saved: unknown, field: string): RunLog {
  const log = object(saved, field) as unknown as RunLog;
  for (const key of ['startFailures', 'failovers', 'recoveries', 'eventErrors', 'events'] as const) {
    list(log[key], `${field}.${key}`);
  }
  return {
    ...log,
    failovers: log.failovers.map((f) => ({
      ...f,
      failed: f.failed.map(({ vm, error }) => {
        const { code, message, ...details } = error as unknown as { code: DynamicMemoryErrorCode; message: string };
        return { vm, error: new DynamicMemoryError(code, message, details) };
      }),
    })),
  };
}

/** A simulation checkpoint of policy run `policyIndex` at `t`, after the runs in `finished`. */
export function simulationCheckpoint(
  engine: string,
  scenarioHashValue: string,
  policyIndex: number,
  finished: readonly { summary: SimulationSummary; series: SimulationSeries; cluster: Cluster }[],
  run: RunState,
): Checkpoint<'simulation'> {
  const state: SimulationState = {
    scenarioHash: scenarioHashValue,
    policyIndex,
    finished: finished.map(({ summary, series, cluster }) => ({ summary, series, cluster: cluster.state() })),
    run: { ...run, log: encodeLog(run.log) as RunLog },
  };
  return sealCheckpoint('simulation', engine, run.t, state);
}

/** A simulation checkpoint opened: its envelope and the run's fields checked (the clusters restore on demand). */
export function openSimulation(input: unknown): Resume {
  const state = object(openCheckpoint(input, 'simulation'), 'state');
  if (typeof state.scenarioHash !== 'string') throw badCheckpoint('state.scenarioHash', 'scenarioHash is missing.');
  if (!Number.isSafeInteger(state.policyIndex)) throw badCheckpoint('state.policyIndex', 'policyIndex is missing.');
  const run = object(state.run, 'state.run');
  for (const key of ['t', 'nextSample', 'nextFeed', 'nextEvent', 'wallSeconds'] as const) {
    if (typeof run[key] !== 'number') throw badCheckpoint(`state.run.${key}`, `state.run.${key} must be a number.`);
  }
  const demand = object(run.demand, 'state.run.demand');
  list(demand.held, 'state.run.demand.held');
  list(demand.positions, 'state.run.demand.positions');
  object(run.series, 'state.run.series');
  const restorer = (saved: unknown, field: string) => (engine?: EngineKind) =>
    clusterFromState(saved, engine === undefined ? {} : { engine }, field);
  return {
    scenarioHash: state.scenarioHash,
    policyIndex: state.policyIndex as number,
    finished: list(state.finished, 'state.finished').map((f, k) => {
      const saved = object(f, `state.finished[${k}]`);
      return {
        summary: object(saved.summary, `state.finished[${k}].summary`) as unknown as SimulationSummary,
        series: object(saved.series, `state.finished[${k}].series`) as unknown as SimulationSeries,
        cluster: restorer(saved.cluster, `state.finished[${k}].cluster`),
      };
    }),
    run: { ...(run as unknown as RunState), log: decodeLog(run.log, 'state.run.log') },
    cluster: restorer(run.cluster, 'state.run.cluster'),
  };
}

/** The refusal of a checkpoint written by another scenario or on other traces. */
export function otherScenario(saved: string, now: string): DynamicMemoryError {
  return badCheckpoint(
    'state.scenarioHash',
    `it was written by another scenario or on other traces (hash ${saved}; this scenario and its traces: ${now}). ` +
      'Resume it with the scenario and traces it was written with, or remove it to start afresh.',
  );
}
