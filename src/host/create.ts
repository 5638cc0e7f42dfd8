// Turning user options into a fleet: the engine and the balancer options shared by all its hosts.

import type { Engine, EngineKind } from '../engine/engine.ts';
import { createJsEngine } from '../engine/js-engine.ts';
import { loadCoreModule } from '../engine/load-wasm.ts';
import { createWasmEngine } from '../engine/wasm-engine.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { isNode } from '../platform.ts';
import { type BalancerOptions, Fleet } from './fleet.ts';
import { gatherStep } from './lifecycle.ts';

/** Options of the fleet as a whole (accepted by createHost and createCluster). */
export interface EngineOptions {
  /** 'wasm' (default): the WebAssembly core; 'js': the reference engine in plain JavaScript. */
  engine?: EngineKind;
  /** A Wasm core of your own (its bytes or compiled module) instead of the one built into the library. */
  wasm?: BufferSource | WebAssembly.Module;
  /** Threads the Wasm engine may use in Node (whole hosts of a long call to each): default the machine's cores,
   * up to 8; 1 keeps it on the calling thread. */
  threads?: number;
  /** Seconds between balancer ticks. Default 1. */
  balancerIntervalSeconds?: number;
  /** Seconds a booting VM holds its startup RAM before its Dynamic Memory components report. Default 30. */
  bootSeconds?: number;
  /** Time constant of the Average Pressure moving average, seconds. Default 60. */
  pressureWindowSeconds?: number;
}

export const ENGINE_OPTION_FIELDS = [
  'engine',
  'wasm',
  'threads',
  'balancerIntervalSeconds',
  'bootSeconds',
  'pressureWindowSeconds',
];

function positive(value: unknown, field: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `${field} must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds, not ${shown(value)}.`,
      { field },
    );
  }
  return value;
}

/** The most threads the `threads` option takes. */
const MAX_THREADS = 64;

/** The `threads` option, checked against the engine and the platform (undefined: the default). */
function threadCount(options: EngineOptions, kind: EngineKind): number | undefined {
  const threads = options.threads;
  if (threads === undefined) return undefined;
  const refuse = (message: string) => new DynamicMemoryError('InvalidSetting', message, { field: 'threads' });
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw refuse(`threads must be a whole number from 1 to ${MAX_THREADS}, not ${shown(threads)}.`);
  }
  if (threads === 1) return threads;
  if (kind === 'js') throw refuse("threads is for engine 'wasm'; the js engine runs on the calling thread.");
  if (options.wasm !== undefined) {
    throw refuse('threads > 1 runs the built-in threaded core; a Wasm core of your own runs on the calling thread.');
  }
  if (!isNode()) throw refuse("threads > 1 needs Node's worker threads; in a browser the core runs on the page's.");
  return threads;
}

/** @internal The fleet behind a host or cluster: its engine and balancer options. */
export async function createFleet(options: EngineOptions): Promise<Fleet> {
  const kind = options.engine === undefined ? 'wasm' : options.engine;
  if (kind !== 'wasm' && kind !== 'js') {
    throw new DynamicMemoryError('InvalidSetting', `engine must be 'wasm' or 'js', not ${shown(kind)}.`, {
      field: 'engine',
    });
  }
  if (kind === 'js' && options.wasm !== undefined) {
    throw new DynamicMemoryError('InvalidSetting', "wasm is a core for engine 'wasm'; engine 'js' would ignore it.", {
      field: 'wasm',
    });
  }
  const balancer: BalancerOptions = {
    balancerIntervalSeconds: positive(options.balancerIntervalSeconds, 'balancerIntervalSeconds', 1),
    bootSeconds: positive(options.bootSeconds, 'bootSeconds', 30, true),
    pressureWindowSeconds: positive(options.pressureWindowSeconds, 'pressureWindowSeconds', 60),
  };
  const threads = threadCount(options, kind);
  const engine: Engine = kind === 'js' ? createJsEngine() : await wasmEngine(options.wasm, threads);
  return new Fleet(engine, balancer, gatherStep);
}

/** The Node-only threaded engine's module. A variable specifier keeps browser bundlers away from it; where it
 * cannot be loaded (a bundle that left it out), the default runs on one thread and a `threads` > 1 is refused. */
async function threadedEngine(
  threads: number | undefined,
): Promise<typeof import('../node/threaded-engine.ts') | undefined> {
  try {
    return await import(/* @vite-ignore */ new URL('../node/threaded-engine.js', import.meta.url).href);
  } catch (error) {
    if (threads === undefined) return undefined;
    throw new DynamicMemoryError(
      'InvalidSetting',
      `threads > 1 needs dynmem's threaded engine (node/threaded-engine.js beside this module), which could not be loaded: ${(error as Error).message}`,
      { field: 'threads' },
    );
  }
}

/** The Wasm engine from the default core (threaded in Node unless `threads` is 1) or the caller's `wasm` option;
 * a module that cannot be read, compiled or instantiated as the core is refused as a setting, whatever the
 * platform's own error was. */
async function wasmEngine(source: unknown, threads: number | undefined): Promise<Engine> {
  if (source === undefined && isNode() && threads !== 1) {
    const threaded = await threadedEngine(threads);
    const count = threads ?? threaded?.defaultThreads() ?? 1;
    if (threaded !== undefined && count > 1) return threaded.createThreadedWasmEngine(count);
  }
  const usable =
    source === undefined ||
    source instanceof WebAssembly.Module ||
    source instanceof URL ||
    source instanceof ArrayBuffer ||
    ArrayBuffer.isView(source);
  if (!usable) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `wasm must be the core's bytes (ArrayBuffer or typed array), a WebAssembly.Module or a URL, not ${shown(source)}.`,
      { field: 'wasm' },
    );
  }
  try {
    return await createWasmEngine(await loadCoreModule(source as EngineOptions['wasm']));
  } catch (error) {
    if (source === undefined) throw error; // the bundled core failing is a broken installation, not bad input
    const reason = error instanceof Error ? error.message : shown(error);
    throw new DynamicMemoryError('InvalidSetting', `wasm: not a usable dynmem core (${reason}).`, { field: 'wasm' });
  }
}
