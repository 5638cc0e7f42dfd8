// How the threaded engine runs a call: on this thread alone, or shared with helper threads (started by the first
// call worth sharing), each claiming whole hosts (host-claims.ts).
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { HOST_COLUMNS } from '../engine/columns.ts';
import { HOST_ROW_ALIGNMENT } from '../engine/engine.ts';
import type { CoreExports } from '../engine/wasm-engine.ts';
import type { HelperData } from './core-helper.ts';
import {
  ACTIVE,
  ALPHA,
  ARGUMENT_SLOTS,
  CONTROL_SLOTS,
  DT,
  FAILED,
  HOST_COUNT,
  HOST_STORE,
  NEXT_HOST,
  OPEN,
  runClaimedHosts,
  TICKS,
  VM_STORE,
  WAKE,
} from './host-claims.ts';

/** The fewest VM-ticks in a call that is split (a few ms of work): sharing costs the calling thread a few µs a
 * call, which short calls do not repay. */
const SPLIT_VM_TICKS = 200_000;
let splitVmTicks = SPLIT_VM_TICKS;

/** Split calls of at least `vmTicks` VM-ticks from now on (tests split small calls; no argument: back to
 * the default). */
export function splitCallsFrom(vmTicks = SPLIT_VM_TICKS): void {
  splitVmTicks = vmTicks;
}

/** What a thread's instance of the threaded core does besides the core's exports. */
export interface ThreadedCore extends CoreExports {
  _start(): void;
  runHost(host: number, ticks: number, dt: number, alpha: number): void;
  newHelperScratch(): number;
  vmStore(): number;
  hostStore(): number;
}

/** Helpers are told to stop when their engine is collected. */
const helpersOfEngine = new FinalizationRegistry<Worker[]>((workers) => {
  for (const worker of workers) void worker.terminate();
});

/** A threaded engine's calls, on this thread and up to `helperCount` helper threads. */
export class HostSplit {
  private readonly module: WebAssembly.Module;
  private readonly memory: WebAssembly.Memory;
  private readonly core: ThreadedCore;
  private readonly helperCount: number;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly args = new Float64Array(new SharedArrayBuffer(ARGUMENT_SLOTS * 8));
  private readonly workers: Worker[] = [];
  private helpersStarted = false;
  private readonly errorPorts: MessagePort[] = [];
  private readonly hostStartColumn = HOST_COLUMNS.indexOf('hostStart');
  private readonly hostEndColumn = HOST_COLUMNS.indexOf('hostEnd');

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, core: ThreadedCore, helperCount: number) {
    this.module = module;
    this.memory = memory;
    this.core = core;
    this.helperCount = helperCount;
  }

  /** This thread and the helpers started. */
  get threads(): number {
    return 1 + this.workers.length;
  }

  run(hostCount: number, ticks: number, dt: number, alpha: number): void {
    if (!this.worthSplitting(hostCount, ticks)) {
      this.core.run(hostCount, ticks, dt, alpha);
      return;
    }
    this.startHelpers();
    const { control, args, core } = this;
    args[HOST_COUNT] = hostCount;
    args[TICKS] = ticks;
    args[DT] = dt;
    args[ALPHA] = alpha;
    args[VM_STORE] = core.vmStore();
    args[HOST_STORE] = core.hostStore();
    Atomics.store(control, NEXT_HOST, 0);
    Atomics.store(control, OPEN, 1);
    Atomics.add(control, WAKE, 1);
    Atomics.notify(control, WAKE);
    let helperFailure: string | undefined;
    try {
      runClaimedHosts(core, control, args);
    } finally {
      // Closed before waiting: a helper that comes later finds nothing to do and touches nothing.
      Atomics.store(control, OPEN, 0);
      for (let active = Atomics.load(control, ACTIVE); active !== 0; active = Atomics.load(control, ACTIVE)) {
        Atomics.wait(control, ACTIVE, active);
      }
      helperFailure = this.takeHelperFailure();
    }
    if (helperFailure !== undefined) throw new Error(helperFailure);
  }

  /** Whether the call has hosts to share, VM-ticks enough to pay for waking a helper, and every host's rows
   * starting on a multiple of HOST_ROW_ALIGNMENT, as the fleet lays them out (two hosts sharing a pair of rows
   * must not be ticked at once; a checkpoint of an older release may hold such a layout until its next). */
  private worthSplitting(hostCount: number, ticks: number): boolean {
    if (this.helperCount === 0 || hostCount < 2) return false;
    const buffer = this.memory.buffer;
    const hostStart = new Float64Array(buffer, this.core.hostColumn(this.hostStartColumn), hostCount);
    const hostEnd = new Float64Array(buffer, this.core.hostColumn(this.hostEndColumn), hostCount);
    let rows = 0;
    for (let host = 0; host < hostCount; host++) {
      if (hostStart[host]! % HOST_ROW_ALIGNMENT !== 0 && hostEnd[host]! > hostStart[host]!) return false;
      rows = Math.max(rows, hostEnd[host]!);
    }
    return rows * ticks >= splitVmTicks;
  }

  /** The helper threads, started by the first call that is split; until each is up, the others run its share.
   * Where threads cannot start (a sandbox without them), the calls run on the threads that did. */
  private startHelpers(): void {
    if (this.helpersStarted) return;
    this.helpersStarted = true;
    const workers = this.workers; // (the listeners below must not hold `this`, or the engine is never collected)
    for (let k = 0; k < this.helperCount; k++) {
      const { port1, port2 } = new MessageChannel();
      const workerData: HelperData = {
        module: this.module,
        memory: this.memory,
        control: this.control.buffer as SharedArrayBuffer,
        args: this.args.buffer as SharedArrayBuffer,
        scratch: this.core.newHelperScratch(),
        errors: port2,
      };
      let worker: Worker;
      try {
        worker = new Worker(new URL('./core-helper.js', import.meta.url), { workerData, transferList: [port2] });
      } catch {
        break;
      }
      // A helper that fails to start never joined a call (only a running helper counts itself in): the others go
      // on without it, and `threads` stops counting it.
      worker.on('error', () => {
        const index = workers.indexOf(worker);
        if (index >= 0) workers.splice(index, 1);
      });
      worker.unref();
      port1.unref();
      workers.push(worker);
      this.errorPorts.push(port1);
    }
    helpersOfEngine.register(this, workers);
  }

  /** The message of a helper tick that threw in the call just ended, if one did; clears what the helpers said. */
  private takeHelperFailure(): string | undefined {
    if (Atomics.load(this.control, FAILED) === 0) return undefined;
    Atomics.store(this.control, FAILED, 0);
    let first: string | undefined;
    for (const port of this.errorPorts) {
      for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
        first ??= String(received.message);
      }
    }
    return first ?? 'dynmem Wasm core failed in a helper thread';
  }
}
