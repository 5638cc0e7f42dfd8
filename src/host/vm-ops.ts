// Operations on one VM, shared by the Host and Cluster facades (which differ only in how they find the VM).
import { DynamicMemoryError } from '../errors.ts';
import { changedSettings, type VmConfig } from '../settings.ts';
import { type Fleet, isOn, OFF, RUNNING, type VmRecord } from './fleet.ts';
import { planStartupHold, trimToCeiling } from './lifecycle.ts';
import { type VmSnapshot, vmSnapshot } from './snapshot.ts';

/** The largest VM a host of this fleet accepts; for an unplaced VM, the smallest such limit of the fleet. */
export function maxVmMemoryFor(fleet: Fleet, record: VmRecord): number {
  if (record.host >= 0) return fleet.hosts[record.host]!.options.maxVmMemoryMB;
  return Math.min(...fleet.hosts.map((h) => h.options.maxVmMemoryMB));
}

export function removeVm(fleet: Fleet, record: VmRecord): void {
  if (isOn(fleet.engine.vms.state[record.slot]!)) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' must be off to be removed.`, { vm: record.name });
  }
  fleet.removeVm(record);
}

export function setDemand(fleet: Fleet, record: VmRecord, demandMB: number): void {
  if (typeof demandMB !== 'number' || !Number.isInteger(demandMB) || demandMB < 0) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `VM '${record.name}': demandMB must be a whole number of MB ≥ 0, not ${String(demandMB)}.`,
      { vm: record.name, field: 'demandMB' },
    );
  }
  const v = fleet.engine.vms;
  v.demand[record.slot] = demandMB;
  v.demandExact[record.slot] = demandMB;
  v.demandRate[record.slot] = 0;
}

export function setMemory(fleet: Fleet, record: VmRecord, change: Partial<VmConfig>): VmSnapshot {
  const state = fleet.engine.vms.state[record.slot]!;
  const next = changedSettings(record.name, record.settings, change, state !== OFF, maxVmMemoryFor(fleet, record));
  let commit = () => {};
  if (
    state === RUNNING &&
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
