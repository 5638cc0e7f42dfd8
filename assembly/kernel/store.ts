// Structure-of-arrays storage for every VM and host the balancer sees.
// Portable: compiled by asc into the Wasm core and by tsc into the JS reference engine.

/** VM lifecycle states as stored in the `state` column. */
export const OFF: u8 = 0;
export const STARTING: u8 = 1;
export const RUNNING: u8 = 2;

/** One column per VM field; a VM is an index into every column. */
export class VmStore {
  // lifecycle and settings
  state: Uint8Array;
  dynamic: Uint8Array;
  host: Int32Array;
  /** The least a running Dynamic Memory VM may hold: its minimum (startup RAM for a guest without Dynamic
   * Memory support). Derived from the settings by the facade. */
  floor: Float64Array;
  /** The most it may hold: the effective maximum (startup RAM for a guest without Dynamic Memory support). */
  ceiling: Float64Array;
  buffer: Float64Array;
  weight: Float64Array;
  // demand: whole MB, optionally ramped linearly between trace samples
  demand: Float64Array;
  demandExact: Float64Array;
  demandRate: Float64Array;
  // memory held
  assigned: Float64Array;
  smartPaging: Float64Array;
  bootLeft: Float64Array;
  // counters
  pressure: Float64Array;
  avgPressure: Float64Array;
  minPressure: Float64Array;
  maxPressure: Float64Array;
  added: Float64Array;
  removed: Float64Array;
  addOps: Float64Array;
  removeOps: Float64Array;
  guestVisible: Float64Array;
  shortSeconds: Float64Array;
  pagingMBs: Float64Array;
  smartPagingMBs: Float64Array;
  // per-tick scratch
  lower: Float64Array;
  upper: Float64Array;
  goal: Float64Array;
  need: Float64Array;
  grant: Float64Array;

  constructor(capacity: i32) {
    this.state = new Uint8Array(capacity);
    this.dynamic = new Uint8Array(capacity);
    this.host = new Int32Array(capacity);
    this.floor = new Float64Array(capacity);
    this.ceiling = new Float64Array(capacity);
    this.buffer = new Float64Array(capacity);
    this.weight = new Float64Array(capacity);
    this.demand = new Float64Array(capacity);
    this.demandExact = new Float64Array(capacity);
    this.demandRate = new Float64Array(capacity);
    this.assigned = new Float64Array(capacity);
    this.smartPaging = new Float64Array(capacity);
    this.bootLeft = new Float64Array(capacity);
    this.pressure = new Float64Array(capacity);
    this.avgPressure = new Float64Array(capacity);
    this.minPressure = new Float64Array(capacity);
    this.maxPressure = new Float64Array(capacity);
    this.added = new Float64Array(capacity);
    this.removed = new Float64Array(capacity);
    this.addOps = new Float64Array(capacity);
    this.removeOps = new Float64Array(capacity);
    this.guestVisible = new Float64Array(capacity);
    this.shortSeconds = new Float64Array(capacity);
    this.pagingMBs = new Float64Array(capacity);
    this.smartPagingMBs = new Float64Array(capacity);
    this.lower = new Float64Array(capacity);
    this.upper = new Float64Array(capacity);
    this.goal = new Float64Array(capacity);
    this.need = new Float64Array(capacity);
    this.grant = new Float64Array(capacity);
  }
}

/** One column per host field. */
export class HostStore {
  /** Host h owns the VMs hostStart[h] .. hostEnd[h] − 1: the facade keeps each host's VMs consecutive. */
  hostStart: Int32Array;
  hostEnd: Int32Array;
  /** 0 when the host has failed: its VMs are off and it takes none. */
  up: Uint8Array;
  memory: Float64Array;
  reserve: Float64Array;
  /** MB a VM can give back by ballooning per second. */
  balloonRate: Float64Array;
  /** Last tick's water level: a starting point only, never the answer. */
  lambdaAlloc: Float64Array;
  // counters
  available: Float64Array;
  systemPressure: Float64Array;
  avgPressure: Float64Array;
  added: Float64Array;
  removed: Float64Array;
  addOps: Float64Array;
  removeOps: Float64Array;
  // run totals for simulation summaries
  elapsed: Float64Array;
  pressureSeconds: Float64Array;
  peakPressure: Float64Array;
  assignedMBs: Float64Array;
  smartPagingMBs: Float64Array;
  peakSmartPaging: Float64Array;
  pagingMBs: Float64Array;
  shortVmSeconds: Float64Array;
  minAvailable: Float64Array;

  constructor(capacity: i32) {
    this.hostStart = new Int32Array(capacity);
    this.hostEnd = new Int32Array(capacity);
    this.up = new Uint8Array(capacity);
    this.memory = new Float64Array(capacity);
    this.reserve = new Float64Array(capacity);
    this.balloonRate = new Float64Array(capacity);
    this.lambdaAlloc = new Float64Array(capacity);
    this.available = new Float64Array(capacity);
    this.systemPressure = new Float64Array(capacity);
    this.avgPressure = new Float64Array(capacity);
    this.added = new Float64Array(capacity);
    this.removed = new Float64Array(capacity);
    this.addOps = new Float64Array(capacity);
    this.removeOps = new Float64Array(capacity);
    this.elapsed = new Float64Array(capacity);
    this.pressureSeconds = new Float64Array(capacity);
    this.peakPressure = new Float64Array(capacity);
    this.assignedMBs = new Float64Array(capacity);
    this.smartPagingMBs = new Float64Array(capacity);
    this.peakSmartPaging = new Float64Array(capacity);
    this.pagingMBs = new Float64Array(capacity);
    this.shortVmSeconds = new Float64Array(capacity);
    this.minAvailable = new Float64Array(capacity);
  }
}
