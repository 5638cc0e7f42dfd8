// 64 hosts × 125 VMs = 8,000 VMs, 24 simulated hours at 1-second ticks, demand from time-shifted tiles of the
// bundled Bitbrains series, one host failing at midday; per engine, each in its own process (peak RSS).
import { Bench } from 'tinybench';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLE = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));
const HOSTS = Array.from({ length: 64 }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);

export function scenario(engine) {
  return {
    name: '64 × 125 VMs, 24 h, one failover',
    engine,
    duration: '24h',
    sampleInterval: 300,
    perVmSeries: false,
    hosts: HOSTS.map((name) => ({ name, memoryMB: 98304 })),
    fleets: [{ traces: SAMPLE, count: 8000, copyShift: '17m', maximumFromProvisioned: true, hosts: HOSTS, startSpread: '30m',
      template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20 } }],
    events: [{ at: '12h', action: 'failHost', host: 'node-07' }],
  };
}

async function child(engine) {
  const { simulate } = await import('../dist/src/index.js');
  let summary;
  const bench = new Bench({ iterations: 1, time: 0, warmup: false });
  bench.add(engine, async () => { summary = (await simulate(scenario(engine))).summary; });
  await bench.run();
  const task = bench.tasks[0];
  const failover = summary.failovers[0];
  process.stdout.write(JSON.stringify({
    engine, seconds: task.result.latency.mean / 1000, peakRssMB: process.resourceUsage().maxRSS / 1024,
    vms: summary.vms, restarted: failover?.restarted ?? 0, failed: failover?.failed.length ?? 0,
    startFailures: summary.startFailures.length, averagePressure: summary.pressure.average,
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
    VMs: r.vms, 'failover restarted': r.restarted, 'failover failed': r.failed, 'start failures': r.startFailures,
    'avg pressure': +r.averagePressure.toFixed(1) })));
  console.log(`js/wasm = ${(rows[1].seconds / rows[0].seconds).toFixed(2)}× (targets: wasm ≤ 20 s, peak RSS ≤ 300 MB)`);
}
