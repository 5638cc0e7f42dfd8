// The store: the facade's only way to change the engine's columns. Every write is a named operation here (a VM
// booting, stopping, ballooned out, its settings or demand, a host's options); everywhere else the columns are
// read-only, which the types enforce. The kernel's markers (states, the `balanced` flag, "not sampled yet") are
// written here and nowhere else in the facade.
import { balloonStep } from '../../assembly/kernel/balloon.ts';
import { preferredMB } from '../../assembly/kernel/policies/qmemman.ts';
import {
  BALANCED,
  NOT_BALANCED,
  NOT_SAMPLED,
  OFF,
  POLICY_ESX,
  POLICY_HYPERV,
  POLICY_MOM,
  POLICY_PROXMOX,
  POLICY_QMEMMAN,
  POLICY_SQUEEZED,
  POLICY_STATIC,
  RUNNING,
  STARTING,
} from '../../assembly/kernel/store.ts';
import { rampedDemand } from '../../assembly/kernel/vm-rules.ts';
import type { PolicyName, ResolvedPolicy } from '../host/policy.ts';
import { HOST_COLUMNS, type HostColumnName, SAVED_VM_COLUMNS, VM_COLUMNS, type VmColumnName } from './columns.ts';
import type { Engine, EngineKind } from './engine.ts';

export { BALANCED, OFF, RUNNING, STARTING };

/** Columns that can be read and not written (methods such as `set` aside, which the facade never calls). */
export type ReadonlyColumns<Name extends string> = { readonly [K in Name]: Readonly<Float64Array> };

/** What the kernel reads of a VM's settings, derived by the facade. */
export interface VmColumnSettings {
  dynamicMemory: boolean;
  floorMB: number;
  ceilingMB: number;
  bufferPercent: number;
  weight: number;
}

/** What the kernel reads of a host's options. */
export interface HostColumnOptions {
  memoryMB: number;
  reserveMB: number;
  balloonRateMBps: number;
  hysteresisMB: number;
}

/** The kernel's code of each policy (the host column `policy`). */
const POLICY_CODES: Record<PolicyName, number> = {
  hyperv: POLICY_HYPERV,
  static: POLICY_STATIC,
  squeezed: POLICY_SQUEEZED,
  qmemman: POLICY_QMEMMAN,
  mom: POLICY_MOM,
  proxmox: POLICY_PROXMOX,
  esx: POLICY_ESX,
};

/** A VM's balloon rate when its driver has no limit of its own: the host's rate applies. */
export const NO_VM_BALLOON_LIMIT = Infinity;

/**
 * A guest's demand in whole MB, half up, never below zero: the rounding the kernel applies to a ramped demand, so
 * a demand set from the facade and one ramped in the core round alike.
 */
export function wholeDemandMB(exactMB: number): number {
  return rampedDemand(exactMB);
}

export class Store {
  readonly #engine: Engine;
  /** Told of every change the facade makes to a VM's physical memory (not the kernel's, inside `run`), so that
   * per-host sums can be kept up to date instead of summed again. */
  onAssignedChange: ((slot: number, deltaMB: number) => void) | undefined;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get kind(): EngineKind {
    return this.#engine.kind;
  }
  /** Threads the engine runs on now (see `Engine.threads`). */
  get threads(): number {
    return this.#engine.threads;
  }

  /** Current views. Replaced by `grow`: never keep a column across a call that can grow the store. */
  get vms(): ReadonlyColumns<VmColumnName> {
    return this.#engine.vms;
  }
  get hosts(): ReadonlyColumns<HostColumnName> {
    return this.#engine.hosts;
  }
  get vmCapacity(): number {
    return this.#engine.vmCapacity;
  }
  get hostCapacity(): number {
    return this.#engine.hostCapacity;
  }

  /** Enlarge the columns, keeping their contents. */
  grow(vmCapacity: number, hostCapacity: number): void {
    this.#engine.grow(vmCapacity, hostCapacity);
  }

  /** `ticks` balancer ticks of `dt` seconds over hosts 0..hostCount. */
  run(hostCount: number, ticks: number, dt: number, alpha: number): void {
    this.#engine.run(hostCount, ticks, dt, alpha);
  }

  /** Every state column's first rows as a checkpoint saved them, by the column lists (a column added to the lists is
   * saved and restored with the others; the kernel's working columns are not saved). */
  restoreColumns(
    vms: Readonly<Partial<Record<VmColumnName, ArrayLike<number>>>>,
    hosts: Readonly<Record<HostColumnName, ArrayLike<number>>>,
  ): void {
    const v = this.#engine.vms;
    const h = this.#engine.hosts;
    for (const name of SAVED_VM_COLUMNS) v[name].set(vms[name]!);
    for (const name of HOST_COLUMNS) h[name].set(hosts[name]);
  }

  // ---- VMs -------------------------------------------------------------------------------------------------

  /** An empty slot: off, nothing held, no counters, no balloon driver limits of its own. */
  clearVm(slot: number): void {
    this.#assign(slot, 0);
    this.#emptyRow(slot);
  }

  /** `clearVm` without telling `onAssignedChange`: for rows a re-layout moved the VM out of. */
  #emptyRow(row: number): void {
    const v = this.#engine.vms;
    for (const name of VM_COLUMNS) v[name][row] = 0;
    this.setState(row, OFF);
    v.balloonRate[row] = NO_VM_BALLOON_LIMIT;
  }

  /**
   * Put a VM in lifecycle state `state` (OFF, STARTING or RUNNING), keeping its `balanced` flag in step: the
   * balancer sets a VM's memory only while it runs with Dynamic Memory on and its boot is over.
   */
  setState(slot: number, state: number): void {
    const v = this.#engine.vms;
    v.state[slot] = state;
    v.balanced[slot] = state === RUNNING && v.dynamic[slot] !== 0 ? BALANCED : NOT_BALANCED;
  }

  /** A running VM held still while it is live-migrated: the balancer leaves its memory alone until the next
   * `setState`. */
  holdStill(slot: number): void {
    this.#engine.vms.balanced[slot] = NOT_BALANCED;
  }

  /** A VM's settings as the kernel reads them. */
  writeSettings(slot: number, settings: VmColumnSettings): void {
    const v = this.#engine.vms;
    v.dynamic[slot] = settings.dynamicMemory ? 1 : 0;
    this.setState(slot, v.state[slot]!);
    v.floor[slot] = settings.floorMB;
    v.ceiling[slot] = settings.ceilingMB;
    v.buffer[slot] = settings.bufferPercent;
    v.weight[slot] = settings.weight;
  }

  /** A VM's balloon driver: MB/s it gives back (capped by the host's rate), and MB below which it cannot go. */
  setBalloonDriver(slot: number, driver: { rateMBps?: number; limitMB?: number }): void {
    const v = this.#engine.vms;
    if (driver.rateMBps !== undefined) v.balloonRate[slot] = driver.rateMBps;
    if (driver.limitMB !== undefined) v.balloonLimit[slot] = driver.limitMB;
  }

  /** MB a VM's balloon driver gives back in one tick of `dt` seconds on a host ballooning `hostRateMBps`, by the
   * kernel's rule (the host's rate capped by the driver's, whole MB). */
  balloonStepMB(slot: number, hostRateMBps: number, dt: number): number {
    return balloonStep(hostRateMBps, this.#engine.vms.balloonRate[slot]!, dt);
  }

  /** A demand of whole MB, held (no ramp) until the next change. */
  holdDemand(slot: number, demandMB: number): void {
    const v = this.#engine.vms;
    v.demand[slot] = demandMB;
    v.demandExact[slot] = demandMB;
    v.demandRate[slot] = 0;
  }

  /** `holdDemand` for many VMs at once: `slots[k]` gets `demandsMB[k]` (batch demand). */
  holdDemands(slots: Int32Array, demandsMB: ArrayLike<number>): void {
    const { demand, demandExact, demandRate } = this.#engine.vms;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      const demandMB = demandsMB[k]!;
      demand[slot] = demandMB;
      demandExact[slot] = demandMB;
      demandRate[slot] = 0;
    }
  }

  /** Demands of `exactMB[k]` now for the VMs in `slots[k]`, each ramping by `ratesMBps[k]` every second inside
   * the core (rounded as the core does). */
  rampDemands(slots: Int32Array, exactMB: Float64Array, ratesMBps: Float64Array): void {
    const { demand, demandExact, demandRate } = this.#engine.vms;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      demandExact[slot] = exactMB[k]!;
      demandRate[slot] = ratesMBps[k]!;
      demand[slot] = wholeDemandMB(exactMB[k]!);
    }
  }

  /**
   * A fresh boot: the VM holds `physicalMB` + `smartPagingMB` (its startup RAM) for `bootSeconds`, untouched by the
   * balancer; its pressure statistics start again at the first tick.
   */
  boot(slot: number, physicalMB: number, smartPagingMB: number, bootSeconds: number): void {
    const v = this.#engine.vms;
    const startup = physicalMB + smartPagingMB;
    this.beginStart(slot, physicalMB);
    v.smartPaging[slot] = smartPagingMB;
    v.bootLeft[slot] = bootSeconds;
    v.guestVisible[slot] = startup;
    v.pressure[slot] = (100 * v.demand[slot]!) / startup;
  }

  /**
   * A start that must wait for memory: the VM is Starting and holds `physicalMB` now, while `missingMB` more is
   * ballooned out of other VMs (see `gather`) for at most `ticks` ticks; its boot has not begun.
   */
  beginGathering(slot: number, physicalMB: number, missingMB: number, ticks: number): void {
    const v = this.#engine.vms;
    this.beginStart(slot, physicalMB);
    v.gatherNeed[slot] = missingMB;
    v.gatherTicksLeft[slot] = ticks;
    v.guestVisible[slot] = 0;
    v.pressure[slot] = 0;
  }

  /** A gathering start receives `physicalMB` more; once nothing is missing its boot of `bootSeconds` begins. */
  gather(slot: number, physicalMB: number, bootSeconds: number): void {
    const v = this.#engine.vms;
    this.#assign(slot, v.assigned[slot]! + physicalMB);
    v.gatherNeed[slot]! -= physicalMB;
    if (v.gatherNeed[slot]! > 0) return;
    v.gatherTicksLeft[slot] = 0;
    v.bootLeft[slot] = bootSeconds;
    v.guestVisible[slot] = v.assigned[slot]!;
  }

  /** A gathering start's tick passed without its memory: returns the ticks it has left. */
  gatherTicked(slot: number): number {
    const v = this.#engine.vms;
    v.gatherTicksLeft[slot]! -= 1;
    return v.gatherTicksLeft[slot]!;
  }

  /** Starting, holding `physicalMB`, nothing being gathered, no Smart Paging, pressure statistics anew. */
  private beginStart(slot: number, physicalMB: number): void {
    const v = this.#engine.vms;
    this.setState(slot, STARTING);
    this.#assign(slot, physicalMB);
    v.smartPaging[slot] = 0;
    v.bootLeft[slot] = 0;
    v.gatherNeed[slot] = 0;
    v.gatherTicksLeft[slot] = 0;
    v.avgPressure[slot] = 0;
    v.minPressure[slot] = NOT_SAMPLED;
    v.maxPressure[slot] = 0;
  }

  /** Whether a VM has had a pressure sample since it booted (its statistics start at the first tick). */
  pressureSampled(slot: number): boolean {
    return this.#engine.vms.minPressure[slot] !== NOT_SAMPLED;
  }

  /** A VM is turned off: its memory is free at once; its counters stay. */
  stop(slot: number): void {
    const v = this.#engine.vms;
    this.setState(slot, OFF);
    this.#assign(slot, 0);
    v.smartPaging[slot] = 0;
    v.bootLeft[slot] = 0;
    v.gatherNeed[slot] = 0;
    v.gatherTicksLeft[slot] = 0;
    v.pressure[slot] = 0;
  }

  /** A VM taken as running already (its boot over); with `assignedMB`, holding that much (replays). */
  resume(slot: number, assignedMB?: number, guestVisibleMB?: number): void {
    const v = this.#engine.vms;
    this.setState(slot, RUNNING);
    v.bootLeft[slot] = 0;
    v.gatherNeed[slot] = 0;
    v.gatherTicksLeft[slot] = 0;
    if (assignedMB !== undefined) this.#assign(slot, assignedMB);
    if (guestVisibleMB !== undefined) v.guestVisible[slot] = guestVisibleMB;
  }

  /** Balloon `physicalMB` out of a VM on `host` at once, and its Smart Paging with it; counted as a removal. */
  balloonOut(slot: number, host: number, physicalMB: number): void {
    const v = this.#engine.vms;
    const removed = physicalMB + v.smartPaging[slot]!;
    this.#assign(slot, v.assigned[slot]! - physicalMB);
    v.smartPaging[slot] = 0;
    this.countRemoved(slot, host, removed);
  }

  /** Take a VM on `host` down to `ceilingMB` at once, Smart Paging first; counted as a removal. */
  trimTo(slot: number, host: number, ceilingMB: number): void {
    const v = this.#engine.vms;
    const excess = v.assigned[slot]! + v.smartPaging[slot]! - ceilingMB;
    if (excess <= 0) return;
    const fromPaging = Math.min(v.smartPaging[slot]!, excess);
    v.smartPaging[slot]! -= fromPaging;
    this.#assign(slot, v.assigned[slot]! - (excess - fromPaging));
    this.countRemoved(slot, host, excess);
  }

  /** A VM holds exactly `startupMB` of physical memory, its Smart Paging gone; what it gained counts as added. */
  holdStartup(slot: number, startupMB: number): void {
    const v = this.#engine.vms;
    const held = v.assigned[slot]! + v.smartPaging[slot]!;
    if (startupMB > held) {
      v.added[slot]! += startupMB - held;
      v.addOps[slot]! += 1;
    }
    this.#assign(slot, startupMB);
    v.smartPaging[slot] = 0;
  }

  /** A running VM without Dynamic Memory on `host` holds `startupMB` from now on; the change counts as added or
   * removed memory. */
  resizeStatic(slot: number, host: number, startupMB: number): void {
    const v = this.#engine.vms;
    const delta = startupMB - v.assigned[slot]!;
    this.#assign(slot, startupMB);
    if (delta > 0) {
      this.countAdded(slot, host, delta);
      v.guestVisible[slot] = Math.max(v.guestVisible[slot]!, startupMB);
    } else if (delta < 0) {
      this.countRemoved(slot, host, -delta);
    }
  }

  #assign(slot: number, mb: number): void {
    const v = this.#engine.vms;
    const delta = mb - v.assigned[slot]!;
    v.assigned[slot] = mb;
    if (delta !== 0) this.onAssignedChange?.(slot, delta);
  }

  private countAdded(slot: number, host: number, mb: number): void {
    const v = this.#engine.vms;
    const h = this.#engine.hosts;
    v.added[slot]! += mb;
    v.addOps[slot]! += 1;
    h.added[host]! += mb;
    h.addOps[host]! += 1;
  }

  private countRemoved(slot: number, host: number, mb: number): void {
    const v = this.#engine.vms;
    const h = this.#engine.hosts;
    v.removed[slot]! += mb;
    v.removeOps[slot]! += 1;
    h.removed[host]! += mb;
    h.removeOps[host]! += 1;
  }

  /**
   * Lay the rows out anew: row k takes what was in row `order[k]` (a negative one is left empty), rows past the
   * end are cleared, and host h owns rows hostStart[h] .. hostEnd[h] − 1 (`hostOfRow` tells each new row's
   * host: -1 for unplaced VMs, last, and for empty rows, which stand before a host's first row).
   */
  relayout(order: readonly number[], usedRows: number, hostOfRow: (row: number) => number, hostCount: number): void {
    const v = this.#engine.vms;
    const columns = VM_COLUMNS.map((name) => v[name]);
    const old = columns.map((column) => column.slice(0, usedRows));
    order.forEach((from, row) => {
      if (from < 0) this.#emptyRow(row);
      else for (let c = 0; c < columns.length; c++) columns[c]![row] = old[c]![from]!;
    });
    for (let row = order.length; row < usedRows; row++) this.#emptyRow(row);
    const h = this.#engine.hosts;
    let next = 0;
    for (let host = 0; host < hostCount; host++) {
      while (next < order.length && order[next]! < 0) next++;
      h.hostStart[host] = next;
      while (next < order.length && hostOfRow(next) === host) next++;
      h.hostEnd[host] = next;
    }
  }

  // ---- hosts -----------------------------------------------------------------------------------------------

  /** A new host, up, with its options; the least available memory seen starts at all of it. */
  addHost(index: number, options: HostColumnOptions, availableMB: number): void {
    this.setHostUp(index, true);
    this.writeHostOptions(index, options);
    this.keepForMovesIn(index, 0);
    this.#engine.hosts.minAvailable[index] = availableMB;
    this.resetSpanExtremes(index + 1, index);
  }

  /** Start new spans of the per-tick extremes (`spanMax*`, `spanMin*`) of hosts `from` … `hostCount − 1`: nothing
   * reached yet, so the next tick's values are the first. */
  resetSpanExtremes(hostCount: number, from = 0): void {
    const h = this.#engine.hosts;
    for (const column of [h.spanMaxPressure, h.spanMaxHeld, h.spanMaxPaged, h.spanMaxShort])
      column.fill(-Infinity, from, hostCount);
    for (const column of [h.spanMinPressure, h.spanMinHeld]) column.fill(Infinity, from, hostCount);
  }

  writeHostOptions(index: number, options: HostColumnOptions): void {
    const h = this.#engine.hosts;
    h.memory[index] = options.memoryMB;
    h.reserve[index] = options.reserveMB;
    h.balloonRate[index] = options.balloonRateMBps;
    h.hysteresis[index] = options.hysteresisMB;
  }

  /** What a VM on a qmemman host prefers to hold (as the kernel computes it): the least a donor keeps. */
  qmemmanPreferredMB(slot: number, host: number): number {
    const v = this.#engine.vms;
    const h = this.#engine.hosts;
    return preferredMB(
      v.demand[slot]!,
      v.floor[slot]!,
      v.ceiling[slot]!,
      h.qmemmanFactor[host]!,
      h.qmemmanMinPreferred[host]!,
    );
  }

  /** A host's allocation policy and its knobs. It decides every round(interval / tick) ticks (at least every
   * tick), on the last tick of each interval. */
  writePolicy(index: number, policy: ResolvedPolicy, tickSeconds: number): void {
    const h = this.#engine.hosts;
    const o = policy.options;
    h.policy[index] = POLICY_CODES[policy.name];
    h.policyEvery[index] = Math.max(1, Math.round(policy.intervalSeconds / tickSeconds));
    h.squeezedSlush[index] = o.slushMB ?? 0;
    h.qmemmanFactor[index] = o.preferenceFactor ?? 0;
    h.qmemmanMinPreferred[index] = o.minPreferredMB ?? 0;
    h.qmemmanDonorMinimum[index] = o.donorMinimumMB ?? 0;
    h.momPressure[index] = o.pressureThreshold ?? 0;
    h.momCritical[index] = o.criticalThreshold ?? 0;
    h.momGuestFree[index] = o.minGuestFree ?? 0;
    h.momMaxChange[index] = o.maxChange ?? 0;
    h.momMinChange[index] = o.minChange ?? 0;
    h.proxmoxTarget[index] = o.targetPercent ?? 0;
    h.proxmoxMaxChange[index] = o.maxChangeMB ?? 0;
    h.proxmoxDeadband[index] = o.deadbandMB ?? 0;
    h.esxIdleTax[index] = o.idleTax ?? 0;
    h.esxMinFree[index] = o.minFreeMB ?? 0;
  }

  /** Memory kept in a pool for VMs moving in (live migrations under way), MB: the kernel counts it as used. */
  keepForMovesIn(pool: number, mb: number): void {
    this.#engine.hosts.movingIn[pool] = mb;
  }

  /** A host fails (its VMs are off and it takes none) or comes back. */
  setHostUp(index: number, up: boolean): void {
    this.#engine.hosts.up[index] = up ? 1 : 0;
  }
}
