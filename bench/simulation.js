// A day of 1,000 VMs driven by real traces (time-shifted copies of the bundled Bitbrains series) at 1-second
// ticks on one host, per engine, each engine in its own process so that its peak RSS is its own.
import { Bench } from 'tinybench';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLE = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

export function scenario(engine) {
  return {
    name: '1,000 VMs, 24 h',
    engine,
    duration: '24h',
    sampleInterval: 300,
    hosts: [{ name: 'hv-01', memoryMB: 786432 }],
    fleets: [{ traces: SAMPLE, count: 1000, copyShift: '1h', maximumFromProvisioned: true, startSpread: '30m',
      template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20 } }],
  };
}

async function child(engine) {
  const { simulate } = await import('../dist/src/index.js');
  let summary;
  const bench = new Bench({ iterations: 1, time: 0, warmup: false });
  bench.add(engine, async () => { summary = (await simulate(scenario(engine))).summary; });
  await bench.run();
  const task = bench.tasks[0];
  process.stdout.write(JSON.stringify({
    engine, seconds: task.result.latency.mean / 1000, peakRssMB: process.resourceUsage().maxRSS / 1024,
    vms: summary.vms, startFailures: summary.startFailures.length, savedPercent: summary.memory.savedPercent,
    averagePressure: summary.pressure.average,
  }));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  const rows = [];
  for (const engine of ['wasm', 'js']) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', engine], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    rows.push(JSON.parse(run.stdout));
  }
  console.table(rows.map((r) => ({ engine: r.engine, 'wall s': +r.seconds.toFixed(2), 'peak RSS MB': +r.peakRssMB.toFixed(0),
    VMs: r.vms, 'start failures': r.startFailures, 'saved %': +r.savedPercent.toFixed(1), 'avg pressure': +r.averagePressure.toFixed(1) })));
  console.log(`js/wasm = ${(rows[1].seconds / rows[0].seconds).toFixed(2)}× (target: wasm ≤ 10 s)`);
}
