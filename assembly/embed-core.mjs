// Writes src/engine/core-bytes.generated.ts from build/release.wasm (run by `npm run build:wasm`), so the library
// carries its Wasm core inline: no file to find at run time, in Node, browsers and bundles alike.
import { readFileSync, writeFileSync } from 'node:fs';

const wasm = readFileSync(new URL('../build/release.wasm', import.meta.url));
const source = `// generated from build/release.wasm by assembly/embed-core.mjs (npm run build:wasm): do not edit

/** The Wasm core (release build), base64. */
export const CORE_WASM_BASE64 =
  '${wasm.toString('base64')}';
`;
writeFileSync(new URL('../src/engine/core-bytes.generated.ts', import.meta.url), source);
