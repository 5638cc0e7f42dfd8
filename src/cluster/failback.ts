// Cluster options about where VMs go after failures (Failover Clustering's failback), and the move itself.
import { DynamicMemoryError, shown } from '../errors.ts';
import { type Fleet, isOn, type VmRecord } from '../host/fleet.ts';

/** 'none' (Hyper-V's default): VMs stay where failover put them; 'immediate': they go home when it recovers. */
export type Failback = 'none' | 'immediate';
const FAILBACKS: readonly Failback[] = ['none', 'immediate'];

/** @internal */
export function resolveFailback(value: unknown): Failback {
  if (value === undefined) return 'none';
  if (!FAILBACKS.includes(value as Failback)) {
    throw new DynamicMemoryError('InvalidSetting', `failback must be 'none' or 'immediate', not ${shown(value)}.`, {
      field: 'failback',
    });
  }
  return value as Failback;
}

/**
 * @internal
 * Move a running VM to another host as a live migration: it keeps running with the memory it has, which must be
 * free on the target first (on its NUMA node with the most available memory, where the target's nodes balance on
 * their own). Returns false (and changes nothing) when it is not.
 */
export function liveMigrate(fleet: Fleet, record: VmRecord, to: number): boolean {
  const v = fleet.store.vms;
  if (!isOn(v.state[record.slot]!) || fleet.hosts[to]!.failed) return false;
  const node = fleet.nodesByAvailableMemory(to)[0]!;
  if (fleet.availableInPool(fleet.hosts[to]!.firstPool + node) < v.assigned[record.slot]!) return false;
  fleet.moveVm(record, to, node);
  return true;
}
