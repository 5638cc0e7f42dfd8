// Trace demand into the engine at each point of the trace grid (`traceStep`): held until the next point
// ('step'), or ramped towards it tick by tick inside the core ('linear').
import type { Cluster } from '../cluster/cluster.ts';
import { wholeDemandMB } from '../engine/store.ts';
import type { VmRecord } from '../host/fleet.ts';
import type { VmHandles } from '../host/vm-handles.ts';
import type { SimVm } from './build.ts';
import { constantCurve, DemandCursors } from './demand-curve.ts';
import type { DemandInterpolation } from './scenario.ts';

export class DemandFeed {
  private readonly cluster: Cluster;
  private readonly mode: DemandInterpolation;
  private readonly gridStep: number;
  private readonly cursors: DemandCursors;
  /** Step: every VM, for one batch call per grid point; `batch` is that call's demands, reused. */
  private readonly handles: VmHandles;
  private readonly batch: Float64Array;
  /** Demands set by events in place of a VM's trace, by VM index. */
  private readonly held = new Map<number, number>();
  /** Linear: the VMs' records (their slots follow the store's re-layouts), and one call's slots, demands now and
   * rates; `nextDemands` holds the demands at `nextAt`, the grid point after the last one fed (the next `now`). */
  private readonly records: VmRecord[];
  private readonly slots: Int32Array;
  private nowDemands: Float64Array;
  private nextDemands: Float64Array;
  private readonly rates: Float64Array;
  private nextAt = Number.NaN;

  constructor(cluster: Cluster, vms: SimVm[], mode: DemandInterpolation, gridStep: number) {
    this.cluster = cluster;
    this.mode = mode;
    this.gridStep = gridStep;
    this.cursors = new DemandCursors(vms.map((vm) => vm.curve));
    const names = vms.map((vm) => vm.name);
    this.handles = cluster.vmHandles(names);
    this.batch = new Float64Array(vms.length);
    this.records = names.map((name) => cluster.fleet.vm(name));
    this.slots = new Int32Array(vms.length);
    this.nowDemands = new Float64Array(vms.length);
    this.nextDemands = new Float64Array(vms.length);
    this.rates = new Float64Array(vms.length);
  }

  /** Every VM's demand at grid point t: held until the next point, or ramped towards its value there. */
  feed(t: number): void {
    const n = this.batch.length;
    if (this.mode === 'step') {
      for (let k = 0; k < n; k++) this.batch[k] = wholeDemandMB(this.cursors.at(k, t));
      this.cluster.setDemands(this.handles, this.batch);
      return;
    }
    // the demands now are the last call's next ones when this call comes at the grid point after it
    [this.nowDemands, this.nextDemands] = [this.nextDemands, this.nowDemands];
    const now = this.nowDemands;
    const next = this.nextDemands;
    if (this.nextAt !== t) for (let k = 0; k < n; k++) now[k] = Math.max(0, this.cursors.at(k, t));
    const nextAt = t + this.gridStep;
    for (let k = 0; k < n; k++) {
      next[k] = Math.max(0, this.cursors.at(k, nextAt));
      this.rates[k] = (next[k]! - now[k]!) / this.gridStep;
      this.slots[k] = this.records[k]!.slot;
    }
    this.cluster.fleet.store.rampDemands(this.slots, now, this.rates);
    this.nextAt = nextAt;
  }

  /** VM k's demand is `demandMB` from the next grid point on (a scenario's setDemand event). */
  hold(k: number, demandMB: number): void {
    this.cursors.replace(k, constantCurve(demandMB));
    this.held.set(k, demandMB);
    this.nextAt = Number.NaN;
  }

  /** What a checkpoint keeps: the demands held by events, and the cursors. */
  get state(): DemandFeedState {
    return { held: [...this.held], positions: this.cursors.positions };
  }

  /** Back to a checkpoint's state (this feed is new, over the same VMs). */
  restore(state: DemandFeedState): void {
    for (const [k, demandMB] of state.held) this.hold(k, demandMB);
    this.cursors.restorePositions(state.positions);
  }
}

export interface DemandFeedState {
  /** [VM index, MB] of each VM whose trace a setDemand event replaced, in the order they were replaced. */
  held: [number, number][];
  positions: ArrayLike<number>;
}
