// What the JS engine's compiler needs to keep the passes' loops lean. Portable (asc and tsc); in Wasm these change
// nothing.
//
// V8 (Node 20) hoists nothing out of a loop: whatever a loop body reads that does not change is read and checked
// again at every row. Three kinds of value cost the JS engine most that way, and the kernel's passes avoid them:
// - a row number from a float64 column stays a double, re-checked and re-boxed at every step (`hostFirstVm`);
// - a number argument stays boxed and is unboxed again at every use (`unboxed`);
// - an imported binding is a cell, loaded and checked (initialised; for a function, still the one inlined) at
//   every use. A module-level const is a constant to V8, so the kernel's modules bind their imports to local
//   consts (`const lesser = importedLesser`). asc calls a function bound that way through its table: only the
//   Wasm core's rare scalar paths do (its tick is assembly/simd/).
import { HostStore } from './store.ts';

/** The first VM row of host `host`, as an i32 (`| 0` makes it a small integer in JavaScript). */
export function hostFirstVm(h: HostStore, host: i32): i32 {
  return <i32>h.hostStart[host]! | 0;
}

/** One past the last VM row of host `host`, as an i32. */
export function hostEndVm(h: HostStore, host: i32): i32 {
  return <i32>h.hostEnd[host]! | 0;
}

/** `x` itself, as an unboxed double in JavaScript (a product is one from the start). */
export function unboxed(x: f64): f64 {
  return x * 1.0;
}
