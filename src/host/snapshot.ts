// Reading a VM's or host's counters out of the columns, with Hyper-V's names and meanings.
import type { VmSettings } from '../settings.ts';
import { type Fleet, OFF, RUNNING, STARTING, type VmRecord } from './fleet.ts';

export type VmState = 'Off' | 'Starting' | 'Running';
/** Get-VM's MemoryStatus; empty for a VM without Dynamic Memory, as Get-VM shows it. */
export type MemoryStatus = 'Ok' | 'Low' | 'Warning' | 'Paging' | '';

/** A VM at one moment ("Hyper-V Dynamic Memory VM" counters and Get-VM fields). */
export interface VmSnapshot {
  name: string;
  /** Host the VM is on (null for an unplaced cluster VM). */
  host: string | null;
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
  /** Seconds of boot left while Starting. */
  bootSecondsLeft: number;
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
  runningVms: number;
}

const STATE_NAMES: Record<number, VmState> = { [OFF]: 'Off', [STARTING]: 'Starting', [RUNNING]: 'Running' };

export function availableMemoryBuffer(memoryMB: number, demandMB: number, bufferPercent: number): number {
  if (demandMB <= 0) return Infinity;
  return (100 * (memoryMB - demandMB)) / ((demandMB * bufferPercent) / 100);
}

/** MemoryStatus as Get-VM reports it: Paging while Smart Paging is in use, else from the buffer left. */
export function memoryStatus(smartPagingMB: number, buffer: number): MemoryStatus {
  if (smartPagingMB > 0) return 'Paging';
  if (buffer < 0) return 'Warning';
  return buffer > 80 ? 'Ok' : 'Low';
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
  return {
    name: record.name,
    host: record.host >= 0 ? fleet.hosts[record.host]!.options.name : null,
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
    memoryStatus: !record.settings.dynamicMemory ? '' : on ? memoryStatus(smartPagingMB, buffer) : 'Ok',
    bootSecondsLeft: state === 'Starting' ? v.bootLeft[i]! : 0,
  };
}

/** @internal A host's counters, read from the columns. */
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
  return {
    availableMemoryMB: fleet.availableOn(host, assignedMB),
    averagePressure: h.avgPressure[host]!,
    systemCurrentPressure: h.systemPressure[host]!,
    addedMemoryMB: h.added[host]!,
    removedMemoryMB: h.removed[host]!,
    memoryAddOperations: h.addOps[host]!,
    memoryRemoveOperations: h.removeOps[host]!,
    memoryMB: o.memoryMB,
    reserveMB: o.reserveMB,
    assignedMB,
    smartPagingMB,
    runningVms,
  };
}
