#!/usr/bin/env node
// Builds the live demo (Vite) and checks its download budget: everything the build holds, the bundled traces
// excepted, gzipped, at most DOWNLOAD_BUDGET_BYTES. Prints the sizes; exits 1 when over budget.
//
//   node demo/build.js [outDir]      (default dist/demo; `npm run demo` builds, then serves it)
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** 150 KB gzipped (1 KB = 1,000 bytes, the stricter reading), traces not counted. */
export const DOWNLOAD_BUDGET_BYTES = 150_000;
/** The traces served beside the page (data/ is the demo's public folder): not part of the budget. */
const TRACES = 'bitbrains-sample';

/** Build the demo into `outDir`; the library must be built first (`npm run build`). */
export async function buildDemo(outDir = join(HERE, '../dist/demo')) {
  if (!existsSync(join(HERE, '../dist/src/index.js')))
    throw new Error('The demo imports the built library: run "npm run build" first.');
  await build({ configFile: join(HERE, 'vite.config.js'), build: { outDir: resolve(outDir) }, logLevel: 'warn' });
  return resolve(outDir);
}

/** Every file of a built demo but the traces, with its size and gzipped size (level 9, as servers precompress). */
export async function downloadSizes(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))) // parentPath from Node 20.12
    .filter((file) => file.split(sep)[0] !== TRACES)
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(join(dir, file));
      return { file: file.split(sep).join('/'), bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    }),
  );
}

/** The sizes as a table, with the total against the budget. */
export function sizeTable(sizes) {
  const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(10);
  const width = Math.max(...sizes.map((s) => s.file.length), 5);
  const rows = sizes.map((s) => `  ${s.file.padEnd(width)} ${kb(s.bytes)} ${kb(s.gzipBytes)}`);
  return [
    `  ${'file'.padEnd(width)} ${'size'.padStart(10)} ${'gzipped'.padStart(10)}`,
    ...rows,
    `  ${'total'.padEnd(width)} ${''.padStart(10)} ${kb(total)}  (budget ${kb(DOWNLOAD_BUDGET_BYTES).trim()}, traces not counted)`,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await buildDemo(process.argv[2]);
  const sizes = await downloadSizes(dir);
  console.log(`Demo built in ${relative(process.cwd(), dir) || '.'}:\n${sizeTable(sizes)}`);
  const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
  if (total > DOWNLOAD_BUDGET_BYTES) {
    console.error(`Over the download budget: ${total} bytes gzipped > ${DOWNLOAD_BUDGET_BYTES}.`);
    process.exitCode = 1;
  }
}
