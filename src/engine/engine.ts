// The contract between the facade and a balancer engine (Wasm core or JS reference).
import type { HostStore, VmStore } from '../../assembly/kernel/store.ts';
import type { Packed } from '../../assembly/kernel/waterfill.ts';
import type { EngineKind } from '../host/create.ts';

/** Column views the facade reads and writes directly; a VM or host is an index into every column. */
export type VmColumns = VmStore;
export type HostColumns = HostStore;

export interface Engine {
  readonly kind: EngineKind;
  /** Current views. Replaced by `grow`: never keep a column across a call that can grow the store. */
  readonly vms: VmColumns;
  readonly hosts: HostColumns;
  readonly vmCapacity: number;
  readonly hostCapacity: number;
  /** Enlarge the stores, keeping every column's contents. */
  grow(vmCapacity: number, hostCapacity: number): void;
  /** `ticks` balancer ticks of `dt` seconds over hosts 0..hostCount, in one call. */
  run(hostCount: number, ticks: number, dt: number, alpha: number): void;
}

type Store = VmStore | HostStore | Packed;

/** The columns of a store, in declaration order (the order they have in Wasm memory too). */
export function columnsOf(store: Store): [string, Float64Array][] {
  return Object.entries(store) as [string, Float64Array][];
}

/** Give each declared column of `store` its data: `column(index)` makes the index-th (declaration order). */
export function fillColumns<T extends Store>(store: T, column: (index: number) => Float64Array): T {
  const fields = store as unknown as Record<string, Float64Array>;
  Object.keys(store).forEach((name, index) => {
    fields[name] = column(index);
  });
  return store;
}

/** Copy every column of `from` into the same column of `to` (which is at least as long). */
export function copyColumns(from: Store, to: Store): void {
  const target = to as unknown as Record<string, Float64Array>;
  for (const [name, column] of columnsOf(from)) target[name]!.set(column);
}
