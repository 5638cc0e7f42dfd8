// The contract between the facade and a balancer engine (Wasm core or JS reference).
import { VmStore, HostStore } from '../../assembly/kernel/store.ts';

export type EngineKind = 'wasm' | 'js';

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

type Column = Uint8Array | Int32Array | Float64Array;

/** The typed-array fields of a store, in declaration order (the order they have in Wasm memory too). */
export function columnsOf(store: VmStore | HostStore): [string, Column][] {
  return Object.entries(store) as [string, Column][];
}

/** Copy every column of `from` into the same column of `to` (which is at least as large). */
export function copyColumns(from: VmStore | HostStore, to: VmStore | HostStore): void {
  const target = to as unknown as Record<string, Column>;
  for (const [name, column] of columnsOf(from)) target[name]!.set(column);
}
