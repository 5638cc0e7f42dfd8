// Writes the Wasm cores into generated modules (run by `npm run build:wasm`), so the library carries them inline:
// no file to find at run time, in Node, browsers and bundles alike. The threaded core is a module of its own,
// imported only by Node's threaded engine, so browser bundles never carry it.
import { readFileSync, writeFileSync } from 'node:fs';

function embed(wasmFile, generatedFile, name, what) {
  const wasm = readFileSync(new URL(`../build/${wasmFile}`, import.meta.url));
  const source = `// generated from build/${wasmFile} by assembly/embed-core.mjs (npm run build:wasm): do not edit

/** ${what}, base64. */
export const ${name} =
  '${wasm.toString('base64')}';
`;
  writeFileSync(new URL(`../src/engine/${generatedFile}`, import.meta.url), source);
}

embed('release.wasm', 'core-bytes.generated.ts', 'CORE_WASM_BASE64', 'The Wasm core (release build)');
embed(
  'threads.wasm',
  'threads-core-bytes.generated.ts',
  'THREADS_CORE_WASM_BASE64',
  'The threaded Wasm core (release build on shared memory)',
);
