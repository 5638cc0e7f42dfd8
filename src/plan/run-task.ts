// One run of a plan, as a task: a scenario over the profile's traces, simulated, reduced to its metrics. The same
// function runs in-process, in a worker thread of the pool, and in a queue worker on another machine.
import { readFile } from 'node:fs/promises';
import { workerData } from 'node:worker_threads';
import { parseTraceBytes } from '../node/read-traces.ts';
import type { Scenario } from '../sim/scenario.ts';
import { simulate } from '../sim/simulate.ts';
import type { SimulationSummary } from '../sim/summary.ts';
import type { TraceLoader } from '../sim/trace-loader.ts';
import type { DemandTrace } from '../traces/types.ts';
import type { TraceRef } from './profile.ts';
import type { RunMetrics } from './types.ts';

/** The name a run's fleet gives its traces: the profile's files, as listed in the task. */
export const PROFILE_TRACES = 'profile';

export interface RunTask {
  scenario: Scenario;
  traces: TraceRef[];
  /** Identity of the dynmem code the planner keyed the run with: a worker running other code refuses the task. */
  code: string;
  /** Where each trace file is on the machine running the task, by id. */
  files: Record<string, string>;
  /** Each VM's memory without Dynamic Memory, MB, when the plan sets it (else the summary's own static memory). */
  staticMB?: number;
}

// Parsed traces by content hash: the same bytes always parse the same, so every run of this thread shares them.
const parsed = new Map<string, DemandTrace[]>();

/** Hand this thread traces already parsed (by the planner), by id. */
export function seedTraces(byId: Record<string, DemandTrace[]>): void {
  for (const [id, traces] of Object.entries(byId)) parsed.set(id, traces);
}

// A pool thread starts with the planner's parsed traces (its workerData), rather than parsing every file again.
const seeded = (workerData as { traces?: Record<string, DemandTrace[]> } | null)?.traces;
if (seeded) seedTraces(seeded);

function taskLoader(task: RunTask): TraceLoader {
  const byName = new Map(task.traces.map((r) => [r.name, r]));
  return {
    async list(pattern) {
      if (pattern !== PROFILE_TRACES) throw new Error(`${pattern}: a plan run reads only its profile's traces.`);
      return task.traces.map((r) => r.name);
    },
    async read(name) {
      const ref = byName.get(name);
      if (!ref) throw new Error(`${name}: not a trace of this run.`);
      let traces = parsed.get(ref.id);
      if (!traces) {
        const path = task.files[ref.id];
        if (path === undefined) throw new Error(`${name}: no local copy of trace ${ref.id}.`);
        traces = parseTraceBytes(await readFile(path), name);
        parsed.set(ref.id, traces);
      }
      return traces;
    },
  };
}

export function metricsOf(summary: SimulationSummary, staticMBPerVm?: number): RunMetrics {
  const vmSeconds = summary.vms * summary.durationSeconds;
  const { meanAssignedMB } = summary.memory;
  const staticMB = staticMBPerVm === undefined ? summary.memory.staticMB : staticMBPerVm * summary.vms;
  return {
    vms: summary.vms,
    durationSeconds: summary.durationSeconds,
    vmSecondsShort: summary.shortfall.vmSecondsShort,
    shortfallPercent: vmSeconds > 0 ? (100 * summary.shortfall.vmSecondsShort) / vmSeconds : 0,
    guestPagingMBs: summary.shortfall.guestPagingMBs,
    startFailures: summary.startFailures.length,
    failoverFailed: summary.failovers.reduce((n, f) => n + f.failed.length, 0),
    restartFailures: summary.eventErrors.filter((e) => e.event.startsWith('restart ')).length,
    smartPagingPeakMB: summary.smartPaging.peakMB,
    smartPagingMBs: summary.smartPaging.mbSeconds,
    averagePressure: summary.pressure.average,
    peakPressure: summary.pressure.peak,
    staticMB,
    meanAssignedMB,
    savedMB: staticMB - meanAssignedMB,
    savedPercent: staticMB > 0 ? (100 * (staticMB - meanAssignedMB)) / staticMB : 0,
    minAvailableMB: summary.headroom.minHostAvailableMB,
  };
}

/** Runs one task (the pool's and the queue workers' entry point): on one thread unless its scenario says, since a
 * plan runs its runs side by side. */
export default async function runTask(task: RunTask): Promise<RunMetrics> {
  const scenario = { threads: 1, ...task.scenario };
  const { summary } = await simulate(scenario, { traceLoader: taskLoader(task) });
  return metricsOf(summary, task.staticMB);
}
