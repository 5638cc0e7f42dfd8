// Wasm entry: owns the stores in linear memory and exposes them to the TypeScript facade as raw pointers,
// so the facade reads and writes the columns through typed-array views without copying.

import { tick } from './kernel/balancer.ts';
import { HostStore, VmStore } from './kernel/store.ts';
import { hypervTickLanes } from './simd/hyperv.ts';

/** Columns per store. The store classes declare nothing but columns (each field one pointer), which
 * `allocateColumns` relies on: checked when the debug build starts, and against the facade's lists by a test. */
const VM_COLUMN_COUNT: i32 = 33;
const HOST_COLUMN_COUNT: i32 = 48;
assert(offsetof<VmStore>() == (<usize>VM_COLUMN_COUNT) << alignof<usize>(), 'VmStore holds only its columns');
assert(offsetof<HostStore>() == (<usize>HOST_COLUMN_COUNT) << alignof<usize>(), 'HostStore holds only its columns');

/** Each column gets a cache line of padding: with columns a power of two long, row i of every column would
 * otherwise fall in the same L1 cache set and evict each other. It also lets the lane-parallel kernel read a
 * pair of rows past a host's last VM. */
const COLUMN_PADDING = 8;

/** Give each of the `count` columns of a store `capacity` rows. (The stub runtime never collects, so raw
 * pointer stores need no write barrier.) */
function allocateColumns<T>(object: T, count: i32, capacity: i32): T {
  const base = changetype<usize>(object);
  for (let k = 0; k < count; k++) {
    const column = new StaticArray<f64>(capacity + COLUMN_PADDING);
    store<usize>(base + ((<usize>k) << alignof<usize>()), changetype<usize>(column));
  }
  return object;
}

let vms = allocateColumns(new VmStore(), VM_COLUMN_COUNT, 0);
let hosts = allocateColumns(new HostStore(), HOST_COLUMN_COUNT, 0);

/** Replace the stores with larger ones; the facade copies the old columns and refreshes its views. */
export function allocate(vmCapacity: i32, hostCapacity: i32): void {
  vms = allocateColumns(new VmStore(), VM_COLUMN_COUNT, vmCapacity);
  hosts = allocateColumns(new HostStore(), HOST_COLUMN_COUNT, hostCapacity);
}

/** Number of columns of the VM store and of the host store. */
export function vmColumnCount(): i32 {
  return VM_COLUMN_COUNT;
}
export function hostColumnCount(): i32 {
  return HOST_COLUMN_COUNT;
}

/** Address of the data of the VM store's column `index` (declaration order): a StaticArray's data starts at
 * its own address. */
export function vmColumn(index: i32): usize {
  return load<usize>(changetype<usize>(vms) + ((<usize>index) << alignof<usize>()));
}

/** Address of the data of the host store's column `index` (declaration order). */
export function hostColumn(index: i32): usize {
  return load<usize>(changetype<usize>(hosts) + ((<usize>index) << alignof<usize>()));
}

/** Run `ticks` (a whole number up to 2^53) balancer ticks of `dt` seconds over hosts 0..hostCount. */
export function run(hostCount: i32, ticks: f64, dt: f64, alpha: f64): void {
  tick(vms, hosts, hostCount, ticks, dt, alpha, hypervTickLanes);
}
