// Starting, restarting and stopping VMs: finding startup RAM (free memory first, then reclaim from running
// VMs of lower or equal memory priority, lowest weight first, never below a minimum nor past what a balloon driver
// gives) and, on a restart only, Smart Paging for the rest. All of it comes from one memory pool: the VM's host, or
// its NUMA node when the host's nodes balance on their own (a start picks the node).
import { DynamicMemoryError, outOfMemory } from '../errors.ts';
import { ceilingOf, floorOf } from '../settings.ts';
import { type Fleet, isOn, OFF, RUNNING, type VmRecord } from './fleet.ts';

/** What a reclaim would take from each VM, decided before anything changes. */
interface ReclaimPlan {
  takes: { slot: number; mb: number }[];
  total: number;
}

/** The lowest memory a reclaim may leave a running VM: its minimum (startup RAM for a guest without Dynamic
 * Memory), or its balloon driver's limit when higher. Booting and static VMs, and a stuck driver, give nothing. */
function reclaimFloor(fleet: Fleet, slot: number): number | undefined {
  const v = fleet.store.vms;
  if (v.state[slot] !== RUNNING || v.dynamic[slot] === 0 || v.balloonRate[slot] === 0) return undefined;
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
 * Dynamic Memory VMs, by the host's policy: nothing under static (every VM holds its startup RAM), donors in
 * proportion to their excess over preference under qmemman (Qubes knows no priority), else from the VMs of lower
 * or equal weight than the claimant's (none for weight 0), lowest weight first, never below a minimum; never past
 * a balloon driver's limit, nothing from a stuck driver. */
function planReclaim(fleet: Fleet, pool: number, wanted: number, claimant: number): ReclaimPlan {
  const policy = fleet.hosts[fleet.hostOfPool(pool)]!.options.policy;
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
    const spare = v.assigned[slot]! - least;
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

/**
 * Start a VM that is off: its startup RAM from free memory, then by reclaiming from running VMs. Never Smart
 * Paging. Throws OutOfMemory (and changes nothing) when it does not fit.
 */
export function startVm(fleet: Fleet, record: VmRecord): void {
  const v = fleet.store.vms;
  if (v.state[record.slot] !== OFF) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' is already running.`, { vm: record.name });
  }
  checkHostUp(fleet, record);
  const startup = record.settings.startupMB;
  const memory = findStartupMemory(fleet, record);
  if (!memory) throw outOfMemory(record.name, startup, fleet.hosts[record.host]!.options.name);
  memory.commit();
  if (memory.node !== record.node) fleet.moveVm(record, record.host, memory.node);
  boot(fleet, record, startup, 0);
}

/** Whether a start would succeed right now, without changing anything. */
export function canStart(fleet: Fleet, record: VmRecord): boolean {
  return findStartupMemory(fleet, record) !== undefined;
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
  if (!isOn(v.state[i]!) || v.dynamic[i] === 0 || short <= 0) return () => {};
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
  if (!s.dynamicMemory) {
    fleet.store.resume(i);
    return;
  }
  const wanted = Math.min(ceilingOf(s), Math.max(floorOf(s), assignedMB));
  const held = fleet.store.vms.assigned[i]!;
  const target = wanted > held ? held + Math.min(wanted - held, Math.max(0, fleet.availableTo(record))) : wanted;
  fleet.store.resume(i, target, Math.max(s.startupMB, target));
}
