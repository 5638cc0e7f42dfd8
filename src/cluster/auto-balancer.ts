// VM load balancing, Windows Server 2016's "node fairness" (cluster properties AutoBalancerMode and
// AutoBalancerLevel): its options, and the pass that moves VMs off hosts whose memory load is above the level.
import { DynamicMemoryError, shown } from '../errors.ts';
import { type Fleet, RUNNING, type VmRecord } from '../host/fleet.ts';
import type { HyperVVersion } from '../host/versions.ts';
import { vmMemoryLimit } from '../host/versions.ts';

/** 'disabled'; 'onJoin': balance when a host joins (recovers); 'always': on join and every 30 minutes. */
export type AutoBalancerMode = 'disabled' | 'onJoin' | 'always';
/** How loaded a host may be before VMs move off it: 'low' 80 %, 'medium' 70 %, 'high' 60 %. */
export type AutoBalancerLevel = 'low' | 'medium' | 'high';

export interface AutoBalancer {
  mode: AutoBalancerMode;
  level: AutoBalancerLevel;
}

const MODES: readonly AutoBalancerMode[] = ['disabled', 'onJoin', 'always'];

/** The memory load above which a host is balanced, per level (Microsoft's values). */
export const LOAD_THRESHOLD: Readonly<Record<AutoBalancerLevel, number>> = { low: 0.8, medium: 0.7, high: 0.6 };

/** Mode 'always' balances this often, simulated seconds (Microsoft: every 30 minutes). */
export const BALANCE_EVERY_SECONDS = 1800;

/** The most VMs one pass moves (dynmem's choice: Microsoft publishes no limit). */
export const MOVES_PER_PASS = 64;

/** Microsoft's default where the feature exists (Windows Server 2016 and later). */
const MICROSOFT_DEFAULT: AutoBalancer = { mode: 'always', level: 'low' };

/**
 * @internal
 * The cluster's autoBalancer option: Microsoft's default, or off when a member runs 2012 R2 (the feature came with
 * Windows Server 2016, and a cluster runs at its oldest member's level), where turning it on is refused.
 */
export function resolveAutoBalancer(value: unknown, versions: readonly HyperVVersion[]): AutoBalancer {
  const old = versions.includes('2012R2');
  if (value === undefined) return old ? { mode: 'disabled', level: 'low' } : { ...MICROSOFT_DEFAULT };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('autoBalancer', `autoBalancer must be an object { mode, level }, not ${shown(value)}.`);
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key !== 'mode' && key !== 'level') {
      throw bad(`autoBalancer.${key}`, `autoBalancer: unknown field ${shown(key)} (known: mode, level).`);
    }
  }
  const mode = given.mode ?? MICROSOFT_DEFAULT.mode;
  const level = given.level ?? MICROSOFT_DEFAULT.level;
  if (!MODES.includes(mode as AutoBalancerMode)) {
    throw bad('autoBalancer.mode', `autoBalancer.mode must be 'disabled', 'onJoin' or 'always', not ${shown(mode)}.`);
  }
  if (!Object.hasOwn(LOAD_THRESHOLD, level as string)) {
    throw bad('autoBalancer.level', `autoBalancer.level must be 'low', 'medium' or 'high', not ${shown(level)}.`);
  }
  if (mode !== 'disabled' && old) {
    throw bad(
      'autoBalancer.mode',
      `autoBalancer.mode ${shown(mode)} needs Windows Server 2016 or later: a member host runs 2012R2 (use 'disabled').`,
    );
  }
  return { mode: mode as AutoBalancerMode, level: level as AutoBalancerLevel };
}

function bad(field: string, message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', message, { field });
}

/** @internal What a pass needs of the cluster's live migrations. */
export interface Mover {
  /** Memory in use on a host as the balancer counts it: reserve + held + kept for VMs moving in − held by VMs
   * moving out (their move is under way), MB. */
  usedOn(host: number): number;
  /** Whether a VM may start a move now (running, not moving already). */
  canMove(record: VmRecord): boolean;
  /** Start moving a VM to `to`. */
  move(record: VmRecord, to: number): void;
}

/**
 * @internal
 * One balancing pass. While some live host's memory load (used ÷ memory) is above the level's threshold: take the
 * most loaded such host that has a VM to give, and the least loaded live host; move the running VM that best
 * evens the two hosts' loads among those that keep the target at or below the threshold (ties: the VM added
 * first). At most MOVES_PER_PASS moves. Costs O(hosts) per move plus a look at the source host's VMs.
 */
export function balancingPass(fleet: Fleet, level: AutoBalancerLevel, mover: Mover): void {
  const threshold = LOAD_THRESHOLD[level];
  const live = fleet.hosts.filter((h) => !h.failed).map((h) => h.index);
  if (live.length < 2) return;
  const used = new Map(live.map((host) => [host, mover.usedOn(host)]));
  const memory = (host: number) => fleet.hosts[host]!.options.memoryMB;
  const load = (host: number, deltaMB = 0) => (used.get(host)! + deltaMB) / memory(host);
  for (let moves = 0; moves < MOVES_PER_PASS; moves++) {
    let target = live[0]!;
    for (const host of live) if (load(host) < load(target)) target = host;
    const sources = live.filter((host) => host !== target && load(host) > threshold);
    sources.sort((a, b) => load(b) - load(a) || a - b);
    let chosen: { record: VmRecord; from: number; mb: number } | undefined;
    for (const from of sources) {
      const record = evenestMove(fleet, from, target, threshold, load, mover);
      if (record) {
        chosen = { record, from, mb: fleet.store.vms.assigned[record.slot]! };
        break;
      }
    }
    if (!chosen) return;
    mover.move(chosen.record, target);
    used.set(chosen.from, used.get(chosen.from)! - chosen.mb);
    used.set(target, used.get(target)! + chosen.mb);
  }
}

/** The VM of `from` whose move to `to` leaves the two loads closest, keeping `to` at or below the threshold. */
function evenestMove(
  fleet: Fleet,
  from: number,
  to: number,
  threshold: number,
  load: (host: number, deltaMB?: number) => number,
  mover: Mover,
): VmRecord | undefined {
  const v = fleet.store.vms;
  const limit = vmMemoryLimit(fleet.hosts[to]!.options);
  const free = fleet.largestAvailablePool(to); // a live migration lands on one NUMA node where nodes balance alone
  let best: VmRecord | undefined;
  let bestGap = Infinity;
  for (const record of fleet.hosts[from]!.members) {
    const i = record.slot;
    const mb = v.assigned[i]!;
    if (v.state[i] !== RUNNING || v.smartPaging[i]! > 0 || mb <= 0 || mb > free || !mover.canMove(record)) continue;
    if (record.settings.startupMB > limit(record.settings.generation)) continue; // placement's rule
    if (load(to, mb) > threshold) continue;
    const gap = Math.abs(load(from, -mb) - load(to, mb));
    if (gap < bestGap) {
      best = record;
      bestGap = gap;
    }
  }
  return best;
}
