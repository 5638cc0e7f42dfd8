// Shared by the scenario benchmarks: time one simulate() run per engine, each in a child process of its own so
// that its peak RSS is its own, and print a table.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

export const SAMPLE = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

/**
 * `scenario(engine)` builds the scenario; `describe(summary)` picks the figures to show beside the time.
 * Run as the benchmark file itself: without arguments it spawns itself with `--child ENGINE` per engine.
 */
export async function benchPerEngine(fileUrl, scenario, describe, note) {
  if (process.argv[2] === '--child') {
    const engine = process.argv[3];
    const { simulate } = await import('../dist/src/index.js');
    let summary;
    const bench = new Bench({ iterations: 1, time: 0, warmup: false });
    bench.add(engine, async () => {
      summary = (await simulate(scenario(engine))).summary;
    });
    await bench.run();
    process.stdout.write(
      JSON.stringify({
        engine,
        'wall s': +(bench.tasks[0].result.latency.mean / 1000).toFixed(2),
        'peak RSS MB': Math.round(process.resourceUsage().maxRSS / 1024),
        ...describe(summary),
      }),
    );
    return;
  }
  const rows = ['wasm', 'js'].map((engine) => {
    const run = spawnSync(process.execPath, [fileURLToPath(fileUrl), '--child', engine], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout);
  });
  console.table(rows);
  console.log(`js/wasm = ${(rows[1]['wall s'] / rows[0]['wall s']).toFixed(2)}× (${note})`);
}
