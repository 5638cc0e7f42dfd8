// The summary of a run: memory saved against static memory, pressure, shortfall, Smart Paging, failures,
// headroom, and what the trace readers repaired.
import type { Cluster, FailoverReport, RecoveryReport } from '../cluster/cluster.ts';
import type { Migration } from '../cluster/migrations.ts';
import type { TraceRepairs } from '../traces/types.ts';
import type { SimVm, TraceFileReport } from './build.ts';
import type { Scenario, ScenarioEvent } from './scenario.ts';
import type { SimulationSeries } from './series.ts';

/** Things that happen during a run, as recorded for the summary. */
export interface RunLog {
  startFailures: { vm: string; atSeconds: number; code: string; message: string }[];
  failovers: (FailoverReport & { atSeconds: number })[];
  recoveries: (RecoveryReport & { atSeconds: number })[];
  eventErrors: { atSeconds: number; event: string; code: string; message: string }[];
  /** The scenario's events as applied (scheduled starts left out), for the reports' time axes. */
  events: { atSeconds: number; action: ScenarioEvent['action']; target: string }[];
}

export interface SimulationSummary {
  scenario: string;
  engine: string;
  durationSeconds: number;
  hosts: number;
  vms: number;
  memory: {
    /** Σ host memory and reserve, MB. */
    hostMemoryMB: number;
    reserveMB: number;
    /** What the same VMs would hold with static memory (provisioned memory, else startup RAM), MB. */
    staticMB: number;
    /** Time-average of Σ assigned memory, MB. */
    meanAssignedMB: number;
    peakAssignedMB: number;
    meanDemandMB: number;
    /** staticMB − meanAssignedMB. */
    savedMB: number;
    savedPercent: number;
  };
  pressure: {
    /** Time-average of the System Current Pressure (over hosts, weighted by time). */
    average: number;
    /** Highest System Current Pressure of any host at any tick. */
    peak: number;
  };
  shortfall: {
    /** Σ over VMs of seconds with demand above the memory they had. */
    vmSecondsShort: number;
    /** Guest paging: Σ (demand − memory) over those seconds, MB·s. */
    guestPagingMBs: number;
    /** VMs whose demand went above their memory at some tick (Maximum Pressure above 100 since their last boot). */
    vms: number;
  };
  smartPaging: {
    mbSeconds: number;
    /** Highest Smart Paging in use on a host at any tick, MB. */
    peakMB: number;
    /** VMs that used Smart Paging at all. */
    vms: number;
  };
  /** The VMs that saw the highest pressure (at most 20), for a first look at who was short. */
  busiestVms: {
    vm: string;
    host: string | null;
    maximumPressure: number;
    averagePressure: number;
    assignedMB: number;
    smartPagingMBs: number;
  }[];
  /** VMs without Dynamic Memory: they hold their startup RAM (a replay's static VMs need no counters). */
  staticVms: string[];
  startFailures: RunLog['startFailures'];
  /** Host failures: VMs restarted elsewhere, VMs that fit nowhere, No Auto Start VMs left off. */
  failovers: { atSeconds: number; host: string; restarted: number; failed: string[]; notStarted: string[] }[];
  /** Host recoveries: the VMs that failed back to the host (failback 'immediate'). */
  recoveries: { atSeconds: number; host: string; failedBack: string[] }[];
  /** Live migrations: how many the load balancer and failback started, and each (start time, VM, from, to, MB,
   * seconds it takes or took, why, status), in the order they started. */
  migrations: { count: number; balance: number; failback: number; list: Migration[] };
  eventErrors: RunLog['eventErrors'];
  /** The scenario's events (restarts, stops, host failures and recoveries, …) in the order applied. */
  events: RunLog['events'];
  headroom: {
    /** Least Available Memory summed over the hosts, among the samples, MB. */
    minAvailableMB: number;
    /** Least Available Memory of any single host at any tick, MB. */
    minHostAvailableMB: number;
  };
  traces: {
    /** Trace files read (a file holding several VMs counts once per VM). */
    files: number;
    /** Traces left out because their demand is zero throughout (a fleet's `skipIdle`), by name. */
    idle: string[];
    repairs: TraceRepairs;
    repaired: TraceFileReport[];
  };
  /** What the run did that the scenario did not spell out (such as maximums raised to startup RAM). */
  warnings: string[];
  /** Wall-clock time of simulated time 0 (ISO 8601): the earliest trace's first sample, else 1 January 2000. */
  startTime: string;
  wallSeconds: number;
}

export interface SummaryInput {
  scenario: Scenario;
  cluster: Cluster;
  vms: SimVm[];
  series: SimulationSeries;
  log: RunLog;
  traceFiles: TraceFileReport[];
  durationSeconds: number;
  wallSeconds: number;
  startTime?: number;
  idleTraces?: string[];
  warnings?: string[];
}

export function summarize(input: SummaryInput): SimulationSummary {
  const { cluster, series, log, durationSeconds } = input;
  const fleet = cluster.fleet;
  const h = fleet.store.hosts;
  const v = fleet.store.vms;
  let pressureSeconds = 0;
  let elapsed = 0;
  let peak = 0;
  let assignedMBs = 0;
  let pagingMBs = 0;
  let shortSeconds = 0;
  let smartPagingMBs = 0;
  let smartPagingPeak = 0;
  let minHostAvailable = Infinity;
  let hostMemoryMB = 0;
  let reserveMB = 0;
  // Run totals are kept per memory pool: a host, or each NUMA node of a host whose nodes balance on their own
  // (there, the pressures are the nodes', and the least available memory is a node's).
  for (let i = 0; i < fleet.poolTotal; i++) {
    pressureSeconds += h.pressureSeconds[i]!;
    elapsed += h.elapsed[i]!;
    peak = Math.max(peak, h.peakPressure[i]!);
    assignedMBs += h.assignedMBs[i]!;
    pagingMBs += h.pagingMBs[i]!;
    shortSeconds += h.shortVmSeconds[i]!;
    smartPagingMBs += h.smartPagingMBs[i]!;
    smartPagingPeak = Math.max(smartPagingPeak, h.peakSmartPaging[i]!);
    minHostAvailable = Math.min(minHostAvailable, h.minAvailable[i]!);
  }
  for (const host of fleet.hosts) {
    hostMemoryMB += host.options.memoryMB;
    reserveMB += host.options.reserveMB;
  }
  const ran = input.vms.filter((vm) => v.guestVisible[fleet.vm(vm.name).slot]! > 0);
  const staticMB = ran.reduce((s, vm) => s + vm.staticMB, 0);
  const meanAssignedMB = durationSeconds > 0 ? assignedMBs / durationSeconds : 0;
  const demandSamples = series.total.demandMB;
  const repairs: TraceRepairs = { duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 };
  for (const f of input.traceFiles) {
    repairs.duplicateTimestamps += f.repairs.duplicateTimestamps;
    repairs.outOfOrder += f.repairs.outOfOrder;
    repairs.gaps += f.repairs.gaps;
    repairs.gapSeconds += f.repairs.gapSeconds;
  }
  return {
    scenario: input.scenario.name ?? 'scenario',
    engine: cluster.engine,
    durationSeconds,
    hosts: fleet.hosts.length,
    vms: input.vms.length,
    memory: {
      hostMemoryMB,
      reserveMB,
      staticMB,
      meanAssignedMB,
      peakAssignedMB: series.total.assignedMB.reduce((m, x) => Math.max(m, x), 0),
      meanDemandMB: demandSamples.length ? demandSamples.reduce((s, x) => s + x, 0) / demandSamples.length : 0,
      savedMB: staticMB - meanAssignedMB,
      savedPercent: staticMB > 0 ? (100 * (staticMB - meanAssignedMB)) / staticMB : 0,
    },
    pressure: { average: elapsed > 0 ? pressureSeconds / elapsed : 0, peak },
    shortfall: {
      vmSecondsShort: shortSeconds,
      guestPagingMBs: pagingMBs,
      vms: input.vms.filter((vm) => v.maxPressure[fleet.vm(vm.name).slot]! > 100).length,
    },
    smartPaging: {
      mbSeconds: smartPagingMBs,
      peakMB: smartPagingPeak,
      vms: input.vms.filter((vm) => v.smartPagingMBs[fleet.vm(vm.name).slot]! > 0).length,
    },
    busiestVms: busiest(input),
    staticVms: input.vms.filter((vm) => !fleet.vm(vm.name).settings.dynamicMemory).map((vm) => vm.name),
    startFailures: log.startFailures,
    failovers: log.failovers.map((f) => ({
      atSeconds: f.atSeconds,
      host: f.host,
      restarted: f.restarted.length,
      failed: f.failed.map((x) => x.vm),
      notStarted: f.notStarted,
    })),
    recoveries: log.recoveries.map((r) => ({
      atSeconds: r.atSeconds,
      host: r.host,
      failedBack: r.failedBack.map((x) => x.vm),
    })),
    migrations: migrationCounts(cluster.migrations()),
    eventErrors: log.eventErrors,
    events: log.events,
    headroom: {
      minAvailableMB: series.total.availableMB.reduce((m, x) => Math.min(m, x), Infinity),
      minHostAvailableMB: Number.isFinite(minHostAvailable) ? minHostAvailable : 0,
    },
    traces: {
      files: input.traceFiles.length,
      idle: input.idleTraces ?? [],
      repairs,
      repaired: input.traceFiles.filter(
        (f) => f.repairs.duplicateTimestamps + f.repairs.outOfOrder + f.repairs.gaps > 0,
      ),
    },
    warnings: input.warnings ?? [],
    startTime: new Date((input.startTime ?? 946684800) * 1000).toISOString(),
    wallSeconds: input.wallSeconds,
  };
}

function migrationCounts(list: Migration[]): SimulationSummary['migrations'] {
  const balance = list.filter((m) => m.reason === 'balance').length;
  return { count: list.length, balance, failback: list.length - balance, list };
}

const BUSIEST = 20;

/** The VMs with the highest maximum pressure since they last booted, at the end of the run. */
function busiest({ cluster, vms }: SummaryInput): SimulationSummary['busiestVms'] {
  const fleet = cluster.fleet;
  const v = fleet.store.vms;
  return vms
    .map((vm) => {
      const record = fleet.vm(vm.name);
      const i = record.slot;
      return {
        vm: vm.name,
        host: record.host >= 0 ? fleet.hosts[record.host]!.options.name : null,
        maximumPressure: v.maxPressure[i]!,
        averagePressure: v.avgPressure[i]!,
        assignedMB: v.assigned[i]!,
        smartPagingMBs: v.smartPagingMBs[i]!,
      };
    })
    .filter((b) => b.maximumPressure > 0)
    .sort((a, b) => b.maximumPressure - a.maximumPressure || a.vm.localeCompare(b.vm))
    .slice(0, BUSIEST);
}
