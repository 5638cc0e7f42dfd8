// The live demo: static files built by Vite from demo/, the library taken from its compiled output (dist/, made by
// `npm run build`) as an installed package would be, and the bundled trace sample served beside the page.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const SAMPLE_FILES = readdirSync(here('../data/bitbrains-sample'))
  .filter((name) => name.endsWith('.csv.gz'))
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

export default defineConfig({
  root: here('.'),
  base: './',
  // data/ is served (and copied into the build) as it is: the page fetches bitbrains-sample/N.csv.gz beside itself.
  publicDir: here('../data'),
  resolve: { alias: [{ find: /^dynmem$/, replacement: here('../dist/src/index.js') }] },
  define: { __SAMPLE_FILES__: JSON.stringify(SAMPLE_FILES) },
  worker: { format: 'es' },
  build: {
    outDir: here('../dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    // demo/build.js reports the sizes that count (gzipped, against the budget); the bundler's timing notes are noise.
    reportCompressedSize: false,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { fs: { allow: [here('..')] } },
});
