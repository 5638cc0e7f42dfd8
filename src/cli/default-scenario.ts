// The run `dynmem` does with no arguments: a pooled VDI-like host on the bundled real-trace sample.
import type { Scenario } from '../sim/scenario.ts';

/**
 * A 96 GB host running every active VM of the sample as a pooled desktop (2 GB startup, 512 MB minimum, 4 GB
 * maximum: a static desktop would hold its 2 GB all day), started over ten minutes, for a day, with three VMs
 * restarted at midday.
 */
export function defaultScenario(traces: string): Scenario {
  return {
    name: 'Pooled VDI host, Bitbrains GWA-T-12 sample',
    duration: '24h',
    sampleInterval: 60,
    hosts: [{ name: 'hv-01', memoryMB: 98304 }],
    fleets: [
      {
        traces,
        template: { startupMB: 2048, minimumMB: 512, maximumMB: 4096, bufferPercent: 20, weight: 5000 },
        startSpread: '10m',
      },
    ],
    events: [
      { at: '12h', action: 'restart', vm: '1' },
      { at: '12h', action: 'restart', vm: '2' },
      { at: '12h', action: 'restart', vm: '3' },
    ],
  };
}
