// The engine's columns by name, in the order the kernel's stores declare them (assembly/kernel/store.ts; a test
// checks that the lists match). Both engines allocate their stores from these lists.
import { HostStore, VmStore } from '../../assembly/kernel/store.ts';

export const VM_COLUMNS = [
  'state',
  'balanced',
  'dynamic',
  'floor',
  'ceiling',
  'buffer',
  'weight',
  'balloonRate',
  'balloonLimit',
  'demand',
  'demandExact',
  'demandRate',
  'assigned',
  'smartPaging',
  'bootLeft',
  'gatherNeed',
  'gatherTicksLeft',
  'policyGoal',
  'pressure',
  'avgPressure',
  'minPressure',
  'maxPressure',
  'added',
  'removed',
  'addOps',
  'removeOps',
  'guestVisible',
  'smartPagingMBs',
  'goal',
  'need',
  'shareWeight',
  'ratio',
  'share',
  'movingPairs',
] as const;

export const HOST_COLUMNS = [
  'hostStart',
  'hostEnd',
  'up',
  'policy',
  'policyEvery',
  'policyTicks',
  'squeezedSlush',
  'qmemmanFactor',
  'qmemmanMinPreferred',
  'qmemmanDonorMinimum',
  'momPressure',
  'momCritical',
  'momGuestFree',
  'momMaxChange',
  'momMinChange',
  'proxmoxTarget',
  'proxmoxMaxChange',
  'proxmoxDeadband',
  'esxIdleTax',
  'esxMinFree',
  'memory',
  'reserve',
  'movingIn',
  'balloonRate',
  'hysteresis',
  'waterLevel',
  'systemPressure',
  'avgPressure',
  'added',
  'removed',
  'addOps',
  'removeOps',
  'elapsed',
  'pressureSeconds',
  'peakPressure',
  'assignedMBs',
  'smartPagingMBs',
  'peakSmartPaging',
  'pagingMBs',
  'shortVmSeconds',
  'minAvailable',
  'spanMaxPressure',
  'spanMinPressure',
  'spanMaxHeld',
  'spanMinHeld',
  'spanMaxPaged',
  'spanMaxShort',
  'held',
] as const;

export type VmColumnName = (typeof VM_COLUMNS)[number];

/** The kernel's working space: written in every tick before anything reads it (and by each engine in its own way,
 * the Wasm lanes also past a host's last row; `movingPairs` by the Wasm lanes alone), so no part of a VM's state:
 * checkpoints leave these out. */
const WORKING_VM_COLUMNS: readonly VmColumnName[] = ['goal', 'need', 'shareWeight', 'ratio', 'share', 'movingPairs'];

/** The VM columns that hold state: what a checkpoint keeps. */
export const SAVED_VM_COLUMNS = VM_COLUMNS.filter((name) => !WORKING_VM_COLUMNS.includes(name));
export type HostColumnName = (typeof HOST_COLUMNS)[number];

/** A store as the facade sees it: one typed array per column. */
export type Columns<Name extends string> = { [K in Name]: Float64Array };
export type VmColumns = Columns<VmColumnName>;
export type HostColumns = Columns<HostColumnName>;

/** The kernel's store classes, as shapes: an instance has every column as an own field from the start, so the
 * engine's hot loops see one fixed object layout (an object given 30 fields one by one would fall back to slow
 * dictionary properties). */
const SHAPES = new Map<readonly string[], () => object>([
  [VM_COLUMNS, () => new VmStore()],
  [HOST_COLUMNS, () => new HostStore()],
]);

/** A store with one column per name of VM_COLUMNS or HOST_COLUMNS, each made by `column(index)` (index in the
 * list). */
export function columnStore<Name extends string>(
  names: readonly Name[],
  column: (index: number) => Float64Array,
): Columns<Name> {
  const store = SHAPES.get(names)!() as Columns<Name>;
  names.forEach((name, index) => {
    store[name] = column(index);
  });
  return store;
}

/** Copy every column of `from` into the same column of `to` (which is at least as long). */
export function copyColumns<Name extends string>(names: readonly Name[], from: Columns<Name>, to: Columns<Name>): void {
  for (const name of names) to[name].set(from[name]);
}
