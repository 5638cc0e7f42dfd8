// The plan file: a VM profile, a host or cluster shape, service targets and the question to answer; and what a
// plan gives back.
import type { HostOptions } from '../host/options.ts';
import type { VmSettings } from '../settings.ts';
import type { Duration, Scenario } from '../sim/scenario.ts';

/** The kind of VM being planned for: a fleet template with demand from traces, as in a scenario. */
export interface PlanProfile {
  /** A folder of trace files or a glob with * in the last segment; VM k takes trace k (copies when they run out). */
  traces: string;
  template?: Partial<VmSettings>;
  /** Each VM's maximum is its trace's provisioned memory (at least startupMB). */
  maximumFromProvisioned?: boolean;
  /** Time shift between copies of the same trace. Default 1h. */
  copyShift?: Duration;
  /** Skip traces whose demand is zero throughout. Default true. */
  skipIdle?: boolean;
  /** Memory of each VM without Dynamic Memory, MB. Default: its trace's provisioned memory with
   * maximumFromProvisioned, else startupMB (the summary's "static memory"). */
  staticMB?: number;
}

/** Service targets every run must meet. */
export interface PlanTargets {
  /** Most VM-seconds with demand above memory, % of all VM-seconds (VMs × duration). Default 0.1. */
  shortfallPercent?: number;
  /** Boot storm: every VM starts within this spread, evenly; no start may fail. Default "10m". */
  startSpread?: Duration;
  /** N+1 (clusters): with each host failing in turn, every one of its VMs restarts elsewhere. Default true. */
  failover?: boolean;
  /** When the host fails. Default: half of the duration. */
  failoverAt?: Duration;
  /** Most Smart Paging in use on any host at any time, MB (null: no bound). Default: 10 % of the host memory. */
  smartPagingPeakMB?: number | null;
  /** A restart wave (patching): every VM restarts once, evenly over `spread` (default 0) from `at`; every restart
   * must succeed. Restarts under pressure are what Smart Paging is for. Default: none. */
  restarts?: { at: Duration; spread?: Duration };
}

export type PlanQuestion =
  | { density: { maxVms?: number } }
  | { hostMemory: { vms: number; stepMB?: number; maxMB?: number } }
  | { sweep: { settings: Record<string, unknown[]>; vms?: number } };

export interface Plan {
  name?: string;
  /** Simulated time of every run. Default "24h". */
  duration?: Duration;
  /** Fields passed to every run's scenario: engine, balancerIntervalSeconds, traceStep, bootSeconds, ... */
  scenario?: Partial<Omit<Scenario, 'hosts' | 'vms' | 'fleets' | 'events' | 'duration'>>;
  profile: PlanProfile;
  /** Every host's shape. */
  host: Omit<HostOptions, 'name'>;
  /** Hosts in the cluster. Default 1; more make a failover cluster. */
  hosts?: number;
  targets?: PlanTargets;
  /** Default: density. */
  question?: PlanQuestion;
}

/** Whether the VMs run with Dynamic Memory (the profile's template) or with static memory. */
export type Variant = 'dynamic' | 'static';

/** One point of a plan: which VMs, how many, with which settings; and the host that fails, for N+1 runs. */
export interface RunPoint {
  variant: Variant;
  vms: number;
  /** Host memory of this run, MB. */
  hostMemoryMB: number;
  /** The sweep's settings at this point ({} outside a sweep). */
  settings: Record<string, unknown>;
  /** For an N+1 run: the host that fails at failoverAt (the run ends then). */
  failHost?: string;
}

/** What one run measured: deterministic (no wall-clock times), so runs compare and cache exactly. */
export interface RunMetrics {
  vms: number;
  durationSeconds: number;
  /** VM-seconds with demand above memory and their share of VMs × duration, %. */
  vmSecondsShort: number;
  shortfallPercent: number;
  guestPagingMBs: number;
  startFailures: number;
  /** N+1 runs: VMs of the failed host that could not restart elsewhere. */
  failoverFailed: number;
  /** Restarts of the restart wave that failed. */
  restartFailures: number;
  smartPagingPeakMB: number;
  smartPagingMBs: number;
  averagePressure: number;
  peakPressure: number;
  /** Static memory of the same VMs, the time-average of assigned memory, and the difference. */
  staticMB: number;
  meanAssignedMB: number;
  savedMB: number;
  savedPercent: number;
  minAvailableMB: number;
}

export interface PlanRun {
  point: RunPoint;
  /** Hash of the run's inputs (scenario, trace contents, dynmem's code): the cache and queue key. */
  key: string;
  metrics: RunMetrics;
  /** Every target met. */
  ok: boolean;
  /** The targets missed, in words. */
  missed: string[];
}

/** The answer for one variant: the most VMs (density) or the least host memory (hostMemory) meeting every target. */
export interface VariantAnswer {
  /** Density: VMs; hostMemory: MB (null: none within the search's bounds). */
  value: number | null;
  /** The runs at the answer (null when nothing passed). */
  at: PlanRun[] | null;
  /** The runs just past it (one VM more, one memory step less), which miss a target. */
  next: PlanRun[] | null;
  /** The search stopped at its bound (maxVms or maxMB) without finding the limit. */
  bounded: boolean;
}

export interface SweepPoint {
  settings: Record<string, unknown>;
  /** VMs that fit at these settings (a density search), or the fixed count of the sweep. */
  vms: number;
  ok: boolean;
  runs: PlanRun[];
  bounded: boolean;
}

export interface PlanResult {
  name: string;
  question: 'density' | 'hostMemory' | 'sweep';
  hosts: number;
  hostMemoryMB: number;
  durationSeconds: number;
  targets: ResolvedTargets;
  /** The answer in one line, for the terminal. */
  headline: string;
  dynamic?: VariantAnswer;
  static?: VariantAnswer;
  /** Density: VMs with ÷ without Dynamic Memory; hostMemory: memory without ÷ with. */
  gain?: number | null;
  /** `vms`: the fixed count of every point, or null when each point is a density search. */
  sweep?: { keys: string[]; vms: number | null; points: SweepPoint[] };
  /** Every run made, in a fixed order (variant, settings, VMs, host memory, failing host). */
  runs: PlanRun[];
}

export interface ResolvedTargets {
  shortfallPercent: number;
  startSpreadSeconds: number;
  failover: boolean;
  failoverAtSeconds: number;
  /** Absent: 10 % of the run's host memory; null: no bound. */
  smartPagingPeakMB?: number | null;
  restarts?: { atSeconds: number; spreadSeconds: number };
}
