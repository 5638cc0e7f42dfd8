// Multi-tick calls: host-major order and the exact fast-forward over quiet ticks. advance(n) must equal n ×
// advance(1) exactly for memory, counts and states, and to 1e-12 (relative) for the moving averages and the run
// totals (closed form instead of n additions).
import { createCluster, createHost, type Host } from 'dynmem';
import { describe, expect, it } from 'vitest';

const HOST_TOTALS = ['elapsed', 'pressureSeconds', 'assignedMBs', 'pagingMBs', 'shortVmSeconds', 'avgPressure'];

/** `actual` equals `expected` exactly, except averages (and the listed run totals) within 1e-12 relative. */
function expectSame(actual: unknown, expected: unknown, key = ''): void {
  if (typeof expected === 'number' && (key.startsWith('average') || HOST_TOTALS.includes(key))) {
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
    for (const [k, value] of Object.entries(expected)) expectSame((actual as Record<string, unknown>)[k], value, k);
  } else {
    expect(actual).toBe(expected);
  }
}

/** The run totals of host `index`, read from its columns. */
function totals(host: Host, index = 0): Record<string, number> {
  const h = (host as any).fleet.store.hosts;
  return Object.fromEntries(HOST_TOTALS.map((name) => [name, h[name][index]]));
}

/** 9 VMs (an odd count: the last lane pair is half empty) on a host short of memory, 2 of them still booting. */
async function contendedHost(engine: 'wasm' | 'js'): Promise<Host> {
  const host = await createHost({ memoryMB: 16384, reserveMB: 2048, bootSeconds: 20, engine });
  for (let i = 0; i < 9; i++) {
    host.addVm({ name: `v${i}`, startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 1000 * (i % 5) });
    host.setDemand(`v${i}`, 900 + 250 * i);
  }
  for (let i = 0; i < 7; i++) host.start(`v${i}`);
  host.advance(10);
  host.start('v7');
  return host;
}

describe.each(['wasm', 'js'] as const)('advance(n) = n × advance(1) (%s engine)', (engine) => {
  it('on a host under contention that settles, with boots finishing during the call', async () => {
    const once = await contendedHost(engine);
    const stepwise = await contendedHost(engine);
    once.advance(600);
    for (let t = 0; t < 600; t++) stepwise.advance(1);
    expectSame(once.vms(), stepwise.vms());
    expectSame(once.counters(), stepwise.counters());
    expectSame(totals(once), totals(stepwise));
    // settled: every running VM at its goal, and the memory is all given out
    expect(once.counters().availableMemoryMB).toBe(0);
  });

  it('after demand changes between calls, again and again', async () => {
    const once = await contendedHost(engine);
    const stepwise = await contendedHost(engine);
    for (let round = 0; round < 6; round++) {
      for (const host of [once, stepwise]) host.setDemand(`v${round}`, 300 + 700 * round);
      once.advance(97);
      for (let t = 0; t < 97; t++) stepwise.advance(1);
      expectSame(once.vms(), stepwise.vms());
      expectSame(totals(once), totals(stepwise));
    }
  });

  it('with demand ramping (a timer: no tick is quiet while it ramps)', async () => {
    const make = async () => {
      const host = await contendedHost(engine);
      const fleet = (host as any).fleet;
      fleet.store.rampDemands(Int32Array.of(fleet.vm('v3').slot), Float64Array.of(1000), Float64Array.of(1.5)); // from 1,000 MB, 1.5 MB/s
      return host;
    };
    const once = await make();
    const stepwise = await make();
    once.advance(400);
    for (let t = 0; t < 400; t++) stepwise.advance(1);
    expect(once.vm('v3').demandMB).toBe(1600);
    expectSame(once.vms(), stepwise.vms());
    expectSame(totals(once), totals(stepwise));
  });

  it('on a cluster, each host its ticks back to back, with a failover in between', async () => {
    const make = async () => {
      const cluster = await createCluster({
        engine,
        bootSeconds: 5,
        hosts: [0, 1, 2].map((k) => ({ name: `h${k}`, memoryMB: 12288 + 2048 * k, reserveMB: 1024 })),
      });
      for (let i = 0; i < 20; i++) {
        cluster.addVm({ name: `v${i}`, startupMB: 1024, minimumMB: 512, maximumMB: 6144, weight: 500 * (i % 7) });
        cluster.start(`v${i}`);
        cluster.setDemand(`v${i}`, 700 + 173 * i);
      }
      return cluster;
    };
    const once = await make();
    const stepwise = await make();
    once.advance(300);
    for (let t = 0; t < 300; t++) stepwise.advance(1);
    expectSame(once.vms(), stepwise.vms());
    once.failHost('h1');
    stepwise.failHost('h1');
    once.advance(300);
    for (let t = 0; t < 300; t++) stepwise.advance(1);
    expectSame(once.vms(), stepwise.vms());
    expectSame(once.counters(), stepwise.counters());
  });
});
