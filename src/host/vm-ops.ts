// Operations on one VM, shared by the Host and Cluster facades (which differ only in how they find the VM).
import { DynamicMemoryError, E_OUTOFMEMORY, shown } from '../errors.ts';
import { changedSettings, type VmConfig, type VmMemoryLimit, type VmSettings } from '../settings.ts';
import { type Fleet, isOn, OFF, RUNNING, STARTING, type VmRecord } from './fleet.ts';
import { planStartupHold, trimToCeiling } from './lifecycle.ts';
import { type VmSnapshot, vmSnapshot } from './snapshot.ts';
import { VERSION_RULES, vmMemoryLimit } from './versions.ts';

/** The largest VM memory the VM's host accepts; for an unplaced VM, what every host accepts. */
export function memoryLimitFor(fleet: Fleet, record: VmRecord): VmMemoryLimit {
  return record.host >= 0 ? vmMemoryLimit(fleet.hosts[record.host]!.options) : fleet.unplacedMemoryLimit;
}

export function removeVm(fleet: Fleet, record: VmRecord): void {
  if (isOn(fleet.store.vms.state[record.slot]!)) {
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

export function setDemand(fleet: Fleet, record: VmRecord, demandMB: number): void {
  checkDemand(record, demandMB);
  fleet.store.holdDemand(record.slot, demandMB);
}

/**
 * A running VM without Dynamic Memory gets a new startup RAM (Windows Server 2016+): an increase must fit in the
 * host's free memory, a decrease must leave what the guest uses (its demand). Returns the commit, or throws.
 */
function planStaticResize(fleet: Fleet, record: VmRecord, next: VmSettings): () => void {
  const v = fleet.store.vms;
  const i = record.slot;
  const held = v.assigned[i]!;
  const delta = next.startupMB - held;
  if (v.state[i] === STARTING) {
    throw new DynamicMemoryError('InvalidState', `VM '${record.name}' is booting: resize it once it runs.`, {
      vm: record.name,
      field: 'startupMB',
    });
  }
  if (delta > 0 && fleet.availableTo(record) < delta) {
    throw new DynamicMemoryError(
      'OutOfMemory',
      `Not enough memory in the system to resize the virtual machine ${record.name} to ${next.startupMB} megabytes: ` +
        `${delta} MB more are needed and ${Math.max(0, fleet.availableTo(record))} MB are free.`,
      { vm: record.name, field: 'startupMB', hresult: E_OUTOFMEMORY },
    );
  }
  if (delta < 0 && next.startupMB < v.demand[i]!) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `VM '${record.name}': startupMB ${next.startupMB} MB is below what the guest uses (${v.demand[i]} MB); ` +
        'a running VM cannot shrink below its demand.',
      { vm: record.name, field: 'startupMB' },
    );
  }
  return () => fleet.store.resizeStatic(i, fleet.poolOf(record), next.startupMB);
}

export function setMemory(fleet: Fleet, record: VmRecord, change: Partial<VmConfig>): VmSnapshot {
  // a live migration moves the VM with the memory it has: only its failover priority may change meanwhile
  const memoryField = Object.keys(change ?? {}).find((field) => field !== 'clusterPriority');
  if (memoryField !== undefined) fleet.moves.refuseWhileMoving(record, memoryField);
  const state = fleet.store.vms.state[record.slot]!;
  const version = record.host >= 0 ? fleet.hosts[record.host]!.options.version : undefined;
  const next = changedSettings(record.name, record.settings, change, {
    running: state !== OFF,
    limit: memoryLimitFor(fleet, record),
    runtimeResize: version !== undefined && VERSION_RULES[version].runtimeResize,
    version: version ?? '',
  });
  let commit = () => {};
  if (state !== OFF && !next.dynamicMemory && next.startupMB !== record.settings.startupMB) {
    commit = planStaticResize(fleet, record, next);
  } else if (
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
