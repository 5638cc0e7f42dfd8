// How fast a VM gives memory back. Portable (asc and tsc).
//
// Memory is removed by the guest's balloon driver at a finite rate and added at once when it is free. Smart
// Paging memory is removed first (shrinking the paging file frees no physical memory), and a driver with a limit
// stops at it.

import * as order from './order.ts';

// Imports bound to module consts, which V8 treats as constants in the passes' loops (see jit.ts).
const greater = order.greater;
const lesser = order.lesser;

/** MB the VM's balloon driver can give back in one tick of `dt` seconds: the host's rate, capped by the VM's own
 * (0: a stuck driver), in whole MB so that every amount stays whole. */
export function balloonStep(hostRate: f64, vmRate: f64, dt: f64): f64 {
  return Math.floor(lesser(hostRate, vmRate) * dt);
}

/** MB leaving a VM that holds `phys` + `paged` and is headed for `goal`: at most `step`, and never more than is
 * above the goal. */
export function balloonCut(phys: f64, paged: f64, goal: f64, step: f64): f64 {
  return lesser(step, greater(0.0, phys + paged - goal));
}

/** The physical part of a cut of `cut` MB: what Smart Paging does not cover, down to the driver's `limit`. */
export function physicalCut(phys: f64, paged: f64, cut: f64, limit: f64): f64 {
  return lesser(cut - lesser(paged, cut), greater(0.0, phys - limit));
}

/** A VM within `hysteresis` MB of its goal is left as it is (never while it uses Smart Paging). With the default
 * hysteresis of 0 only a VM exactly at its goal is. */
export function settled(phys: f64, paged: f64, goal: f64, hysteresis: f64): bool {
  return paged == 0.0 && Math.abs(goal - phys) <= hysteresis;
}
