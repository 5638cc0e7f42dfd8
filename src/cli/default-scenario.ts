// The run `dynmem` does with no arguments: a pooled VDI-like host on the bundled real-trace sample.
import type { Scenario } from '../sim/scenario.ts';

/** The bundled Bitbrains GWA-T-12 sample (26 hours of 100 VMs), shipped with the package. */
export const BUNDLED_SAMPLE = new URL('../../../data/bitbrains-sample/', import.meta.url);

/**
 * A 64 GB host running every active VM of the sample as a pooled desktop (1 GB startup, 512 MB minimum,
 * maximum from each VM's provisioned memory), for a day, with three VMs restarted at midday under pressure
 * to show Smart Paging.
 */
export function defaultScenario(traces: string): Scenario {
  return {
    name: 'Pooled VDI host, Bitbrains GWA-T-12 sample',
    duration: '24h',
    sampleInterval: 60,
    hosts: [{ name: 'hv-01', memoryMB: 65536 }],
    fleets: [{
      traces,
      template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20, weight: 5000 },
      maximumFromProvisioned: true,
      startSpread: '10m',
    }],
    events: [
      { at: '12h', action: 'restart', vm: '1' },
      { at: '12h', action: 'restart', vm: '2' },
      { at: '12h', action: 'restart', vm: '3' },
    ],
  };
}
