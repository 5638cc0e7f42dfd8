// Compiling the Wasm core: the bytes built into the library (src/engine/core-bytes.generated.ts), or a caller's.
import { DynamicMemoryError, shown } from '../errors.ts';
import { CORE_WASM_BASE64 } from './core-bytes.generated.ts';

let compiled: Promise<WebAssembly.Module> | undefined;

function builtInBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(CORE_WASM_BASE64), (c) => c.charCodeAt(0));
}

function badWasm(message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `wasm: ${message}`, { field: 'wasm' });
}

async function compile(bytes: BufferSource): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    throw badWasm(`the bytes given are not a WebAssembly module (${(error as Error).message}).`);
  }
}

/**
 * The compiled Wasm core: the built-in one (compiled once per process or page), or the module or bytes of
 * `source` (a `DynamicMemoryError` on `field: 'wasm'` when they are not a WebAssembly module).
 * @example
 * const core = await loadCoreModule(); // compile once, then share: createHost({ memoryMB: 65536, wasm: core })
 */
export function loadCoreModule(source?: BufferSource | WebAssembly.Module): Promise<WebAssembly.Module> {
  if (source === undefined) {
    compiled ??= compile(builtInBytes());
    return compiled;
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (!(source instanceof ArrayBuffer || ArrayBuffer.isView(source))) {
    return Promise.reject(
      badWasm(
        `expected the core's bytes (an ArrayBuffer or typed array) or a WebAssembly.Module, not ${shown(source)}.`,
      ),
    );
  }
  return compile(source);
}
