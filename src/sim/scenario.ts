// The scenario format (JSON): hosts, VMs and fleets, events, durations. Validation with errors that name the
// field's path, so a person can find it in their file.

import type { HostOptions } from '../host/options.ts';
import type { VmConfig } from '../settings.ts';

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
  | { at: Duration; action: 'failHost' | 'recoverHost'; host: string };

/** A simulation: what to build, what happens, and for how long. */
export interface Scenario {
  name?: string;
  engine?: 'wasm' | 'js';
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
    `expected a duration (seconds, or like "30m", "24h", "2d", "1h30m"), not ${JSON.stringify(value)}.`,
  );
}

const SCENARIO_FIELDS = [
  'name',
  'engine',
  'duration',
  'balancerIntervalSeconds',
  'sampleInterval',
  'traceStep',
  'demandInterpolation',
  'bootSeconds',
  'pressureWindowSeconds',
  'hosts',
  'vms',
  'fleets',
  'events',
  'perVmSeries',
  '$schema',
];
const FLEET_FIELDS = [
  'prefix',
  'traces',
  'template',
  'maximumFromProvisioned',
  'startupFromProvisioned',
  'count',
  'copyShift',
  'hosts',
  'skipIdle',
  'start',
  'startSpread',
];
const DEMAND_INTERPOLATIONS: readonly DemandInterpolation[] = ['step', 'linear'];
const EVENT_ACTIONS = ['start', 'stop', 'restart', 'setMemory', 'setDemand', 'failHost', 'recoverHost'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields(record: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key))
      throw new ScenarioError(path ? `${path}.${key}` : key, `unknown field (known: ${allowed.join(', ')}).`);
  }
}

function arrayAt(value: unknown, path: string, required: boolean): Record<string, unknown>[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) {
    throw new ScenarioError(path, required ? 'expected a non-empty array.' : 'expected an array.');
  }
  value.forEach((item, i) => {
    if (!isObject(item)) throw new ScenarioError(`${path}[${i}]`, 'expected an object.');
  });
  return value as Record<string, unknown>[];
}

/** Shape checks of a scenario; settings are checked by the library's own rules when the VMs are built. */
export function checkScenario(input: unknown): Scenario {
  if (!isObject(input)) throw new ScenarioError('', 'a scenario must be a JSON object.');
  checkFields(input, SCENARIO_FIELDS, '');
  if (input.engine !== undefined && input.engine !== 'wasm' && input.engine !== 'js') {
    throw new ScenarioError('engine', `must be "wasm" or "js", not ${JSON.stringify(input.engine)}.`);
  }
  if (input.demandInterpolation !== undefined && !DEMAND_INTERPOLATIONS.includes(input.demandInterpolation as never)) {
    throw new ScenarioError(
      'demandInterpolation',
      `must be "step" or "linear", not ${JSON.stringify(input.demandInterpolation)}.`,
    );
  }
  for (const key of ['duration', 'sampleInterval', 'traceStep'] as const) {
    if (input[key] !== undefined && parseDuration(input[key], key) <= 0)
      throw new ScenarioError(key, 'must be more than 0.');
  }
  arrayAt(input.hosts, 'hosts', true);
  const vms = arrayAt(input.vms, 'vms', false);
  vms.forEach((vm, i) => {
    if (typeof vm.name !== 'string' || vm.name === '')
      throw new ScenarioError(`vms[${i}].name`, 'every VM needs a name.');
    const sources = ['demandMB', 'trace', 'demand'].filter((k) => vm[k] !== undefined);
    if (sources.length === 0)
      throw new ScenarioError(`vms[${i}]`, `'${vm.name}' has no demand: give demandMB, demand or trace.`);
    if (sources.length > 1)
      throw new ScenarioError(`vms[${i}]`, `give one demand source, not ${sources.join(' and ')}.`);
    if (vm.trace !== undefined && typeof vm.trace !== 'string')
      throw new ScenarioError(`vms[${i}].trace`, 'expected a file path.');
    if (vm.demand !== undefined) {
      const ok =
        Array.isArray(vm.demand) &&
        vm.demand.length > 0 &&
        vm.demand.every(
          (p) =>
            Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0),
        );
      if (!ok)
        throw new ScenarioError(
          `vms[${i}].demand`,
          'expected a non-empty array of [seconds, MB] pairs of numbers ≥ 0.',
        );
    }
    if (vm.traceOffset !== undefined) parseDuration(vm.traceOffset, `vms[${i}].traceOffset`);
    if (vm.startAt !== undefined) parseDuration(vm.startAt, `vms[${i}].startAt`);
  });
  const fleets = arrayAt(input.fleets, 'fleets', false);
  fleets.forEach((fleet, i) => {
    checkFields(fleet, FLEET_FIELDS, `fleets[${i}]`);
    if (typeof fleet.traces !== 'string' || fleet.traces === '')
      throw new ScenarioError(`fleets[${i}].traces`, 'expected a folder or glob of trace files.');
    if (fleet.template !== undefined && !isObject(fleet.template))
      throw new ScenarioError(`fleets[${i}].template`, 'expected an object of VM settings.');
    if (fleet.count !== undefined && !(Number.isInteger(fleet.count) && (fleet.count as number) > 0)) {
      throw new ScenarioError(`fleets[${i}].count`, 'expected a whole number ≥ 1.');
    }
    if (fleet.copyShift !== undefined) parseDuration(fleet.copyShift, `fleets[${i}].copyShift`);
    if (fleet.startSpread !== undefined) parseDuration(fleet.startSpread, `fleets[${i}].startSpread`);
    if (
      fleet.hosts !== undefined &&
      !(Array.isArray(fleet.hosts) && fleet.hosts.length > 0 && fleet.hosts.every((h) => typeof h === 'string'))
    ) {
      throw new ScenarioError(`fleets[${i}].hosts`, 'expected a non-empty array of host names.');
    }
  });
  const events = arrayAt(input.events, 'events', false);
  events.forEach((event, i) => {
    const path = `events[${i}]`;
    parseDuration(event.at, `${path}.at`);
    if (!EVENT_ACTIONS.includes(event.action as string)) {
      throw new ScenarioError(
        `${path}.action`,
        `must be one of ${EVENT_ACTIONS.join(', ')}, not ${JSON.stringify(event.action)}.`,
      );
    }
    const hostEvent = event.action === 'failHost' || event.action === 'recoverHost';
    const key = hostEvent ? 'host' : 'vm';
    if (typeof event[key] !== 'string')
      throw new ScenarioError(`${path}.${key}`, `a ${event.action} event needs a ${key} name.`);
    if (event.action === 'setMemory' && !isObject(event.settings))
      throw new ScenarioError(`${path}.settings`, 'expected an object of settings.');
    if (event.action === 'setDemand' && !(Number.isInteger(event.demandMB) && (event.demandMB as number) >= 0)) {
      throw new ScenarioError(`${path}.demandMB`, 'expected a whole number of MB ≥ 0.');
    }
  });
  return input as unknown as Scenario;
}
