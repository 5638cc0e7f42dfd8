// Operations on one VM, shared by the Host and Cluster facades (which differ only in how they find the VM).
import { DynamicMemoryError, shown } from '../errors.ts';
import { changedSettings, type VmConfig } from '../settings.ts';
import { type Fleet, isOn, OFF, RUNNING, type VmRecord } from './fleet.ts';
import { planStartupHold, trimToCeiling } from './lifecycle.ts';
import { type VmSnapshot, vmSnapshot } from './snapshot.ts';

/** The largest VM a host of this fleet accepts; for an unplaced VM, the smallest such limit of the fleet. */
export function maxVmMemoryFor(fleet: Fleet, record: VmRecord): number {
  if (record.host >= 0) return fleet.hosts[record.host]!.options.maxVmMemoryMB;
  return fleet.smallestMaxVmMemoryMB;
}

export function removeVm(fleet: Fleet, record: VmRecord): void {
  if (isOn(fleet.engine.vms.state[record.slot]!)) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' must be off to be removed.`, { vm: record.name });
  }
  fleet.removeVm(record);
}

/** The largest demand accepted, MB: 1 PiB, a thousand times the largest VM, far from where sums of demands
 * and buffers lose whole-MB precision in a double. */
export const MAX_DEMAND_MB = 2 ** 30;

/** Refuse a demand that is not whole MB from 0 to MAX_DEMAND_MB, naming the VM. */
export function checkDemand(record: VmRecord, demandMB: unknown): void {
  if (typeof demandMB !== 'number' || !Number.isInteger(demandMB) || demandMB < 0 || demandMB > MAX_DEMAND_MB) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `VM '${record.name}': demandMB must be a whole number of MB from 0 to ${MAX_DEMAND_MB}, not ${shown(demandMB)}.`,
      { vm: record.name, field: 'demandMB' },
    );
  }
}

/** A checked demand into the columns: held (no ramp) until the next change. */
export function writeDemand(fleet: Fleet, slot: number, demandMB: number): void {
  const v = fleet.engine.vms;
  v.demand[slot] = demandMB;
  v.demandExact[slot] = demandMB;
  v.demandRate[slot] = 0;
}

export function setDemand(fleet: Fleet, record: VmRecord, demandMB: number): void {
  checkDemand(record, demandMB);
  writeDemand(fleet, record.slot, demandMB);
}

export function setMemory(fleet: Fleet, record: VmRecord, change: Partial<VmConfig>): VmSnapshot {
  const state = fleet.engine.vms.state[record.slot]!;
  const next = changedSettings(record.name, record.settings, change, state !== OFF, maxVmMemoryFor(fleet, record));
  let commit = () => {};
  if (
    isOn(state) &&
    next.dynamicMemory &&
    !next.guestSupportsDynamicMemory &&
    record.settings.guestSupportsDynamicMemory
  ) {
    commit = planStartupHold(fleet, record);
  }
  commit();
  record.settings = next;
  fleet.writeSettings(record);
  if (state === RUNNING) trimToCeiling(fleet, record);
  return vmSnapshot(fleet, record);
}
