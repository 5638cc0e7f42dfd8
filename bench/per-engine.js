// Shared by the scenario benchmarks: time one simulate() run per variant (engine × demand interpolation, and the
// previous release), each in a child process of its own so that its peak RSS is its own, and print a table.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { loadPreviousRelease, PREVIOUS_RELEASE } from './previous-release.js';

export const SAMPLE = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

/**
 * What each benchmark runs, side by side: this build with both engines in both interpolation modes (the wasm
 * engine on its default threads, and on one), and the previous release with both engines (it knows only the
 * linear ramp, on one thread).
 */
const VARIANTS = [
  { release: 'current', engine: 'wasm', threads: 'auto', demand: 'step' },
  { release: 'current', engine: 'wasm', threads: 'auto', demand: 'linear' },
  { release: 'current', engine: 'wasm', threads: 1, demand: 'step' },
  { release: 'current', engine: 'wasm', threads: 1, demand: 'linear' },
  { release: 'current', engine: 'js', threads: 1, demand: 'step' },
  { release: 'current', engine: 'js', threads: 1, demand: 'linear' },
  { release: PREVIOUS_RELEASE, engine: 'wasm', threads: 1, demand: 'linear' },
  { release: PREVIOUS_RELEASE, engine: 'js', threads: 1, demand: 'linear' },
];

async function runVariant(variant, scenario, describe) {
  const current = variant.release === 'current';
  const { simulate } = current ? await import('../dist/src/index.js') : await loadPreviousRelease();
  const input = {
    ...scenario(variant.engine),
    ...(current ? { demandInterpolation: variant.demand } : {}),
    ...(current && variant.threads !== 'auto' ? { threads: variant.threads } : {}),
  };
  let summary;
  let cpu;
  const bench = new Bench({ iterations: 1, time: 0, warmup: false });
  bench.add(variant.engine, async () => {
    const before = process.cpuUsage();
    summary = (await simulate(input)).summary;
    cpu = process.cpuUsage(before);
  });
  await bench.run();
  return {
    ...variant,
    'wall s': +(bench.tasks[0].result.latency.mean / 1000).toFixed(2),
    // CPU time of this process alone: steadier than wall time on a machine shared with other work.
    'cpu s': +((cpu.user + cpu.system) / 1e6).toFixed(2),
    'peak RSS MB': Math.round(process.resourceUsage().maxRSS / 1024),
    ...describe(summary),
  };
}

/**
 * `scenario(engine)` builds the scenario (without `demandInterpolation`: each variant sets its own);
 * `describe(summary)` picks the figures to show beside the time. Run as the benchmark file itself: without
 * arguments it spawns itself with `--child K` per variant (`--only wasm` keeps the wasm variants).
 */
export async function benchPerEngine(fileUrl, scenario, describe, note) {
  if (process.argv[2] === '--child') {
    const row = await runVariant(VARIANTS[Number(process.argv[3])], scenario, describe);
    process.stdout.write(JSON.stringify(row));
    return;
  }
  await loadPreviousRelease(); // built once, before any child times anything
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const rows = [];
  VARIANTS.forEach((variant, k) => {
    if (only && variant.engine !== only) return;
    const run = spawnSync(process.execPath, [fileURLToPath(fileUrl), '--child', String(k)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    rows.push(JSON.parse(run.stdout));
  });
  console.table(rows);
  const time = (release, engine, threads, demand, measure) =>
    rows.find((r) => r.release === release && r.engine === engine && r.threads === threads && r.demand === demand)?.[
      measure
    ];
  // one thread: CPU time (steadier on a shared machine); the default threads: wall time (what they shorten)
  const engines = [
    ['wasm', 'auto', 'wall s'],
    ['wasm', 1, 'cpu s'],
    ['js', 1, 'cpu s'],
  ];
  for (const [engine, threads, measure] of engines) {
    if (only && engine !== only) continue;
    const before = time(PREVIOUS_RELEASE, engine, 1, 'linear', measure);
    const ratios = ['step', 'linear'].map(
      (d) => `${d} ${(before / time('current', engine, threads, d, measure)).toFixed(2)}×`,
    );
    console.log(`${engine} (threads ${threads}): speed-up over ${PREVIOUS_RELEASE} (${measure}): ${ratios.join(', ')}`);
  }
  console.log(note);
}
