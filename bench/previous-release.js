// The previous release (v0.1.0), built once into a cache folder, so that a benchmark can run it side by side with
// the current build in one process and one machine state.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** v0.1.0 by commit, not by tag: a fresh clone may not have the tag. */
export const PREVIOUS_RELEASE = '5acb47b';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = fileURLToPath(new URL('.cache/', import.meta.url));
const releaseDir = `${cacheDir}release-${PREVIOUS_RELEASE}`;

/** Extract the release's tree, link this checkout's node_modules, build Wasm + TS; atomic by rename. */
function buildPreviousRelease() {
  const staging = `${releaseDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', PREVIOUS_RELEASE], {
    cwd: repo,
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', staging], { input: archive });
  symlinkSync(`${repo}node_modules`, `${staging}/node_modules`, 'dir');
  const bin = (name) => `${repo}node_modules/.bin/${name}`;
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] });
  run(bin('asc'), ['assembly/index.ts', '--target', 'release']);
  run(bin('tsc'), ['-p', 'tsconfig.json']);
  try {
    renameSync(staging, releaseDir);
  } catch (error) {
    // Another process finished the same build first: keep its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(`${releaseDir}/dist/src/index.js`)) throw error;
  }
}

/**
 * The previous release's public API (`dist/src/index.js` of v0.1.0), building it on first use (~20 s; cached in
 * `bench/.cache/`, which git ignores). Its Wasm core is its own: both releases can run in one process.
 * @example
 * import { loadPreviousRelease } from './previous-release.js';
 * const previous = await loadPreviousRelease();
 * const host = await previous.createHost({ memoryMB: 65536 });
 * const { summary } = await previous.simulate(scenario);
 */
export async function loadPreviousRelease() {
  if (!existsSync(`${releaseDir}/dist/src/index.js`)) buildPreviousRelease();
  return import(pathToFileURL(`${releaseDir}/dist/src/index.js`).href);
}
