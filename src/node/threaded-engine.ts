// The Wasm engine on several threads (Node): the threaded core, one instance on this thread and one on each
// helper thread, all on one shared memory. A call big enough to pay for it is split by whole hosts (results are
// the same as on one thread: hosts are independent within a call); a smaller one runs here alone.
import { availableParallelism } from 'node:os';
import type { Engine } from '../engine/engine.ts';
import { THREADS_CORE_WASM_BASE64 } from '../engine/threads-core-bytes.generated.ts';
import { coreImports, coreOf, engineOver } from '../engine/wasm-engine.ts';
import { HostSplit, type ThreadedCore } from './host-split.ts';

/** Pages the shared memory may grow to: the threads target's `maximumMemory` in asconfig.json (4 GiB, all that
 * 32-bit Wasm addresses, as the single-threaded core's memory may). */
const MAXIMUM_PAGES = 65536;

/** The default thread count: the machine's, up to this many. */
const DEFAULT_THREAD_LIMIT = 8;

let compiled: WebAssembly.Module | undefined;

/** The threads the engine uses when the caller does not say. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), DEFAULT_THREAD_LIMIT);
}

/** A Wasm engine that splits big calls' hosts between this thread and `threads − 1` helper threads. */
export async function createThreadedWasmEngine(threads: number): Promise<Engine> {
  compiled ??= await WebAssembly.compile(Buffer.from(THREADS_CORE_WASM_BASE64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(compiled, coreImports(memory));
  const core = coreOf(instance) as ThreadedCore;
  core._start();
  const split = new HostSplit(compiled, memory, core, threads - 1);
  return engineOver(
    core,
    (hostCount, ticks, dt, alpha) => split.run(hostCount, ticks, dt, alpha),
    () => split.threads,
  );
}
