// The scenario format (JSON): hosts, VMs and fleets, events, durations. Validation with errors that name the
// field's path, so a person can find it in their file.

import type { AutoBalancer } from '../cluster/auto-balancer.ts';
import { shown } from '../errors.ts';
import type { HostOptions } from '../host/options.ts';
import type { PolicyName, PolicyOptions } from '../host/policy.ts';
import type { VmConfig } from '../settings.ts';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';
import { checkSchema, type Schema } from './schema-check.ts';

/** Simulated time when a scenario gives no duration. */
export const DEFAULT_DURATION = '24h';

/** How demand moves between the points of the trace grid (see `Scenario.demandInterpolation`). */
export type DemandInterpolation = 'step' | 'linear';

/** A duration: seconds, or a string such as "90s", "30m", "24h", "2d", "1h30m". */
export type Duration = number | string;

/** Demand of a VM: a constant (MB), a trace file, or samples given inline. */
export interface DemandSource {
  /** Constant demand, MB. */
  demandMB?: number;
  /** A trace file: Bitbrains GWA-T-12 (.csv or .csv.gz) or generic CSV (time,vm,demandMB). */
  trace?: string;
  /** For a generic CSV with several VMs: which one. Default: the VM's name, or the only VM in the file. */
  traceVm?: string;
  /** Inline samples: [seconds, demand MB] pairs. */
  demand?: [number, number][];
  /** Seconds to shift the trace by (demand at time t is the trace's at t + shift, wrapping around). */
  traceOffset?: Duration;
}

export interface ScenarioVm extends VmConfig, DemandSource {
  /** Host to put the VM on; in a cluster, omit it to have the VM placed when it starts. */
  host?: string;
  /** Start the VM at time 0. Default true. */
  start?: boolean;
  /** Start the VM at this time instead of 0. */
  startAt?: Duration;
  /** Already running at time 0 with this much memory (replays of a recording): no boot, startup RAM not needed. */
  initialAssignedMB?: number;
  /** What a static configuration would give this VM, MB (for "memory saved"). Default: provisioned memory of
   * its trace, else startupMB. (Fleet VMs: provisioned memory with maximumFromProvisioned, else startupMB.) */
  staticMB?: number;
}

/** Many VMs from one settings template and a folder or glob of traces. */
export interface ScenarioFleet {
  /** VM names are `${prefix}${trace VM}` (and `#k` for the k-th copy). Default: "". */
  prefix?: string;
  /** A folder of trace files or a glob with * in the last segment (Node only). */
  traces: string;
  /** Settings shared by every VM of the fleet. */
  template?: Omit<VmConfig, 'name'>;
  /** Take maximumMB from each trace's provisioned memory (rounded up to 2 MB, at least startupMB). */
  maximumFromProvisioned?: boolean;
  /** Take startupMB from each trace's provisioned memory (rounded up to 2 MB): a VM sized as it was provisioned,
   * e.g. with Dynamic Memory off to compare against static memory. */
  startupFromProvisioned?: boolean;
  /** How many VMs: the traces are reused as time-shifted copies when count exceeds the number of traces. */
  count?: number;
  /** Time shift between copies of the same trace. Default: 1h. */
  copyShift?: Duration;
  /** Hosts to spread the VMs over, round-robin; omit in a cluster to have them placed at start. */
  hosts?: string[];
  /** Skip traces whose demand is zero throughout (VMs that had not started reporting). Default true. */
  skipIdle?: boolean;
  /** Start the VMs at time 0. Default true. */
  start?: boolean;
  /** Spread the starts evenly over this time instead of starting every VM at 0 (boot storms fail). Default 0. */
  startSpread?: Duration;
}

export type ScenarioEvent =
  | { at: Duration; action: 'start' | 'stop' | 'restart'; vm: string }
  | { at: Duration; action: 'setMemory'; vm: string; settings: Partial<VmConfig> }
  | { at: Duration; action: 'setDemand'; vm: string; demandMB: number }
  /** The VM's balloon driver from now on: rateMBps 0 makes it stuck, null gives it back the host's rate. */
  | { at: Duration; action: 'balloonDriver'; vm: string; rateMBps?: number | null; limitMB?: number }
  | { at: Duration; action: 'failHost' | 'recoverHost'; host: string };

/** A simulation: what to build, what happens, and for how long. */
export interface Scenario {
  name?: string;
  engine?: 'wasm' | 'js';
  /** Threads of the 'wasm' engine in Node, each running whole hosts of a long call. Default: the machine's
   * cores, up to 8; 1 keeps the balancer on the calling thread. Results do not depend on it. */
  threads?: number;
  /** Simulated time. Default "24h". */
  duration?: Duration;
  /** Seconds between balancer ticks. Default 1. */
  balancerIntervalSeconds?: number;
  /** Seconds between output samples. Default 300. */
  sampleInterval?: Duration;
  /** Grid the traces are resampled onto (linear interpolation at each point). Default 300. */
  traceStep?: Duration;
  /**
   * Demand between grid points: 'step' holds each point's value until the next (sample and hold, the default),
   * 'linear' ramps towards the next point tick by tick.
   */
  demandInterpolation?: DemandInterpolation;
  bootSeconds?: number;
  pressureWindowSeconds?: number;
  /** One host, or the members of a failover cluster. */
  hosts: (HostOptions & { name?: string })[];
  vms?: ScenarioVm[];
  fleets?: ScenarioFleet[];
  events?: ScenarioEvent[];
  /** Keep per-VM time series (assigned, demand, pressure). Default: when there are at most 200 VMs. */
  perVmSeries?: boolean;
  /** Cluster failback: 'none' (default) or 'immediate' (VMs move home when their failed host recovers). */
  failback?: 'none' | 'immediate';
  /** Cluster VM load balancing (README "VM load balancing"). Default { mode: 'always', level: 'low' } (Microsoft's);
   * 'disabled' when a host runs 2012R2. */
  autoBalancer?: Partial<AutoBalancer>;
  /** MB/s a cluster live migration copies (README "VM load balancing"). Default 1,000. */
  migrationBandwidthMBps?: number;
  /** Wall-clock time of simulated time 0 (ISO 8601); default the earliest trace's first sample, else 2000-01-01. */
  startTime?: string;
  /** The allocation policy of every host that names none (README "Policies"). Default 'hyperv'. */
  policy?: PolicyName;
  /** Run the same VMs once per policy and compare them (the result's `policies`). */
  policies?: PolicyName[];
  /** Knobs of each policy, by name, e.g. { esx: { idleTax: 0 } }. */
  policyOptions?: Partial<Record<PolicyName, PolicyOptions>>;
}

/** A scenario that cannot run: `path` is the field (e.g. "fleets[0].template.minimumMB"), `file`/`line` the data. */
export class ScenarioError extends Error {
  readonly path: string;
  readonly file?: string;
  readonly line?: number;
  constructor(path: string, message: string, where: { file?: string; line?: number } = {}) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ScenarioError';
    this.path = path;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Seconds in a duration: a number of seconds, or a string of one or more number-unit parts ("24h", "1h30m",
 * "3d1m", "1.5h"; a bare "90" is seconds).
 * @example
 * parseDuration('1h30m', 'duration'); // 5400
 */
export function parseDuration(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const text = value.replace(/\s+/g, '');
    if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
    if (/^(?:\d+(?:\.\d+)?[smhd])+$/.test(text)) {
      let seconds = 0;
      for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g))
        seconds += Number(amount) * UNITS[unit!]!;
      return seconds;
    }
  }
  throw new ScenarioError(
    path,
    `expected a duration (seconds, or like "30m", "24h", "2d", "1h30m"), not ${shown(value)}.`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "VM 'x': " when `path` is inside the scenario's VM named x, so the message names the VM as the library's do. */
function vmNamed(input: Record<string, unknown>, path: string): string {
  const index = /^vms\[(\d+)\]\./.exec(path)?.[1];
  const vm = index === undefined ? undefined : (input.vms as Record<string, unknown>[])[Number(index)];
  return typeof vm?.name === 'string' ? `VM '${vm.name}': ` : '';
}

/** What the schema cannot say of `policy`, `policies` and `policyOptions`: one or the other, no policy twice, and
 * with a comparison the knobs in the scenario (per policy), not in a host. */
function checkPolicyFields(input: Record<string, unknown>): void {
  if (input.policy !== undefined && input.policies !== undefined) {
    throw new ScenarioError('policies', 'give policy (one) or policies (a comparison), not both.');
  }
  const list = (input.policies ?? []) as string[];
  list.forEach((p, i) => {
    if (list.indexOf(p) !== i) throw new ScenarioError(`policies[${i}]`, `${p} is listed twice.`);
  });
  if (input.policies === undefined) return;
  (input.hosts as Record<string, unknown>[]).forEach((h, i) => {
    if (h.policy !== undefined || h.policyOptions !== undefined) {
      throw new ScenarioError(`hosts[${i}].policy`, 'with policies, give the knobs in the scenario policyOptions.');
    }
  });
}

/**
 * Checks a scenario against the published schema (every field, every event field; errors name the path), then
 * the rules a schema cannot say: one demand source per VM, durations above 0, no event after the end. Settings are
 * also checked by the library's own rules when the VMs are built, and event settings before the run starts.
 * @example
 * const scenario = checkScenario(JSON.parse(text)); // a ScenarioError naming the path when a field is wrong
 */
export function checkScenario(input: unknown): Scenario {
  if (!isObject(input)) throw new ScenarioError('', 'a scenario must be a JSON object.');
  const problem = checkSchema(input, SCENARIO_SCHEMA as Schema, SCENARIO_SCHEMA as Schema);
  if (problem) throw new ScenarioError(problem.path, `${vmNamed(input, problem.path)}${problem.message}`);
  if (typeof input.startTime === 'string' && !Number.isFinite(Date.parse(input.startTime))) {
    throw new ScenarioError('startTime', `expected an ISO 8601 date and time, not ${JSON.stringify(input.startTime)}.`);
  }
  for (const key of ['duration', 'sampleInterval', 'traceStep'] as const) {
    if (input[key] !== undefined && parseDuration(input[key], key) <= 0)
      throw new ScenarioError(key, 'must be more than 0.');
  }
  checkPolicyFields(input);
  const vms = (input.vms ?? []) as Record<string, unknown>[];
  vms.forEach((vm, i) => {
    const sources = ['demandMB', 'trace', 'demand'].filter((k) => vm[k] !== undefined);
    if (sources.length === 0)
      throw new ScenarioError(`vms[${i}]`, `'${vm.name}' has no demand: give demandMB, demand or trace.`);
    if (sources.length > 1)
      throw new ScenarioError(`vms[${i}]`, `give one demand source, not ${sources.join(' and ')}.`);
  });
  const duration = parseDuration(input.duration ?? DEFAULT_DURATION, 'duration');
  const events = (input.events ?? []) as Record<string, unknown>[];
  events.forEach((event, i) => {
    const at = parseDuration(event.at, `events[${i}].at`);
    if (at > duration)
      throw new ScenarioError(`events[${i}].at`, `${at} s is after the end of the run (duration ${duration} s).`);
  });
  return input as unknown as Scenario;
}
