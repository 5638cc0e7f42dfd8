// The fleet: every host and VM of one host or cluster in one engine's store, with the JS-side registry
// (names, settings) that the tick never touches.
import type { Engine } from '../engine/engine.ts';
import { NO_VM_BALLOON_LIMIT, RUNNING, STARTING, Store } from '../engine/store.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { ceilingOf, floorOf, type VmMemoryLimit, type VmSettings } from '../settings.ts';
import type { ResolvedHostOptions } from './options.ts';
import { RoomiestHost } from './roomiest-host.ts';
import { vmMemoryLimit } from './versions.ts';

export { OFF, RUNNING, STARTING } from '../engine/store.ts';

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
  /** The engine's columns: read them anywhere, change them through the store's operations only. */
  readonly store: Store;
  readonly balancer: BalancerOptions;
  readonly hosts: HostRecord[] = [];
  private bySlot: (VmRecord | undefined)[] = [];
  private readonly byName = new Map<string, VmRecord>();
  private freeSlots: number[] = [];
  private layoutDirty = true;
  /**
   * Counts the changes that can move a VM to another slot or host, or remove it (adding, removing, moving, laying
   * out): while it stays the same, slots and hosts read before are still right (batch demand keeps them).
   */
  layoutVersion = 0;
  private smallestMaxVm: VmMemoryLimit | undefined;
  /** Weight of the newest sample in the pressure averages, per tick. */
  private readonly alpha: number;
  /** Balancer ticks run since the fleet was created. */
  ticks = 0;
  /** Physical memory held on each host (see heldOn), valid where heldKnown. */
  private readonly held: number[] = [];
  private readonly heldKnown: boolean[] = [];
  /** The live host with the most available memory, for placement. */
  private readonly roomiest = new RoomiestHost((host) =>
    this.hosts[host]!.failed ? -Infinity : this.availableOn(host),
  );

  constructor(engine: Engine, balancer: BalancerOptions) {
    this.store = new Store(engine);
    this.store.onAssignedChange = (slot, deltaMB) => this.assignedChanged(slot, deltaMB);
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
    this.store.addHost(index, options, this.availableOn(index, 0));
    this.store.writePolicy(index, options.policy, this.balancer.balancerIntervalSeconds);
    this.smallestMaxVm = undefined;
    this.layoutDirty = true;
    this.layoutVersion++;
    return record;
  }

  writeHostOptions(record: HostRecord): void {
    this.store.writeHostOptions(record.index, record.options);
    this.store.writePolicy(record.index, record.options.policy, this.balancer.balancerIntervalSeconds);
    this.smallestMaxVm = undefined;
    this.roomiest.invalidate();
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
    this.store.clearVm(slot);
    this.writeSettings(record);
    this.layoutDirty = true;
    this.layoutVersion++;
    return record;
  }

  removeVm(record: VmRecord): void {
    this.byName.delete(record.name);
    this.hosts[record.host]?.members.delete(record);
    this.bySlot[record.slot] = undefined;
    this.store.clearVm(record.slot);
    this.freeSlots.push(record.slot);
    this.layoutDirty = true;
    this.layoutVersion++;
  }

  moveVm(record: VmRecord, host: number): void {
    const mb = this.store.vms.assigned[record.slot]!;
    this.assignedChanged(record.slot, -mb);
    this.hosts[record.host]?.members.delete(record);
    this.hosts[host]?.members.add(record);
    record.host = host;
    this.assignedChanged(record.slot, mb);
    this.layoutDirty = true;
    this.layoutVersion++;
  }

  /** Copy a VM's settings into the columns the kernel reads. */
  writeSettings(record: VmRecord): void {
    const s = record.settings;
    this.store.writeSettings(record.slot, {
      dynamicMemory: s.dynamicMemory,
      floorMB: floorOf(s),
      ceilingMB: ceilingOf(s),
      bufferPercent: s.bufferPercent,
      weight: s.weight,
    });
    this.store.setBalloonDriver(record.slot, {
      rateMBps: s.balloonDriverRateMBps ?? NO_VM_BALLOON_LIMIT,
      limitMB: s.balloonDriverLimitMB,
    });
  }

  /** The VMs of a host, by slot. */
  slotsOf(host: number): number[] {
    return [...this.hosts[host]!.members].map((record) => record.slot);
  }

  /** Physical memory held by the VMs of a host, MB: summed once after each engine call, then kept up to date by
   * every change the facade makes, so that a start costs the same on a host of ten VMs or of a million. */
  heldOn(host: number): number {
    if (this.heldKnown[host]) return this.held[host]!;
    const v = this.store.vms;
    let held = 0;
    for (const record of this.hosts[host]!.members) held += v.assigned[record.slot]!;
    this.held[host] = held;
    this.heldKnown[host] = true;
    return held;
  }

  /** A change the facade made to a VM's physical memory, into its host's sum. */
  private assignedChanged(slot: number, deltaMB: number): void {
    const host = this.bySlot[slot]?.host ?? -1;
    if (host >= 0 && this.heldKnown[host]) {
      this.held[host]! += deltaMB;
      this.roomiest.update(host);
    }
  }

  /** The live host with the most available memory (ties: the first added), or -1 when every host has failed. */
  roomiestHost(): number {
    return this.roomiest.best(this.hosts.length);
  }

  /** A host failed or came back. */
  hostUpChanged(host: number): void {
    this.roomiest.update(host);
  }

  /**
   * Available Memory of a host: what VMs could still be given, MB (none on a failed host). The one place it is
   * computed; pass `heldMB` where the caller has summed what the host's VMs hold already.
   */
  availableOn(host: number, heldMB = this.heldOn(host)): number {
    const record = this.hosts[host]!;
    return record.failed ? 0 : record.options.memoryMB - record.options.reserveMB - heldMB;
  }

  /** Run balancer ticks for `seconds` of simulated time, in one engine call. */
  advance(seconds: unknown): void {
    const ticks = this.ticksIn(seconds);
    if (ticks === 0) return;
    this.layOut();
    this.store.run(this.hosts.length, ticks, this.balancer.balancerIntervalSeconds, this.alpha);
    this.heldKnown.fill(false); // the kernel moved memory
    this.roomiest.invalidate();
    this.ticks += ticks;
  }

  /** Simulated seconds since the fleet was created: whole ticks times the interval (no summed rounding errors). */
  get timeSeconds(): number {
    return this.ticks * this.balancer.balancerIntervalSeconds;
  }

  /** How many ticks `seconds` is: a whole number of intervals (to a relative 1e-9, so advance(0.3) with 0.1 s
   * ticks is 3 ticks), and no more than keeps the clock's tick count exact (MAX_TICKS, 2^53 − 1, in all). */
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
    if (ticks > MAX_TICKS - this.ticks) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `advance(${seconds}) is ${ticks} ticks, which would take the clock past ${MAX_TICKS} ticks (${this.ticks} run so far).`,
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
    this.store.relayout(
      records.map((record) => record.slot),
      this.bySlot.length,
      (row) => records[row]!.host,
      this.hosts.length,
    );
    records.forEach((record, slot) => {
      record.slot = slot;
    });
    this.bySlot = records;
    this.freeSlots = [];
    this.layoutDirty = false;
    this.layoutVersion++;
  }

  private ensureCapacity(vms: number, hosts: number): void {
    const e = this.store;
    const neededSlots = Math.max(vms, this.bySlot.length + (this.freeSlots.length > 0 ? 0 : 1));
    if (neededSlots <= e.vmCapacity && hosts <= e.hostCapacity) return;
    const vmCapacity = neededSlots <= e.vmCapacity ? e.vmCapacity : Math.max(64, e.vmCapacity * 2, neededSlots);
    const hostCapacity = hosts <= e.hostCapacity ? e.hostCapacity : Math.max(4, e.hostCapacity * 2, hosts);
    e.grow(vmCapacity, hostCapacity);
  }
}

/** The most ticks a fleet's clock runs, in all: beyond 2^53 − 1 a tick count is no longer exact in a double. */
export const MAX_TICKS = Number.MAX_SAFE_INTEGER;

export function isOn(state: number): boolean {
  return state === STARTING || state === RUNNING;
}
