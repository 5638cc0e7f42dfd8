// Hyper-V's balancer tick for the Wasm core. (Scalar for now: the portable passes.)
import { hypervTick } from '../kernel/hyperv.ts';
import { HostStore, VmStore } from '../kernel/store.ts';

export function hypervTickLanes(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64): bool {
  return hypervTick(v, h, host, dt, alpha);
}
