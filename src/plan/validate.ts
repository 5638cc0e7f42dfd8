// Checking a plan file: every field by its path (`profile.template.minimumMB`,
// `question.sweep.settings.bufferPercent[2]`), with the library's own rules for VM and host settings, before any run.
import { DynamicMemoryError } from '../errors.ts';
import { type ResolvedHostOptions, resolveHostOptions } from '../host/options.ts';
import { vmMemoryLimit } from '../host/versions.ts';
import { newVmSettings, SETTING_FIELDS, type VmMemoryLimit } from '../settings.ts';
import { checkScenario, parseDuration, type Scenario, ScenarioError } from '../sim/scenario.ts';
import { checkSchema, type Schema } from '../sim/schema-check.ts';
import { PlanError } from './errors.ts';
import { PLAN_SCHEMA } from './plan-schema.ts';
import type { Plan, PlanProfile, ResolvedTargets } from './types.ts';

export { PlanError };

/** Where a swept setting goes: the VM template, every host, or the scenario of every run. */
export interface SweepKey {
  key: string;
  target: 'vm' | 'host' | 'scenario';
  field: string;
}

export type ResolvedQuestion =
  | { kind: 'density'; maxVms: number }
  | { kind: 'hostMemory'; vms: number; stepMB: number; maxMB: number }
  | { kind: 'sweep'; keys: SweepKey[]; values: unknown[][]; vms: number | null; maxVms: number };

export interface ResolvedPlan {
  name: string;
  durationSeconds: number;
  scenario: Record<string, unknown>;
  profile: PlanProfile;
  host: Plan['host'];
  hosts: number;
  targets: ResolvedTargets;
  question: ResolvedQuestion;
}

const PLAN_FIELDS = ['name', 'duration', 'scenario', 'profile', 'host', 'hosts', 'targets', 'question', '$schema'];
const PROFILE_FIELDS = ['traces', 'template', 'maximumFromProvisioned', 'copyShift', 'skipIdle', 'staticMB'];
const TARGET_FIELDS = ['shortfallPercent', 'startSpread', 'failover', 'failoverAt', 'smartPagingPeakMB', 'restarts'];
/** Scenario fields a plan sets itself. */
const PLAN_OWNED = ['hosts', 'vms', 'fleets', 'events', 'duration', 'name'];
/** Most VMs a density search tries per host, unless the plan says otherwise. */
export const DEFAULT_MAX_VMS_PER_HOST = 10_000;
export const DEFAULT_HOST_MEMORY_STEP_MB = 1024;
export const DEFAULT_MAX_HOST_MEMORY_MB = 16 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new PlanError(path, 'expected an object.');
  return value;
}

function known(record: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new PlanError(path ? `${path}.${key}` : key, `unknown field (known: ${allowed.join(', ')}).`);
    }
  }
}

function wholeAt(value: unknown, path: string, min: number): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw new PlanError(path, `expected a whole number ≥ ${min}, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function booleanAt(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new PlanError(path, 'expected true or false.');
}

/** Runs a library check; a refusal becomes a PlanError at `path` (plus the refused field, when it names one). */
function libraryCheck<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DynamicMemoryError)
      throw new PlanError(error.field ? `${path}.${error.field}` : path, error.message);
    if (error instanceof ScenarioError && !(error instanceof PlanError))
      throw new PlanError(error.path ? `${path}.${error.path}` : path, error.message.replace(/^[^:]*: /, ''));
    throw error;
  }
}

export function checkHost(host: Record<string, unknown>, hosts: number, path: string): ResolvedHostOptions {
  return libraryCheck(path, () => resolveHostOptions({ failoverCluster: hosts > 1, ...host }));
}

export function checkTemplate(template: Record<string, unknown>, limit: VmMemoryLimit, path: string): void {
  libraryCheck(path, () => newVmSettings({ ...template, name: 'profile' }, limit));
}

function checkScenarioFields(scenario: Record<string, unknown>, path: string): void {
  for (const key of PLAN_OWNED) {
    if (key in scenario) throw new PlanError(`${path}.${key}`, 'set by the plan itself; not allowed here.');
  }
  libraryCheck(path, () => checkScenario({ ...scenario, hosts: [{ memoryMB: 65536 }] }));
}

/** A swept name: `host.X`, `scenario.X`, `vm.X`, or a bare name (a VM setting if it is one, else a host option). */
export function sweepKey(key: string): SweepKey {
  const dot = key.indexOf('.');
  const prefix = dot > 0 ? key.slice(0, dot) : '';
  if (prefix === 'host' || prefix === 'scenario' || prefix === 'vm') {
    return { key, target: prefix, field: key.slice(dot + 1) };
  }
  return { key, target: (SETTING_FIELDS as readonly string[]).includes(key) ? 'vm' : 'host', field: key };
}

function resolveTargets(input: unknown, durationSeconds: number, interval: number, hosts: number): ResolvedTargets {
  const t = input === undefined ? {} : objectAt(input, 'targets');
  known(t, TARGET_FIELDS, 'targets');
  const shortfallPercent = t.shortfallPercent ?? 0.1;
  if (!(typeof shortfallPercent === 'number' && shortfallPercent >= 0 && shortfallPercent <= 100)) {
    throw new PlanError('targets.shortfallPercent', 'expected a percentage between 0 and 100.');
  }
  const startSpreadSeconds = parseDuration(t.startSpread ?? '10m', 'targets.startSpread');
  booleanAt(t.failover, 'targets.failover');
  const failoverAtSeconds =
    t.failoverAt === undefined
      ? Math.floor(durationSeconds / 2 / interval) * interval
      : parseDuration(t.failoverAt, 'targets.failoverAt');
  if (failoverAtSeconds <= 0 || failoverAtSeconds > durationSeconds) {
    throw new PlanError('targets.failoverAt', 'must fall inside the run (after 0, at most the duration).');
  }
  const spb = t.smartPagingPeakMB;
  if (spb !== undefined && spb !== null) wholeAt(spb, 'targets.smartPagingPeakMB', 0);
  let restarts: ResolvedTargets['restarts'];
  if (t.restarts !== undefined) {
    const r = objectAt(t.restarts, 'targets.restarts');
    known(r, ['at', 'spread'], 'targets.restarts');
    const atSeconds = parseDuration(r.at, 'targets.restarts.at');
    const spreadSeconds = r.spread === undefined ? 0 : parseDuration(r.spread, 'targets.restarts.spread');
    if (atSeconds + spreadSeconds >= durationSeconds) {
      throw new PlanError('targets.restarts', 'the wave must end before the run does.');
    }
    restarts = { atSeconds, spreadSeconds };
  }
  return {
    shortfallPercent,
    startSpreadSeconds,
    failover: hosts > 1 && t.failover !== false,
    failoverAtSeconds,
    ...(spb === undefined ? {} : { smartPagingPeakMB: spb as number | null }),
    ...(restarts ? { restarts } : {}),
  };
}

function resolveQuestion(
  input: unknown,
  plan: { host: Record<string, unknown>; hosts: number; template: Record<string, unknown>; maxVm: VmMemoryLimit },
): ResolvedQuestion {
  const maxVmsDefault = DEFAULT_MAX_VMS_PER_HOST * plan.hosts;
  if (input === undefined) return { kind: 'density', maxVms: maxVmsDefault };
  const q = objectAt(input, 'question');
  const kinds = Object.keys(q);
  if (kinds.length !== 1 || !['density', 'hostMemory', 'sweep'].includes(kinds[0]!)) {
    throw new PlanError('question', 'expected exactly one of density, hostMemory or sweep.');
  }
  const kind = kinds[0]!;
  const body = objectAt(q[kind], `question.${kind}`);
  const path = `question.${kind}`;
  if (kind === 'density') {
    known(body, ['maxVms'], path);
    return {
      kind,
      maxVms: body.maxVms === undefined ? maxVmsDefault : wholeAt(body.maxVms, `${path}.maxVms`, 1),
    };
  }
  if (kind === 'hostMemory') {
    known(body, ['vms', 'stepMB', 'maxMB'], path);
    const stepMB = body.stepMB === undefined ? DEFAULT_HOST_MEMORY_STEP_MB : wholeAt(body.stepMB, `${path}.stepMB`, 2);
    if (stepMB % 2 !== 0) throw new PlanError(`${path}.stepMB`, 'must be a multiple of 2 MB.');
    return {
      kind,
      vms: wholeAt(body.vms, `${path}.vms`, 1),
      stepMB,
      maxMB: body.maxMB === undefined ? DEFAULT_MAX_HOST_MEMORY_MB : wholeAt(body.maxMB, `${path}.maxMB`, stepMB),
    };
  }
  known(body, ['settings', 'vms', 'maxVms'], path);
  const settings = objectAt(body.settings, `${path}.settings`);
  const keys = Object.keys(settings).map(sweepKey);
  if (keys.length === 0) throw new PlanError(`${path}.settings`, 'name at least one setting to sweep.');
  const values = keys.map(({ key, target, field }) => {
    const list = settings[key];
    const at = `${path}.settings.${key}`;
    if (!Array.isArray(list) || list.length === 0) throw new PlanError(at, 'expected a non-empty array of values.');
    list.forEach((value, i) => {
      const itemPath = `${at}[${i}]`;
      if (target === 'vm') checkTemplate({ ...plan.template, [field]: value }, plan.maxVm, itemPath);
      else if (target === 'host') checkHost({ ...plan.host, [field]: value }, plan.hosts, itemPath);
      else checkScenarioFields({ [field]: value }, itemPath);
    });
    return list as unknown[];
  });
  // Settings valid one by one may clash together (a minimum above a swept startup): check every combination.
  for (const point of gridPoints(keys, values)) {
    const { template, host, scenario } = applySettings(keys, point, plan.template, plan.host, {});
    const where = `${path}.settings (${keys.map((k, i) => `${k.key} ${JSON.stringify(point[i])}`).join(', ')})`;
    checkTemplate(template, plan.maxVm, where);
    checkHost(host, plan.hosts, where);
    checkScenarioFields(scenario, where);
  }
  return {
    kind: 'sweep',
    keys,
    values,
    vms: body.vms === undefined ? null : wholeAt(body.vms, `${path}.vms`, 1),
    maxVms: body.maxVms === undefined ? maxVmsDefault : wholeAt(body.maxVms, `${path}.maxVms`, 1),
  };
}

/** Every combination of the swept values, the first setting varying slowest. */
export function gridPoints(keys: readonly SweepKey[], values: readonly unknown[][]): unknown[][] {
  let points: unknown[][] = [[]];
  keys.forEach((_, i) => {
    points = points.flatMap((p) => values[i]!.map((v) => [...p, v]));
  });
  return points;
}

/** The template, host and scenario fields of one grid point. */
export function applySettings(
  keys: readonly SweepKey[],
  point: readonly unknown[],
  template: Record<string, unknown>,
  host: Record<string, unknown>,
  scenario: Record<string, unknown>,
): { template: Record<string, unknown>; host: Record<string, unknown>; scenario: Record<string, unknown> } {
  const out = { template: { ...template }, host: { ...host }, scenario: { ...scenario } };
  keys.forEach(({ target, field }, i) => {
    out[target === 'vm' ? 'template' : target][field] = point[i];
  });
  return out;
}

/**
 * Checks a plan against the published schema (every field; errors name the path), then by the rules a schema cannot
 * say (the library's own settings rules, one question, durations inside the run), and fills in its defaults.
 * @throws PlanError naming the field.
 * @example
 * const plan = checkPlan(JSON.parse(readFileSync('plan.json', 'utf8'))); // defaults filled in, or a PlanError
 */
export function checkPlan(input: unknown): ResolvedPlan {
  const plan = objectAt(input, '');
  const problem = checkSchema(plan, PLAN_SCHEMA as Schema, PLAN_SCHEMA as Schema);
  if (problem) throw new PlanError(problem.path, problem.message);
  known(plan, PLAN_FIELDS, '');
  if (plan.name !== undefined && typeof plan.name !== 'string') throw new PlanError('name', 'expected a string.');
  const durationSeconds = parseDuration(plan.duration ?? '24h', 'duration');
  if (durationSeconds <= 0) throw new PlanError('duration', 'must be more than 0.');
  const scenario = plan.scenario === undefined ? {} : objectAt(plan.scenario, 'scenario');
  checkScenarioFields(scenario, 'scenario');

  const profile = objectAt(plan.profile, 'profile');
  known(profile, PROFILE_FIELDS, 'profile');
  if (typeof profile.traces !== 'string' || profile.traces === '') {
    throw new PlanError('profile.traces', 'expected a folder or glob of trace files.');
  }
  const template = profile.template === undefined ? {} : objectAt(profile.template, 'profile.template');
  booleanAt(profile.maximumFromProvisioned, 'profile.maximumFromProvisioned');
  booleanAt(profile.skipIdle, 'profile.skipIdle');
  if (profile.copyShift !== undefined) parseDuration(profile.copyShift, 'profile.copyShift');
  if (profile.staticMB !== undefined) {
    wholeAt(profile.staticMB, 'profile.staticMB', 32);
    if ((profile.staticMB as number) % 2 !== 0) throw new PlanError('profile.staticMB', 'must be a multiple of 2 MB.');
  }

  const hosts = plan.hosts === undefined ? 1 : wholeAt(plan.hosts, 'hosts', 1);
  const host = objectAt(plan.host, 'host');
  if ('name' in host) throw new PlanError('host.name', 'hosts are named host-1, host-2, ... by the plan.');
  const resolvedHost = checkHost(host, hosts, 'host');
  checkTemplate(template, vmMemoryLimit(resolvedHost), 'profile.template');

  const interval = typeof scenario.balancerIntervalSeconds === 'number' ? scenario.balancerIntervalSeconds : 1;
  const targets = resolveTargets(plan.targets, durationSeconds, interval, hosts);
  const question = resolveQuestion(plan.question, { host, hosts, template, maxVm: vmMemoryLimit(resolvedHost) });
  return {
    name: (plan.name as string | undefined) ?? 'plan',
    durationSeconds,
    scenario: scenario as Partial<Scenario> as Record<string, unknown>,
    profile: profile as unknown as PlanProfile,
    host: host as unknown as Plan['host'],
    hosts,
    targets,
    question,
  };
}
