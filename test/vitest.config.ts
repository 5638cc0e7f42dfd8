import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests reach the library as users do: through the built package (npm test builds it first).
const dist = (path: string) => fileURLToPath(new URL(`../dist/src/${path}`, import.meta.url));

// WASM_BUILD=debug (npm run test:debug-wasm): the built-in Wasm core is the bounds-checked debug build.
const debugCore =
  process.env.WASM_BUILD === 'debug'
    ? [
        {
          find: /^(\.\/|\.\.\/engine\/)(threads-)?core-bytes\.generated\.js$/,
          replacement: fileURLToPath(new URL('./debug-core-bytes.ts', import.meta.url)),
        },
      ]
    : [];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^dynmem$/, replacement: dist('index.js') },
      { find: /^dynmem\/node$/, replacement: dist('node/index.js') },
      { find: /^dynmem\/sample$/, replacement: dist('sample.js') },
      ...debugCore,
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // `npm test -- --coverage` (CI): lines of the library's sources run by the tests, through the built package
    // and its source maps; the kernel counts through the JS engine (the Wasm core has no JS coverage).
    coverage: {
      provider: 'v8',
      include: ['dist/src/**/*.js', 'dist/assembly/kernel/**/*.js', 'src/**/*.ts', 'assembly/kernel/**/*.ts'],
      exclude: ['src/engine/*core-bytes.generated.ts', '**/*.d.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90 },
    },
  },
});
