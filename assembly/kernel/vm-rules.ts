// One VM's rules in the balancer's passes: its ramped demand, its target, where it stands in the tier being
// shared, what it keeps after ballooning, and its share of free memory. Portable (asc and tsc); the passes in
// hyperv.ts run them over a host.
import * as balloon from './balloon.ts';
import * as order from './order.ts';
import * as store from './store.ts';
import { VmStore } from './store.ts';
import * as tiers from './tiers.ts';
import * as waterfill from './waterfill.ts';

// Imports bound to module consts, which V8 treats as constants in the passes' loops (see jit.ts).
const balloonCut = balloon.balloonCut;
const physicalCut = balloon.physicalCut;
const greater = order.greater;
const OFF = store.OFF;
const lesser = order.lesser;
const shareRatio = waterfill.shareRatio;
const weightedShare = waterfill.weightedShare;
const TIER_BUFFER = tiers.TIER_BUFFER;
const TIER_DEMAND = tiers.TIER_DEMAND;

/** Demand of a VM ramped by `rate` MB/s from `exact`, in whole MB (half up, never below zero). */
export function rampedDemand(exact: f64): f64 {
  return exact > 0.0 ? Math.floor(exact + 0.5) : 0.0;
}

/** Row i's demand ramped by its rate over `dt` seconds (a VM that is off keeps its demand); 1 if it ramps, else 0
 * (a ramp is a timer: no tick after one is quiet). */
export function rampDemand(v: VmStore, i: i32, dt: f64): f64 {
  const rate = v.demandRate[i]!;
  if (rate == 0.0 || v.state[i]! == OFF) return 0.0;
  const exact = v.demandExact[i]! + rate * dt;
  v.demandExact[i] = exact;
  v.demand[i] = rampedDemand(exact);
  return 1.0;
}

/** Target of a demand `d` with `buffer` percent: demand plus buffer, clamped to [lo, hi]. */
export function targetOf(d: f64, buffer: f64, lo: f64, hi: f64): f64 {
  return lesser(hi, greater(lo, d + Math.ceil((d * buffer) / 100.0)));
}

/** The base of a balanced VM in `tier`: what it is sure to get. */
export function tierBase(tier: i32, lo: f64, demandLevel: f64): f64 {
  if (tier == TIER_BUFFER) return demandLevel;
  if (tier == TIER_DEMAND) return lo;
  return 0.0;
}

/** The top of a balanced VM in `tier`: what it gets if the tier fits. */
export function tierTop(tier: i32, lo: f64, demandLevel: f64, target: f64): f64 {
  if (tier == TIER_BUFFER) return target;
  if (tier == TIER_DEMAND) return demandLevel;
  return lo;
}

/** Row i in the tier's sharing: its goal drops to `base`, its need is `top` − `base`, with its share weight and
 * ratio. Returns its share weight (0: it takes no part). */
export function setTierNeed(v: VmStore, i: i32, base: f64, top: f64): f64 {
  const n = top - base;
  v.goal[i] = base;
  v.need[i] = n;
  const w = weightedShare(n, v.weight[i]!);
  v.shareWeight[i] = w;
  v.ratio[i] = shareRatio(n, w);
  return w;
}

/** Physical memory a VM keeps after this tick's ballooning toward `goal`. */
export function afterBalloon(phys: f64, paged: f64, goal: f64, step: f64, limit: f64): f64 {
  return phys - physicalCut(phys, paged, balloonCut(phys, paged, goal, step), limit);
}

/** The share of free memory every VM gets of what it wants: 1 when all it wants is free, else free / wanted. */
export function freeFraction(free: f64, wanted: f64): f64 {
  return wanted > free ? free / wanted : 1.0;
}

/** What a VM that wants `want` MB is given when each gets `fraction` of what it wants, in whole MB. */
export function shareOfFree(want: f64, fraction: f64): f64 {
  return fraction < 1.0 ? Math.floor(want * fraction) : want;
}
