// Wasm entry: owns the stores in linear memory and exposes them to the TypeScript facade as raw pointers,
// so the facade reads and writes the columns through typed-array views without copying.
import { VmStore, HostStore } from './kernel/store.ts';
import { tick } from './kernel/balancer.ts';
import { Packed } from './kernel/waterfill.ts';

let vms = new VmStore(0);
let hosts = new HostStore(0);
let packed = new Packed(0);

/** Replace the stores with larger ones; the facade copies the old columns and refreshes its views. */
export function allocate(vmCapacity: i32, hostCapacity: i32): void {
  vms = new VmStore(vmCapacity);
  hosts = new HostStore(hostCapacity);
  packed = new Packed(vmCapacity);
}

/** Address of the data of column `index` (declaration order) of the VM store (`which` 0) or host store (1).
 * Both store classes hold only typed-array fields, each a pointer in the object's layout. */
export function columnPointer(which: i32, index: i32): usize {
  const store = which == 0 ? changetype<usize>(vms) : changetype<usize>(hosts);
  const view = load<usize>(store + (<usize>index << alignof<usize>()));
  return load<usize>(view + offsetof<ArrayBufferView>('dataStart'));
}

/** Run `ticks` balancer ticks of `dt` seconds over hosts 0..hostCount. */
export function run(hostCount: i32, ticks: i32, dt: f64, alpha: f64): void {
  tick(vms, hosts, packed, hostCount, ticks, dt, alpha);
}

/** Benchmark floor: one streaming pass over the columns a tick reads and writes (no balancer logic). */
export function streamPass(count: i32): f64 {
  let sum = 0.0;
  for (let i = 0; i < count; i++) {
    const goal = Math.min(vms.ceiling[i], Math.max(vms.floor[i], vms.demand[i] * (1.0 + vms.buffer[i] / 100.0)));
    vms.goal[i] = goal;
    sum += goal * vms.weight[i] + vms.assigned[i];
  }
  return sum;
}
