// A helper thread of the threaded Wasm core: its own instance of the core on the caller's shared memory, which
// sleeps until a call opens, runs the hosts it claims, and sleeps again. It never allocates in the memory: the
// caller's instance made its scratch, and passes the stores' addresses with each call.
import { type MessagePort, workerData } from 'node:worker_threads';
import { coreImports } from '../engine/wasm-engine.ts';
import { ACTIVE, FAILED, HOST_STORE, type HostRunner, OPEN, runClaimedHosts, VM_STORE, WAKE } from './host-claims.ts';

/** What the threaded engine gives its helper. */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  /** Address of the scratch the caller's instance made for this helper. */
  scratch: number;
  /** Where a failed tick's error goes. */
  errors: MessagePort;
}

interface HelperCore extends HostRunner {
  useScratch(address: number): void;
  useStores(vmStore: number, hostStore: number): void;
}

const data = workerData as HelperData;
// (Instantiating writes the module's data segments into the shared memory again: the same bytes, constants the
// core never changes, so the calling thread's instance reads what it read before.)
const core = new WebAssembly.Instance(data.module, coreImports(data.memory)).exports as unknown as HelperCore;
core.useScratch(data.scratch);
const control = new Int32Array(data.control);
const args = new Float64Array(data.args);

let seen = 0;
for (;;) {
  Atomics.wait(control, WAKE, seen);
  seen = Atomics.load(control, WAKE);
  Atomics.add(control, ACTIVE, 1);
  // Counted as active before looking: the caller waits for every helper that saw the call open.
  if (Atomics.load(control, OPEN) === 1) {
    try {
      core.useStores(args[VM_STORE]!, args[HOST_STORE]!);
      runClaimedHosts(core, control, args);
    } catch (error) {
      data.errors.postMessage(error instanceof Error ? error.message : String(error));
      Atomics.store(control, FAILED, 1);
    }
  }
  if (Atomics.sub(control, ACTIVE, 1) === 1) Atomics.notify(control, ACTIVE);
}
