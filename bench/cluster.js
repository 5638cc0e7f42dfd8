// 64 hosts × 125 VMs = 8,000 VMs, 24 simulated hours at 1-second ticks, demand from time-shifted tiles of the
// bundled Bitbrains series, one host failing at midday; wasm and js, step and linear demand, beside the previous
// release.
import { benchPerEngine, SAMPLE } from './per-engine.js';

const HOSTS = Array.from({ length: 64 }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);

const scenario = (engine) => ({
  name: '64 × 125 VMs, 24 h, one failover',
  engine,
  duration: '24h',
  sampleInterval: 300,
  perVmSeries: false,
  hosts: HOSTS.map((name) => ({ name, memoryMB: 98304 })),
  fleets: [
    {
      traces: SAMPLE,
      count: 8000,
      copyShift: '17m',
      maximumFromProvisioned: true,
      hosts: HOSTS,
      startSpread: '30m',
      template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20 },
    },
  ],
  events: [{ at: '12h', action: 'failHost', host: 'node-07' }],
});

await benchPerEngine(
  import.meta.url,
  scenario,
  (s) => ({
    VMs: s.vms,
    'failover restarted': s.failovers[0]?.restarted ?? 0,
    'failover failed': s.failovers[0]?.failed.length ?? 0,
    'start failures': s.startFailures.length,
    'avg pressure': +s.pressure.average.toFixed(2),
  }),
  'targets: wasm ≤ 2 s with step demand, ≤ 8 s with linear; peak RSS ≤ 200 MB; js no slower than before',
);
