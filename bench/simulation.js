// A day of 1,000 VMs driven by real traces (time-shifted copies of the bundled Bitbrains series) at 1-second
// ticks on one host.
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
    'saved %': +s.memory.savedPercent.toFixed(1),
    'avg pressure': +s.pressure.average.toFixed(1),
  }),
  'target: wasm ≤ 10 s',
);
