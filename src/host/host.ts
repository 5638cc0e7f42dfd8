// The Host facade: the public API of one Hyper-V host (alone, or a member of a cluster).
import { restoreFleet, saveFleet } from '../checkpoint/fleet-state.ts';
import {
  badCheckpoint,
  type Checkpoint,
  openCheckpoint,
  type RestoreOptions,
  sealCheckpoint,
} from '../checkpoint/format.ts';
import { DynamicMemoryError, type StartFailure } from '../errors.ts';
import { newVmSettings, type VmConfig } from '../settings.ts';
import { createFleet, ENGINE_OPTION_FIELDS, type EngineOptions } from './create.ts';
import type { Fleet, HostRecord, VmRecord } from './fleet.ts';
import { restartVm, startVm, stopVm } from './lifecycle.ts';
import { type HostOptions, resolveHostOptions } from './options.ts';
import type { PolicyName } from './policy.ts';
import {
  type HostCounters,
  hostCounters,
  type NumaNodeCounters,
  numaNodeCounters,
  type VmSnapshot,
  vmSnapshot,
} from './snapshot.ts';
import { type HyperVVersion, vmMemoryLimit } from './versions.ts';
import { makeHandles, setDemands, type VmHandles } from './vm-handles.ts';
import { removeVm, setDemand, setMemory } from './vm-ops.ts';

export type CreateHostOptions = HostOptions & EngineOptions;

export class Host {
  /** @internal */ readonly fleet: Fleet;
  /** @internal */ readonly record: HostRecord;
  /** A member of a cluster: its state is the cluster's (checkpoint the cluster). */
  readonly #member: boolean;

  /** @internal Use createHost() or a cluster's host(). */
  constructor(fleet: Fleet, record: HostRecord, member = false) {
    this.fleet = fleet;
    this.record = record;
    this.#member = member;
  }

  get name(): string {
    return this.record.options.name;
  }
  get memoryMB(): number {
    return this.record.options.memoryMB;
  }
  /** The host reserve in force, MB. */
  get reserveMB(): number {
    return this.record.options.reserveMB;
  }
  /** The largest memory of a Generation 2 VM here, MB (Generation 1: at most 1 TB). */
  get maxVmMemoryMB(): number {
    return this.record.options.maxVmMemoryMB;
  }
  /** The Windows Server version of Hyper-V this host models. */
  get version(): HyperVVersion {
    return this.record.options.version;
  }
  /** The allocation policy ('hyperv' unless the host was created with another). */
  get policy(): PolicyName {
    return this.record.options.policy.name;
  }
  /** 'wasm' or 'js'. */
  get engine(): string {
    return this.fleet.store.kind;
  }
  /** Threads the balancer runs on now (see `Cluster.threads`): a host whose NUMA nodes balance on their own
   * shares them between threads. */
  get threads(): number {
    return this.fleet.store.threads;
  }
  /** Simulated seconds so far. */
  get timeSeconds(): number {
    return this.fleet.timeSeconds;
  }
  /** True while the host is failed (cluster members only). */
  get failed(): boolean {
    return this.record.failed;
  }

  /** A VM on this host; UnknownVm if there is none of that name here. */
  private own(name: unknown): VmRecord {
    const record = this.fleet.vm(name);
    if (record.host !== this.record.index) {
      throw new DynamicMemoryError('UnknownVm', `There is no VM named '${record.name}' on host '${this.name}'.`, {
        vm: record.name,
        host: this.name,
      });
    }
    return record;
  }

  /**
   * Add a VM (off) to this host. Missing settings take their defaults.
   * @example host.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
   */
  addVm(config: VmConfig): VmSnapshot {
    const settings = newVmSettings(config, vmMemoryLimit(this.record.options));
    const record = this.fleet.addVm(config.name, settings, this.record.index);
    return vmSnapshot(this.fleet, record);
  }

  /** Remove a VM that is off. */
  removeVm(name: string): void {
    removeVm(this.fleet, this.own(name));
  }

  /**
   * Start a VM that is off: its startup RAM from free memory, then reclaimed from running VMs of lower or equal
   * memory weight than its own (none for weight 0: it starts only in free memory); never Smart Paging. From free
   * memory the start is instantaneous; memory reclaimed is ballooned out tick by tick at the balloon rate while
   * the VM waits in Starting (`gatheringMB`), its boot beginning when all is there. One that has not gathered it
   * within `startTimeoutSeconds` fails then (see `startFailures()`): the VM is off again, its memory free.
   * @throws DynamicMemoryError 'OutOfMemory' (hresult 0x8007000E) when free memory and all it may reclaim fall
   * short; nothing changes then.
   * @example
   * host.start('vdi-1');
   * host.vm('vdi-1').gatheringMB; // MB still being ballooned out of other VMs for it (0: booting or running)
   */
  start(name: string): void {
    startVm(this.fleet, this.own(name));
  }

  /** Restart a running VM: free memory, then reclaim by its weight as a start; Smart Paging bridges the rest. */
  restart(name: string): void {
    restartVm(this.fleet, this.own(name));
  }

  /** Turn a VM off; its memory is free at once. */
  stop(name: string): void {
    stopVm(this.fleet, this.own(name));
  }

  /** Set the guest's committed memory, whole MB ≥ 0. */
  setDemand(name: string, demandMB: number): void {
    setDemand(this.fleet, this.own(name), demandMB);
  }

  /**
   * Handles for VMs of this host, to set their demands in one call with `setDemands` (no name lookup per VM).
   * @throws DynamicMemoryError 'UnknownVm' for a name not on this host, 'InvalidArgument' for a VM named twice.
   * @example
   * const handles = host.vmHandles(['vdi-1', 'vdi-2']);
   * host.setDemands(handles, Float64Array.of(1000, 1500));
   */
  vmHandles(names: readonly string[]): VmHandles {
    return makeHandles(this.fleet, names, (name) => this.own(name));
  }

  /**
   * Set many demands in one call: `demandsMB[k]` (whole MB ≥ 0) for `handles.names[k]`, exactly as that many
   * `setDemand` calls would. All or nothing: a bad value, or a VM removed or moved off this host since the
   * handles were made, refuses the whole call with the error `setDemand` would give, naming the VM.
   * @example
   * const handles = host.vmHandles(names);           // once
   * const demands = new Float64Array(names.length);  // reused every tick
   * demands.fill(1024);
   * host.setDemands(handles, demands);
   * host.advance(1);
   */
  setDemands(handles: VmHandles, demandsMB: ArrayLike<number>): void {
    setDemands(this.fleet, handles, demandsMB, this.record);
  }

  /**
   * Change memory settings under Hyper-V's runtime rules; all or nothing.
   * @example host.setMemory('vdi-1', { maximumMB: 16384, bufferPercent: 30 });
   */
  setMemory(name: string, change: Partial<VmConfig>): VmSnapshot {
    return setMemory(this.fleet, this.own(name), change);
  }

  /** Run the balancer for `seconds` of simulated time (in a cluster, every host advances together). */
  advance(seconds: number): void {
    this.fleet.advance(seconds);
  }

  /** A snapshot of a VM on this host. */
  vm(name: string): VmSnapshot {
    return vmSnapshot(this.fleet, this.own(name));
  }

  /** Snapshots of every VM on this host. */
  vms(): VmSnapshot[] {
    const out: VmSnapshot[] = [];
    for (const record of this.fleet.allVms())
      if (record.host === this.record.index) out.push(vmSnapshot(this.fleet, record));
    return out;
  }

  /**
   * The host's whole state as plain JSON (every VM's memory, counters, averages, states and timers, Smart Paging,
   * balloon drivers, the clock), for `restoreHost`: the restored host goes on exactly as this one would. Changes
   * nothing. @throws DynamicMemoryError 'InvalidState' for a cluster member (checkpoint the cluster).
   * @example
   * writeFileSync('host.json', JSON.stringify(host.checkpoint()));
   * const again = await restoreHost(JSON.parse(readFileSync('host.json', 'utf8')));
   * again.advance(60); // as host.advance(60) would
   */
  checkpoint(): Checkpoint<'host'> {
    if (this.#member) {
      throw new DynamicMemoryError(
        'InvalidState',
        `Host '${this.name}' is a member of a cluster: its state is the cluster's (cluster.checkpoint()).`,
        { host: this.name },
      );
    }
    return sealCheckpoint('host', this.engine, this.timeSeconds, { fleet: saveFleet(this.fleet) });
  }

  /**
   * Starts on this host that failed after they began: they could not gather their startup RAM within
   * `startTimeoutSeconds` (each VM went back off). Oldest first. (A start refused at once throws instead.)
   */
  startFailures(): StartFailure[] {
    return this.fleet.startFailures.filter((f) => f.host === this.name);
  }

  /** Host-wide counters ("Hyper-V Dynamic Memory Balancer"); with NUMA spanning off, summed over the nodes. */
  counters(): HostCounters {
    return hostCounters(this.fleet, this.record.index);
  }

  /** NUMA spanning (default true): VMs take memory from every node. Off: each VM lives on one node. */
  get numaSpanning(): boolean {
    return this.record.options.numa.spanning;
  }

  /**
   * The host's NUMA nodes (one, the whole host, unless created with `numaNodes`): each one's memory and share of
   * the reserve and, with NUMA spanning off, what its VMs hold and what is still available.
   * @example
   * const host = await createHost({ memoryMB: 65536, numaNodes: 2, numaSpanning: false });
   * host.numaNodes()[1].availableMemoryMB; // 30528: 32768 less half the 4480 MB reserve
   */
  numaNodes(): NumaNodeCounters[] {
    return numaNodeCounters(this.fleet, this.record.index);
  }
}

/**
 * Create a Hyper-V host with Dynamic Memory.
 * @example
 * const host = await createHost({ memoryMB: 65536 });
 * host.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
 * host.start('vdi-1');
 * host.setDemand('vdi-1', 1000);
 * host.advance(60);
 * host.vm('vdi-1').assignedMB; // 1200
 */
export async function createHost(options: CreateHostOptions): Promise<Host> {
  const resolved = resolveHostOptions(options, ENGINE_OPTION_FIELDS);
  const fleet = await createFleet(options);
  return new Host(fleet, fleet.addHost(resolved));
}

/**
 * A host in exactly the state `host.checkpoint()` saved (also after `JSON.stringify` and `JSON.parse`), on the
 * engine of `options` (default 'wasm', whichever engine wrote it). Results from here on equal the original's.
 * @throws DynamicMemoryError 'InvalidCheckpoint' naming what is wrong (not a checkpoint, another version or kind,
 * a damaged state); 'InvalidSetting' for a bad option.
 * @example
 * const host = await restoreHost(JSON.parse(readFileSync('host.json', 'utf8')), { engine: 'js' });
 */
export async function restoreHost(checkpoint: unknown, options: RestoreOptions = {}): Promise<Host> {
  const state = openCheckpoint(checkpoint, 'host') as { fleet?: unknown };
  const fleet = await restoreFleet(state.fleet, options);
  if (fleet.hosts.length !== 1) throw badCheckpoint('state.fleet.hosts', 'a host checkpoint holds one host.');
  return new Host(fleet, fleet.hosts[0]!);
}
