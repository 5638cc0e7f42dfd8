// Series that keep what happened between samples: each sample's Smart Paging, VMs short, assigned range and pressure
// range are the extremes of every balancer tick since the sample before (kept by the kernel per host and tick), so a
// 30-second episode shows in a five-minute sample. Hand-computed on both engines; defaults as in sim.simulate.test.ts
// (boot 30 s, balloon 128 MB/s, tick 1 s).
import { type Scenario, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';

const engines = ['wasm', 'js'] as const;

/** One VM on an ample host: boots at 2,048 MB, then balloons down to 1,000 MB demand + 20 % = 1,200 MB. */
const shrinking = (engine: 'wasm' | 'js'): Scenario => ({
  name: 'shrinking',
  engine,
  duration: '1h',
  sampleInterval: '10m',
  hosts: [{ memoryMB: 16384, reserveMB: 0 }],
  vms: [{ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192, bufferPercent: 20, demandMB: 1000 }],
});

/**
 * The Smart Paging host of sim.simulate.test.ts sampled every 5 minutes: big (3,584 fixed, demand 4,000) + c (1,536
 * fixed, from 60 s) + r, whose restart at 120 s needs 1,536 MB of Smart Paging for about half a minute.
 */
const pagedRestart = (engine: 'wasm' | 'js'): Scenario => ({
  name: 'paged restart',
  engine,
  duration: '30m',
  sampleInterval: '5m',
  hosts: [{ memoryMB: 5632, reserveMB: 0 }],
  vms: [
    { name: 'big', startupMB: 3584, minimumMB: 3584, maximumMB: 3584, demandMB: 4000 },
    { name: 'r', startupMB: 2048, minimumMB: 512, demandMB: 100 },
    { name: 'c', startupMB: 1536, minimumMB: 1536, maximumMB: 1536, demandMB: 1000, startAt: 60 },
  ],
  events: [{ at: '2m', action: 'restart', vm: 'r' }],
});

/** Two 8 GB cluster members, four VMs; host-2 fails at 10 minutes and is back at 20. */
const failure = (engine: 'wasm' | 'js'): Scenario => ({
  name: 'failure',
  engine,
  duration: '30m',
  sampleInterval: '5m',
  hosts: [
    { name: 'host-1', memoryMB: 8192 },
    { name: 'host-2', memoryMB: 8192 },
  ],
  vms: Array.from({ length: 4 }, (_, i) => ({
    name: `vm${i}`,
    startupMB: 1024,
    minimumMB: 512,
    maximumMB: 4096,
    demandMB: 800 + 100 * i,
  })),
  events: [
    { at: '10m', action: 'failHost', host: 'host-2' },
    { at: '20m', action: 'recoverHost', host: 'host-2' },
  ],
});

describe.each(engines)('%s engine', (engine) => {
  it('keeps the boot and the balloon-down of the first ten minutes in its range, and the quiet rest flat', async () => {
    const { series } = await simulate(shrinking(engine));
    const h = series.hosts[0]!;
    // At 0 s (no tick yet) every range is the value itself; the first interval saw 2,048 MB down to 1,200 MB.
    expect(h.assignedMB).toEqual([2048, 1200, 1200, 1200, 1200, 1200, 1200]);
    expect(h.assignedMaxMB).toEqual([2048, 2048, 1200, 1200, 1200, 1200, 1200]);
    expect(h.assignedMinMB).toEqual([2048, 1200, 1200, 1200, 1200, 1200, 1200]);
    // No pressure while the VM boots (no Dynamic Memory VM balanced yet: NaN at 0 s). The tick that ends the boot
    // already balloons one second's 128 MB: 1,000 / 1,920 is the least, then down to 1,000 / 1,200.
    const settled = (100 * 1000) / 1200;
    expect(h.pressure[0]).toBe(0);
    expect(h.pressureMin).toEqual([NaN, (100 * 1000) / 1920, settled, settled, settled, settled, settled]);
    expect(h.pressureMax).toEqual([NaN, settled, settled, settled, settled, settled, settled]);
    expect(h.shortVms).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(h.smartPagingMB).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // One host: the total is the host.
    expect(series.total.assignedMaxMB).toEqual(h.assignedMaxMB);
    expect(series.total.pressureMin).toEqual(h.pressureMin);
  });

  it('shows a half-minute Smart Paging episode at its peak in a five-minute sample, as the summary has it', async () => {
    const { series, summary } = await simulate(pagedRestart(engine));
    expect(series.timeSeconds).toEqual([0, 300, 600, 900, 1200, 1500, 1800]);
    expect(summary.smartPaging.peakMB).toBe(2048 - 512);
    // The episode (120 s to about 155 s) lies inside the first interval; at the samples themselves there is none.
    expect(series.total.smartPagingMB).toEqual([0, 1536, 0, 0, 0, 0, 0]);
    expect(series.vms.find((v) => v.name === 'r')!.smartPagingMB).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // big's demand (4,000) is above its fixed 3,584 MB all along: one VM short in every interval.
    expect(series.total.shortVms).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // Least held in the first interval: big 3,584 + r balloned to its 512 minimum, before c starts at 60 s.
    expect(series.total.assignedMinMB).toEqual([5632, 4096, 5632, 5632, 5632, 5632, 5632]);
    expect(series.total.assignedMaxMB).toEqual([5632, 5632, 5632, 5632, 5632, 5632, 5632]);
    // At 0 s every VM is still booting: no Dynamic Memory VM balanced, no pressure to range over.
    expect(series.total.pressureMax[0]).toBeNaN();
    series.total.pressure.forEach((p, k) => {
      if (k === 0) return;
      expect(series.total.pressureMin[k]).toBeLessThanOrEqual(p);
      expect(series.total.pressureMax[k]).toBeGreaterThanOrEqual(p);
    });
  });

  it('has no pressure range for a failed or empty host, and the total ranges over the hosts with one', async () => {
    const { series } = await simulate(failure(engine));
    const [h1, h2] = series.hosts;
    const t = series.timeSeconds;
    expect(t).toEqual([0, 300, 600, 900, 1200, 1500, 1800]);
    // None at 0 s (the VMs boot); host-2 is down from 600 s (after that sample) to 1,200 s, and back empty (its VMs
    // stay where the failover restarted them).
    expect(h2!.pressureMax.map(Number.isNaN)).toEqual([true, false, false, true, true, true, true]);
    expect(h2!.pressureMin.map(Number.isNaN)).toEqual([true, false, false, true, true, true, true]);
    expect(h1!.pressureMax.map(Number.isNaN)).toEqual([true, false, false, false, false, false, false]);
    expect(series.total.pressureMax[0]).toBeNaN();
    t.forEach((_, k) => {
      if (k === 0) return;
      const up = [h1!, h2!].filter((h) => !Number.isNaN(h.pressureMax[k]!));
      expect(series.total.pressureMax[k]).toBe(Math.max(...up.map((h) => h.pressureMax[k]!)));
      expect(series.total.pressureMin[k]).toBe(Math.min(...up.map((h) => h.pressureMin[k]!)));
      expect(series.total.assignedMaxMB[k]).toBe(h1!.assignedMaxMB[k]! + h2!.assignedMaxMB[k]!);
    });
  });
});

it('both engines keep the same extremes', async () => {
  const [wasm, js] = await Promise.all(engines.map((engine) => simulate(pagedRestart(engine))));
  expect(js!.series).toEqual(wasm!.series);
});
