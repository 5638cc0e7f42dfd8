// The fleet: every host and VM of one host or cluster in one engine's store, with the JS-side registry
// (names, settings) that the tick never touches.
import {
  BALANCED,
  NOT_BALANCED,
  NOT_SAMPLED,
  OFF,
  POLICY_HYPERV,
  RUNNING,
  STARTING,
} from '../../assembly/kernel/store.ts';
import { VM_COLUMNS } from '../engine/columns.ts';
import type { Engine } from '../engine/engine.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { ceilingOf, floorOf, type VmMemoryLimit, type VmSettings } from '../settings.ts';
import type { ResolvedHostOptions } from './options.ts';
import { vmMemoryLimit } from './versions.ts';

export { NOT_SAMPLED, OFF, RUNNING, STARTING };

/** A VM's per-VM balloon rate when it has no limit of its own: the host's rate applies. */
export const NO_VM_BALLOON_LIMIT = Infinity;

/** Options of the balancer itself, shared by every host of a fleet. */
export interface BalancerOptions {
  /** Seconds between balancer ticks. Default 1. */
  balancerIntervalSeconds: number;
  /** Seconds a booting VM holds its startup RAM before its guest reports. Default 30. */
  bootSeconds: number;
  /** Time constant of the average-pressure moving average, seconds. Default 60. */
  pressureWindowSeconds: number;
}

export interface VmRecord {
  readonly name: string;
  /** Index into every column. Changes when the fleet is laid out again (see layOut): look it up, never keep it. */
  slot: number;
  settings: VmSettings;
  /** Index of the host the VM is on, or -1 while unplaced (a cluster VM that has not started yet). */
  host: number;
}

export interface HostRecord {
  readonly index: number;
  options: ResolvedHostOptions;
  failed: boolean;
  /** The VMs on this host (placed), so per-host questions never scan the whole fleet. */
  readonly members: Set<VmRecord>;
}

export class Fleet {
  readonly engine: Engine;
  readonly balancer: BalancerOptions;
  readonly hosts: HostRecord[] = [];
  private bySlot: (VmRecord | undefined)[] = [];
  private readonly byName = new Map<string, VmRecord>();
  private freeSlots: number[] = [];
  private layoutDirty = true;
  private smallestMaxVm: VmMemoryLimit | undefined;
  /** Weight of the newest sample in the pressure averages, per tick. */
  private readonly alpha: number;
  /** Balancer ticks run since the fleet was created. */
  ticks = 0;

  constructor(engine: Engine, balancer: BalancerOptions) {
    this.engine = engine;
    this.balancer = balancer;
    this.alpha = 1 - Math.exp(-balancer.balancerIntervalSeconds / balancer.pressureWindowSeconds);
  }

  addHost(options: ResolvedHostOptions): HostRecord {
    if (this.hosts.some((h) => h.options.name === options.name)) {
      throw new DynamicMemoryError('DuplicateHost', `A host named '${options.name}' already exists.`, {
        host: options.name,
      });
    }
    const index = this.hosts.length;
    this.ensureCapacity(this.byName.size, index + 1);
    const record: HostRecord = { index, options, failed: false, members: new Set() };
    this.hosts.push(record);
    const h = this.engine.hosts;
    h.up[index] = 1;
    this.writeHostOptions(record);
    h.minAvailable[index] = options.memoryMB - options.reserveMB;
    this.layoutDirty = true;
    return record;
  }

  writeHostOptions(record: HostRecord): void {
    const h = this.engine.hosts;
    h.memory[record.index] = record.options.memoryMB;
    h.reserve[record.index] = record.options.reserveMB;
    h.balloonRate[record.index] = record.options.balloonRateMBps;
    h.hysteresis[record.index] = record.options.hysteresisMB;
    h.policy[record.index] = POLICY_HYPERV;
    this.smallestMaxVm = undefined;
  }

  hostByName(name: unknown): HostRecord {
    const host = this.hosts.find((h) => h.options.name === name);
    if (!host) {
      throw new DynamicMemoryError('UnknownHost', `There is no host named ${shown(name)}.`, {
        ...(typeof name === 'string' ? { host: name } : {}),
      });
    }
    return host;
  }

  /** The largest VM memory every host accepts, per generation (what an unplaced cluster VM may have), MB. */
  get unplacedMemoryLimit(): VmMemoryLimit {
    if (this.smallestMaxVm === undefined) {
      const limits = this.hosts.map((h) => vmMemoryLimit(h.options));
      const smallest = { 1: Math.min(...limits.map((l) => l(1))), 2: Math.min(...limits.map((l) => l(2))) };
      this.smallestMaxVm = (generation) => smallest[generation];
    }
    return this.smallestMaxVm;
  }

  get vmCount(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The VM called `name`, or an UnknownVm error. */
  vm(name: unknown): VmRecord {
    const record = typeof name === 'string' ? this.byName.get(name) : undefined;
    if (!record) {
      throw new DynamicMemoryError('UnknownVm', `There is no VM named ${shown(name)}.`, {
        ...(typeof name === 'string' ? { vm: name } : {}),
      });
    }
    return record;
  }

  /** Whether `record` is still one of this fleet's VMs (batch-demand handles keep records across removals). */
  holds(record: VmRecord): boolean {
    return this.bySlot[record.slot] === record;
  }

  /** Every VM, in the order they were added. */
  allVms(): IterableIterator<VmRecord> {
    return this.byName.values();
  }

  addVm(name: string, settings: VmSettings, host: number): VmRecord {
    if (this.byName.has(name)) {
      throw new DynamicMemoryError('DuplicateVm', `A VM named '${name}' already exists.`, { vm: name, field: 'name' });
    }
    this.ensureCapacity(this.byName.size + 1, this.hosts.length);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const record: VmRecord = { name, slot, settings, host };
    this.bySlot[slot] = record;
    this.byName.set(name, record);
    this.hosts[host]?.members.add(record);
    this.clearSlot(slot);
    this.writeSettings(record);
    this.layoutDirty = true;
    return record;
  }

  removeVm(record: VmRecord): void {
    this.byName.delete(record.name);
    this.hosts[record.host]?.members.delete(record);
    this.bySlot[record.slot] = undefined;
    this.clearSlot(record.slot);
    this.freeSlots.push(record.slot);
    this.layoutDirty = true;
  }

  moveVm(record: VmRecord, host: number): void {
    this.hosts[record.host]?.members.delete(record);
    this.hosts[host]?.members.add(record);
    record.host = host;
    this.layoutDirty = true;
  }

  /** Copy a VM's settings into the columns the kernel reads. */
  writeSettings(record: VmRecord): void {
    const v = this.engine.vms;
    const s = record.settings;
    const i = record.slot;
    v.dynamic[i] = s.dynamicMemory ? 1 : 0;
    this.setVmState(i, v.state[i]!);
    v.floor[i] = floorOf(s);
    v.ceiling[i] = ceilingOf(s);
    v.buffer[i] = s.bufferPercent;
    v.weight[i] = s.weight;
  }

  /**
   * Put the VM in `slot` in lifecycle state `state` (OFF, STARTING or RUNNING), keeping its `balanced` flag in step:
   * the balancer sets a VM's memory only while it runs with Dynamic Memory on and its boot is over.
   */
  setVmState(slot: number, state: number): void {
    const v = this.engine.vms;
    v.state[slot] = state;
    v.balanced[slot] = state === RUNNING && v.dynamic[slot] !== 0 ? BALANCED : NOT_BALANCED;
  }

  /** The VMs of a host, by slot. */
  slotsOf(host: number): number[] {
    return [...this.hosts[host]!.members].map((record) => record.slot);
  }

  /** Physical memory held by the VMs of a host, MB. */
  heldOn(host: number): number {
    const v = this.engine.vms;
    let held = 0;
    for (const slot of this.slotsOf(host)) held += v.assigned[slot]!;
    return held;
  }

  /** Memory VMs could still be given on a host, MB. */
  freeOn(host: number): number {
    const o = this.hosts[host]!.options;
    return o.memoryMB - o.reserveMB - this.heldOn(host);
  }

  /** Run balancer ticks for `seconds` of simulated time, in one engine call. */
  advance(seconds: unknown): void {
    const ticks = this.ticksIn(seconds);
    if (ticks === 0) return;
    this.layOut();
    this.engine.run(this.hosts.length, ticks, this.balancer.balancerIntervalSeconds, this.alpha);
    this.ticks += ticks;
  }

  /** Simulated seconds since the fleet was created: whole ticks times the interval (no summed rounding errors). */
  get timeSeconds(): number {
    return this.ticks * this.balancer.balancerIntervalSeconds;
  }

  /** How many ticks `seconds` is: a whole number of intervals (to a relative 1e-9, so advance(0.3) with 0.1 s
   * ticks is 3 ticks), at most MAX_TICKS_PER_ADVANCE. */
  private ticksIn(seconds: unknown): number {
    const interval = this.balancer.balancerIntervalSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `advance() takes a finite number of seconds ≥ 0, not ${shown(seconds)}.`,
        {
          field: 'seconds',
        },
      );
    }
    const ticks = Math.round(seconds / interval);
    if (Math.abs(ticks * interval - seconds) > 1e-9 * Math.max(1, seconds)) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `advance(${seconds}): seconds must be a whole number of balancer intervals (${interval} s).`,
        { field: 'seconds' },
      );
    }
    if (ticks > MAX_TICKS_PER_ADVANCE) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `advance(${seconds}) is ${ticks} ticks; one call runs at most ${MAX_TICKS_PER_ADVANCE} (call it again for more).`,
        { field: 'seconds' },
      );
    }
    return ticks;
  }

  /**
   * Lay the columns out host by host (each host's VMs in consecutive slots, unplaced VMs last, no holes), so a
   * host's tick reads its VMs' columns sequentially instead of striding across the whole store; inside a host,
   * in the order the VMs were added (the order the kernel hands out spare MB in), whichever slots they took.
   * Runs only after VMs were added, removed or moved; before every engine call, and for readers that walk a
   * host's VMs by slot range (`hostStart`..`hostEnd`).
   */
  layOut(): void {
    if (!this.layoutDirty) return;
    const records = [...this.byName.values()];
    const rank = (r: VmRecord) => (r.host < 0 ? this.hosts.length : r.host);
    records.sort((a, b) => rank(a) - rank(b)); // stable: the order they were added within a host
    const columns = VM_COLUMNS.map((name) => this.engine.vms[name]);
    const old = columns.map((column) => column.slice(0, this.bySlot.length));
    records.forEach((record, slot) => {
      for (let c = 0; c < columns.length; c++) columns[c]![slot] = old[c]![record.slot]!;
      record.slot = slot;
    });
    for (let slot = records.length; slot < this.bySlot.length; slot++) this.clearSlot(slot);
    this.bySlot = records;
    this.freeSlots = [];
    const h = this.engine.hosts;
    let next = 0;
    for (let host = 0; host < this.hosts.length; host++) {
      h.hostStart[host] = next;
      while (next < records.length && records[next]!.host === host) next++;
      h.hostEnd[host] = next;
    }
    this.layoutDirty = false;
  }

  /** An empty slot: off, nothing held, no counters, no balloon driver limits of its own. */
  private clearSlot(slot: number): void {
    const v = this.engine.vms;
    for (const name of VM_COLUMNS) v[name][slot] = 0;
    this.setVmState(slot, OFF);
    v.balloonRate[slot] = NO_VM_BALLOON_LIMIT;
  }

  private ensureCapacity(vms: number, hosts: number): void {
    const e = this.engine;
    const neededSlots = Math.max(vms, this.bySlot.length + (this.freeSlots.length > 0 ? 0 : 1));
    if (neededSlots <= e.vmCapacity && hosts <= e.hostCapacity) return;
    const vmCapacity = neededSlots <= e.vmCapacity ? e.vmCapacity : Math.max(64, e.vmCapacity * 2, neededSlots);
    const hostCapacity = hosts <= e.hostCapacity ? e.hostCapacity : Math.max(4, e.hostCapacity * 2, hosts);
    e.grow(vmCapacity, hostCapacity);
  }
}

/** The most ticks one advance() runs: the kernel counts ticks in a 32-bit integer. */
export const MAX_TICKS_PER_ADVANCE = 2 ** 31 - 1;

export function isOn(state: number): boolean {
  return state === STARTING || state === RUNNING;
}
