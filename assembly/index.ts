// Wasm entry: owns the stores in linear memory and exposes them to the TypeScript facade as raw pointers,
// so the facade reads and writes the columns through typed-array views without copying.

import { tick } from './kernel/balancer.ts';
import { HostStore, VmStore } from './kernel/store.ts';
import { Packed } from './kernel/waterfill.ts';

/** Give every column of a store `capacity` rows. The store classes hold only F64Column fields, one pointer each
 * in declaration order, so they are filled by walking the object's layout. (The stub runtime never collects,
 * so raw pointer stores need no write barrier.) Each column gets a cache line of padding: with columns a power
 * of two long, row i of every column would otherwise fall in the same L1 cache set and evict each other. */
const COLUMN_PADDING = 8;

function allocateColumns<T>(object: T, capacity: i32): T {
  const base = changetype<usize>(object);
  const fields = offsetof<T>() >> alignof<usize>();
  for (let k: usize = 0; k < fields; k++) {
    store<usize>(base + (k << alignof<usize>()), changetype<usize>(new StaticArray<f64>(capacity + COLUMN_PADDING)));
  }
  return object;
}

let vms = allocateColumns(new VmStore(), 0);
let hosts = allocateColumns(new HostStore(), 0);
let packed = allocateColumns(new Packed(), 0);

/** Replace the stores with larger ones; the facade copies the old columns and refreshes its views. */
export function allocate(vmCapacity: i32, hostCapacity: i32): void {
  vms = allocateColumns(new VmStore(), vmCapacity);
  hosts = allocateColumns(new HostStore(), hostCapacity);
  packed = allocateColumns(new Packed(), vmCapacity);
}

/** Address of the data of column `index` (declaration order) of the VM store (`which` 0) or host store (1):
 * a StaticArray's data starts at its own address. */
export function columnPointer(which: i32, index: i32): usize {
  const object = which == 0 ? changetype<usize>(vms) : changetype<usize>(hosts);
  return load<usize>(object + ((<usize>index) << alignof<usize>()));
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
