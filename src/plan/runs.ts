// From a point of the plan to the scenario it runs, the key that names its result, and the verdict on its metrics.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario, ScenarioEvent, ScenarioFleet } from '../sim/scenario.ts';
import { type LoadedProfile, sha256 } from './profile.ts';
import { PROFILE_TRACES, type RunTask } from './run-task.ts';
import type { PlanRun, ResolvedTargets, RunMetrics, RunPoint } from './types.ts';
import { applySettings, type ResolvedPlan, sweepKey } from './validate.ts';

export const hostName = (plan: ResolvedPlan, i: number): string => (plan.hosts > 1 ? `host-${i + 1}` : 'host');

/** The fleet of a run: the profile's template with Dynamic Memory, or the same VMs at their static size. */
function fleetFor(plan: ResolvedPlan, point: RunPoint, template: Record<string, unknown>): ScenarioFleet {
  const p = plan.profile;
  const fleet: ScenarioFleet = {
    traces: PROFILE_TRACES,
    count: point.vms,
    startSpread: plan.targets.startSpreadSeconds,
    ...(p.copyShift !== undefined ? { copyShift: p.copyShift } : {}),
    ...(p.skipIdle !== undefined ? { skipIdle: p.skipIdle } : {}),
  };
  if (point.variant === 'dynamic') {
    return { ...fleet, template, ...(p.maximumFromProvisioned ? { maximumFromProvisioned: true } : {}) };
  }
  // Without Dynamic Memory a VM holds its startup RAM: minimum, maximum and buffer mean nothing.
  const { minimumMB: _min, maximumMB: _max, bufferPercent: _buffer, ...rest } = template;
  const sized = p.staticMB !== undefined ? { startupMB: p.staticMB } : {};
  return {
    ...fleet,
    template: { ...rest, ...sized, dynamicMemory: false },
    ...(p.staticMB === undefined && p.maximumFromProvisioned ? { startupFromProvisioned: true } : {}),
  };
}

/**
 * The restart wave's events: VM k restarts at `at` + k × spread / count. VMs are named as the run's fleet names them
 * (trace VM, then `#copy` for the copies, in the order of the usable traces).
 */
function restartEvents(plan: ResolvedPlan, point: RunPoint, usable: LoadedProfile['usable']): ScenarioEvent[] {
  const wave = plan.targets.restarts;
  if (!wave) return [];
  return Array.from({ length: point.vms }, (_, k) => {
    const copy = Math.floor(k / usable.length);
    const vm = `${usable[k % usable.length]!.vm}${copy > 0 ? `#${copy}` : ''}`;
    return { at: wave.atSeconds + Math.floor((k * wave.spreadSeconds) / point.vms), action: 'restart', vm };
  });
}

/** The scenario of one run. */
export function runScenario(plan: ResolvedPlan, point: RunPoint, usable: LoadedProfile['usable']): Scenario {
  const keys = Object.keys(point.settings).map(sweepKey);
  const applied = applySettings(
    keys,
    Object.values(point.settings),
    { ...plan.profile.template },
    { ...plan.host },
    plan.scenario,
  );
  const host = { ...applied.host, memoryMB: point.hostMemoryMB };
  const duration = point.failHost ? plan.targets.failoverAtSeconds : plan.durationSeconds;
  const events: ScenarioEvent[] = [
    ...restartEvents(plan, point, usable).filter((e) => (e.at as number) < duration),
    ...(point.failHost ? [{ at: duration, action: 'failHost' as const, host: point.failHost }] : []),
  ];
  return {
    ...applied.scenario,
    name: plan.name,
    // An N+1 run ends when the host has failed and its VMs have been restarted elsewhere (or not).
    duration,
    hosts: Array.from({ length: plan.hosts }, (_, i) => ({ ...host, name: hostName(plan, i) })),
    fleets: [fleetFor(plan, point, applied.template)],
    events,
    perVmSeries: false,
  };
}

/** JSON with object keys sorted, so equal inputs hash equally whatever order they were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

let identity: Promise<string> | undefined;

/**
 * What dynmem's simulation is made of here: the hash of its compiled code (the Wasm core and every module). A run
 * computed by other code is another run, so results never outlive the code that made them.
 */
export function codeIdentity(): Promise<string> {
  identity ??= (async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const files: string[] = [join(root, 'package.json'), join(root, 'build/release.wasm')];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.js')) files.push(path);
      }
    };
    await walk(join(root, 'dist'));
    const parts = await Promise.all(files.map(async (f) => sha256(await readFile(f))));
    return sha256(parts.join('\n'));
  })();
  return identity;
}

/** The task of one run and its key: the hash of everything its result depends on. */
export function taskFor(
  plan: ResolvedPlan,
  profile: LoadedProfile,
  point: RunPoint,
  code: string,
): { task: RunTask; key: string } {
  const scenario = runScenario(plan, point, profile.usable);
  const staticMB = plan.profile.staticMB;
  const key = sha256(canonicalJson({ code, scenario, traces: profile.refs, staticMB }));
  return {
    task: {
      scenario,
      traces: profile.refs,
      code,
      files: profile.files,
      ...(staticMB !== undefined ? { staticMB } : {}),
    },
    key,
  };
}

/** The targets a run misses, in words (none: it passes). */
export function missedTargets(metrics: RunMetrics, targets: ResolvedTargets, point: RunPoint): string[] {
  const missed: string[] = [];
  if (metrics.shortfallPercent > targets.shortfallPercent) {
    missed.push(
      `demand above memory ${metrics.shortfallPercent.toFixed(3)} % of VM-seconds (target ≤ ${targets.shortfallPercent} %)`,
    );
  }
  if (metrics.startFailures > 0) missed.push(`${metrics.startFailures} start failure(s) in the boot storm`);
  if (metrics.restartFailures > 0) missed.push(`${metrics.restartFailures} restart(s) of the wave failed`);
  if (metrics.failoverFailed > 0) {
    missed.push(`${metrics.failoverFailed} VM(s) left off after ${point.failHost ?? 'a host'} failed`);
  }
  const bound =
    targets.smartPagingPeakMB === undefined ? Math.floor(point.hostMemoryMB / 10) : targets.smartPagingPeakMB;
  if (bound !== null && metrics.smartPagingPeakMB > bound) {
    missed.push(`Smart Paging peak ${metrics.smartPagingPeakMB} MB (bound ${bound} MB)`);
  }
  return missed;
}

export function judge(point: RunPoint, key: string, metrics: RunMetrics, targets: ResolvedTargets): PlanRun {
  const missed = missedTargets(metrics, targets, point);
  return { point, key, metrics, ok: missed.length === 0, missed };
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return canonicalJson(a).localeCompare(canonicalJson(b));
}

/** Grid points in the order of their settings' values, the first setting first. */
function compareSettings(a: Record<string, unknown>, b: Record<string, unknown>): number {
  for (const key of Object.keys(a)) {
    const c = compareValues(a[key], b[key]);
    if (c !== 0) return c;
  }
  return 0;
}

/** The fixed order of a plan's runs: variant, settings, VMs, host memory, then the base run before N+1 runs. */
export function compareRuns(a: PlanRun, b: PlanRun): number {
  const x = a.point;
  const y = b.point;
  return (
    (x.variant === y.variant ? 0 : x.variant === 'dynamic' ? -1 : 1) ||
    compareSettings(x.settings, y.settings) ||
    x.vms - y.vms ||
    x.hostMemoryMB - y.hostMemoryMB ||
    (x.failHost ?? '').localeCompare(y.failHost ?? '', 'en', { numeric: true })
  );
}
