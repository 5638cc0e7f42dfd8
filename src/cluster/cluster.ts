// A failover cluster: many hosts in one store (one engine call balances them all), placement and failover.
import { type FleetState, restoreFleet, saveFleet } from '../checkpoint/fleet-state.ts';
import {
  badCheckpoint,
  type Checkpoint,
  openCheckpoint,
  type RestoreOptions,
  sealCheckpoint,
} from '../checkpoint/format.ts';
import { DynamicMemoryError, type StartFailure, shown } from '../errors.ts';
import { createFleet, ENGINE_OPTION_FIELDS, type EngineOptions } from '../host/create.ts';
import { type Fleet, isOn, RUNNING, type VmRecord } from '../host/fleet.ts';
import { Host } from '../host/host.ts';
import { restartVm, startVm, stopVm } from '../host/lifecycle.ts';
import type { SavedMove } from '../host/live-moves.ts';
import { type HostOptions, resolveHostOptions } from '../host/options.ts';
import { type HostCounters, hostCounters, type VmSnapshot, vmSnapshot } from '../host/snapshot.ts';
import { makeHandles, setDemands, type VmHandles } from '../host/vm-handles.ts';
import { removeVm, setDemand, setMemory } from '../host/vm-ops.ts';
import { newVmSettings, type VmConfig } from '../settings.ts';
import {
  type AutoBalancer,
  BALANCE_EVERY_SECONDS,
  balancingPass,
  type Mover,
  resolveAutoBalancer,
} from './auto-balancer.ts';
import { type Failback, resolveFailback } from './failback.ts';
import { type Migration, Migrations, resolveMigrationBandwidth } from './migrations.ts';
import { placeAndStart } from './placement.ts';

export interface ClusterOptions extends EngineOptions {
  /** The member hosts; each needs a unique name. failoverCluster defaults to true for members. */
  hosts: (HostOptions & { name: string })[];
  /** 'none' (default, as Hyper-V): VMs stay where a failover put them; 'immediate': when a failed host recovers,
   * the VMs that ran there move back (live migrations, in failover order, each where its memory fits). */
  failback?: Failback;
  /**
   * VM load balancing (Windows Server 2016 "node fairness"): mode 'disabled', 'onJoin' (when a failed host
   * recovers) or 'always' (on join and every 30 minutes); level 'low' (move VMs off hosts whose memory load is above
   * 80 %), 'medium' (70 %) or 'high' (60 %). Default { mode: 'always', level: 'low' } (Microsoft's), and
   * 'disabled' when a member runs 2012R2 (the feature came with Windows Server 2016).
   */
  autoBalancer?: Partial<AutoBalancer>;
  /**
   * How fast live migrations (the load balancer's moves, failbacks) copy a VM's memory, MB/s: a move of M MB takes
   * ⌈M ÷ bandwidth⌉ seconds (at least 1), during which the VM runs on its source holding still and its memory is
   * kept for it on the target. Default 1,000 (about a 10 GbE link: dynmem's choice, Microsoft publishes no single
   * figure). A finite number above 0.
   */
  migrationBandwidthMBps?: number;
}

/** What a host's recovery did: the VMs that started failing back to it (live migrations, under way until each
 * lands: see `migrations()`). */
export interface RecoveryReport {
  host: string;
  failedBack: { vm: string; from: string }[];
}

/** What a host failure did to each of its running VMs. */
export interface FailoverReport {
  host: string;
  /** VMs started again on a surviving host. */
  restarted: { vm: string; host: string }[];
  /** VMs that fit nowhere: off, unplaced, with the OutOfMemory error a start would give. */
  failed: { vm: string; error: DynamicMemoryError }[];
  /** VMs of cluster priority No Auto Start (0): left off and unplaced, as Failover Clustering does. */
  notStarted: string[];
}

export interface ClusterCounters extends HostCounters {
  hosts: number;
  failedHosts: number;
}

export class Cluster {
  /** @internal */ readonly fleet: Fleet;
  private readonly members: Host[];
  readonly failback: Failback;
  readonly autoBalancer: Readonly<AutoBalancer>;
  /** MB/s a live migration copies (see ClusterOptions). */
  readonly migrationBandwidthMBps: number;
  /** Where each failed-over VM ran before its host failed: its home for failback. */
  private readonly homes: Map<VmRecord, number>;
  private readonly migrating: Migrations;
  /** Ticks between the balancing passes of mode 'always' (they run at its multiples). */
  private readonly passEvery: number;
  private nextPass: number;

  /** @internal Use createCluster() or restoreCluster(). */
  constructor(
    fleet: Fleet,
    failback: Failback = 'none',
    autoBalancer: AutoBalancer = { mode: 'disabled', level: 'low' },
    homes: ReadonlyMap<VmRecord, number> = new Map(),
    migrationBandwidthMBps = resolveMigrationBandwidth(undefined),
  ) {
    this.fleet = fleet;
    this.failback = failback;
    this.autoBalancer = Object.freeze({ ...autoBalancer });
    this.migrationBandwidthMBps = migrationBandwidthMBps;
    this.members = fleet.hosts.map((record) => new Host(fleet, record, true));
    this.homes = new Map(homes);
    this.migrating = new Migrations(fleet, migrationBandwidthMBps);
    this.passEvery = Math.max(1, Math.round(BALANCE_EVERY_SECONDS / fleet.balancer.balancerIntervalSeconds));
    this.nextPass = (Math.floor(fleet.ticks / this.passEvery) + 1) * this.passEvery;
    if (this.autoBalancer.mode === 'always' && fleet.hosts.length > 1) {
      fleet.timetable = {
        nextTick: () => this.nextPass,
        runDue: (tick) => {
          if (tick < this.nextPass) return;
          this.nextPass = (Math.floor(tick / this.passEvery) + 1) * this.passEvery;
          this.balance();
        },
      };
    }
  }

  /** Every live migration so far (load balancing and failback), in the order they started, with its status
   * ('moving' while under way). */
  migrations(): Migration[] {
    return this.fleet.moves.log.map((m) => ({ ...m }));
  }

  /** One load-balancing pass (see README "VM load balancing"). */
  private balance(): void {
    const migrating = this.migrating;
    const mover: Mover = {
      usedOn: (host) => migrating.usedOn(host),
      canMove: (record) => migrating.canMove(record),
      move: (record, to) => migrating.move(record, to, 'balance'),
    };
    balancingPass(this.fleet, this.autoBalancer.level, mover);
  }

  get engine(): string {
    return this.fleet.store.kind;
  }
  /** Threads the balancer runs on now: 1, or in Node with the 'wasm' engine the calling thread and the helpers
   * started so far (by the first call long enough to share its hosts; see the `threads` option). */
  get threads(): number {
    return this.fleet.store.threads;
  }
  get timeSeconds(): number {
    return this.fleet.timeSeconds;
  }

  /** A member host: the full Host API, for the VMs on it. */
  host(name: string): Host {
    return this.members[this.fleet.hostByName(name).index]!;
  }

  hosts(): Host[] {
    return [...this.members];
  }

  /**
   * Add a VM without a host: it is placed when it starts. (To add a VM to a given host: `cluster.host(h).addVm`.)
   */
  addVm(config: VmConfig): VmSnapshot {
    const settings = newVmSettings(config, this.fleet.unplacedMemoryLimit);
    const record = this.fleet.addVm(config.name, settings, -1);
    return vmSnapshot(this.fleet, record);
  }

  /** Start a VM: on its host if it has one, else placed on the live host with the most available memory where it
   * can start (reclaiming only from VMs of lower or equal weight, as `Host.start`). */
  start(name: string): void {
    const record = this.fleet.vm(name);
    if (record.host < 0) placeAndStart(this.fleet, record);
    else startVm(this.fleet, record);
  }

  stop(name: string): void {
    stopVm(this.fleet, this.fleet.vm(name));
  }
  restart(name: string): void {
    restartVm(this.fleet, this.fleet.vm(name));
  }
  removeVm(name: string): void {
    const record = this.fleet.vm(name);
    removeVm(this.fleet, record);
    this.homes.delete(record); // a VM of the same name added later has no home
  }
  setDemand(name: string, demandMB: number): void {
    setDemand(this.fleet, this.fleet.vm(name), demandMB);
  }
  /**
   * Handles for VMs anywhere in the cluster (placed or not), to set their demands in one call with `setDemands`.
   * They follow their VMs through failovers. @example const handles = cluster.vmHandles(['sql-1', 'web-1']);
   */
  vmHandles(names: readonly string[]): VmHandles {
    return makeHandles(this.fleet, names, (name) => this.fleet.vm(name));
  }
  /**
   * Set many demands in one call, all or nothing, exactly as that many `setDemand` calls would (see
   * `Host.setDemands`). @example cluster.setDemands(handles, Float64Array.of(4096, 1024));
   */
  setDemands(handles: VmHandles, demandsMB: ArrayLike<number>): void {
    setDemands(this.fleet, handles, demandsMB);
  }
  setMemory(name: string, change: Partial<VmConfig>): VmSnapshot {
    return setMemory(this.fleet, this.fleet.vm(name), change);
  }
  vm(name: string): VmSnapshot {
    return vmSnapshot(this.fleet, this.fleet.vm(name));
  }

  /** Every VM of the cluster, placed or not. */
  vms(): VmSnapshot[] {
    return [...this.fleet.allVms()].map((record) => vmSnapshot(this.fleet, record));
  }

  /** Starts that failed after they began (their startup RAM not gathered within the host's start timeout), on
   * any host, oldest first; each VM went back off, where it was before the start. */
  startFailures(): StartFailure[] {
    return [...this.fleet.startFailures];
  }

  /** Run every host's balancer for `seconds`, in one engine call per batch. */
  advance(seconds: number): void {
    this.fleet.advance(seconds);
  }

  /**
   * A host fails: its running VMs go off and are started on the surviving hosts like starts from off (no Smart
   * Paging), in failover order: cluster priority (High, Medium, Low), then weight, highest first. No Auto Start
   * VMs stay off. A VM that fits nowhere stays off and unplaced, reported with its error.
   */
  failHost(name: string): FailoverReport {
    const host = this.fleet.hostByName(name);
    if (host.failed) {
      throw new DynamicMemoryError('InvalidState', `Host '${name}' has already failed.`, { host: name });
    }
    const v = this.fleet.store.vms;
    const victims: VmRecord[] = [];
    for (const record of host.members) if (isOn(v.state[record.slot]!)) victims.push(record);
    victims.sort(failoverOrder);
    // moves into the host are abandoned (their VMs run on where they are); moves out of it fail with it
    this.fleet.moves.endAllOf(host.index, 'to');
    this.fleet.moves.endAllOf(host.index, 'from');
    for (const record of victims) stopVm(this.fleet, record);
    host.failed = true;
    this.fleet.hostUpChanged(host.index);
    const report: FailoverReport = { host: name, restarted: [], failed: [], notStarted: [] };
    for (const record of victims) {
      this.fleet.moveVm(record, -1);
      this.homes.set(record, host.index);
      if (record.settings.clusterPriority === 0) {
        report.notStarted.push(record.name);
        continue;
      }
      try {
        const to = placeAndStart(this.fleet, record);
        report.restarted.push({ vm: record.name, host: this.fleet.hosts[to]!.options.name });
      } catch (error) {
        if (!(error instanceof DynamicMemoryError)) throw error;
        report.failed.push({ vm: record.name, error });
      }
    }
    return report;
  }

  /** A failed host comes back, empty, and takes VMs again; with failback 'immediate' its VMs start moving back to
   * it (live migrations: `failedBack` lists those that started). */
  recoverHost(name: string): RecoveryReport {
    const host = this.fleet.hostByName(name);
    if (!host.failed) throw new DynamicMemoryError('InvalidState', `Host '${name}' has not failed.`, { host: name });
    host.failed = false;
    this.fleet.hostUpChanged(host.index);
    const report: RecoveryReport = { host: name, failedBack: [] };
    const returning = [...this.homes].filter(([, home]) => home === host.index).map(([record]) => record);
    for (const record of returning) this.homes.delete(record);
    if (this.failback === 'immediate') this.failBack(returning, host.index, report);
    if (this.autoBalancer.mode !== 'disabled') this.balance(); // a node joined
    return report;
  }

  /** Failback 'immediate': the VMs whose home recovered start moving back, in failover order, each if it runs
   * (not moving already) and its memory is free at home. */
  private failBack(returning: VmRecord[], home: number, report: RecoveryReport): void {
    returning.sort(failoverOrder);
    for (const record of returning) {
      if (!this.fleet.has(record.name) || record.host < 0) continue;
      const from = this.fleet.hosts[record.host]!.options.name;
      if (this.migrating.move(record, home, 'failback')) report.failedBack.push({ vm: record.name, from });
    }
  }

  /**
   * The cluster's whole state as plain JSON (every host and VM, the failover homes, the clock), for
   * `restoreCluster`: the restored cluster goes on exactly as this one would. Changes nothing.
   * @example
   * writeFileSync('cluster.json', JSON.stringify(cluster.checkpoint()));
   * const again = await restoreCluster(JSON.parse(readFileSync('cluster.json', 'utf8')), { engine: 'js' });
   */
  checkpoint(): Checkpoint<'cluster'> {
    return sealCheckpoint('cluster', this.engine, this.timeSeconds, this.state());
  }

  /** @internal The state a checkpoint keeps (a simulation's holds it too). */
  state(): ClusterState {
    return {
      fleet: saveFleet(this.fleet),
      failback: this.failback,
      autoBalancer: { ...this.autoBalancer },
      migrationBandwidthMBps: this.migrationBandwidthMBps,
      migrations: this.migrations(),
      moving: this.fleet.moves.saved(),
      homes: [...this.homes].map(([record, host]) => [record.name, host]),
    };
  }

  /** Counters summed over the live hosts; pressures are those of the cluster's VMs taken together. */
  counters(): ClusterCounters {
    const live = this.fleet.hosts.filter((h) => !h.failed);
    const parts = live.map((h) => hostCounters(this.fleet, h.index));
    const sum = (key: keyof HostCounters) => parts.reduce((s, c) => s + c[key], 0);
    const v = this.fleet.store.vms;
    let demand = 0;
    let memory = 0;
    for (const record of this.fleet.allVms()) {
      const i = record.slot;
      if (record.host < 0 || v.state[i] !== RUNNING || v.dynamic[i] === 0) continue;
      demand += v.demand[i]!;
      memory += v.assigned[i]! + v.smartPaging[i]!;
    }
    const weightedAverage = parts.reduce((s, c) => s + c.averagePressure * c.assignedMB, 0);
    const assigned = sum('assignedMB');
    return {
      availableMemoryMB: sum('availableMemoryMB'),
      averagePressure: assigned > 0 ? weightedAverage / assigned : 0,
      systemCurrentPressure: memory > 0 ? (100 * demand) / memory : 0,
      addedMemoryMB: sum('addedMemoryMB'),
      removedMemoryMB: sum('removedMemoryMB'),
      memoryAddOperations: sum('memoryAddOperations'),
      memoryRemoveOperations: sum('memoryRemoveOperations'),
      memoryMB: sum('memoryMB'),
      reserveMB: sum('reserveMB'),
      assignedMB: assigned,
      smartPagingMB: sum('smartPagingMB'),
      migratingInMB: sum('migratingInMB'),
      runningVms: sum('runningVms'),
      hosts: this.fleet.hosts.length,
      failedHosts: this.fleet.hosts.length - live.length,
    };
  }
}

/** @internal */
export interface ClusterState {
  fleet: FleetState;
  failback: Failback;
  autoBalancer: AutoBalancer;
  migrationBandwidthMBps: number;
  /** Live migrations so far (the cluster's log). */
  migrations: Migration[];
  /** The moves under way. */
  moving: SavedMove[];
  /** Failed-over VMs and the host each ran on before, by name and host index. */
  homes: [string, number][];
}

/** @internal A cluster in the saved `state` (at `field` inside its checkpoint). */
export async function clusterFromState(state: unknown, options: RestoreOptions, field: string): Promise<Cluster> {
  const s = (typeof state === 'object' && state !== null ? state : {}) as Partial<Record<keyof ClusterState, unknown>>;
  let failback: Failback;
  try {
    failback = resolveFailback(s.failback);
  } catch (error) {
    throw badCheckpoint(`${field}.failback`, (error as Error).message);
  }
  if (!Array.isArray(s.homes)) throw badCheckpoint(`${field}.homes`, `${field}.homes must be an array.`);
  if (!Array.isArray(s.migrations)) {
    throw badCheckpoint(`${field}.migrations`, `${field}.migrations must be an array.`);
  }
  if (!Array.isArray(s.moving)) throw badCheckpoint(`${field}.moving`, `${field}.moving must be an array.`);
  let bandwidth: number;
  try {
    bandwidth = resolveMigrationBandwidth(s.migrationBandwidthMBps);
  } catch (error) {
    throw badCheckpoint(`${field}.migrationBandwidthMBps`, (error as Error).message);
  }
  const fleet = await restoreFleet(s.fleet, options, `${field}.fleet`);
  let autoBalancer: AutoBalancer;
  try {
    autoBalancer = resolveAutoBalancer(
      s.autoBalancer,
      fleet.hosts.map((h) => h.options.version),
    );
  } catch (error) {
    throw badCheckpoint(`${field}.autoBalancer`, (error as Error).message);
  }
  const homes = new Map<VmRecord, number>();
  s.homes.forEach((entry: unknown, k) => {
    const [name, host] = Array.isArray(entry) ? entry : [];
    if (typeof name !== 'string' || !fleet.has(name) || !Number.isInteger(host) || !fleet.hosts[host]) {
      throw badCheckpoint(`${field}.homes[${k}]`, 'expected [name of a VM, index of a host].');
    }
    homes.set(fleet.vm(name), host);
  });
  s.moving.forEach((m: Partial<SavedMove>, k) => {
    const at = `${field}.moving[${k}]`;
    const known = typeof m?.vm === 'string' && fleet.has(m.vm) && fleet.hosts[m.to as number] !== undefined;
    const entry = (s.migrations as unknown[])[m?.entry as number];
    if (!known || !Number.isInteger(m.pool) || !Number.isInteger(m.endTick) || entry === undefined) {
      throw badCheckpoint(
        at,
        'expected { vm, to, pool, mb, startTick, endTick, entry } of a VM, a host and a logged move.',
      );
    }
  });
  fleet.moves.restore(s.migrations as Migration[], s.moving as SavedMove[]);
  return new Cluster(fleet, failback, autoBalancer, homes, bandwidth);
}

/**
 * A cluster in exactly the state `cluster.checkpoint()` saved (also after `JSON.stringify` and `JSON.parse`), on
 * the engine of `options` (default 'wasm', whichever engine wrote it). Results from here on equal the original's.
 * @throws DynamicMemoryError 'InvalidCheckpoint' naming what is wrong; 'InvalidSetting' for a bad option.
 * @example
 * const cluster = await restoreCluster(JSON.parse(readFileSync('cluster.json', 'utf8')));
 * cluster.failHost('n1');
 */
export async function restoreCluster(checkpoint: unknown, options: RestoreOptions = {}): Promise<Cluster> {
  return clusterFromState(openCheckpoint(checkpoint, 'cluster'), options, 'state');
}

const CLUSTER_FIELDS = ['hosts', 'failback', 'autoBalancer', 'migrationBandwidthMBps', ...ENGINE_OPTION_FIELDS];

/** Failover order: cluster priority, then weight, highest first (ties: the order the VMs are stored). */
function failoverOrder(a: VmRecord, b: VmRecord): number {
  return (
    b.settings.clusterPriority - a.settings.clusterPriority || b.settings.weight - a.settings.weight || a.slot - b.slot
  );
}

/**
 * Create a failover cluster.
 * @example
 * const cluster = await createCluster({ hosts: [{ name: 'n1', memoryMB: 262144 }, { name: 'n2', memoryMB: 262144 }] });
 * cluster.addVm({ name: 'sql-1', startupMB: 8192 });
 * cluster.start('sql-1');            // placed on the host with the most available memory
 * const report = cluster.failHost(cluster.vm('sql-1').host!);
 */
export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.hosts) || options.hosts.length === 0) {
    throw new DynamicMemoryError('InvalidSetting', 'createCluster needs hosts: a non-empty array of host options.', {
      field: 'hosts',
    });
  }
  for (const key of Object.keys(options)) {
    if (!CLUSTER_FIELDS.includes(key)) {
      throw new DynamicMemoryError(
        'InvalidSetting',
        `createCluster: unknown option ${shown(key)} (known: ${CLUSTER_FIELDS.join(', ')}).`,
        { field: key },
      );
    }
  }
  const resolved = options.hosts.map((h, i) => {
    if (typeof h !== 'object' || h === null || typeof h.name !== 'string') {
      throw new DynamicMemoryError('InvalidSetting', `hosts[${i}] needs a name.`, { field: `hosts[${i}].name` });
    }
    return resolveHostOptions({ failoverCluster: true, ...h });
  });
  const names = new Set<string>();
  for (const h of resolved) {
    if (names.has(h.name))
      throw new DynamicMemoryError('DuplicateHost', `Two hosts are named '${h.name}'.`, { host: h.name });
    names.add(h.name);
  }
  const failback = resolveFailback(options.failback);
  const autoBalancer = resolveAutoBalancer(
    options.autoBalancer,
    resolved.map((h) => h.version),
  );
  const bandwidth = resolveMigrationBandwidth(options.migrationBandwidthMBps);
  const fleet = await createFleet(options);
  for (const h of resolved) fleet.addHost(h);
  return new Cluster(fleet, failback, autoBalancer, new Map(), bandwidth);
}
