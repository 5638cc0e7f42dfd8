// A day of 1,000 VMs driven by real traces (time-shifted copies of the bundled Bitbrains series) at 1-second
// ticks on one host; wasm and js, step and linear demand, beside the previous release.
import { benchPerEngine, SAMPLE } from './per-engine.js';

const scenario = (engine) => ({
  name: '1,000 VMs, 24 h',
  engine,
  duration: '24h',
  sampleInterval: 300,
  hosts: [{ name: 'hv-01', memoryMB: 786432 }],
  fleets: [
    {
      traces: SAMPLE,
      count: 1000,
      copyShift: '1h',
      maximumFromProvisioned: true,
      startSpread: '30m',
      template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20 },
    },
  ],
});

await benchPerEngine(
  import.meta.url,
  scenario,
  (s) => ({
    VMs: s.vms,
    'start failures': s.startFailures.length,
    'saved %': +s.memory.savedPercent.toFixed(2),
    'avg pressure': +s.pressure.average.toFixed(2),
  }),
  'targets: wasm ≤ 0.5 s with step demand; js no slower than before',
);
