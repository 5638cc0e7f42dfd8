// Hyper-V's balancer tick for the Wasm core: the portable tick's passes (assembly/kernel/hyperv.ts) over f64x2
// lanes, with the same formulas in the same order, so both engines agree bit for bit (the differential tests
// prove it). Rare paths stay scalar and shared: boots finishing, weight-0 VMs sharing what the weighted ones
// leave, and a water level a hair too high (its hand-out taken back MB by MB).
import {
  balancerPool,
  countHostTick,
  countDownBoots,
  goalsHold,
  goalSums,
  mayBeBooting,
  checkHandedOut,
  moveSums,
  quietTick,
  tierFor,
  tierPool,
  tierSums,
  targets,
} from '../kernel/hyperv.ts';
import { PREPARE_MOVE, TIER_BUFFER, TIER_DEMAND, TIER_MINIMUM } from '../kernel/tiers.ts';
import { freeFraction } from '../kernel/vm-rules.ts';
import { greater } from '../kernel/order.ts';
import { HostStore, NOT_SAMPLED, VmStore } from '../kernel/store.ts';
import { fixUpHandOut, WATER_LEVEL_STEP_LIMIT, waterFill } from '../kernel/waterfill.ts';
import {
  at,
  BOTH_LANES,
  countIn,
  FIRST_LANE,
  INFINITY,
  keep,
  laneMax,
  laneMin,
  laneCount,
  laneSum,
  load2,
  max2,
  min2,
  ONE,
  ones,
  store2,
  validLanes,
  ZERO,
  HUNDRED,
} from './lanes.ts';

/** The lanes' balloon step: floor(min(host rate, VM rate) × dt), as `balloonStep`. */
// @ts-expect-error: decorator
@inline function balloonStep2(hostRate: v128, vmRate: v128, dt: v128): v128 {
  return f64x2.floor(f64x2.mul(min2(hostRate, vmRate), dt));
}

/** Lanes settled at their goal, as `settled`. */
// @ts-expect-error: decorator
@inline function settled2(phys: v128, paged: v128, goal: v128, hysteresis: v128): v128 {
  return v128.and(f64x2.eq(paged, ZERO), f64x2.le(f64x2.abs(f64x2.sub(goal, phys)), hysteresis));
}

/** The balloon cut, as `balloonCut`. */
// @ts-expect-error: decorator
@inline function balloonCut2(phys: v128, paged: v128, goal: v128, step: v128): v128 {
  return min2(step, max2(ZERO, f64x2.sub(f64x2.add(phys, paged), goal)));
}

/** The physical part of a cut, as `physicalCut`. */
// @ts-expect-error: decorator
@inline function physicalCut2(phys: v128, paged: v128, cut: v128, limit: v128): v128 {
  return min2(f64x2.sub(cut, min2(paged, cut)), max2(ZERO, f64x2.sub(phys, limit)));
}

/** Pass 1 over lanes, as `goals` (with what `prepare` says): a loop of its own for each kind of preparation, so
 * that each holds only its own sums and constants in registers. */
function goalsLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, prepare: i32): void {
  if (prepare == PREPARE_MOVE) goalsForMove(v, h, host, from, to, dt);
  else if (prepare == TIER_BUFFER) goalsForBuffer(v, h, host, from, to, dt);
  else if (prepare == TIER_DEMAND) goalsForDemand(v, h, host, from, to, dt);
  else goalsForMinimum(v, h, host, from, to, dt);
}

// One function per kind of preparation: inlined copies of one loop in one function, differing only in a constant,
// came out of Binaryen's -O3 passes as one loop testing the constant at run time; functions stay apart.
function goalsForMove(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  goalsLoop(v, h, host, from, to, dt, PREPARE_MOVE);
}
function goalsForBuffer(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  goalsLoop(v, h, host, from, to, dt, TIER_BUFFER);
}
function goalsForDemand(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  goalsLoop(v, h, host, from, to, dt, TIER_DEMAND);
}
function goalsForMinimum(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  goalsLoop(v, h, host, from, to, dt, TIER_MINIMUM);
}

/** `goalsLanes` for one kind of preparation (`prepare` a constant at each call, folded once inlined). */
// @ts-expect-error: decorator
@inline function goalsLoop(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, prepare: i32): void {
  const state = at(v.state);
  const balanced = at(v.balanced);
  const demand = at(v.demand);
  const demandExact = at(v.demandExact);
  const demandRate = at(v.demandRate);
  const goal = at(v.goal);
  const need = at(v.need);
  const shareWeight = at(v.shareWeight);
  const ratio = at(v.ratio);
  const weight = at(v.weight);
  const assigned = at(v.assigned);
  const smartPaging = at(v.smartPaging);
  const floor = at(v.floor);
  const ceiling = at(v.ceiling);
  const buffer = at(v.buffer);
  const balloonRate = at(v.balloonRate);
  const balloonLimit = at(v.balloonLimit);
  const moving = movingPairsOf(v, from);
  const hostRate = f64x2.splat(h.balloonRate[host]);
  const hysteresis = f64x2.splat(h.hysteresis[host]);
  const dt2 = f64x2.splat(dt);
  const half = f64x2.splat(0.5);
  let movingCount = 0;
  let heldOutside = ZERO;
  let balancedCount = ZERO;
  let sumLower = ZERO;
  let sumDemandLevel = ZERO;
  let sumTarget = ZERO;
  let kept = ZERO;
  let wanted = ZERO;
  let weightedNeed = ZERO;
  let unweightedNeed = ZERO;
  let ramping = ZERO;
  for (let i = from; i < to; i += 2) {
    const valid = validLanes(i, to);
    // demand ramps (VMs that are on); a pair without a ramp, as every pair under held demand, skips the writes
    const rate = load2(demandRate, i);
    let d = load2(demand, i);
    if (v128.any_true(f64x2.ne(rate, ZERO))) {
      const ramps = v128.and(v128.and(f64x2.ne(rate, ZERO), f64x2.ne(load2(state, i), ZERO)), valid);
      const exact = f64x2.add(load2(demandExact, i), f64x2.mul(rate, dt2));
      store2(demandExact, i, v128.bitselect(exact, load2(demandExact, i), ramps));
      const ramped = keep(f64x2.floor(f64x2.add(exact, half)), f64x2.gt(exact, ZERO));
      d = v128.bitselect(ramped, d, ramps);
      store2(demand, i, d);
      ramping = countIn(ramping, ramps);
    }
    // goals of the balanced VMs; the others' memory is held outside the pool
    const isBalanced = v128.and(f64x2.ne(load2(balanced, i), ZERO), valid);
    const phys = load2(assigned, i);
    heldOutside = f64x2.add(heldOutside, keep(v128.andnot(phys, isBalanced), valid));
    const lo = load2(floor, i);
    const hi = load2(ceiling, i);
    const demandLevel = min2(hi, max2(lo, d));
    balancedCount = countIn(balancedCount, isBalanced);
    sumLower = f64x2.add(sumLower, keep(lo, isBalanced));
    sumDemandLevel = f64x2.add(sumDemandLevel, keep(demandLevel, isBalanced));
    // (the demand and minimum tiers need no targets: see `targetsFit`)
    const target = targetsNeeded(prepare) ? target2(d, load2(buffer, i), lo, hi) : ZERO;
    if (targetsNeeded(prepare)) sumTarget = f64x2.add(sumTarget, keep(target, isBalanced));
    if (prepare == PREPARE_MOVE) {
      store2(goal, i, keep(target, isBalanced));
      const paged = load2(smartPaging, i);
      const step = balloonStep2(hostRate, load2(balloonRate, i), dt2);
      const left = f64x2.sub(phys, physicalCut2(phys, paged, balloonCut2(phys, paged, target, step), load2(balloonLimit, i)));
      const atGoal = settled2(phys, paged, target, hysteresis);
      kept = f64x2.add(kept, keep(v128.bitselect(phys, left, atGoal), isBalanced));
      wanted = f64x2.add(wanted, keep(v128.andnot(max2(ZERO, f64x2.sub(target, left)), atGoal), isBalanced));
      movingCount = listIfMoving(moving, movingCount, i, v128.andnot(isBalanced, atGoal));
    } else {
      const base = keep(tierBase2(prepare, lo, demandLevel), isBalanced);
      const n = f64x2.sub(keep(tierTop2(prepare, lo, demandLevel, target), isBalanced), base);
      const shares = setTierNeed2(goal, need, shareWeight, ratio, weight, i, base, n, dt2);
      weightedNeed = f64x2.add(weightedNeed, keep(n, shares));
      unweightedNeed = f64x2.add(unweightedNeed, v128.andnot(n, shares));
    }
  }
  const s = goalSums;
  s.heldOutside = laneSum(heldOutside);
  s.balancedCount = laneCount(balancedCount);
  s.lower = laneSum(sumLower);
  s.demandLevel = laneSum(sumDemandLevel);
  s.target = targetsNeeded(prepare) ? laneSum(sumTarget) : NaN;
  s.kept = laneSum(kept);
  s.wanted = laneSum(wanted);
  s.ramping = laneCount(ramping);
  laneMove.movingPairs = movingCount;
  tierSums.weightedNeed = laneSum(weightedNeed);
  tierSums.unweightedNeed = laneSum(unweightedNeed);
}

/** Whether the goals pass for `prepare` sums the targets: the move and the buffer tier use them. */
// @ts-expect-error: decorator
@inline function targetsNeeded(prepare: i32): bool {
  return prepare == PREPARE_MOVE || prepare == TIER_BUFFER;
}

/**
 * Whether the targets of from..to all fit in `pool`, as `goalSums.target <= pool`. A goals pass for the demand or
 * minimum tier does not sum the targets: each target is at least the VM's demand level (its demand plus a buffer
 * of at least 0, clamped to the same range), so when the demand levels do not fit neither do the targets; only
 * when they do (the tier changes) are the targets summed here.
 */
function targetsFit(v: VmStore, from: i32, to: i32, pool: f64): bool {
  if (isNaN(goalSums.target)) {
    if (goalSums.demandLevel > pool) return false;
    goalSums.target = sumTargetsLanes(v, from, to);
  }
  return goalSums.target <= pool;
}

/** Σ target of the balanced VMs of from..to, over lanes. */
function sumTargetsLanes(v: VmStore, from: i32, to: i32): f64 {
  const balanced = at(v.balanced);
  const floor = at(v.floor);
  const ceiling = at(v.ceiling);
  const demand = at(v.demand);
  const buffer = at(v.buffer);
  let sum = ZERO;
  for (let i = from; i < to; i += 2) {
    const isBalanced = v128.and(f64x2.ne(load2(balanced, i), ZERO), validLanes(i, to));
    sum = f64x2.add(sum, keep(target2(load2(demand, i), load2(buffer, i), load2(floor, i), load2(ceiling, i)), isBalanced));
  }
  return laneSum(sum);
}

/** The lanes' targets, as `targetOf`. */
// @ts-expect-error: decorator
@inline function target2(d: v128, buffer: v128, lo: v128, hi: v128): v128 {
  return min2(hi, max2(lo, f64x2.add(d, f64x2.ceil(f64x2.div(f64x2.mul(d, buffer), HUNDRED)))));
}

/** The lanes' base in `tier`, as `tierBase`. */
// @ts-expect-error: decorator
@inline function tierBase2(tier: i32, lo: v128, demandLevel: v128): v128 {
  if (tier == TIER_BUFFER) return demandLevel;
  if (tier == TIER_DEMAND) return lo;
  return ZERO;
}

/** The lanes' top in `tier`, as `tierTop`. */
// @ts-expect-error: decorator
@inline function tierTop2(tier: i32, lo: v128, demandLevel: v128, target: v128): v128 {
  if (tier == TIER_BUFFER) return target;
  if (tier == TIER_DEMAND) return demandLevel;
  return lo;
}

/** Rows i and i + 1 in the tier's sharing, as `setTierNeed` (columns by address); returns the lanes that take
 * part in the weighted sharing. `positive`: lanes above 0, whatever they hold (the loop's dt, say). */
// @ts-expect-error: decorator
@inline function setTierNeed2(goal: usize, need: usize, shareWeight: usize, ratio: usize, weight: usize, i: i32, base: v128, n: v128, positive: v128): v128 {
  store2(goal, i, base);
  store2(need, i, n);
  const w = load2(weight, i);
  const shares = v128.and(f64x2.gt(n, ZERO), f64x2.ne(w, ZERO));
  const sw = keep(w, shares);
  store2(shareWeight, i, sw);
  // a lane out of the sharing divides a `positive` lane by its share weight 0: +Infinity, with no Infinity to build
  store2(ratio, i, f64x2.div(v128.bitselect(n, positive, shares), sw));
  return shares;
}

/** Pass 2a over lanes, as `tierNeeds`. A lane outside the host gets no need (so no share weight). */
function tierNeedsLanes(v: VmStore, from: i32, to: i32, tier: i32): void {
  const goal = at(v.goal);
  const need = at(v.need);
  const shareWeight = at(v.shareWeight);
  const ratio = at(v.ratio);
  const weight = at(v.weight);
  const balanced = at(v.balanced);
  const floor = at(v.floor);
  const ceiling = at(v.ceiling);
  const demand = at(v.demand);
  const buffer = at(v.buffer);
  let weightedNeed = ZERO;
  let unweightedNeed = ZERO;
  for (let i = from; i < to; i += 2) {
    const isBalanced = v128.and(f64x2.ne(load2(balanced, i), ZERO), validLanes(i, to));
    const lo = load2(floor, i);
    const hi = load2(ceiling, i);
    const d = load2(demand, i);
    const demandLevel = min2(hi, max2(lo, d));
    const base = keep(tierBase2(tier, lo, demandLevel), isBalanced);
    const top = keep(tierTop2(tier, lo, demandLevel, target2(d, load2(buffer, i), lo, hi)), isBalanced);
    const n = f64x2.sub(top, base);
    const shares = setTierNeed2(goal, need, shareWeight, ratio, weight, i, base, n, ONE);
    weightedNeed = f64x2.add(weightedNeed, keep(n, shares));
    unweightedNeed = f64x2.add(unweightedNeed, v128.andnot(n, shares));
  }
  tierSums.weightedNeed = laneSum(weightedNeed);
  tierSums.unweightedNeed = laneSum(unweightedNeed);
}

/** The water level over lanes, as `waterLevel`. */
function waterLevelLanes(v: VmStore, from: i32, to: i32, pool: f64, start: f64): f64 {
  const need = at(v.need);
  const shareWeight = at(v.shareWeight);
  const ratio = at(v.ratio);
  let lambda = start > 0.0 ? start : 0.0;
  for (let step = 0; step < WATER_LEVEL_STEP_LIMIT; step++) {
    const level = f64x2.splat(lambda);
    let cappedNeed = ZERO;
    let openWeight = ZERO;
    let highestCapped = ZERO;
    let lowestOpen = INFINITY;
    for (let i = from; i < to; i += 2) {
      const r = load2(ratio, i);
      const capped = f64x2.le(r, level);
      cappedNeed = f64x2.add(cappedNeed, keep(load2(need, i), capped));
      openWeight = f64x2.add(openWeight, v128.andnot(load2(shareWeight, i), capped));
      highestCapped = max2(highestCapped, keep(r, capped));
      // a capped lane as NaN (its mask's bits), which pmin passes over: no Infinity to build in the loop
      lowestOpen = min2(lowestOpen, v128.or(r, capped));
    }
    const open = laneSum(openWeight);
    if (open == 0.0) {
      lambda = 0.0; // everything capped yet over the pool: the start was too high
      continue;
    }
    const next = (pool - laneSum(cappedNeed)) / open;
    if (next >= laneMax(highestCapped) && next < laneMin(lowestOpen)) return next;
    lambda = next;
  }
  throw new Error('dynmem: the water level did not converge');
}

/** The hand-out over lanes, as `handOut`: the shares at λ, then (in the pass that finds what the move keeps and
 * wants) the whole MB the floors lost. A λ a hair high, rare, is taken back by the scalar fix-up first. */
function handOutLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, pool: f64, lambda: f64, dt: f64): void {
  const need = at(v.need);
  const shareWeight = at(v.shareWeight);
  const share = at(v.share);
  const goal = at(v.goal);
  const level = f64x2.splat(lambda);
  let sum = ZERO;
  for (let i = from; i < to; i += 2) {
    const s = min2(load2(need, i), f64x2.floor(f64x2.mul(level, load2(shareWeight, i))));
    store2(share, i, s);
    store2(goal, i, f64x2.add(load2(goal, i), s));
    sum = f64x2.add(sum, s);
  }
  const given = laneSum(sum);
  if (given > pool) fixUpHandOut(v, from, to, pool, given); // leaves nothing to give
  keptAndWantedLanes(v, h, host, from, to, dt, given > pool ? 0.0 : pool - given);
}

/**
 * Pass 2c over lanes, as `keptAndWanted`, after giving out `rounding` MB as `fixUpHandOut` does: one each, in VM
 * order, to the VMs of the weighted sharing still short of their need (0 when no hand-out came before).
 */
function keptAndWantedLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, rounding: f64): void {
  const goal = at(v.goal);
  const assigned = at(v.assigned);
  const smartPaging = at(v.smartPaging);
  const balanced = at(v.balanced);
  const balloonRate = at(v.balloonRate);
  const balloonLimit = at(v.balloonLimit);
  const need = at(v.need);
  const shareWeight = at(v.shareWeight);
  const share = at(v.share);
  const moving = movingPairsOf(v, from);
  const hostRate = f64x2.splat(h.balloonRate[host]);
  const hysteresis = f64x2.splat(h.hysteresis[host]);
  const dt2 = f64x2.splat(dt);
  let movingCount = 0;
  let left = rounding;
  let kept = ZERO;
  let wanted = ZERO;
  for (let i = from; i < to; i += 2) {
    const valid = validLanes(i, to);
    const isBalanced = v128.and(f64x2.ne(load2(balanced, i), ZERO), valid);
    let g = load2(goal, i);
    if (left > 0.0) {
      // the rounding's MB while they last: both short lanes, or only the first when one MB is left for two
      const short = v128.and(v128.and(f64x2.gt(load2(shareWeight, i), ZERO), f64x2.lt(load2(share, i), load2(need, i))), valid);
      const bothShort = i64x2.bitmask(short) == 0b11;
      const gets = left > 1.0 || !bothShort ? short : v128.and(short, FIRST_LANE);
      g = f64x2.add(g, ones(gets));
      store2(goal, i, g);
      left -= <f64>popcnt(i64x2.bitmask(gets));
    }
    const phys = load2(assigned, i);
    const paged = load2(smartPaging, i);
    const step = balloonStep2(hostRate, load2(balloonRate, i), dt2);
    const keeps = f64x2.sub(phys, physicalCut2(phys, paged, balloonCut2(phys, paged, g, step), load2(balloonLimit, i)));
    const atGoal = settled2(phys, paged, g, hysteresis);
    kept = f64x2.add(kept, keep(v128.bitselect(phys, keeps, atGoal), isBalanced));
    wanted = f64x2.add(wanted, keep(v128.andnot(max2(ZERO, f64x2.sub(g, keeps)), atGoal), isBalanced));
    movingCount = listIfMoving(moving, movingCount, i, v128.andnot(isBalanced, atGoal));
  }
  goalSums.kept = laneSum(kept);
  goalSums.wanted = laneSum(wanted);
  laneMove.movingPairs = movingCount;
}

/** Where a host's list of moving pairs starts: the `movingPairs` column from the host's first row on (a host has
 * fewer pairs than rows, and hosts never share rows, so threads never share a list). */
// @ts-expect-error: decorator
@inline function movingPairsOf(v: VmStore, from: i32): usize {
  return at(v.movingPairs) + ((<usize>from) << 3);
}

/** Lists the pair at row `i` when a lane of `moves` is to move (written always, counted only then: no branch);
 * returns the count. The move visits only these pairs, in row order, so a settled pair costs it nothing and no
 * misprediction either. */
// @ts-expect-error: decorator
@inline function listIfMoving(list: usize, count: i32, i: i32, moves: v128): i32 {
  store<i32>(list + ((<usize>count) << 2), i);
  return count + <i32>v128.any_true(moves);
}

/** What the lanes' move handed out and counted. */
export class LaneMove {
  /** Pairs listed by the last kept/wanted pass as having a lane to move (see `listIfMoving`). */
  movingPairs: i32 = 0;
  given: f64 = 0;
  added: f64 = 0;
  removed: f64 = 0;
  addOps: f64 = 0;
  removeOps: f64 = 0;
  moved: f64 = 0;
}
let laneMove = new LaneMove();

/** Move with another scratch, as the kernel's `useSums`. */
export function useLaneMove(lanes: LaneMove): void {
  laneMove = lanes;
}

/**
 * Pass 3 over lanes, as `moveAndCount`: the move, then the counters, in two loops (one fused loop holds more
 * vectors than a CPU has registers, and the spills cost more than reading four columns twice).
 */
function moveAndCountLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, alpha: f64, free: f64): void {
  // two copies of the move loop, so that the one where all that is wanted is free has no floors in it
  const fraction = freeFraction(free, goalSums.wanted);
  if (fraction < 1.0) moveLanes(v, h, host, from, to, dt, fraction, true);
  else moveLanes(v, h, host, from, to, dt, fraction, false);
  const lanes = laneMove;
  checkHandedOut(lanes.given, free);
  const m = moveSums;
  m.held = m.paged = m.demand = m.guestMemory = m.shortfall = m.shortCount = 0.0;
  m.added = lanes.added;
  m.removed = lanes.removed;
  m.addOps = lanes.addOps;
  m.removeOps = lanes.removeOps;
  m.moved = lanes.moved;
  countLanes(v, from, to, dt, alpha);
}

/** The move of pass 3 over lanes: balloon down (Smart Paging first), then hand out what is free: all that each
 * wants, or with `partial` the floor of `fraction` of it. */
// @ts-expect-error: decorator
@inline function moveLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64, fraction: f64, partial: bool): void {
  const balanced = at(v.balanced);
  const assigned = at(v.assigned);
  const smartPaging = at(v.smartPaging);
  const goal = at(v.goal);
  const balloonRate = at(v.balloonRate);
  const balloonLimit = at(v.balloonLimit);
  const vmAdded = at(v.added);
  const vmAddOps = at(v.addOps);
  const vmRemoved = at(v.removed);
  const vmRemoveOps = at(v.removeOps);
  const hostRate = f64x2.splat(h.balloonRate[host]);
  const hysteresis = f64x2.splat(h.hysteresis[host]);
  const dt2 = f64x2.splat(dt);
  const part = f64x2.splat(fraction);
  const moving = movingPairsOf(v, from);
  const count = laneMove.movingPairs;
  let added = ZERO;
  let removed = ZERO;
  let addOps = ZERO;
  let removeOps = ZERO;
  let moved = ZERO;
  let given = ZERO;
  for (let k = 0; k < count; k++) {
    const i = load<i32>(moving + ((<usize>k) << 2));
    const isBalanced = v128.and(f64x2.ne(load2(balanced, i), ZERO), validLanes(i, to));
    const g = load2(goal, i);
    const phys0 = load2(assigned, i);
    const paged0 = load2(smartPaging, i);
    const moves = v128.andnot(isBalanced, settled2(phys0, paged0, g, hysteresis));
    // balloon down (Smart Paging first), then hand out what is free
    const step = balloonStep2(hostRate, load2(balloonRate, i), dt2);
    const cut = keep(balloonCut2(phys0, paged0, g, step), moves);
    const fromPaging = min2(paged0, cut);
    const fromPhys = physicalCut2(phys0, paged0, cut, load2(balloonLimit, i));
    const shrunk = f64x2.add(fromPaging, fromPhys);
    const paged1 = f64x2.sub(paged0, fromPaging);
    const phys1 = f64x2.sub(phys0, fromPhys);
    const want = max2(ZERO, f64x2.sub(g, phys1));
    const give = keep(partial ? f64x2.floor(f64x2.mul(want, part)) : want, moves);
    given = f64x2.add(given, give);
    const before = f64x2.add(phys1, paged1);
    const phys = f64x2.add(phys1, give);
    const after = max2(before, phys);
    const paged = f64x2.sub(after, phys);
    const grew = f64x2.sub(after, before);
    store2(assigned, i, v128.bitselect(phys, phys0, moves));
    store2(smartPaging, i, v128.bitselect(paged, paged0, moves));
    const changed = v128.or(f64x2.ne(phys, phys0), f64x2.ne(paged, paged0));
    moved = countIn(moved, v128.and(changed, moves));
    const grows = f64x2.gt(grew, ZERO);
    const shrinks = f64x2.gt(shrunk, ZERO);
    store2(vmAdded, i, f64x2.add(load2(vmAdded, i), keep(grew, grows)));
    store2(vmAddOps, i, f64x2.add(load2(vmAddOps, i), ones(grows)));
    store2(vmRemoved, i, f64x2.add(load2(vmRemoved, i), keep(shrunk, shrinks)));
    store2(vmRemoveOps, i, f64x2.add(load2(vmRemoveOps, i), ones(shrinks)));
    added = f64x2.add(added, keep(grew, grows));
    addOps = countIn(addOps, grows);
    removed = f64x2.add(removed, keep(shrunk, shrinks));
    removeOps = countIn(removeOps, shrinks);
  }
  const lanes = laneMove;
  lanes.given = laneSum(given);
  lanes.added = laneSum(added);
  lanes.removed = laneSum(removed);
  lanes.addOps = laneCount(addOps);
  lanes.removeOps = laneCount(removeOps);
  lanes.moved = laneCount(moved);
}

/** The counters of pass 3 over lanes, rows from..to after their move: pressure and its statistics, the memory the
 * guests see, shortfalls and Smart Paging time of the VMs that are on; adds the host's sums to moveSums. */
function countLanes(v: VmStore, from: i32, to: i32, dt: f64, alpha: f64): void {
  // every row balanced (as under contention): every VM is on, and the loop need not read whether
  if (goalSums.balancedCount == <f64>(to - from)) countAllBalanced(v, from, to, dt, alpha);
  else countSomeBalanced(v, from, to, dt, alpha);
}

/** Every row balanced: the whole pairs need no masks at all; the last row of a host with an odd number of VMs
 * (whose pair's second lane is not the host's) goes to the masked loop. */
function countAllBalanced(v: VmStore, from: i32, to: i32, dt: f64, alpha: f64): void {
  const pairsEnd = from + ((to - from) & ~1);
  countWholePairs(v, from, pairsEnd, dt, alpha);
  if (pairsEnd < to) countSomeBalanced(v, pairsEnd, to, dt, alpha);
}

// One function per case, as the goals passes (see goalsForMove).
function countWholePairs(v: VmStore, from: i32, to: i32, dt: f64, alpha: f64): void {
  countLoop(v, from, to, dt, alpha, true);
}
function countSomeBalanced(v: VmStore, from: i32, to: i32, dt: f64, alpha: f64): void {
  countLoop(v, from, to, dt, alpha, false);
}

/** `value` where `mask` is set, 0.0 elsewhere; `value` itself when `unmasked` (a constant: every lane is set). */
// @ts-expect-error: decorator
@inline function keepIn(value: v128, mask: v128, unmasked: bool): v128 {
  return unmasked ? value : keep(value, mask);
}

/** `value` where `mask` is set, `old` elsewhere; `value` itself when `unmasked` (a constant: every lane is set). */
// @ts-expect-error: decorator
@inline function selectIn(value: v128, old: v128, mask: v128, unmasked: bool): v128 {
  return unmasked ? value : v128.bitselect(value, old, mask);
}

/** `countLanes`, knowing (`wholePairs`, a constant at each call) that rows from..to are whole pairs of balanced
 * VMs, or nothing of them. */
// @ts-expect-error: decorator
@inline function countLoop(v: VmStore, from: i32, to: i32, dt: f64, alpha: f64, wholePairs: bool): void {
  const state = at(v.state);
  const balanced = at(v.balanced);
  const assigned = at(v.assigned);
  const smartPaging = at(v.smartPaging);
  const demand = at(v.demand);
  const pressure = at(v.pressure);
  const avgPressure = at(v.avgPressure);
  const minPressure = at(v.minPressure);
  const maxPressure = at(v.maxPressure);
  const guestVisible = at(v.guestVisible);
  const smartPagingMBs = at(v.smartPagingMBs);
  const dt2 = f64x2.splat(dt);
  const alpha2 = f64x2.splat(alpha);
  const notSampled = f64x2.splat(NOT_SAMPLED);
  let held = ZERO;
  let pagedSum = ZERO;
  let balancedDemand = ZERO;
  let balancedMemory = ZERO;
  let shortfall = ZERO;
  let shortCount = ZERO;
  for (let i = from; i < to; i += 2) {
    const valid = wholePairs ? BOTH_LANES : validLanes(i, to);
    const on = wholePairs ? valid : v128.and(f64x2.ne(load2(state, i), ZERO), valid);
    const isBalanced = wholePairs ? valid : v128.and(f64x2.ne(load2(balanced, i), ZERO), valid);
    const phys = load2(assigned, i);
    const paged = load2(smartPaging, i);
    const guestMemory = f64x2.add(phys, paged);
    const d = load2(demand, i);
    const now = keep(f64x2.div(f64x2.mul(HUNDRED, d), guestMemory), f64x2.gt(guestMemory, ZERO));
    store2(pressure, i, selectIn(now, wholePairs ? now : load2(pressure, i), on, wholePairs));
    const minP = load2(minPressure, i);
    const first = f64x2.eq(minP, notSampled);
    const avg = load2(avgPressure, i);
    const nextAvg = v128.bitselect(now, f64x2.add(avg, f64x2.mul(alpha2, f64x2.sub(now, avg))), first);
    store2(avgPressure, i, selectIn(nextAvg, avg, on, wholePairs));
    store2(minPressure, i, selectIn(v128.bitselect(now, min2(minP, now), first), minP, on, wholePairs));
    const maxP = load2(maxPressure, i);
    store2(maxPressure, i, selectIn(v128.bitselect(now, max2(maxP, now), first), maxP, on, wholePairs));
    const seen = load2(guestVisible, i);
    store2(guestVisible, i, selectIn(max2(seen, guestMemory), seen, on, wholePairs));
    const short = keepIn(f64x2.gt(d, guestMemory), on, wholePairs);
    shortCount = countIn(shortCount, short);
    shortfall = f64x2.add(shortfall, keep(f64x2.sub(d, guestMemory), short));
    const paging = keepIn(f64x2.gt(paged, ZERO), on, wholePairs);
    if (v128.any_true(paging)) {
      // rare: a pair without Smart Paging skips the column
      store2(smartPagingMBs, i, f64x2.add(load2(smartPagingMBs, i), keep(f64x2.mul(paged, dt2), paging)));
    }
    held = f64x2.add(held, keepIn(phys, on, wholePairs));
    pagedSum = f64x2.add(pagedSum, keepIn(paged, on, wholePairs));
    balancedDemand = f64x2.add(balancedDemand, keepIn(d, isBalanced, wholePairs));
    balancedMemory = f64x2.add(balancedMemory, keepIn(guestMemory, isBalanced, wholePairs));
  }
  const m = moveSums;
  m.held += laneSum(held);
  m.paged += laneSum(pagedSum);
  m.demand += laneSum(balancedDemand);
  m.guestMemory += laneSum(balancedMemory);
  m.shortfall += laneSum(shortfall);
  m.shortCount += laneCount(shortCount);
}

/** Whether a VM of from..to is booting, over lanes. */
function anyStartingLanes(v: VmStore, from: i32, to: i32): bool {
  const state = at(v.state);
  const starting = f64x2.splat(1.0);
  let found = ZERO;
  for (let i = from; i < to; i += 2) {
    found = v128.or(found, v128.and(f64x2.eq(load2(state, i), starting), validLanes(i, to)));
  }
  return v128.any_true(found);
}

/** One Hyper-V balancer tick of host `host`, as `hypervTick`. Returns whether the tick was quiet. */
export function hypervTickLanes(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64, follows: bool): bool {
  const from = <i32>h.hostStart[host];
  const to = <i32>h.hostEnd[host];
  const booting = mayBeBooting(follows) && anyStartingLanes(v, from, to);
  countDownBoots(v, from, to, dt, booting);
  if (goalsHold(follows, booting)) keptAndWantedLanes(v, h, host, from, to, dt, 0.0);
  else setGoalsLanes(v, h, host, from, to, dt);
  moveAndCountLanes(v, h, host, from, to, dt, alpha, greater(0.0, balancerPool(h, host) - goalSums.kept));
  countHostTick(h, host, dt, alpha);
  return quietTick(booting);
}

/** Passes 1 and 2 over lanes, as `setGoals`. */
function setGoalsLanes(v: VmStore, h: HostStore, host: i32, from: i32, to: i32, dt: f64): void {
  const prepared = goalSums.prepared;
  goalsLanes(v, h, host, from, to, dt, prepared);
  const pool = balancerPool(h, host);
  const shared = goalSums.balancedCount > 0.0 && !targetsFit(v, from, to, pool);
  goalSums.prepared = shared ? tierFor(pool) : PREPARE_MOVE;
  if (shared) {
    const tier = tierFor(pool);
    if (tier != prepared) tierNeedsLanes(v, from, to, tier);
    const tierShare = tierPool(tier, pool);
    const start = h.waterLevel[host];
    if (tierShare < tierSums.weightedNeed) {
      const lambda = waterLevelLanes(v, from, to, tierShare, start);
      handOutLanes(v, h, host, from, to, tierShare, lambda, dt);
      h.waterLevel[host] = lambda;
    } else {
      h.waterLevel[host] = waterFill(v, from, to, tierShare, start, tierSums.weightedNeed, tierSums.unweightedNeed);
      keptAndWantedLanes(v, h, host, from, to, dt, 0.0);
    }
  } else if (prepared != PREPARE_MOVE) {
    targets(v, from, to);
    keptAndWantedLanes(v, h, host, from, to, dt, 0.0);
  }
}
