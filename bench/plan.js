// Capacity planning (`dynmem plan`): the README's worked example (a density search on the bundled sample, one 64 GB
// host, a day per run) on two threads, with step-held demand (the default) and the linear ramp; runs per second on
// one thread and on two, over 48 independent runs (a sweep at a fixed count); and the same 48 runs through a
// BullMQ queue in a local Redis served by two `dynmem worker`s of one thread each (warm: traces already fetched).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { plan } from '../dist/src/index.js';
import { SAMPLE } from './per-engine.js';

const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

const example = (demandInterpolation) => ({
  name: 'worked example',
  duration: '24h',
  scenario: { demandInterpolation },
  host: { memoryMB: 65536 },
  profile: { traces: SAMPLE, template: { startupMB: 1024, minimumMB: 512 }, maximumFromProvisioned: true },
});

/** 48 runs that do not depend on each other: 40 VMs at six buffers and two weights on four host sizes, each three
 * days of linear demand, so that a run (~0.1 s) outweighs handing it to a thread and the ratio measures threads. */
const sweep = {
  ...example('linear'),
  duration: '72h',
  name: 'throughput',
  question: {
    sweep: {
      vms: 40,
      settings: {
        'host.memoryMB': [49152, 65536, 81920, 98304],
        bufferPercent: [10, 15, 20, 25, 30, 40],
        weight: [2500, 7500],
      },
    },
  },
};

async function timed(label, input, options) {
  let result;
  const bench = new Bench({ iterations: 1, time: 0, warmup: false });
  bench.add(label, async () => {
    result = await plan(input, options);
  });
  await bench.run();
  const seconds = bench.tasks[0].result.latency.mean / 1000;
  return { result, seconds };
}

const rows = [];
for (const demand of ['step', 'linear']) {
  const { result, seconds } = await timed(`density ${demand}`, example(demand), { workers: 2 });
  rows.push({
    case: `density search, ${demand} demand, 2 threads`,
    runs: result.runs.length,
    'wall s': +seconds.toFixed(2),
    'runs/s': +(result.runs.length / seconds).toFixed(2),
    answer: `${result.dynamic.value} / ${result.static.value} VMs`,
  });
}

const one = await timed('sweep 1', sweep, { workers: 1 });
const two = await timed('sweep 2', sweep, { workers: 2 });
for (const [threads, t] of [
  [1, one],
  [2, two],
]) {
  rows.push({
    case: `48 independent runs, ${threads} thread${threads > 1 ? 's' : ''}`,
    runs: t.result.runs.length,
    'wall s': +t.seconds.toFixed(2),
    'runs/s': +(t.result.runs.length / t.seconds).toFixed(2),
    answer: `${t.result.sweep.points.filter((p) => p.ok).length} of 48 pass`,
  });
}

const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
let queued;
if (redisServer) {
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'dynmem-bench-redis-'));
  const redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = (child, text) =>
    new Promise((resolve) => {
      let seen = '';
      child.stdout.on('data', (chunk) => {
        seen += chunk;
        if (seen.includes(text)) resolve();
      });
    });
  await ready(redis, 'Ready to accept connections');
  const url = `redis://127.0.0.1:${port}`;
  const workers = [0, 1].map(() =>
    spawn(process.execPath, [CLI, 'worker', '--queue', url, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  for (const w of workers) {
    const started = new Promise((resolve) =>
      w.stderr.on('data', (c) => String(c).includes('taking runs') && resolve()),
    );
    await started;
  }
  // Long-lived workers have the traces already: warm them with a small plan on the same traces first (each worker
  // fetches them from Redis and parses them once), as the local pool gets them parsed from the planner.
  const warmUp = {
    ...example('step'),
    duration: '1h',
    question: { sweep: { vms: 4, settings: { bufferPercent: [20, 30, 40, 50] } } },
  };
  await plan(warmUp, { queue: url });
  queued = await timed('sweep queue', sweep, { queue: url });
  rows.push({
    case: '48 independent runs, queue, 2 workers × 1 thread',
    runs: queued.result.runs.length,
    'wall s': +queued.seconds.toFixed(2),
    'runs/s': +(queued.result.runs.length / queued.seconds).toFixed(2),
    answer: JSON.stringify(queued.result) === JSON.stringify(two.result) ? 'same results as threads' : 'DIFFERENT',
  });
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  redis.kill('SIGTERM');
  await new Promise((resolve) => redis.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

console.table(rows);
const scaling = one.seconds / two.seconds;
console.log(
  `targets: density search ≤ 10 s (${rows[0]['wall s']} s); two threads ≥ 1.8× the runs/s of one (${scaling.toFixed(2)}×)` +
    (queued
      ? `; queue ≤ 10 % over threads (${(100 * (queued.seconds / two.seconds - 1)).toFixed(0)} %)`
      : '; queue not measured: no redis-server (apt-get install redis-server)'),
);
