// `npm run bench`: every benchmark in this folder, one after another (each prints its own table).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const only = process.argv.slice(2);
const all = ['balancer.js', 'simulation.js', 'cluster.js', 'plan.js'];
for (const file of only.length ? only : all) {
  console.log(`\n## ${file}`);
  const path = fileURLToPath(new URL(file, import.meta.url));
  const result = spawnSync(process.execPath, ['--expose-gc', path], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}
