// Starting, restarting and stopping VMs: finding startup RAM (free memory first, then reclaim from running
// VMs of lower or equal memory priority, lowest weight first, never below a minimum nor past what a balloon driver
// gives). A start waits while that memory is ballooned out at the balloon rate, up to the host's start timeout; a
// restart takes it at once and bridges the rest with Smart Paging. All of it comes from one memory pool: the VM's
// host, or its NUMA node when the host's nodes balance on their own (a start picks the node).

import { BALANCED } from '../engine/store.ts';
import { DynamicMemoryError, outOfMemory } from '../errors.ts';
import { ceilingOf, floorOf } from '../settings.ts';
import { type Fleet, isOn, OFF, type VmRecord } from './fleet.ts';

/** What a reclaim would take from each VM, decided before anything changes. */
interface ReclaimPlan {
  takes: { slot: number; mb: number }[];
  total: number;
}

/** The lowest memory a reclaim may leave a running VM: its minimum (startup RAM for a guest without Dynamic
 * Memory), or its balloon driver's limit when higher. VMs the balancer leaves alone (booting, static, or held
 * still by a live migration) and a stuck driver give nothing. */
function reclaimFloor(fleet: Fleet, slot: number): number | undefined {
  const v = fleet.store.vms;
  if (v.balanced[slot] !== BALANCED || v.balloonRate[slot] === 0) return undefined;
  return Math.max(v.floor[slot]!, v.balloonLimit[slot]!);
}

/**
 * Whether a VM of memory weight `donorWeight` may give memory to a VM of weight `claimantWeight` that starts (or
 * restarts): only to a claimant of higher or equal priority, and never to one of the lowest priority (weight 0).
 * Ben Armstrong, "What is memory priority" (2010): what is taken from running VMs for a start "depends on the
 * memory priority of the new virtual machine", unless it "has a very low memory priority".
 */
export function mayReclaimFrom(claimantWeight: number, donorWeight: number): boolean {
  return claimantWeight > 0 && donorWeight <= claimantWeight;
}

/** Plan to free up to `wanted` MB in a memory pool for the VM in slot `claimant` from the pool's other running
 * Dynamic Memory VMs (each at most what its balloon gives in `ticks` ticks, less `balloonedAlready` of it; all it
 * can give by default), by the
 * host's policy: nothing under static (every VM holds its startup RAM), donors in
 * proportion to their excess over preference under qmemman (Qubes knows no priority), else from the VMs of lower
 * or equal weight than the claimant's (none for weight 0), lowest weight first, never below a minimum; never past
 * a balloon driver's limit, nothing from a stuck driver. */
function planReclaim(
  fleet: Fleet,
  pool: number,
  wanted: number,
  claimant: number,
  ticks = Infinity,
  balloonedAlready: (slot: number) => number = () => 0,
): ReclaimPlan {
  const options = fleet.hosts[fleet.hostOfPool(pool)]!.options;
  const policy = options.policy;
  const dt = fleet.balancer.balancerIntervalSeconds;
  if (policy.name === 'static') return { takes: [], total: 0 };
  const v = fleet.store.vms;
  const claimantWeight = v.weight[claimant]!;
  const candidates: { slot: number; spare: number; weight: number }[] = [];
  for (const slot of fleet.slotsInPool(pool)) {
    const floor = slot === claimant ? undefined : reclaimFloor(fleet, slot);
    if (floor === undefined) continue;
    if (policy.name !== 'qmemman' && !mayReclaimFrom(claimantWeight, v.weight[slot]!)) continue;
    // qmemman takes down to its preference, but never past what the balloon driver gives.
    const least =
      policy.name === 'qmemman' ? Math.max(fleet.store.qmemmanPreferredMB(slot, pool), v.balloonLimit[slot]!) : floor;
    const above = v.assigned[slot]! - least;
    const spare =
      ticks === Infinity
        ? above
        : Math.min(
            above,
            ticks * fleet.store.balloonStepMB(slot, options.balloonRateMBps, dt) - balloonedAlready(slot),
          );
    if (spare > 0) candidates.push({ slot, spare, weight: v.weight[slot]! });
  }
  if (policy.name === 'qmemman') return planDonations(candidates, wanted);
  candidates.sort((a, b) => a.weight - b.weight || b.spare - a.spare || a.slot - b.slot);
  const plan: ReclaimPlan = { takes: [], total: 0 };
  for (const c of candidates) {
    if (plan.total >= wanted) break;
    const mb = Math.min(c.spare, wanted - plan.total);
    plan.takes.push({ slot: c.slot, mb });
    plan.total += mb;
  }
  return plan;
}

/** qmemman's start: each donor gives its excess × wanted / Σ excess, 5 % more against rounding (never more than
 * its excess); when the donors' excess is short of `wanted`, nothing is taken and the start fails. */
function planDonations(donors: { slot: number; spare: number }[], wanted: number): ReclaimPlan {
  const excess = donors.reduce((sum, d) => sum + d.spare, 0);
  if (excess < wanted) return { takes: [], total: 0 };
  const plan: ReclaimPlan = { takes: [], total: 0 };
  for (const d of donors) {
    const mb = Math.min(d.spare, Math.ceil(((d.spare * wanted) / excess) * 1.05));
    plan.takes.push({ slot: d.slot, mb });
    plan.total += mb;
  }
  return plan;
}

/** Balloon the planned memory out of each VM (its Smart Paging goes first) and count it. */
function applyReclaim(fleet: Fleet, pool: number, plan: ReclaimPlan): void {
  for (const { slot, mb } of plan.takes) fleet.store.balloonOut(slot, pool, mb);
}

/** Physical memory for `wanted` MB more in a memory pool (the VM's own unless given): free memory first, then
 * reclaim. Returns what could be found (≤ wanted) and a commit function; nothing changes until commit. */
function findMemory(
  fleet: Fleet,
  record: VmRecord,
  wanted: number,
  pool = fleet.poolOf(record),
): { found: number; commit: () => void } {
  const free = Math.max(0, fleet.availableInPool(pool));
  if (free >= wanted) return { found: wanted, commit: () => {} };
  const plan = planReclaim(fleet, pool, wanted - free, record.slot);
  // qmemman's donors may give a little more than asked: that is free memory afterwards
  return { found: Math.min(wanted, free + plan.total), commit: () => applyReclaim(fleet, pool, plan) };
}

/** Startup RAM for a VM that is off, on the node a start picks: the NUMA node with the most available memory
 * where it fits (free memory, then reclaim; ties: the lowest node), or the host's one pool. Returns the node and
 * the commit, or undefined when no node has room. */
function findStartupMemory(fleet: Fleet, record: VmRecord): { node: number; commit: () => void } | undefined {
  const startup = record.settings.startupMB;
  const host = fleet.hosts[record.host]!;
  if (host.poolCount === 1) {
    const memory = findMemory(fleet, record, startup, host.firstPool);
    return memory.found >= startup ? { node: 0, commit: memory.commit } : undefined;
  }
  for (const node of fleet.nodesByAvailableMemory(record.host)) {
    const memory = findMemory(fleet, record, startup, host.firstPool + node);
    if (memory.found >= startup) return { node, commit: memory.commit };
  }
  return undefined;
}

/** A fresh boot: the VM holds startup RAM (part of it possibly in Smart Paging) for the boot duration. */
function boot(fleet: Fleet, record: VmRecord, physicalMB: number, smartPagingMB: number): void {
  fleet.store.boot(record.slot, physicalMB, smartPagingMB, fleet.balancer.bootSeconds);
}

function checkHostUp(fleet: Fleet, record: VmRecord): void {
  const host = fleet.hosts[record.host]!;
  if (host.failed) {
    throw new DynamicMemoryError(
      'InvalidState',
      `Host '${host.options.name}' has failed: VM '${record.name}' cannot start there.`,
      { vm: record.name, host: host.options.name },
    );
  }
}

/** Whether starts on the host wait for reclaimed memory at the balloon rate: Hyper-V's. Under a peer policy
 * reclaimed memory is taken at once (the peers' start timing is not modelled). */
function startsGather(fleet: Fleet, host: number): boolean {
  return fleet.hosts[host]!.options.policy.name === 'hyperv';
}

/** Ticks a start on the host may wait for its memory: its start timeout in whole ticks (at least one). */
function startTimeoutTicks(fleet: Fleet, host: number): number {
  const ticks = fleet.hosts[host]!.options.startTimeoutSeconds / fleet.balancer.balancerIntervalSeconds;
  return Math.max(1, Math.ceil(ticks - 1e-9));
}

/** The NUMA node (or the host's one pool) where a start that must reclaim gathers: the first, most available
 * memory first, where free memory and what may be reclaimed (all of it, or what the donors balloon out within
 * `ticks`) cover the startup RAM; undefined when none does. */
function gatheringNode(fleet: Fleet, record: VmRecord, ticks = Infinity): number | undefined {
  const startup = record.settings.startupMB;
  const firstPool = fleet.hosts[record.host]!.firstPool;
  return fleet.nodesByAvailableMemory(record.host).find((node) => {
    const free = Math.max(0, fleet.availableInPool(firstPool + node));
    return free + planReclaim(fleet, firstPool + node, startup - free, record.slot, ticks).total >= startup;
  });
}

/**
 * Start a VM that is off. Its startup RAM from free memory is instantaneous. Otherwise the rest is reclaimed from
 * running VMs of lower or equal weight: the VM is Starting, holds the free memory at once and gathers the rest as
 * it is ballooned out of them, tick by tick (see gatherStep); its boot begins when it has all of it. Never Smart
 * Paging. Throws OutOfMemory (and changes nothing) when free memory and all that may be reclaimed fall short.
 * `homeOnFailure`: where the VM goes back if the start times out (default: the host it is on).
 */
export function startVm(fleet: Fleet, record: VmRecord, homeOnFailure = record.host): void {
  const v = fleet.store.vms;
  if (v.state[record.slot] !== OFF) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' is already running.`, { vm: record.name });
  }
  checkHostUp(fleet, record);
  const startup = record.settings.startupMB;
  const fitsFree = fleet.largestAvailablePool(record.host) >= startup;
  if (fitsFree || !startsGather(fleet, record.host)) {
    const memory = findStartupMemory(fleet, record);
    if (!memory) throw outOfMemory(record.name, startup, fleet.hosts[record.host]!.options.name);
    memory.commit();
    if (memory.node !== record.node) fleet.moveVm(record, record.host, memory.node);
    boot(fleet, record, startup, 0);
    return;
  }
  const node = gatheringNode(fleet, record);
  if (node === undefined) throw outOfMemory(record.name, startup, fleet.hosts[record.host]!.options.name);
  if (node !== record.node) fleet.moveVm(record, record.host, node);
  const free = Math.max(0, fleet.availableTo(record));
  fleet.store.beginGathering(record.slot, free, startup - free, startTimeoutTicks(fleet, record.host));
  fleet.gathering.set(record, homeOnFailure);
}

/**
 * After every tick while starts gather, each (in the order they began) takes what is free in its pool, then
 * what the VMs of lower or equal weight give by ballooning this tick (each at most its balloon step: the host's
 * rate, capped by its driver's; never below a minimum or a driver's limit). A start with all its memory begins to
 * boot; one whose timeout runs out first fails with OutOfMemory: it goes off (back where it was) and what it
 * held is free.
 */
export function gatherStep(fleet: Fleet, balloonedByBalancer: (pool: number, slot: number) => number): void {
  const taken = new Map<number, number>(); // MB each donor's balloon gave the starts this tick
  for (const [record, home] of [...fleet.gathering]) {
    const v = fleet.store.vms;
    const i = record.slot;
    const pool = fleet.poolOf(record);
    const ballooned = (slot: number) => balloonedByBalancer(pool, slot) + (taken.get(slot) ?? 0);
    const need = v.gatherNeed[i]!;
    const free = Math.min(need, Math.max(0, fleet.availableInPool(pool)));
    // one tick of each donor's balloon, less what it gave the balancer or another start this tick
    const plan = free < need ? planReclaim(fleet, pool, need - free, i, 1, ballooned) : { takes: [], total: 0 };
    for (const { slot, mb } of plan.takes) taken.set(slot, (taken.get(slot) ?? 0) + mb);
    applyReclaim(fleet, pool, plan);
    fleet.store.gather(i, free + plan.total, fleet.balancer.bootSeconds);
    if (v.gatherNeed[i]! <= 0) fleet.gathering.delete(record);
    else if (fleet.store.gatherTicked(i) <= 0) failGathering(fleet, record, home);
  }
}

/** A gathering start given the rest of its memory at once (a VM taken as already running): free memory, then
 * everything it may reclaim, which start() checked covers it. */
function gatherAtOnce(fleet: Fleet, record: VmRecord): void {
  const i = record.slot;
  const pool = fleet.poolOf(record);
  const need = fleet.store.vms.gatherNeed[i]!;
  const free = Math.min(need, Math.max(0, fleet.availableInPool(pool)));
  const plan = planReclaim(fleet, pool, need - free, i);
  applyReclaim(fleet, pool, plan);
  fleet.store.gather(i, Math.min(need, free + plan.total), fleet.balancer.bootSeconds);
  fleet.gathering.delete(record);
}

/** A start that timed out: off, its memory free, back on the host it was on before; the failure is recorded. */
function failGathering(fleet: Fleet, record: VmRecord, home: number): void {
  const host = fleet.hosts[record.host]!.options.name;
  fleet.gathering.delete(record);
  fleet.store.stop(record.slot);
  if (home !== record.host) fleet.moveVm(record, home);
  const error = outOfMemory(record.name, record.settings.startupMB, host);
  fleet.startFailures.push({ vm: record.name, host, atSeconds: fleet.timeSeconds, error });
}

/**
 * Whether a start would succeed right now, without changing anything: the startup RAM is free, or (where starts
 * gather) free memory and what the VMs it may reclaim from can balloon out within the start timeout cover it.
 */
export function canStart(fleet: Fleet, record: VmRecord): boolean {
  if (fleet.largestAvailablePool(record.host) >= record.settings.startupMB) return true;
  if (!startsGather(fleet, record.host)) return findStartupMemory(fleet, record) !== undefined;
  return gatheringNode(fleet, record, startTimeoutTicks(fleet, record.host)) !== undefined;
}

/**
 * Restart a running VM: it needs its startup RAM again. Free memory first, then reclaim; only what neither
 * can supply is backed by Smart Paging (at most startup − minimum, since the VM still holds its minimum).
 */
export function restartVm(fleet: Fleet, record: VmRecord): void {
  const v = fleet.store.vms;
  const i = record.slot;
  if (!isOn(v.state[i]!)) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' is off: start it instead of restarting it.`, {
      vm: record.name,
    });
  }
  if (fleet.gathering.has(record)) {
    throw new DynamicMemoryError(
      'InvalidState',
      `VM '${record.name}' is still starting (waiting for ${v.gatherNeed[i]} MB of its startup memory): stop it or wait.`,
      { vm: record.name },
    );
  }
  fleet.moves.end(record, 'cancelled'); // the reboot stays on the source
  const startup = record.settings.startupMB;
  const held = v.assigned[i]!;
  if (held >= startup) {
    boot(fleet, record, startup, 0); // the reboot gives back anything above startup RAM
    return;
  }
  const memory = findMemory(fleet, record, startup - held);
  memory.commit();
  boot(fleet, record, held + memory.found, startup - held - memory.found);
}

export function stopVm(fleet: Fleet, record: VmRecord): void {
  const i = record.slot;
  if (fleet.store.vms.state[i] === OFF) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' is already off.`, { vm: record.name });
  }
  fleet.gathering.delete(record);
  fleet.moves.end(record, 'cancelled');
  fleet.store.stop(i);
}

/**
 * A running VM's guest stops supporting Dynamic Memory (OS install or upgrade): it needs exactly its startup
 * RAM now, found like a start (free, then reclaim). Returns a commit function, or throws OutOfMemory.
 */
export function planStartupHold(fleet: Fleet, record: VmRecord): () => void {
  const v = fleet.store.vms;
  const i = record.slot;
  const startup = record.settings.startupMB;
  // Physical memory counts, not Smart Paging: a booting VM bridged by Smart Paging needs the rest found too, or
  // once booted it would hold startup RAM the host does not have and push others below their minimums.
  const short = startup - v.assigned[i]!;
  // a start still gathering gathers the whole startup RAM anyway
  if (!isOn(v.state[i]!) || v.dynamic[i] === 0 || short <= 0 || fleet.gathering.has(record)) return () => {};
  const memory = findMemory(fleet, record, short);
  if (memory.found < short) throw outOfMemory(record.name, startup, fleet.hosts[record.host]!.options.name);
  return () => {
    memory.commit();
    fleet.store.holdStartup(i, startup);
  };
}

/** After a guest change lowers a running VM's ceiling, the memory above it is taken back at once (Smart
 * Paging first), so no VM is ever above its effective maximum. */
export function trimToCeiling(fleet: Fleet, record: VmRecord): void {
  if (fleet.store.vms.dynamic[record.slot] === 0) return;
  fleet.store.trimTo(record.slot, fleet.poolOf(record), ceilingOf(record.settings));
}

/**
 * A VM that has just started is taken as already running, holding `assignedMB` (clamped to its range and to the
 * memory free): for replaying a recording that begins with the VMs up.
 */
export function resumeRunning(fleet: Fleet, record: VmRecord, assignedMB: number): void {
  const i = record.slot;
  const s = record.settings;
  if (fleet.gathering.has(record)) gatherAtOnce(fleet, record);
  if (!s.dynamicMemory) {
    fleet.store.resume(i);
    return;
  }
  const wanted = Math.min(ceilingOf(s), Math.max(floorOf(s), assignedMB));
  const held = fleet.store.vms.assigned[i]!;
  const target = wanted > held ? held + Math.min(wanted - held, Math.max(0, fleet.availableTo(record))) : wanted;
  fleet.store.resume(i, target, Math.max(s.startupMB, target));
}
