// The balancer's run over every host: the policy dispatch and the order of host ticks. Portable (asc and tsc).
import { hypervTick } from './hyperv.ts';
import { HostStore, POLICY_HYPERV, VmStore } from './store.ts';

/** One tick of Hyper-V's balancer on one host; returns whether the tick was quiet. The JS engine passes the
 * portable `hypervTick`, the Wasm core its lane-parallel one. */
export type HypervTick = (v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64) => bool;

/** The one place a host's policy picks the code of its tick. Returns whether the tick was quiet. */
export function tickHost(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64, hyperv: HypervTick): bool {
  const policy = h.policy[host];
  if (policy == POLICY_HYPERV) return hyperv(v, h, host, dt, alpha);
  throw new Error('dynmem: unknown host policy');
}

/** Run `ticks` balancer ticks of `dt` seconds on every live host. `alpha` is the weight of the newest sample in
 * the average-pressure moving average (computed by the caller so both engines share it bit for bit). */
export function tick(
  v: VmStore,
  h: HostStore,
  hostCount: i32,
  ticks: i32,
  dt: f64,
  alpha: f64,
  hyperv: HypervTick,
): void {
  for (let t = 0; t < ticks; t++) {
    for (let host = 0; host < hostCount; host++) {
      if (h.up[host] == 0) continue;
      tickHost(v, h, host, dt, alpha, hyperv);
    }
  }
}

/** The portable Hyper-V tick, for engines without a faster one. */
export const portableHyperv: HypervTick = hypervTick;
