// Trace demand into the engine at each point of the trace grid (`traceStep`): held until the next point
// ('step'), or ramped towards it tick by tick inside the core ('linear').
import type { Cluster } from '../cluster/cluster.ts';
import { wholeDemandMB } from '../engine/store.ts';
import type { VmRecord } from '../host/fleet.ts';
import type { VmHandles } from '../host/vm-handles.ts';
import type { SimVm } from './build.ts';
import { DemandAhead } from './demand-ahead.ts';
import { constantCurve, DemandCursors } from './demand-curve.ts';
import type { DemandInterpolation } from './scenario.ts';

export class DemandFeed {
  private readonly cluster: Cluster;
  private readonly mode: DemandInterpolation;
  private readonly gridStep: number;
  private readonly cursors: DemandCursors;
  private readonly ahead: DemandAhead;
  /** Step: every VM, for one batch call per grid point; `batch` is that call's demands, reused. */
  private readonly handles: VmHandles;
  private readonly batch: Float64Array;
  /** Demands set by events in place of a VM's trace, by VM index. */
  private readonly held = new Map<number, number>();
  /** Linear: the VMs' records (their slots follow the store's re-layouts); `nextDemands` holds the demands at
   * `nextAt`, the grid point after the last one fed (the next call's demands now), by VM index. */
  private readonly records: VmRecord[];
  private nowDemands: Float64Array;
  private nextDemands: Float64Array;
  private nextAt = Number.NaN;
  /** Linear: one call's ramps in row order (the columns are written front to back, not at random rows): row of
   * each, demand now and rate; `position[k]` is VM k's place in that order, as of fleet layout `layoutSeen`. */
  private readonly rows: Int32Array;
  private readonly exact: Float64Array;
  private readonly rates: Float64Array;
  private readonly position: Int32Array;
  private layoutSeen = -1;

  constructor(cluster: Cluster, vms: SimVm[], mode: DemandInterpolation, gridStep: number) {
    this.cluster = cluster;
    this.mode = mode;
    this.gridStep = gridStep;
    this.cursors = new DemandCursors(vms.map((vm) => vm.curve));
    this.ahead = new DemandAhead(this.cursors, vms.length, gridStep);
    const names = vms.map((vm) => vm.name);
    this.handles = cluster.vmHandles(names);
    this.batch = new Float64Array(vms.length);
    this.records = names.map((name) => cluster.fleet.vm(name));
    this.nowDemands = new Float64Array(vms.length);
    this.nextDemands = new Float64Array(vms.length);
    this.rows = new Int32Array(vms.length);
    this.exact = new Float64Array(vms.length);
    this.rates = new Float64Array(vms.length);
    this.position = new Int32Array(vms.length);
  }

  /** Every VM's demand at grid point t: held until the next point, or ramped towards its value there. */
  feed(t: number): void {
    const n = this.batch.length;
    if (this.mode === 'step') {
      const demands = this.ahead.at(t);
      for (let k = 0; k < n; k++) this.batch[k] = wholeDemandMB(demands[k]!);
      this.cluster.setDemands(this.handles, this.batch);
      return;
    }
    // the demands now are the last call's next ones when this call comes at the grid point after it
    [this.nowDemands, this.nextDemands] = [this.nextDemands, this.nowDemands];
    const now = this.nowDemands;
    const next = this.nextDemands;
    if (this.nextAt !== t) {
      const demands = this.ahead.at(t);
      for (let k = 0; k < n; k++) now[k] = Math.max(0, demands[k]!);
    }
    const nextAt = t + this.gridStep;
    const demands = this.ahead.at(nextAt);
    this.followLayout();
    const { position, exact, rates } = this;
    for (let k = 0; k < n; k++) {
      next[k] = Math.max(0, demands[k]!);
      const j = position[k]!;
      exact[j] = now[k]!;
      rates[j] = (next[k]! - now[k]!) / this.gridStep;
    }
    this.cluster.fleet.store.rampDemands(this.rows, exact, rates);
    this.nextAt = nextAt;
  }

  /** The VMs' rows and their order, again if the fleet laid its rows out anew since the last call. */
  private followLayout(): void {
    const fleet = this.cluster.fleet;
    if (fleet.layoutVersion === this.layoutSeen) return;
    const byRow = this.records.map((_, k) => k).sort((a, b) => this.records[a]!.slot - this.records[b]!.slot);
    byRow.forEach((k, j) => {
      this.position[k] = j;
      this.rows[j] = this.records[k]!.slot;
    });
    this.layoutSeen = fleet.layoutVersion;
  }

  /** VM k's demand is `demandMB` from the next grid point on (a scenario's setDemand event). */
  hold(k: number, demandMB: number): void {
    this.cursors.replace(k, constantCurve(demandMB));
    this.ahead.reread(k);
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
    this.ahead.forget();
  }
}

export interface DemandFeedState {
  /** [VM index, MB] of each VM whose trace a setDemand event replaced, in the order they were replaced. */
  held: [number, number][];
  positions: ArrayLike<number>;
}
