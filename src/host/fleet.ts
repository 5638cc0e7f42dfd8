// The fleet: every host and VM of one host or cluster in one engine's store, with the JS-side registry
// (names, settings) that the tick never touches. The kernel balances *memory pools* (the entries of its host
// columns): a host is one pool, or one pool per NUMA node when its nodes balance on their own (NUMA spanning off);
// a host's pools are consecutive.
import { type Engine, HOST_ROW_ALIGNMENT } from '../engine/engine.ts';
import { NO_VM_BALLOON_LIMIT, RUNNING, STARTING, Store } from '../engine/store.ts';
import { DynamicMemoryError, type StartFailure, shown } from '../errors.ts';
import { ceilingOf, floorOf, type VmMemoryLimit, type VmSettings } from '../settings.ts';
import { LiveMoves } from './live-moves.ts';
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

/**
 * Work due at a given balancer tick (a cluster's load-balancing passes; live migrations landing are the fleet's
 * own timers): `advance` stops the engine at each such tick and runs it there, so the result is the same however
 * time is cut into calls.
 */
export interface Timetable {
  /** The next tick at which something is due (after `tick`), or Infinity. */
  nextTick(tick: number): number;
  /** Run what is due at `tick` (the fleet has run exactly that many ticks). */
  runDue(tick: number): void;
}

export interface VmRecord {
  readonly name: string;
  /** Index into every column. Changes when the fleet is laid out again (see layOut): look it up, never keep it. */
  slot: number;
  settings: VmSettings;
  /** Index of the host the VM is on, or -1 while unplaced (a cluster VM that has not started yet). */
  host: number;
  /** Its NUMA node on a host whose nodes balance on their own (chosen at each start); 0 on any other host. */
  node: number;
}

/** Called after every tick while starts gather their memory (the lifecycle's gathering step), with what the balloon
 * of each VM in a pool where a start gathers gave the balancer in that tick, MB by pool and slot: a balloon driver
 * removes memory at its rate whoever asks. */
export type GatherStep = (fleet: Fleet, balloonedByBalancer: (pool: number, slot: number) => number) => void;

export interface HostRecord {
  readonly index: number;
  options: ResolvedHostOptions;
  failed: boolean;
  /** The VMs on this host (placed), so per-host questions never scan the whole fleet. */
  readonly members: Set<VmRecord>;
  /** The host's memory pools: firstPool .. firstPool + poolCount − 1 (one per NUMA node that balances on its own). */
  readonly firstPool: number;
  readonly poolCount: number;
}

/** What the kernel balances in one pool: a host's memory and reserve, or a NUMA node's and its share. */
function poolOptions(options: ResolvedHostOptions, node: number) {
  const numa = options.numa;
  if (!numa.perNode) return options;
  return { ...options, memoryMB: numa.nodesMB[node]!, reserveMB: numa.reservesMB[node]! };
}

/** Where the VMs' rows are, as a checkpoint keeps it: rows in use (free ones among them) and whether the next
 * engine call lays them out anew. */
export interface RowLayout {
  rows: number;
  freeRows: number[];
  layoutDirty: boolean;
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
  /** Memory pools in use (the hosts' pools together). */
  poolTotal = 0;
  /** The host of each memory pool. */
  private readonly poolHost: number[] = [];
  /** Physical memory held in each pool (see heldInPool), valid where heldKnown. */
  private readonly held: number[] = [];
  private readonly heldKnown: boolean[] = [];
  /**
   * Starts waiting for their startup RAM to be ballooned out of other VMs, in the order they began, each with the
   * host it was on before the start (where it goes back if the start times out; -1 for a VM placed by the start).
   * While any is waiting, advance() runs tick by tick with the gathering step after each: a gathering start is a
   * timer, as a boot is, and no tick is skipped over it.
   */
  readonly gathering = new Map<VmRecord, number>();
  /** Starts that timed out, oldest first. */
  readonly startFailures: StartFailure[] = [];
  private readonly gatherStep: GatherStep;
  /** Scheduled work of a cluster, if any. */
  timetable: Timetable | undefined;
  /** Live migrations: their log and the moves under way (a cluster's). */
  readonly moves = new LiveMoves(this);
  /** The live host with the most available memory, for placement. */
  private readonly roomiest = new RoomiestHost((host) =>
    this.hosts[host]!.failed ? -Infinity : this.availableOn(host),
  );

  constructor(engine: Engine, balancer: BalancerOptions, gatherStep: GatherStep) {
    this.gatherStep = gatherStep;
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
    const poolCount = options.numa.perNode ? options.numa.nodesMB.length : 1;
    const firstPool = this.poolTotal;
    this.ensureCapacity(this.byName.size, firstPool + poolCount);
    const record: HostRecord = { index, options, failed: false, members: new Set(), firstPool, poolCount };
    this.hosts.push(record);
    this.poolTotal += poolCount;
    for (let node = 0; node < poolCount; node++) this.poolHost.push(index);
    for (let node = 0; node < poolCount; node++) {
      const pool = poolOptions(options, node);
      this.store.addHost(firstPool + node, pool, pool.memoryMB - pool.reserveMB);
      this.store.writePolicy(firstPool + node, options.policy, this.balancer.balancerIntervalSeconds);
    }
    this.smallestMaxVm = undefined;
    this.layoutDirty = true;
    this.layoutVersion++;
    return record;
  }

  writeHostOptions(record: HostRecord): void {
    for (let node = 0; node < record.poolCount; node++) {
      this.store.writeHostOptions(record.firstPool + node, poolOptions(record.options, node));
      this.store.writePolicy(record.firstPool + node, record.options.policy, this.balancer.balancerIntervalSeconds);
    }
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
    this.ensureCapacity(this.byName.size + 1, this.poolTotal);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const record: VmRecord = { name, slot, settings, host, node: 0 };
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

  /** Put a VM on `host` (-1: unplaced), on NUMA node `node` where the host's nodes balance on their own. */
  moveVm(record: VmRecord, host: number, node = 0): void {
    const mb = this.store.vms.assigned[record.slot]!;
    this.assignedChanged(record.slot, -mb);
    this.hosts[record.host]?.members.delete(record);
    this.hosts[host]?.members.add(record);
    record.host = host;
    record.node = this.hosts[host]?.options.numa.perNode ? node : 0;
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
    if (this.moves.isMoving(record)) this.store.holdStill(record.slot);
    this.store.setBalloonDriver(record.slot, {
      rateMBps: s.balloonDriverRateMBps ?? NO_VM_BALLOON_LIMIT,
      limitMB: s.balloonDriverLimitMB,
    });
  }

  /** The VMs of a host, by slot. */
  slotsOf(host: number): number[] {
    return [...this.hosts[host]!.members].map((record) => record.slot);
  }

  /** A host's memory pools: one, or one per NUMA node where its nodes balance on their own. */
  poolsOf(host: number): number[] {
    const record = this.hosts[host]!;
    return Array.from({ length: record.poolCount }, (_, node) => record.firstPool + node);
  }

  /** The memory pool a placed VM is balanced in (its host's, or its NUMA node's); -1 while unplaced. */
  poolOf(record: VmRecord): number {
    return record.host < 0 ? -1 : this.hosts[record.host]!.firstPool + record.node;
  }

  /** The VMs balanced in a pool (a host, or one of its NUMA nodes), by slot. */
  slotsInPool(pool: number): number[] {
    const host = this.hostOfPool(pool);
    if (this.hosts[host]!.poolCount === 1) return this.slotsOf(host);
    const out: number[] = [];
    for (const record of this.hosts[host]!.members) if (this.poolOf(record) === pool) out.push(record.slot);
    return out;
  }

  /** The host a memory pool belongs to. */
  hostOfPool(pool: number): number {
    return this.poolHost[pool]!;
  }

  /** Physical memory held by the VMs of a host, MB: summed once after each engine call, then kept up to date by
   * every change the facade makes, so that a start costs the same on a host of ten VMs or of a million. */
  heldOn(host: number): number {
    const record = this.hosts[host]!;
    if (record.poolCount === 1) return this.heldInPool(record.firstPool);
    let held = 0;
    for (let pool = record.firstPool; pool < record.firstPool + record.poolCount; pool++) held += this.heldInPool(pool);
    return held;
  }

  /** Physical memory held by the VMs balanced in a pool, MB (see heldOn). */
  heldInPool(pool: number): number {
    if (this.heldKnown[pool]) return this.held[pool]!;
    const record = this.hosts[this.hostOfPool(pool)]!;
    const v = this.store.vms;
    for (let p = record.firstPool; p < record.firstPool + record.poolCount; p++) {
      this.held[p] = 0;
      this.heldKnown[p] = true;
    }
    for (const vm of record.members) this.held[this.poolOf(vm)]! += v.assigned[vm.slot]!;
    return this.held[pool]!;
  }

  /** A change the facade made to a VM's physical memory, into its pool's sum. */
  private assignedChanged(slot: number, deltaMB: number): void {
    const record = this.bySlot[slot];
    if (record === undefined || record.host < 0) return;
    const pool = this.poolOf(record);
    if (this.heldKnown[pool]) {
      this.held[pool]! += deltaMB;
      this.roomiest.update(record.host);
    }
  }

  /** The live host with the most available memory (ties: the first added), or -1 when every host has failed. */
  roomiestHost(): number {
    return this.roomiest.best(this.hosts.length);
  }

  /** Memory kept on a host for VMs moving in changed: its place among the roomiest hosts. */
  availabilityChanged(host: number): void {
    this.roomiest.update(host);
  }

  /** A host failed or came back (`failed` set on its record): its pools stop or resume balancing. */
  hostUpChanged(host: number): void {
    const record = this.hosts[host]!;
    for (let pool = record.firstPool; pool < record.firstPool + record.poolCount; pool++) {
      this.store.setHostUp(pool, !record.failed);
    }
    this.roomiest.update(host);
  }

  /**
   * Available Memory of a host: what VMs could still be given, MB (none on a failed host): all but the reserve,
   * what is kept for VMs moving in and what its VMs hold. The one place it is computed; pass `heldMB` where the
   * caller has summed what the host's VMs hold already.
   */
  availableOn(host: number, heldMB = this.heldOn(host)): number {
    const record = this.hosts[host]!;
    if (record.failed) return 0;
    return record.options.memoryMB - record.options.reserveMB - this.moves.keptOn(host) - heldMB;
  }

  /** Available Memory of one memory pool: its host's, or its NUMA node's (size − reserve share − kept for VMs
   * moving in − held), MB. */
  availableInPool(pool: number): number {
    const host = this.hosts[this.hostOfPool(pool)]!;
    if (!host.options.numa.perNode) return this.availableOn(host.index);
    const node = pool - host.firstPool;
    const { nodesMB, reservesMB } = host.options.numa;
    return host.failed ? 0 : nodesMB[node]! - reservesMB[node]! - this.moves.keptIn(pool) - this.heldInPool(pool);
  }

  /** Where a VM's memory comes from: the Available Memory of its pool (its NUMA node's, or its host's), MB. */
  availableTo(record: VmRecord): number {
    const host = this.hosts[record.host]!;
    return host.options.numa.perNode ? this.availableInPool(this.poolOf(record)) : this.availableOn(record.host);
  }

  /** The NUMA nodes of a host whose nodes balance on their own, most available memory first (ties: the lowest
   * node); [0] on any other host. */
  nodesByAvailableMemory(host: number): number[] {
    const record = this.hosts[host]!;
    if (!record.options.numa.perNode) return [0];
    const nodes = Array.from({ length: record.poolCount }, (_, node) => node);
    const free = nodes.map((node) => this.availableInPool(record.firstPool + node));
    return nodes.sort((a, b) => free[b]! - free[a]! || a - b);
  }

  /** The most Available Memory of one pool of a host (its roomiest NUMA node's, or the host's), MB. */
  largestAvailablePool(host: number): number {
    const record = this.hosts[host]!;
    if (record.poolCount === 1) return this.availableOn(host);
    return this.availableInPool(record.firstPool + this.nodesByAvailableMemory(host)[0]!);
  }

  /** Run balancer ticks for `seconds` of simulated time: one engine call per stretch between the ticks at which
   * live migrations land or the timetable has work due, or tick by tick while starts gather their memory (each
   * tick followed by the gathering step), so advance(n) is n × advance(1) either way. */
  advance(seconds: unknown): void {
    const ticks = this.ticksIn(seconds);
    if (ticks === 0) return;
    const end = this.ticks + ticks;
    for (;;) {
      this.moves.landDue(this.ticks);
      this.timetable?.runDue(this.ticks);
      if (this.ticks >= end) return;
      if (this.gathering.size > 0) {
        const before = this.removedInGatheringPools();
        this.runTicks(1);
        const removed = this.store.vms.removed;
        this.gatherStep(this, (pool, slot) => {
          const rows = before.get(pool)!;
          return removed[slot]! - rows.removed[slot - rows.start]!;
        });
        continue;
      }
      const due = Math.min(this.timetable?.nextTick(this.ticks) ?? Infinity, this.moves.nextEnd());
      this.runTicks(Math.min(end, Math.max(due, this.ticks + 1)) - this.ticks);
    }
  }

  /** The balloons' removed-memory counters of the pools where starts gather, by pool: the rows from `start` (laid
   * out, so that slots stay put until the gathering step). */
  private removedInGatheringPools(): Map<number, { start: number; removed: Float64Array }> {
    this.layOut();
    const h = this.store.hosts;
    const removed = this.store.vms.removed;
    const pools = new Map<number, { start: number; removed: Float64Array }>();
    for (const record of this.gathering.keys()) {
      const pool = this.poolOf(record);
      if (!pools.has(pool)) {
        pools.set(pool, { start: h.hostStart[pool]!, removed: removed.slice(h.hostStart[pool]!, h.hostEnd[pool]!) });
      }
    }
    return pools;
  }

  private runTicks(ticks: number): void {
    this.layOut();
    this.store.run(this.poolTotal, ticks, this.balancer.balancerIntervalSeconds, this.alpha);
    // The kernel moved memory: each live pool's sum is its last tick's (a failed host holds nothing). Pool by
    // pool, without a list of each host's pools: this runs at every advance().
    const held = this.store.hosts.held;
    for (let pool = 0; pool < this.poolTotal; pool++) {
      const failed = this.hosts[this.hostOfPool(pool)]!.failed;
      this.heldKnown[pool] = !failed;
      this.held[pool] = failed ? 0 : held[pool]!;
    }
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
   * Lay the columns out pool by pool (each pool's VMs in consecutive slots from a multiple of HOST_ROW_ALIGNMENT,
   * empty slots only before a pool, unplaced VMs last), so a pool's tick reads its VMs' columns sequentially
   * instead of striding across the whole store; inside a host, in the order the VMs were added (the order the
   * kernel hands out spare MB in), whichever slots they took.
   * Runs only after VMs were added, removed or moved; before every engine call, and for readers that walk a
   * host's VMs by slot range (`hostStart`..`hostEnd`).
   */
  layOut(): void {
    if (!this.layoutDirty) return;
    const records = [...this.byName.values()];
    const rank = (r: VmRecord) => (r.host < 0 ? this.poolTotal : this.poolOf(r));
    records.sort((a, b) => rank(a) - rank(b)); // stable: the order they were added within a pool
    // Each pool starts on a multiple of HOST_ROW_ALIGNMENT rows, after empty rows if need be (see there).
    const rows: (VmRecord | undefined)[] = [];
    records.forEach((record, k) => {
      if (k > 0 && rank(record) !== rank(records[k - 1]!)) {
        while (rows.length % HOST_ROW_ALIGNMENT !== 0) rows.push(undefined);
      }
      rows.push(record);
    });
    this.ensureCapacity(rows.length, this.poolTotal);
    this.store.relayout(
      rows.map((record) => (record === undefined ? EMPTY_ROW : record.slot)),
      this.bySlot.length,
      (row) => (rows[row] === undefined ? EMPTY_ROW : this.poolOf(rows[row])),
      this.poolTotal,
    );
    rows.forEach((record, slot) => {
      if (record !== undefined) record.slot = slot;
    });
    this.bySlot = rows;
    this.freeSlots = [];
    this.layoutDirty = false;
    this.layoutVersion++;
  }

  get rowLayout(): RowLayout {
    return { rows: this.bySlot.length, freeRows: [...this.freeSlots], layoutDirty: this.layoutDirty };
  }

  /**
   * A checkpoint's VMs back in the rows they had, each host's members in their order (this fleet is new and has
   * its hosts); the caller restores the columns next, then calls `columnsReplaced`.
   */
  restoreVms(records: readonly VmRecord[], members: readonly (readonly VmRecord[])[], layout: RowLayout): void {
    this.ensureCapacity(layout.rows, this.poolTotal);
    this.bySlot = new Array<VmRecord | undefined>(layout.rows).fill(undefined);
    for (const record of records) {
      this.bySlot[record.slot] = record;
      this.byName.set(record.name, record);
    }
    members.forEach((list, host) => {
      for (const record of list) this.hosts[host]!.members.add(record);
    });
    this.freeSlots = [...layout.freeRows];
    this.layoutDirty = layout.layoutDirty;
    this.layoutVersion++;
  }

  /** The columns were written wholesale (a restore): per-host sums and placement are worked out again. */
  columnsReplaced(): void {
    this.heldKnown.fill(false);
    this.roomiest.invalidate();
    this.smallestMaxVm = undefined;
  }

  private ensureCapacity(vms: number, pools: number): void {
    const e = this.store;
    const neededSlots = Math.max(vms, this.bySlot.length + (this.freeSlots.length > 0 ? 0 : 1));
    if (neededSlots <= e.vmCapacity && pools <= e.hostCapacity) return;
    const vmCapacity = neededSlots <= e.vmCapacity ? e.vmCapacity : Math.max(64, e.vmCapacity * 2, neededSlots);
    const hostCapacity = pools <= e.hostCapacity ? e.hostCapacity : Math.max(4, e.hostCapacity * 2, pools);
    e.grow(vmCapacity, hostCapacity);
  }
}

/** In a layout, a row left empty. */
const EMPTY_ROW = -1;

/** The most ticks a fleet's clock runs, in all: beyond 2^53 − 1 a tick count is no longer exact in a double. */
export const MAX_TICKS = Number.MAX_SAFE_INTEGER;

export function isOn(state: number): boolean {
  return state === STARTING || state === RUNNING;
}
