// Reading a VM's or host's counters out of the columns, with Hyper-V's names and meanings.
import type { VmSettings } from '../settings.ts';
import { type Fleet, OFF, RUNNING, STARTING, type VmRecord } from './fleet.ts';
import { largestNodeForVmsMB } from './numa.ts';

export type VmState = 'Off' | 'Starting' | 'Running';
/** Get-VM's MemoryStatus; empty for a VM without Dynamic Memory, as Get-VM shows it. */
export type MemoryStatus = 'Ok' | 'Low' | 'Warning' | 'Paging' | 'Spanning' | '';

/** A VM at one moment ("Hyper-V Dynamic Memory VM" counters and Get-VM fields). */
export interface VmSnapshot {
  name: string;
  /** Host the VM is on (null for an unplaced cluster VM). */
  host: string | null;
  /** The NUMA node the VM lives on while it runs or starts on a host with NUMA spanning off (null otherwise: off,
   * unplaced, or its memory comes from every node). */
  numaNode: number | null;
  state: VmState;
  settings: VmSettings;
  /** Physical Memory: what the host has given the VM, MB (Smart Paging not included). */
  assignedMB: number;
  /** Memory Demand: the guest's committed memory, MB. */
  demandMB: number;
  /** Current Pressure: 100 × demand / memory the guest has (assigned + Smart Paging). */
  pressure: number;
  averagePressure: number;
  minimumPressure: number;
  maximumPressure: number;
  addedMemoryMB: number;
  removedMemoryMB: number;
  memoryAddOperations: number;
  memoryRemoveOperations: number;
  /** Guest Visible Physical Memory: the most the guest has seen since it booted, MB. */
  guestVisibleMB: number;
  /** Smart Paging Working Set Size, MB. */
  smartPagingMB: number;
  /** 100 × (memory − demand) / (demand × buffer/100); Infinity with no demand. */
  availableMemoryBuffer: number;
  memoryStatus: MemoryStatus;
  /** Seconds of boot left while Starting (all of the boot while the start still gathers its memory). */
  bootSecondsLeft: number;
  /** MB of startup RAM a start is still waiting for while it is ballooned out of other VMs; 0 otherwise. The
   * VMs whose start is waiting: `host.vms().filter((v) => v.gatheringMB > 0)`. */
  gatheringMB: number;
  /** Seconds before a start still gathering its memory fails with OutOfMemory; 0 otherwise. */
  startTimeoutSecondsLeft: number;
  /** The host a live migration is moving the VM to (it runs on `host` until the move lands), or null. */
  migratingTo: string | null;
}

/** "Hyper-V Dynamic Memory Balancer" counters of a host (or, summed, of a cluster). */
export interface HostCounters {
  /** Available Memory: what VMs could still be given, MB. */
  availableMemoryMB: number;
  /** Average Pressure: moving average of the system current pressure. */
  averagePressure: number;
  /** System Current Pressure: 100 × Σ demand / Σ memory of the running Dynamic Memory VMs. */
  systemCurrentPressure: number;
  addedMemoryMB: number;
  removedMemoryMB: number;
  memoryAddOperations: number;
  memoryRemoveOperations: number;
  memoryMB: number;
  reserveMB: number;
  /** Σ physical memory held by VMs, MB. */
  assignedMB: number;
  /** Σ Smart Paging in use, MB (on disk, not in the host's memory). */
  smartPagingMB: number;
  /** Memory kept for VMs being live-migrated to this host, MB: in use, as the reserve (0 on a lone host). */
  migratingInMB: number;
  runningVms: number;
}

const STATE_NAMES: Record<number, VmState> = { [OFF]: 'Off', [STARTING]: 'Starting', [RUNNING]: 'Running' };

export function availableMemoryBuffer(memoryMB: number, demandMB: number, bufferPercent: number): number {
  if (demandMB <= 0) return Infinity;
  return (100 * (memoryMB - demandMB)) / ((demandMB * bufferPercent) / 100);
}

/** MemoryStatus as Get-VM reports it: Paging while Smart Paging is in use, Spanning while its memory spans NUMA
 * nodes, else from the buffer left. */
export function memoryStatus(smartPagingMB: number, buffer: number, spanning = false): MemoryStatus {
  if (smartPagingMB > 0) return 'Paging';
  if (spanning) return 'Spanning';
  if (buffer < 0) return 'Warning';
  return buffer > 80 ? 'Ok' : 'Low';
}

/** Whether a VM holding `assignedMB` on a host spans NUMA nodes: with spanning on, when it holds more than the
 * largest node can give VMs (its size less its share of the reserve). With spanning off it never does. */
function spansNodes(fleet: Fleet, record: VmRecord, assignedMB: number): boolean {
  if (record.host < 0) return false;
  const numa = fleet.hosts[record.host]!.options.numa;
  return numa.spanning && numa.nodesMB.length > 1 && assignedMB > largestNodeForVmsMB(numa);
}

/** @internal The snapshot of a VM, read from the columns. */
export function vmSnapshot(fleet: Fleet, record: VmRecord): VmSnapshot {
  const v = fleet.store.vms;
  const i = record.slot;
  const state = STATE_NAMES[v.state[i]!]!;
  const on = state !== 'Off';
  const assignedMB = v.assigned[i]!;
  const smartPagingMB = v.smartPaging[i]!;
  const demandMB = v.demand[i]!;
  const buffer = on ? availableMemoryBuffer(assignedMB + smartPagingMB, demandMB, record.settings.bufferPercent) : 0;
  const pressure = on ? v.pressure[i]! : 0;
  const sampled = fleet.store.pressureSampled(i);
  const gatheringMB = v.gatherNeed[i]!;
  return {
    name: record.name,
    host: record.host >= 0 ? fleet.hosts[record.host]!.options.name : null,
    numaNode: on && record.host >= 0 && !fleet.hosts[record.host]!.options.numa.spanning ? record.node : null,
    state,
    settings: { ...record.settings },
    assignedMB,
    demandMB,
    pressure,
    averagePressure: on ? (sampled ? v.avgPressure[i]! : pressure) : 0,
    minimumPressure: on ? (sampled ? v.minPressure[i]! : pressure) : 0,
    maximumPressure: on ? (sampled ? v.maxPressure[i]! : pressure) : 0,
    addedMemoryMB: v.added[i]!,
    removedMemoryMB: v.removed[i]!,
    memoryAddOperations: v.addOps[i]!,
    memoryRemoveOperations: v.removeOps[i]!,
    guestVisibleMB: on ? v.guestVisible[i]! : 0,
    smartPagingMB,
    availableMemoryBuffer: buffer,
    memoryStatus: !record.settings.dynamicMemory
      ? ''
      : on
        ? memoryStatus(smartPagingMB, buffer, spansNodes(fleet, record, assignedMB))
        : 'Ok',
    bootSecondsLeft: state !== 'Starting' ? 0 : gatheringMB > 0 ? fleet.balancer.bootSeconds : v.bootLeft[i]!,
    gatheringMB,
    startTimeoutSecondsLeft: gatheringMB > 0 ? v.gatherTicksLeft[i]! * fleet.balancer.balancerIntervalSeconds : 0,
    migratingTo: fleet.moves.isMoving(record) ? fleet.hosts[fleet.moves.targetOf(record)]!.options.name : null,
  };
}

/** @internal A host's counters, read from the columns: summed over its NUMA nodes where they balance on their
 * own (see `poolPressures` for the pressures). */
export function hostCounters(fleet: Fleet, host: number): HostCounters {
  const v = fleet.store.vms;
  const h = fleet.store.hosts;
  const o = fleet.hosts[host]!.options;
  let assignedMB = 0;
  let smartPagingMB = 0;
  let runningVms = 0;
  for (const slot of fleet.slotsOf(host)) {
    assignedMB += v.assigned[slot]!;
    smartPagingMB += v.smartPaging[slot]!;
    if (v.state[slot] !== OFF) runningVms++;
  }
  const pools = fleet.poolsOf(host);
  const sum = (column: Readonly<Float64Array>) => pools.reduce((total, pool) => total + column[pool]!, 0);
  const pressures =
    pools.length === 1
      ? { systemCurrentPressure: h.systemPressure[pools[0]!]!, averagePressure: h.avgPressure[pools[0]!]! }
      : poolPressures(fleet, pools);
  return {
    availableMemoryMB: fleet.availableOn(host, assignedMB),
    ...pressures,
    addedMemoryMB: sum(h.added),
    removedMemoryMB: sum(h.removed),
    memoryAddOperations: sum(h.addOps),
    memoryRemoveOperations: sum(h.removeOps),
    memoryMB: o.memoryMB,
    reserveMB: o.reserveMB,
    assignedMB,
    smartPagingMB,
    migratingInMB: fleet.moves.keptOn(host),
    runningVms,
  };
}

/** One NUMA node of a host. */
export interface NumaNodeCounters {
  node: number;
  /** The node's memory, MB. */
  memoryMB: number;
  /** The node's share of the host reserve, MB. */
  reserveMB: number;
  /** With NUMA spanning off: Σ physical memory held by the node's VMs, MB; null with spanning on (one pool). */
  assignedMB: number | null;
  /** With NUMA spanning off: what the node's VMs could still be given, MB; null with spanning on (one pool). */
  availableMemoryMB: number | null;
  /** With NUMA spanning off: the node's VMs that are on; null with spanning on (one pool). */
  runningVms: number | null;
}

/** @internal A host's NUMA nodes, read from the columns where they balance on their own. */
export function numaNodeCounters(fleet: Fleet, host: number): NumaNodeCounters[] {
  const record = fleet.hosts[host]!;
  const { nodesMB, reservesMB, spanning } = record.options.numa;
  const v = fleet.store.vms;
  return nodesMB.map((memoryMB, node) => {
    if (spanning) {
      return {
        node,
        memoryMB,
        reserveMB: reservesMB[node]!,
        assignedMB: null,
        availableMemoryMB: null,
        runningVms: null,
      };
    }
    const pool = record.firstPool + node;
    const slots = fleet.slotsInPool(pool);
    return {
      node,
      memoryMB,
      reserveMB: reservesMB[node]!,
      assignedMB: slots.reduce((sum, slot) => sum + v.assigned[slot]!, 0),
      availableMemoryMB: fleet.availableInPool(pool),
      runningVms: slots.filter((slot) => v.state[slot] !== OFF).length,
    };
  });
}

/**
 * @internal
 * The pressures of a host whose NUMA nodes balance on their own, over all its nodes: System Current Pressure is
 * 100 × Σ demand / Σ memory of the balanced VMs of every node; Average Pressure is the nodes' averages weighted by
 * the memory of their balanced VMs (as a cluster's is weighted by its hosts').
 */
export function poolPressures(
  fleet: Fleet,
  pools: readonly number[],
): { systemCurrentPressure: number; averagePressure: number } {
  const v = fleet.store.vms;
  const h = fleet.store.hosts;
  fleet.layOut();
  let demand = 0;
  let memory = 0;
  let weightedAverage = 0;
  for (const pool of pools) {
    let poolMemory = 0;
    for (let i = h.hostStart[pool]!; i < h.hostEnd[pool]!; i++) {
      if (v.state[i] !== RUNNING || v.dynamic[i] === 0) continue; // the balancer's VMs: running Dynamic Memory
      demand += v.demand[i]!;
      poolMemory += v.assigned[i]! + v.smartPaging[i]!;
    }
    memory += poolMemory;
    weightedAverage += h.avgPressure[pool]! * poolMemory;
  }
  return {
    systemCurrentPressure: memory > 0 ? (100 * demand) / memory : 0,
    averagePressure: memory > 0 ? weightedAverage / memory : 0,
  };
}
