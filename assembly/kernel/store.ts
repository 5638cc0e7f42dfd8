// Structure-of-arrays storage for every VM and host the balancer sees.
// Portable: compiled by asc into the Wasm core and by tsc into the JS reference engine.
//
// Every field is a column of f64 (`F64Column`: a StaticArray<f64> in Wasm, whose data sits at the object's own
// address so a column access is a single load; a Float64Array in JavaScript). The facade names the same columns
// in the same order in src/engine/columns.ts (a test checks that the two lists agree), and each engine allocates
// them from that list. Integers (states, flags, host ranges) are stored as f64 and read back with <i32> where
// they index.

/** VM lifecycle states as stored in the `state` column. */
export const OFF: f64 = 0;
export const STARTING: f64 = 1;
export const RUNNING: f64 = 2;

/** `minPressure` of a VM that has had no pressure sample since it started: the kernel starts the statistics
 * (average, minimum, maximum) at its first tick. Pressures are never negative. */
export const NOT_SAMPLED: f64 = -1;

/** `balanced` column: the balancer sets this VM's memory (running, Dynamic Memory on, boot finished). */
export const BALANCED: f64 = 1;
export const NOT_BALANCED: f64 = 0;

/** `policy` column: how a host shares its memory: Hyper-V's balancer, or a peer hypervisor's rule
 * (policies/; the facade maps the names of src/host/policy.ts to these). */
export const POLICY_HYPERV: f64 = 0;
export const POLICY_STATIC: f64 = 1;
export const POLICY_SQUEEZED: f64 = 2;
export const POLICY_QMEMMAN: f64 = 3;
export const POLICY_MOM: f64 = 4;
export const POLICY_PROXMOX: f64 = 5;
export const POLICY_ESX: f64 = 6;

/** One column per VM field; a VM is an index into every column. */
export class VmStore {
  // lifecycle and settings
  state!: F64Column;
  /** BALANCED or NOT_BALANCED: kept by the facade wherever `state` or `dynamic` change (and by the kernel when a
   * boot finishes), so the hot loop tests one flag instead of the state, Dynamic Memory and boot. */
  balanced!: F64Column;
  dynamic!: F64Column;
  /** The least a running Dynamic Memory VM may hold: its minimum (startup RAM for a guest without Dynamic
   * Memory support). Derived from the settings by the facade. */
  floor!: F64Column;
  /** The most it may hold: the effective maximum (startup RAM for a guest without Dynamic Memory support). */
  ceiling!: F64Column;
  buffer!: F64Column;
  weight!: F64Column;
  /** MB per second this VM's balloon driver can give back (the host's rate caps it; 0: a stuck driver). */
  balloonRate!: F64Column;
  /** MB below which the balloon driver cannot take the VM's physical memory (0: no limit). */
  balloonLimit!: F64Column;
  // demand: whole MB, optionally ramped linearly between trace samples
  demand!: F64Column;
  demandExact!: F64Column;
  demandRate!: F64Column;
  // memory held
  assigned!: F64Column;
  smartPaging!: F64Column;
  bootLeft!: F64Column;
  /** MB of startup RAM a start still waits for while it is ballooned out of other VMs (0: not gathering); the
   * boot countdown begins once it is 0. Kept by the facade. */
  gatherNeed!: F64Column;
  /** Ticks a gathering start has left before it fails with OutOfMemory (the host's startTimeoutSeconds). */
  gatherTicksLeft!: F64Column;
  /** Under a peer policy: the memory it last decided this VM should hold (0: none since the VM was balanced). */
  policyGoal!: F64Column;
  // counters
  pressure!: F64Column;
  avgPressure!: F64Column;
  /** NOT_SAMPLED until the first tick after a start. */
  minPressure!: F64Column;
  maxPressure!: F64Column;
  added!: F64Column;
  removed!: F64Column;
  addOps!: F64Column;
  removeOps!: F64Column;
  guestVisible!: F64Column;
  smartPagingMBs!: F64Column;
  // per-tick scratch of the balancer
  /** Where the VM's memory is headed this tick (0 for a VM the balancer leaves alone). */
  goal!: F64Column;
  /** The VM's need in the tier being shared, its weight in that sharing (0: takes no part), its need per unit
   * of weight (Infinity when it takes no part) and the share the water level gives it. */
  need!: F64Column;
  shareWeight!: F64Column;
  ratio!: F64Column;
  share!: F64Column;
  /** The Wasm lanes' list of a host's pairs that move this tick (row numbers as i32, from the host's first row). */
  movingPairs!: F64Column;
}

/** One column per host field. */
export class HostStore {
  /** Host h owns the VMs hostStart[h] .. hostEnd[h] − 1: the facade keeps each host's VMs consecutive. */
  hostStart!: F64Column;
  hostEnd!: F64Column;
  /** 0 when the host has failed: its VMs are off and it takes none. */
  up!: F64Column;
  /** POLICY_HYPERV or a peer policy. */
  policy!: F64Column;
  /** A peer policy decides every `policyEvery` ticks (its control interval); `policyTicks` counts up to it. */
  policyEvery!: F64Column;
  policyTicks!: F64Column;
  // the peer policies' knobs (src/host/policy.ts)
  squeezedSlush!: F64Column;
  qmemmanFactor!: F64Column;
  qmemmanMinPreferred!: F64Column;
  qmemmanDonorMinimum!: F64Column;
  momPressure!: F64Column;
  momCritical!: F64Column;
  momGuestFree!: F64Column;
  momMaxChange!: F64Column;
  momMinChange!: F64Column;
  proxmoxTarget!: F64Column;
  proxmoxMaxChange!: F64Column;
  proxmoxDeadband!: F64Column;
  esxIdleTax!: F64Column;
  esxMinFree!: F64Column;
  memory!: F64Column;
  reserve!: F64Column;
  /** Memory kept for VMs moving in (live migrations under way), MB: set by the facade, used like the reserve. */
  movingIn!: F64Column;
  /** MB a VM can give back by ballooning per second. */
  balloonRate!: F64Column;
  /** MB within which a VM's memory is left at its goal (0: every difference is acted on). */
  hysteresis!: F64Column;
  /** Last tick's water level: a starting point only, never the answer. */
  waterLevel!: F64Column;
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
  // extremes since the facade last reset them (once per report sample): what a tick reached between samples, so
  // that a short peak survives sampling. Quiet ticks repeat the tick before them, so fast-forwards leave these alone.
  spanMaxPressure!: F64Column;
  spanMinPressure!: F64Column;
  spanMaxHeld!: F64Column;
  spanMinHeld!: F64Column;
  spanMaxPaged!: F64Column;
  spanMaxShort!: F64Column;
  /** Physical memory the host's VMs held after its last tick, MB (the facade reads it instead of summing). */
  held!: F64Column;
}
