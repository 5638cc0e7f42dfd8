import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests reach the library as users do: through the built package (npm test builds it first).
const dist = (path: string) => fileURLToPath(new URL(`../dist/src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^dynmem$/, replacement: dist('index.js') },
      { find: /^dynmem\/node$/, replacement: dist('node/index.js') },
      { find: /^dynmem\/sample$/, replacement: dist('sample.js') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
