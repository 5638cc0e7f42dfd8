// Wasm entry: owns the stores in linear memory and exposes them to the TypeScript facade as raw pointers,
// so the facade reads and writes the columns through typed-array views without copying.

import { runHost as runHostTicks, tick } from './kernel/balancer.ts';
import { BootSums, GoalSums, MoveSums, TierSums, useSums } from './kernel/hyperv.ts';
import { HostStore, VmStore } from './kernel/store.ts';
import { hypervTickLanes, LaneMove, useLaneMove } from './simd/hyperv.ts';

/** Columns per store. The store classes declare nothing but columns (each field one pointer), which
 * `allocateColumns` relies on: checked when the debug build starts, and against the facade's lists by a test. */
const VM_COLUMN_COUNT: i32 = 34;
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

// The threaded core (build/threads.wasm, this source on shared memory): one instance per thread, each running
// whole hosts of a call. The first instance runs its start function and allocates everything; a helper's never
// runs (allocating would overwrite the first one's heap), so it takes its scratch and the stores from the first.

/** Run host `host`'s `ticks` ticks (nothing when it is down): a thread's part of `run`. */
export function runHost(host: i32, ticks: f64, dt: f64, alpha: f64): void {
  runHostTicks(vms, hosts, host, ticks, dt, alpha, hypervTickLanes);
}

/** A helper's scratch, made by the first instance: the kernel's sums and the lanes' move. */
class HelperScratch {
  goals: GoalSums = new GoalSums();
  moves: MoveSums = new MoveSums();
  tiers: TierSums = new TierSums();
  boots: BootSums = new BootSums();
  lanes: LaneMove = new LaneMove();
}

/** In the first instance: a new helper's scratch, by address (for `useScratch`). */
export function newHelperScratch(): usize {
  return changetype<usize>(new HelperScratch());
}

/** In a helper: tick with the scratch at `address` (made by `newHelperScratch`). */
export function useScratch(address: usize): void {
  const scratch = changetype<HelperScratch>(address);
  useSums(scratch.goals, scratch.moves, scratch.tiers, scratch.boots);
  useLaneMove(scratch.lanes);
}

/** Addresses of the VM store and of the host store (they change when `allocate` replaces them). */
export function vmStore(): usize {
  return changetype<usize>(vms);
}
export function hostStore(): usize {
  return changetype<usize>(hosts);
}

/** In a helper: run over the stores at these addresses (the first instance's `vmStore` and `hostStore`). */
export function useStores(vmStoreAddress: usize, hostStoreAddress: usize): void {
  vms = changetype<VmStore>(vmStoreAddress);
  hosts = changetype<HostStore>(hostStoreAddress);
}
