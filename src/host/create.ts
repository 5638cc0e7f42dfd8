// Turning user options into a fleet: the engine and the balancer options shared by all its hosts.

import type { Engine, EngineKind } from '../engine/engine.ts';
import { createJsEngine } from '../engine/js-engine.ts';
import { loadCoreModule } from '../engine/load-wasm.ts';
import { createWasmEngine } from '../engine/wasm-engine.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { type BalancerOptions, Fleet } from './fleet.ts';
import { gatherStep } from './lifecycle.ts';

/** Options of the fleet as a whole (accepted by createHost and createCluster). */
export interface EngineOptions {
  /** 'wasm' (default): the WebAssembly core; 'js': the reference engine in plain JavaScript. */
  engine?: EngineKind;
  /** A Wasm core of your own (its bytes or compiled module) instead of the one built into the library. */
  wasm?: BufferSource | WebAssembly.Module;
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
  const engine: Engine = kind === 'js' ? createJsEngine() : await wasmEngine(options.wasm);
  return new Fleet(engine, balancer, gatherStep);
}

/** The Wasm engine from the default core or the caller's `wasm` option; a module that cannot be read, compiled
 * or instantiated as the core is refused as a setting, whatever the platform's own error was. */
async function wasmEngine(source: unknown): Promise<Engine> {
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
