// The debug builds of the Wasm cores (bounds-checked, assertions on) in place of the release builds. In the test
// mode `npm run test:debug-wasm` (WASM_BUILD=debug), test/vitest.config.ts resolves the library's built-in cores
// (single-threaded and threaded) to this module, so every Wasm-engine test runs the kernel with its checks on.
import { readFileSync } from 'node:fs';

export const CORE_WASM_BASE64 = readFileSync(new URL('../build/debug.wasm', import.meta.url)).toString('base64');

export const THREADS_CORE_WASM_BASE64 = readFileSync(new URL('../build/threads-debug.wasm', import.meta.url)).toString(
  'base64',
);
