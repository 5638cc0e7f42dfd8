// The contract between the facade and a balancer engine (Wasm core or JS reference).
import type { HostColumns, VmColumns } from './columns.ts';

export type { HostColumns, VmColumns } from './columns.ts';

/** Each host's VM rows start on a multiple of this many rows (a cache line of doubles), with empty rows between
 * hosts: the Wasm core's lanes write rows in pairs, and threads that tick two hosts at once must not write one
 * pair, nor share a line more than they must. The fleet lays its rows out so; the threaded engine relies on it. */
export const HOST_ROW_ALIGNMENT = 8;

/** Which engine runs the balancer: the WebAssembly core, or the reference engine in plain JavaScript. */
export type EngineKind = 'wasm' | 'js';

export interface Engine {
  readonly kind: EngineKind;
  /** Threads its calls run on now: 1, or with the threaded Wasm core the calling thread and the helpers started
   * so far (the first call long enough to share starts them). */
  readonly threads: number;
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
