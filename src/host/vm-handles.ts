// Batch demand: a fixed list of VMs resolved once by name, then given many demands per call without a name
// lookup per VM (what a trace replay or a live feed of thousands of VMs does every tick).
import { DynamicMemoryError, shown } from '../errors.ts';
import type { Fleet, HostRecord, VmRecord } from './fleet.ts';
import { checkDemand } from './vm-ops.ts';

/**
 * VMs resolved once, to be given demands in one call with `setDemands`. Made by `host.vmHandles(names)` or
 * `cluster.vmHandles(names)`. They stay valid while the VMs exist (starts, stops, failovers and the store's
 * re-layouts do not affect them); a VM removed since is refused by `setDemands`, naming it.
 */
export class VmHandles {
  /** The VMs, in the order their demands are given. */
  readonly names: readonly string[];
  /** @internal */ readonly fleet: Fleet;
  /** @internal */ readonly records: readonly VmRecord[];
  /** @internal The records' slots, checked (all present, all on `checkedOn` if given) at fleet layout version
   * `checkedAt`: while the version stays, a call reuses them and reads no record. */
  readonly slots: Int32Array;
  /** @internal */ checkedAt = -1;
  /** @internal */ checkedOn: HostRecord | undefined;

  /** @internal Use host.vmHandles() or cluster.vmHandles(). */
  constructor(fleet: Fleet, records: VmRecord[]) {
    this.fleet = fleet;
    this.records = records;
    this.names = Object.freeze(records.map((r) => r.name));
    this.slots = new Int32Array(records.length);
  }

  get length(): number {
    return this.records.length;
  }
}

/** Handles for `names`, each found by `find` (which refuses a VM that is not there); no VM twice. @internal */
export function makeHandles(fleet: Fleet, names: unknown, find: (name: unknown) => VmRecord): VmHandles {
  if (!Array.isArray(names)) {
    throw new DynamicMemoryError('InvalidArgument', 'vmHandles() takes an array of VM names.', { field: 'names' });
  }
  const seen = new Set<VmRecord>();
  const records = names.map((name) => {
    const record = find(name);
    if (seen.has(record)) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `vmHandles(): VM '${record.name}' is named twice; each VM can have one demand per call.`,
        { vm: record.name, field: 'names' },
      );
    }
    seen.add(record);
    return record;
  });
  return new VmHandles(fleet, records);
}

/**
 * Set the demand of every VM of `handles` at once: `demandsMB[k]` for `handles.names[k]`. Checked in full before
 * anything is written, so a refused call changes nothing. `onHost`: refuse VMs that are not on this host.
 * @internal
 */
export function setDemands(fleet: Fleet, handles: unknown, demandsMB: ArrayLike<number>, onHost?: HostRecord): void {
  if (!(handles instanceof VmHandles) || handles.fleet !== fleet) {
    throw new DynamicMemoryError(
      'InvalidArgument',
      `setDemands() takes handles made by vmHandles() of this ${onHost ? 'host' : 'cluster'}.`,
      { field: 'handles' },
    );
  }
  const records = handles.records;
  const n = records.length;
  if (demandsMB === null || typeof demandsMB !== 'object' || demandsMB.length !== n) {
    throw new DynamicMemoryError(
      'InvalidArgument',
      `setDemands() needs one demand per handle: ${n} handles, ${demandsMB === null || typeof demandsMB !== 'object' ? shown(demandsMB) : shown(demandsMB.length)} demands.`,
      { field: 'demandsMB' },
    );
  }
  if (handles.checkedAt !== fleet.layoutVersion || handles.checkedOn !== onHost) checkPlaces(fleet, handles, onHost);
  for (let k = 0; k < n; k++) checkDemand(records[k]!, demandsMB[k]);
  fleet.store.holdDemands(handles.slots, demandsMB);
}

/** Every VM of `handles` still exists (and is on `onHost`): note their slots, valid until the layout changes. */
function checkPlaces(fleet: Fleet, handles: VmHandles, onHost: HostRecord | undefined): void {
  handles.records.forEach((record, k) => {
    if (!fleet.holds(record)) {
      throw new DynamicMemoryError(
        'UnknownVm',
        `VM '${record.name}' was removed after its handle was made: make new handles with vmHandles().`,
        { vm: record.name },
      );
    }
    if (onHost !== undefined && record.host !== onHost.index) {
      throw new DynamicMemoryError(
        'UnknownVm',
        `There is no VM named '${record.name}' on host '${onHost.options.name}'.`,
        { vm: record.name, host: onHost.options.name },
      );
    }
    handles.slots[k] = record.slot;
  });
  handles.checkedAt = fleet.layoutVersion;
  handles.checkedOn = onHost;
}
