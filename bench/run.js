// `npm run bench`: every benchmark in this folder, one after another (each prints its own table).
// `npm run bench -- cluster.js --only wasm`: the files named, with the options after them passed to each.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const files = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
const all = ['balancer.js', 'policies.js', 'simulation.js', 'cluster.js', 'plan.js', 'starts.js'];
for (const file of files.length ? files : all) {
  console.log(`\n## ${file}`);
  const path = fileURLToPath(new URL(file, import.meta.url));
  const result = spawnSync(process.execPath, ['--expose-gc', path, ...options], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}
