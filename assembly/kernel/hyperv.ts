// Hyper-V's balancer: one tick of one host, as named passes over the host's VMs. Portable (asc and tsc): this is
// the JS engine's tick, and the Wasm core's code for what its lane-parallel tick (assembly/simd/) leaves to
// scalar code. Every amount is whole MB, so sums are exact in any order and the two agree bit for bit.

import * as balloon from './balloon.ts';
import * as jit from './jit.ts';
import * as order from './order.ts';
import * as store from './store.ts';
import { HostStore, VmStore } from './store.ts';
import * as tiers from './tiers.ts';
import * as rules from './vm-rules.ts';
import * as waterfill from './waterfill.ts';

// Imports bound to module consts, which V8 treats as constants in the passes' loops (see jit.ts).
const balloonCut = balloon.balloonCut;
const balloonStep = balloon.balloonStep;
const physicalCut = balloon.physicalCut;
const settled = balloon.settled;
const hostEndVm = jit.hostEndVm;
const hostFirstVm = jit.hostFirstVm;
const unboxed = jit.unboxed;
const greater = order.greater;
const lesser = order.lesser;
const BALANCED = store.BALANCED;
const NOT_BALANCED = store.NOT_BALANCED;
const NOT_SAMPLED = store.NOT_SAMPLED;
const OFF = store.OFF;
const RUNNING = store.RUNNING;
const STARTING = store.STARTING;
const waterFill = waterfill.waterFill;
const afterBalloon = rules.afterBalloon;
const freeFraction = rules.freeFraction;
const PREPARE_MOVE = tiers.PREPARE_MOVE;
const rampDemand = rules.rampDemand;
const setTierNeed = rules.setTierNeed;
const shareOfFree = rules.shareOfFree;
const targetOf = rules.targetOf;
const TIER_BUFFER = tiers.TIER_BUFFER;
const TIER_DEMAND = tiers.TIER_DEMAND;
const TIER_MINIMUM = tiers.TIER_MINIMUM;
const tierBase = rules.tierBase;
const tierTop = rules.tierTop;

/** What the goals pass finds on a host (one tick). */
export class GoalSums {
  /** Memory of VMs the balancer leaves alone (booting, static). */
  heldOutside: f64 = 0;
  balancedCount: f64 = 0;
  lower: f64 = 0;
  demandLevel: f64 = 0;
  target: f64 = 0;
  /** What the move keeps and wants if every VM gets its target (right unless memory is short). */
  kept: f64 = 0;
  wanted: f64 = 0;
  /** VMs whose demand ramps (a timer: no tick after one is quiet). */
  ramping: f64 = 0;
  /** What the last tick run (of any host) needed after its goals pass: pass 1 prepares the same (see `goals`).
   * Right on every tick of a host but its first in a call, unless the host's state changes. */
  prepared: i32 = PREPARE_MOVE;
}

/** What the move-and-count pass finds on a host (one tick). */
export class MoveSums {
  held: f64 = 0;
  paged: f64 = 0;
  /** Demand and memory of the balanced VMs (for the system pressure). */
  demand: f64 = 0;
  guestMemory: f64 = 0;
  added: f64 = 0;
  removed: f64 = 0;
  addOps: f64 = 0;
  removeOps: f64 = 0;
  /** Σ (demand − memory) and count of the VMs short of their demand. */
  shortfall: f64 = 0;
  shortCount: f64 = 0;
  /** VMs whose physical or Smart Paging memory changed. */
  moved: f64 = 0;
}

/** What the boots that finished on a host this tick took back at once (see `trimAtBoot`), and whether the tick
 * found a VM booting. */
export class BootSums {
  trimmed: f64 = 0;
  trims: f64 = 0;
  booting: bool = false;
}

/** Whether a tick must look for booting VMs: not when it follows a tick of the same host in the same call that
 * found none (nothing starts a VM within a call; the kernel only ends boots). */
export function mayBeBooting(follows: bool): bool {
  return !follows || bootSums.booting;
}

/** The tier's needs of what the tier sharing finds. */
export class TierSums {
  weightedNeed: f64 = 0;
  unweightedNeed: f64 = 0;
}

// A tick's scratch sums, one set per instance of the core. (They are `let` for `useSums`.)
export let goalSums = new GoalSums();
export let moveSums = new MoveSums();
export let tierSums = new TierSums();
export let bootSums = new BootSums();

/** Tick with another set of scratch sums: a helper instance of the threaded core shares the first instance's
 * memory and must not allocate (its start function never runs), so it takes a set the first one made for it. */
export function useSums(goals: GoalSums, moves: MoveSums, tiers: TierSums, boots: BootSums): void {
  goalSums = goals;
  moveSums = moves;
  tierSums = tiers;
  bootSums = boots;
}

/** Whether a VM of from..to is booting (then `finishBoots` runs before the goals). */
export function anyStarting(v: VmStore, from: i32, to: i32): bool {
  const state = v.state;
  for (let i = from; i < to; i++) if (state[i]! == STARTING) return true;
  return false;
}

/** A guest whose Dynamic Memory components have just reported holds no more than its effective maximum from
 * then on: memory above it goes at once (Smart Paging first), as when the guest maximum is lowered while the VM
 * runs, not at the balloon rate. Returns the MB removed. */
function trimAtBoot(v: VmStore, i: i32): f64 {
  const excess = v.assigned[i]! + v.smartPaging[i]! - v.ceiling[i]!;
  if (excess <= 0.0) return 0.0;
  const fromPaging = lesser(v.smartPaging[i]!, excess);
  v.smartPaging[i] = v.smartPaging[i]! - fromPaging;
  v.assigned[i] = v.assigned[i]! - (excess - fromPaging);
  v.removed[i]! += excess;
  v.removeOps[i]! += 1.0;
  return excess;
}

/** Boot countdowns: a VM whose guest reports this tick runs, balanced from this tick on (and trimmed to its
 * effective maximum) if it is dynamic. A start still gathering its startup RAM has not begun to boot. */
function finishBoots(v: VmStore, from: i32, to: i32, dt: f64): void {
  const state = v.state;
  const bootLeft = v.bootLeft;
  const gatherNeed = v.gatherNeed;
  let trimmed = 0.0;
  let trims = 0.0;
  for (let i = from; i < to; i++) {
    if (state[i]! != STARTING || gatherNeed[i]! > 0.0) continue;
    const left = bootLeft[i]! - dt;
    bootLeft[i] = left > 0.0 ? left : 0.0;
    if (left > 0.0) continue;
    state[i] = RUNNING;
    if (v.dynamic[i]! == 0.0) continue;
    v.balanced[i] = BALANCED;
    const cut = trimAtBoot(v, i);
    if (cut > 0.0) {
      trimmed += cut;
      trims += 1.0;
    }
  }
  bootSums.trimmed = trimmed;
  bootSums.trims = trims;
}

/** A tick's boots: counted down when `booting` (a VM of from..to is), else none finished; noted for the next
 * tick (see `mayBeBooting`). */
export function countDownBoots(v: VmStore, from: i32, to: i32, dt: f64, booting: bool): void {
  bootSums.booting = booting;
  if (booting) {
    finishBoots(v, from, to, dt);
    return;
  }
  bootSums.trimmed = 0.0;
  bootSums.trims = 0.0;
}

/** Pass 1: demand ramps, and each balanced VM's goal is its target; sums for the allocation; and what `prepare`
 * says (as `keptAndWanted` or `tierNeeds` would; a wrong guess costs a pass, never a different result). One loop
 * per kind of preparation: a loop serving both grows past what V8 inlines into it, and its helpers become calls
 * (a linear 8,000-VM day took a fifth longer). */
export function goals(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, prepare: i32): void {
  if (prepare == PREPARE_MOVE) goalsForMove(v, h, host, from, to, dt);
  else goalsForTier(v, from, to, dt, prepare);
}

/** `goals` preparing the move: what it keeps and wants if every VM gets its target. */
function goalsForMove(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dtArgument: f64): void {
  const dt = unboxed(dtArgument);
  const balanced = v.balanced;
  const demand = v.demand;
  const goal = v.goal;
  const assigned = v.assigned;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const buffer = v.buffer;
  const smartPaging = v.smartPaging;
  const balloonRate = v.balloonRate;
  const balloonLimit = v.balloonLimit;
  const hostRate = h.balloonRate[host]!;
  const hysteresis = h.hysteresis[host]!;
  let heldOutside = 0.0;
  let balancedCount = 0.0;
  let sumLower = 0.0;
  let sumDemandLevel = 0.0;
  let sumTarget = 0.0;
  let ramping = 0.0;
  let kept = 0.0;
  let wanted = 0.0;
  for (let i = from; i < to; i++) {
    ramping += rampDemand(v, i, dt);
    if (balanced[i]! == NOT_BALANCED) {
      heldOutside += assigned[i]!; // 0 for a VM that is off
      goal[i] = 0.0;
      continue;
    }
    const lo = floor[i]!;
    const hi = ceiling[i]!;
    const d = demand[i]!;
    const target = targetOf(d, buffer[i]!, lo, hi);
    balancedCount += 1.0;
    sumLower += lo;
    sumDemandLevel += lesser(hi, greater(lo, d));
    sumTarget += target;
    goal[i] = target;
    const phys = assigned[i]!;
    const paged = smartPaging[i]!;
    if (settled(phys, paged, target, hysteresis)) {
      kept += phys;
      continue;
    }
    const left = afterBalloon(phys, paged, target, balloonStep(hostRate, balloonRate[i]!, dt), balloonLimit[i]!);
    kept += left;
    wanted += greater(0.0, target - left);
  }
  goalSums.kept = kept;
  goalSums.wanted = wanted;
  recordGoalSums(heldOutside, balancedCount, sumLower, sumDemandLevel, sumTarget, ramping);
}

/** `goals` preparing the sharing of `tier`: each VM's row in it, as `tierNeeds` sets them. */
function goalsForTier(v: VmStore, from: i32, to: i32, dtArgument: f64, tier: i32): void {
  const dt = unboxed(dtArgument);
  const balanced = v.balanced;
  const demand = v.demand;
  const assigned = v.assigned;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const buffer = v.buffer;
  let heldOutside = 0.0;
  let balancedCount = 0.0;
  let sumLower = 0.0;
  let sumDemandLevel = 0.0;
  let sumTarget = 0.0;
  let ramping = 0.0;
  let weightedNeed = 0.0;
  let unweightedNeed = 0.0;
  for (let i = from; i < to; i++) {
    ramping += rampDemand(v, i, dt);
    if (balanced[i]! == NOT_BALANCED) {
      heldOutside += assigned[i]!; // 0 for a VM that is off
      setTierNeed(v, i, 0.0, 0.0);
      continue;
    }
    const lo = floor[i]!;
    const hi = ceiling[i]!;
    const d = demand[i]!;
    const target = targetOf(d, buffer[i]!, lo, hi);
    const demandLevel = lesser(hi, greater(lo, d));
    balancedCount += 1.0;
    sumLower += lo;
    sumDemandLevel += demandLevel;
    sumTarget += target;
    const base = tierBase(tier, lo, demandLevel);
    const top = tierTop(tier, lo, demandLevel, target);
    if (setTierNeed(v, i, base, top) > 0.0) weightedNeed += top - base;
    else unweightedNeed += top - base;
  }
  tierSums.weightedNeed = weightedNeed;
  tierSums.unweightedNeed = unweightedNeed;
  recordGoalSums(heldOutside, balancedCount, sumLower, sumDemandLevel, sumTarget, ramping);
}

/** What both kinds of goals pass find. */
function recordGoalSums(
  heldOutside: f64,
  balancedCount: f64,
  lower: f64,
  demandLevel: f64,
  target: f64,
  ramping: f64,
): void {
  const s = goalSums;
  s.heldOutside = heldOutside;
  s.balancedCount = balancedCount;
  s.lower = lower;
  s.demandLevel = demandLevel;
  s.target = target;
  s.ramping = ramping;
}

/** The tier that does not fit in `pool`, given the goals pass's sums (the targets do not all fit). */
export function tierFor(pool: f64): i32 {
  if (goalSums.demandLevel <= pool) return TIER_BUFFER;
  if (goalSums.lower <= pool) return TIER_DEMAND;
  return TIER_MINIMUM; // minimums do not fit (admission control prevents this): share the whole pool by weight
}

/** The pool the tier shares: what is left above the tier's base. */
export function tierPool(tier: i32, pool: f64): f64 {
  if (tier == TIER_BUFFER) return pool - goalSums.demandLevel;
  if (tier == TIER_DEMAND) return pool - goalSums.lower;
  return pool > 0.0 ? pool : 0.0;
}

/** Pass 2a: each balanced VM's goal drops to the tier's base, its need is the tier's width, and its share weight
 * and ratio are set for the weighted sharing. (Pass 1 does it when the tier was predicted.) */
export function tierNeeds(v: VmStore, from: i32, to: i32, tier: i32): void {
  const balanced = v.balanced;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const demand = v.demand;
  const buffer = v.buffer;
  let weightedNeed = 0.0;
  let unweightedNeed = 0.0;
  for (let i = from; i < to; i++) {
    let base = 0.0;
    let top = 0.0;
    if (balanced[i]! == BALANCED) {
      const lo = floor[i]!;
      const hi = ceiling[i]!;
      const d = demand[i]!;
      const demandLevel = lesser(hi, greater(lo, d));
      base = tierBase(tier, lo, demandLevel);
      top = tierTop(tier, lo, demandLevel, targetOf(d, buffer[i]!, lo, hi));
    }
    const n = top - base;
    if (setTierNeed(v, i, base, top) > 0.0) weightedNeed += n;
    else unweightedNeed += n;
  }
  tierSums.weightedNeed = weightedNeed;
  tierSums.unweightedNeed = unweightedNeed;
}

/** Each balanced VM's goal is its target again (after pass 1 prepared a tier that, as it turned out, fits). */
export function targets(v: VmStore, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    v.goal[i] = v.balanced[i]! == BALANCED ? targetOf(v.demand[i]!, v.buffer[i]!, v.floor[i]!, v.ceiling[i]!) : 0.0;
  }
}

/** Pass 2c: what the move keeps and wants with the goals the allocation set (pass 1 finds it when the targets
 * were predicted to fit and did). */
export function keptAndWanted(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dtArgument: f64): void {
  const dt = unboxed(dtArgument);
  const goal = v.goal;
  const assigned = v.assigned;
  const smartPaging = v.smartPaging;
  const balanced = v.balanced;
  const balloonRate = v.balloonRate;
  const balloonLimit = v.balloonLimit;
  const hostRate = h.balloonRate[host]!;
  const hysteresis = h.hysteresis[host]!;
  let kept = 0.0;
  let wanted = 0.0;
  for (let i = from; i < to; i++) {
    if (balanced[i]! == NOT_BALANCED) continue;
    const g = goal[i]!;
    const phys = assigned[i]!;
    const paged = smartPaging[i]!;
    if (settled(phys, paged, g, hysteresis)) {
      kept += phys;
      continue;
    }
    const left = afterBalloon(phys, paged, g, balloonStep(hostRate, balloonRate[i]!, dt), balloonLimit[i]!);
    kept += left;
    wanted += greater(0.0, g - left);
  }
  goalSums.kept = kept;
  goalSums.wanted = wanted;
}

/**
 * Pass 3: move toward the goals, balloon down first (at most the VM's step, Smart Paging memory first), then hand
 * out what is free (each the same fraction of what it wants), and update every counter.
 *
 * What is handed out never exceeds `free`: every amount is whole MB and the wants add up to `wanted` exactly, so
 * with fraction = free / wanted the rounded products add up to less than free + 1 (free < 2^51 MB), and their
 * floors, whole, to at most free. A broken invariant fails loudly (`checkHandedOut`).
 */
export function moveAndCount(
  v: VmStore,
  h: HostStore,
  host: i32,
  from: i32,
  to: i32,
  dtArgument: f64,
  alphaArgument: f64,
  free: f64,
): void {
  const fraction = unboxed(freeFraction(free, goalSums.wanted));
  const dt = unboxed(dtArgument);
  const alpha = unboxed(alphaArgument);
  const state = v.state;
  const balanced = v.balanced;
  const assigned = v.assigned;
  const smartPaging = v.smartPaging;
  const goal = v.goal;
  const demand = v.demand;
  const minPressure = v.minPressure;
  const avgPressure = v.avgPressure;
  const maxPressure = v.maxPressure;
  const pressure = v.pressure;
  const guestVisible = v.guestVisible;
  const smartPagingMBs = v.smartPagingMBs;
  const balloonRate = v.balloonRate;
  const balloonLimit = v.balloonLimit;
  const vmAdded = v.added;
  const vmAddOps = v.addOps;
  const vmRemoved = v.removed;
  const vmRemoveOps = v.removeOps;
  const hostRate = h.balloonRate[host]!;
  const hysteresis = h.hysteresis[host]!;
  const m = moveSums;
  let held = 0.0;
  let pagedSum = 0.0;
  let balancedDemand = 0.0;
  let balancedMemory = 0.0;
  let added = 0.0;
  let removed = 0.0;
  let addOps = 0.0;
  let removeOps = 0.0;
  let shortfall = 0.0;
  let shortCount = 0.0;
  let moved = 0.0;
  let given = 0.0;
  for (let i = from; i < to; i++) {
    if (state[i]! == OFF) continue;
    let phys = assigned[i]!;
    let paged = smartPaging[i]!;
    let grew = 0.0;
    let shrunk = 0.0;
    const isBalanced = balanced[i]! == BALANCED;
    if (isBalanced && !settled(phys, paged, goal[i]!, hysteresis)) {
      const g = goal[i]!;
      const cut = balloonCut(phys, paged, g, balloonStep(hostRate, balloonRate[i]!, dt));
      const fromPaging = lesser(paged, cut);
      const fromPhys = physicalCut(phys, paged, cut, balloonLimit[i]!);
      shrunk = fromPaging + fromPhys;
      paged -= fromPaging;
      phys -= fromPhys;
      const give = shareOfFree(greater(0.0, g - phys), fraction);
      given += give;
      // Memory given while Smart Paging is in use replaces paging memory first (the guest's total grows only
      // by what exceeds it).
      const before = phys + paged;
      phys += give;
      const after = greater(before, phys);
      paged = after - phys;
      grew = after - before;
      if (phys != assigned[i]! || paged != smartPaging[i]!) moved += 1.0;
      assigned[i] = phys;
      smartPaging[i] = paged;
    }
    if (grew > 0.0) {
      vmAdded[i]! += grew;
      vmAddOps[i]! += 1.0;
      added += grew;
      addOps += 1.0;
    }
    if (shrunk > 0.0) {
      vmRemoved[i]! += shrunk;
      vmRemoveOps[i]! += 1.0;
      removed += shrunk;
      removeOps += 1.0;
    }
    const guestMemory = phys + paged;
    const d = demand[i]!;
    const now = guestMemory > 0.0 ? (100.0 * d) / guestMemory : 0.0;
    pressure[i] = now;
    if (minPressure[i]! == NOT_SAMPLED) {
      avgPressure[i] = now;
      minPressure[i] = now;
      maxPressure[i] = now;
    } else {
      avgPressure[i]! += alpha * (now - avgPressure[i]!);
      if (now < minPressure[i]!) minPressure[i] = now;
      if (now > maxPressure[i]!) maxPressure[i] = now;
    }
    if (guestMemory > guestVisible[i]!) guestVisible[i] = guestMemory;
    if (d > guestMemory) {
      shortCount += 1.0;
      shortfall += d - guestMemory;
    }
    if (paged > 0.0) smartPagingMBs[i]! += paged * dt;
    held += phys;
    pagedSum += paged;
    if (isBalanced) {
      balancedDemand += d;
      balancedMemory += guestMemory;
    }
  }
  m.held = held;
  m.paged = pagedSum;
  m.demand = balancedDemand;
  m.guestMemory = balancedMemory;
  m.added = added;
  m.removed = removed;
  m.addOps = addOps;
  m.removeOps = removeOps;
  m.shortfall = shortfall;
  m.shortCount = shortCount;
  m.moved = moved;
  checkHandedOut(given, free);
}

/** The move never hands out more than is free (see `moveAndCount`). */
export function checkHandedOut(given: f64, free: f64): void {
  if (given > free) throw new Error('dynmem: the move handed out more than is free');
}

/** The host's counters and run totals after a tick, from the move pass's sums. */
export function countHostTick(h: HostStore, host: i32, dt: f64, alpha: f64): void {
  const m = moveSums;
  const available = h.memory[host]! - h.reserve[host]! - h.movingIn[host]! - m.held;
  if (available < h.minAvailable[host]!) h.minAvailable[host] = available;
  h.held[host] = m.held;
  const systemPressure = m.guestMemory > 0.0 ? (100.0 * m.demand) / m.guestMemory : 0.0;
  h.systemPressure[host] = systemPressure;
  if (h.elapsed[host]! == 0.0) h.avgPressure[host] = systemPressure;
  else h.avgPressure[host]! += alpha * (systemPressure - h.avgPressure[host]!);
  h.added[host]! += m.added;
  h.removed[host]! += bootSums.trimmed + m.removed;
  h.addOps[host]! += m.addOps;
  h.removeOps[host]! += bootSums.trims + m.removeOps;
  h.elapsed[host]! += dt;
  h.pressureSeconds[host]! += systemPressure * dt;
  if (systemPressure > h.peakPressure[host]!) h.peakPressure[host] = systemPressure;
  h.assignedMBs[host]! += m.held * dt;
  h.smartPagingMBs[host]! += m.paged * dt;
  if (m.paged > h.peakSmartPaging[host]!) h.peakSmartPaging[host] = m.paged;
  h.pagingMBs[host]! += m.shortfall * dt;
  h.shortVmSeconds[host]! += m.shortCount * dt;
  // A pool without a balanced VM has no pressure to range over (its 0 is "none", not a low).
  if (m.guestMemory > 0.0) {
    if (systemPressure > h.spanMaxPressure[host]!) h.spanMaxPressure[host] = systemPressure;
    if (systemPressure < h.spanMinPressure[host]!) h.spanMinPressure[host] = systemPressure;
  }
  if (m.held > h.spanMaxHeld[host]!) h.spanMaxHeld[host] = m.held;
  if (m.held < h.spanMinHeld[host]!) h.spanMinHeld[host] = m.held;
  if (m.paged > h.spanMaxPaged[host]!) h.spanMaxPaged[host] = m.paged;
  if (m.shortCount > h.spanMaxShort[host]!) h.spanMaxShort[host] = m.shortCount;
}

/** Memory the balancer can hand out on a host: all but the reserve, what is kept for VMs moving in and what the
 * VMs it leaves alone hold. */
export function balancerPool(h: HostStore, host: i32): f64 {
  return h.memory[host]! - h.reserve[host]! - h.movingIn[host]! - goalSums.heldOutside;
}

/** Whether the tick moved no memory and no timer runs on the host (no boot counting down, no demand ramp, no
 * Smart Paging): then every later tick until the next outside change is the same as this one (see
 * `fastForward`). */
export function quietTick(booting: bool): bool {
  return !booting && goalSums.ramping == 0.0 && moveSums.moved == 0.0 && moveSums.paged == 0.0;
}

/** base^k by repeated squaring: the same products in the same order in both engines. `k` is a whole number of
 * ticks up to 2^53 (a double: a call may run more ticks than an i32 holds), halved exactly by floor(k / 2). */
export function powerOf(base: f64, k: f64): f64 {
  let result = 1.0;
  let square = base;
  let e = k;
  while (e > 0.0) {
    const half = Math.floor(e * 0.5);
    if (e != half + half) result *= square;
    square *= square;
    e = half;
  }
  return result;
}

/**
 * After a quiet tick, the `ticks` ticks that follow it in closed form: nothing moves, every pressure stays, so
 * the moving averages decay toward the pressures (p + (average − p)·(1 − α)^k), minimums, maximums and memory
 * counters stay, and the run totals grow linearly.
 */
export function fastForward(v: VmStore, h: HostStore, host: i32, ticks: f64, dt: f64, alpha: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const decay = powerOf(1.0 - alpha, ticks);
  const state = v.state;
  const pressure = v.pressure;
  const avgPressure = v.avgPressure;
  for (let i = from; i < to; i++) {
    if (state[i]! == OFF) continue;
    const p = pressure[i]!;
    avgPressure[i] = p + (avgPressure[i]! - p) * decay;
  }
  const m = moveSums;
  const span = ticks * dt;
  const systemPressure = h.systemPressure[host]!;
  h.avgPressure[host] = systemPressure + (h.avgPressure[host]! - systemPressure) * decay;
  h.elapsed[host]! += span;
  h.pressureSeconds[host]! += systemPressure * span;
  h.assignedMBs[host]! += m.held * span;
  h.pagingMBs[host]! += m.shortfall * span;
  h.shortVmSeconds[host]! += m.shortCount * span;
}

/**
 * Whether the goals the last tick set still hold: it was this host's tick (`follows`), no demand ramps and no
 * VM boots. Goals depend on demands, settings, states and the pool only; within one call nothing but a ramp or
 * a boot changes those, and the move changes only the memory of balanced VMs, which no goal depends on. Then
 * the tick skips the goals and the sharing (after a step in held demand, the ticks that follow while memory
 * settles), and the goal sums of the last tick stand too. It relies on host-major order (`tick`): the Wasm passes
 * write the row past a host with an odd number of VMs, the next host's first, whose own ticks all come later.
 */
export function goalsHold(follows: bool, booting: bool): bool {
  return follows && !booting && goalSums.ramping == 0.0;
}

/** One Hyper-V balancer tick of host `host` (VMs from..to), `follows` as `HypervTick`. Returns whether the tick
 * was quiet. */
export function hypervTick(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64, follows: bool): bool {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const booting = mayBeBooting(follows) && anyStarting(v, from, to);
  countDownBoots(v, from, to, dt, booting);
  if (goalsHold(follows, booting)) keptAndWanted(v, h, host, from, to, dt);
  else setGoals(v, h, host, from, to, dt);
  moveAndCount(v, h, host, from, to, dt, alpha, greater(0.0, balancerPool(h, host) - goalSums.kept));
  countHostTick(h, host, dt, alpha);
  return quietTick(booting);
}

/** Passes 1 and 2: the goals, shared by tier when the targets do not all fit, and what the move keeps and
 * wants. */
function setGoals(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  const prepared = goalSums.prepared;
  goals(v, h, host, from, to, dt, prepared);
  const pool = balancerPool(h, host);
  const shared = goalSums.balancedCount > 0.0 && goalSums.target > pool;
  goalSums.prepared = shared ? tierFor(pool) : PREPARE_MOVE;
  if (shared) {
    const tier = tierFor(pool);
    if (tier != prepared) tierNeeds(v, from, to, tier);
    h.waterLevel[host] = waterFill(
      v,
      from,
      to,
      tierPool(tier, pool),
      h.waterLevel[host]!,
      tierSums.weightedNeed,
      tierSums.unweightedNeed,
    );
  }
  if (!shared && prepared != PREPARE_MOVE) targets(v, from, to);
  if (shared || prepared != PREPARE_MOVE) keptAndWanted(v, h, host, from, to, dt);
}
