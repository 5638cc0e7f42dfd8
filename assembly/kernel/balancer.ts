// The balancer's run over every host: the policy dispatch and the order of host ticks. Portable (asc and tsc).
import { fastForward, hypervTick } from './hyperv.ts';
import { peerTick } from './policies/peer.ts';
import { HostStore, POLICY_HYPERV, VmStore } from './store.ts';

/** One tick of Hyper-V's balancer on one host; returns whether the tick was quiet. `follows`: the tick before
 * was this host's, in the same call (nothing outside the kernel changed since). The JS engine passes the
 * portable `hypervTick`, the Wasm core its lane-parallel one. */
export type HypervTick = (v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64, follows: bool) => bool;

/** The one place a host's policy picks the code of its tick. Returns whether the tick was quiet. */
export function tickHost(
  v: VmStore,
  h: HostStore,
  host: i32,
  dt: f64,
  alpha: f64,
  follows: bool,
  hyperv: HypervTick,
): bool {
  const policy = h.policy[host]!;
  if (policy == POLICY_HYPERV) return hyperv(v, h, host, dt, alpha, follows);
  return peerTick(v, h, host, dt, alpha);
}

/**
 * Run `ticks` balancer ticks of `dt` seconds on every live host. `alpha` is the weight of the newest sample in
 * the average-pressure moving average (computed by the caller so both engines share it bit for bit).
 * Hosts are independent within a call, so each host runs its ticks back to back while its columns are in cache
 * (host-major order), and once a tick of its is quiet, the rest of the call is that tick repeated: the host
 * jumps to the call's end with its counters advanced in closed form. `ticks` is a double holding a whole number up
 * to 2^53 (an i32 would wrap past 2^31 − 1), so one call runs any advance() and a quiet host's is quick.
 */
export function tick(
  v: VmStore,
  h: HostStore,
  hostCount: i32,
  ticks: f64,
  dt: f64,
  alpha: f64,
  hyperv: HypervTick,
): void {
  for (let host = 0; host < hostCount; host++) runHost(v, h, host, ticks, dt, alpha, hyperv);
}

/** One host's part of `tick`: its `ticks` ticks, or none when it is down. (The threaded core's instances each
 * run whole hosts of a call.) */
export function runHost(
  v: VmStore,
  h: HostStore,
  host: i32,
  ticks: f64,
  dt: f64,
  alpha: f64,
  hyperv: HypervTick,
): void {
  if (h.up[host] == 0) return;
  for (let t = 1.0; t <= ticks; t++) {
    const quiet = tickHost(v, h, host, dt, alpha, t > 1.0, hyperv);
    if (quiet && t < ticks) {
      fastForward(v, h, host, ticks - t, dt, alpha);
      return;
    }
  }
}

/** The portable Hyper-V tick, for engines without a faster one. */
export const portableHyperv: HypervTick = hypervTick;
