// Finding and compiling the Wasm core, in Node (read from disk) and in browsers (fetch beside this module).

/** Where the release build sits relative to this module, in the source tree and in the package alike. */
const WASM_URL = new URL('../../../build/release.wasm', import.meta.url);

let compiled: Promise<WebAssembly.Module> | undefined;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

async function readBytes(url: URL): Promise<ArrayBuffer | Uint8Array> {
  if (url.protocol === 'file:' && isNode()) {
    // A variable specifier keeps browser bundlers from trying to resolve a Node module.
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    return fs.readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`dynmem: cannot load the Wasm core from ${url.href} (HTTP ${response.status})`);
  return response.arrayBuffer();
}

/** The compiled core, compiled once per process or page. Pass `source` to supply the bytes yourself. */
export function loadCoreModule(source?: BufferSource | WebAssembly.Module | URL): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source !== undefined) {
    return source instanceof URL
      ? readBytes(source).then((bytes) => WebAssembly.compile(bytes as BufferSource))
      : WebAssembly.compile(source);
  }
  compiled ??= readBytes(WASM_URL).then((bytes) => WebAssembly.compile(bytes as BufferSource));
  return compiled;
}
