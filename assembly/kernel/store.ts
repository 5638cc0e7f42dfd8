// Structure-of-arrays storage for every VM and host the balancer sees.
// Portable: compiled by asc into the Wasm core and by tsc into the JS reference engine.
//
// Every field is a column of f64 (`F64Column`: a StaticArray<f64> in Wasm, whose data sits at the object's own
// address so a column access is a single load; a Float64Array in JavaScript). The classes only declare the
// columns; each engine allocates them all, generically, in declaration order (see `columns` in each engine).
// Integers (states, flags, host ranges) are stored as f64 and read back with <i32> where they index.

/** VM lifecycle states as stored in the `state` column. */
export const OFF: f64 = 0;
export const STARTING: f64 = 1;
export const RUNNING: f64 = 2;

/** One column per VM field; a VM is an index into every column. */
export class VmStore {
  // lifecycle and settings
  state!: F64Column;
  dynamic!: F64Column;
  /** The least a running Dynamic Memory VM may hold: its minimum (startup RAM for a guest without Dynamic
   * Memory support). Derived from the settings by the facade. */
  floor!: F64Column;
  /** The most it may hold: the effective maximum (startup RAM for a guest without Dynamic Memory support). */
  ceiling!: F64Column;
  buffer!: F64Column;
  weight!: F64Column;
  // demand: whole MB, optionally ramped linearly between trace samples
  demand!: F64Column;
  demandExact!: F64Column;
  demandRate!: F64Column;
  // memory held
  assigned!: F64Column;
  smartPaging!: F64Column;
  bootLeft!: F64Column;
  // counters
  pressure!: F64Column;
  avgPressure!: F64Column;
  minPressure!: F64Column;
  maxPressure!: F64Column;
  added!: F64Column;
  removed!: F64Column;
  addOps!: F64Column;
  removeOps!: F64Column;
  guestVisible!: F64Column;
  smartPagingMBs!: F64Column;
  // per-tick scratch
  lower!: F64Column;
  upper!: F64Column;
  goal!: F64Column;
  need!: F64Column;
}

/** One column per host field. */
export class HostStore {
  /** Host h owns the VMs hostStart[h] .. hostEnd[h] − 1: the facade keeps each host's VMs consecutive. */
  hostStart!: F64Column;
  hostEnd!: F64Column;
  /** 0 when the host has failed: its VMs are off and it takes none. */
  up!: F64Column;
  memory!: F64Column;
  reserve!: F64Column;
  /** MB a VM can give back by ballooning per second. */
  balloonRate!: F64Column;
  /** MB within which a VM's memory is left at its goal (0: every difference is acted on). */
  hysteresis!: F64Column;
  /** Last tick's water level: a starting point only, never the answer. */
  lambdaAlloc!: F64Column;
  // counters
  systemPressure!: F64Column;
  avgPressure!: F64Column;
  added!: F64Column;
  removed!: F64Column;
  addOps!: F64Column;
  removeOps!: F64Column;
  // run totals for simulation summaries
  elapsed!: F64Column;
  pressureSeconds!: F64Column;
  peakPressure!: F64Column;
  assignedMBs!: F64Column;
  smartPagingMBs!: F64Column;
  peakSmartPaging!: F64Column;
  pagingMBs!: F64Column;
  shortVmSeconds!: F64Column;
  minAvailable!: F64Column;
}
