// The Wasm engine on several threads (Node): a call long enough to pay for it has its hosts split between the
// calling thread and helper threads, each running whole hosts. Results must not depend on it: the threaded engine
// agrees exactly with the single-threaded one and the JS engine, on random clusters and on a trace-driven day.

import { fileURLToPath } from 'node:url';
import { type Cluster, createCluster, createHost, restoreCluster, type Scenario, simulate } from 'dynmem';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCallsFrom } from '../dist/src/node/host-split.js';
import {
  autoBalancerArb,
  clusterOpArb,
  hostMemoryArb,
  hostOptionsArb,
  runTwins,
  vmConfig,
  vmSpecArb,
} from './properties.ts';

const TRACES = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));
const RUNS = Number(process.env.DIFF_RUNS ?? 40);

/** Four hosts of 64 VMs under contention, each VM's demand its own. */
async function contendedCluster(options: { engine?: 'wasm' | 'js'; threads?: number }): Promise<Cluster> {
  const cluster = await createCluster({
    ...options,
    bootSeconds: 5,
    hosts: [0, 1, 2, 3].map((k) => ({ name: `h${k}`, memoryMB: 65536 + 4096 * k, reserveMB: 2048 })),
  });
  for (let i = 0; i < 256; i++) {
    const name = `v${i}`;
    cluster.addVm({ name, startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 1000 + 37 * (i % 11) });
    cluster.start(name);
    cluster.setDemand(name, 400 + ((i * 7919) % 2600));
  }
  return cluster;
}

describe('threads option', () => {
  it.each([0, 1.5, 65, -2, Number.NaN, '2'])('refuses threads %s, naming the field', async (threads) => {
    await expect(createCluster({ hosts: [{ name: 'a', memoryMB: 8192 }], threads } as never)).rejects.toMatchObject({
      name: 'DynamicMemoryError',
      code: 'InvalidSetting',
      field: 'threads',
      message: expect.stringMatching(/^threads must be a whole number from 1 to 64, not /),
    });
  });

  it('refuses threads > 1 with the js engine and with a Wasm core of the caller', async () => {
    await expect(createHost({ memoryMB: 8192, engine: 'js', threads: 2 })).rejects.toMatchObject({
      field: 'threads',
      message: "threads is for engine 'wasm'; the js engine runs on the calling thread.",
    });
    await expect(createHost({ memoryMB: 8192, wasm: new Uint8Array(8), threads: 2 })).rejects.toMatchObject({
      field: 'threads',
      message: 'threads > 1 runs the built-in threaded core; a Wasm core of your own runs on the calling thread.',
    });
    expect((await createHost({ memoryMB: 8192, engine: 'js', threads: 1 })).threads).toBe(1);
  });

  it('starts its helper with the first call long enough to share, and gives the results of one thread', async () => {
    const [threaded, single, js] = await Promise.all([
      contendedCluster({ threads: 2 }),
      contendedCluster({ threads: 1 }),
      contendedCluster({ engine: 'js' }),
    ]);
    for (const cluster of [threaded, single, js]) cluster.advance(10); // 2,560 VM-ticks: not worth sharing
    expect(threaded.threads).toBe(1);
    for (const cluster of [threaded, single, js]) cluster.advance(1200); // 307,200 VM-ticks: shared
    expect(threaded.threads).toBe(2);
    expect(single.threads).toBe(1);
    expect(js.threads).toBe(1);
    for (const cluster of [threaded, single, js]) {
      cluster.failHost('h2');
      for (let i = 0; i < 256; i += 3) cluster.setDemand(`v${i}`, 3000 - ((i * 104729) % 2500));
      cluster.advance(1800);
      // more VMs than the store holds: it grows (the shared memory too) under the running helper
      for (let i = 256; i < 400; i++) {
        cluster.addVm({ name: `v${i}`, startupMB: 512, minimumMB: 256, maximumMB: 2048 });
        cluster.start(`v${i}`);
        cluster.setDemand(`v${i}`, 300 + ((i * 31) % 900));
      }
      cluster.advance(900);
    }
    expect(threaded.vms()).toEqual(single.vms());
    expect(threaded.counters()).toEqual(single.counters());
    expect(threaded.vms()).toEqual(js.vms());
    expect(threaded.hosts().map((h) => h.counters())).toEqual(js.hosts().map((h) => h.counters()));
  });
});

describe('threaded host', () => {
  it('shares the NUMA nodes that balance on their own, with the results of the JS engine', async () => {
    const make = (engine: 'wasm' | 'js') =>
      createHost({
        memoryMB: 131072,
        reserveMB: 0,
        numaNodes: 4,
        numaSpanning: false,
        engine,
        threads: 2 - +(engine === 'js'),
      });
    const [threaded, js] = await Promise.all([make('wasm'), make('js')]);
    for (const host of [threaded, js]) {
      for (let i = 0; i < 240; i++) {
        host.addVm({ name: `v${i}`, startupMB: 512, minimumMB: 256, maximumMB: 4096, weight: 100 * (1 + (i % 50)) });
        host.start(`v${i}`);
        host.setDemand(`v${i}`, 300 + ((i * 7919) % 1500));
      }
      host.advance(1200); // 288,000 VM-ticks over four nodes: shared
    }
    expect(threaded.threads).toBe(2);
    expect(threaded.vms()).toEqual(js.vms());
    expect(threaded.counters()).toEqual(js.counters());
  });
});

describe('threaded checkpoints', () => {
  it('restore on any number of threads and go on exactly as the original; a bad count is refused', async () => {
    const original = await contendedCluster({ threads: 1 });
    original.advance(600);
    const saved = JSON.parse(JSON.stringify(original.checkpoint()));
    const resumed = await restoreCluster(saved, { threads: 2 });
    for (const cluster of [original, resumed]) cluster.advance(1500);
    expect(resumed.threads).toBe(2);
    expect(resumed.vms()).toEqual(original.vms());
    expect(resumed.counters()).toEqual(original.counters());
    await expect(restoreCluster(saved, { threads: 0 })).rejects.toMatchObject({
      code: 'InvalidSetting',
      field: 'threads',
    });
  });
});

describe('threaded and single-threaded engines', () => {
  it('give the same trace-driven day with ramping demand and a failover, as the JS engine', async () => {
    const hosts = Array.from({ length: 8 }, (_, k) => `node-${k}`);
    const scenario = (engine: 'wasm' | 'js', threads: number): Scenario => ({
      engine,
      threads,
      duration: '6h',
      demandInterpolation: 'linear',
      hosts: hosts.map((name) => ({ name, memoryMB: 98304 })),
      fleets: [
        {
          traces: TRACES,
          count: 1000,
          copyShift: '17m',
          maximumFromProvisioned: true,
          hosts,
          startSpread: '20m',
          template: { startupMB: 1024, minimumMB: 512, bufferPercent: 20 },
        },
      ],
      events: [{ at: '2h', action: 'failHost', host: 'node-3' }],
    });
    const [threaded, single, js] = await Promise.all([
      simulate(scenario('wasm', 2)),
      simulate(scenario('wasm', 1)),
      simulate(scenario('js', 1)),
    ]);
    const results = (r: typeof threaded) => ({ ...r.summary, wallSeconds: 0, engine: '' });
    expect(results(threaded)).toEqual(results(single));
    expect(results(threaded)).toEqual(results(js));
    expect(threaded.series).toEqual(js.series);
    expect(threaded.summary.pressure.average).toBeGreaterThan(0);
  });
});

describe('threaded engine on random clusters', () => {
  beforeAll(() => splitCallsFrom(1)); // every call of more than one host is shared
  afterAll(() => splitCallsFrom());

  it(
    'agrees exactly with the JS engine, invariants at every tick, through failures, recoveries and checkpoints',
    async () => {
      let shared = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(hostMemoryArb, hostOptionsArb), { minLength: 2, maxLength: 4 }),
          fc.array(vmSpecArb, { minLength: 2, maxLength: 12 }),
          fc.array(clusterOpArb, { minLength: 1, maxLength: 40, size: 'max' }),
          autoBalancerArb,
          async (hostSpecs, specs, ops, autoBalancer) => {
            const hosts = hostSpecs.map(([memoryMB, options], k) => ({ name: `h${k}`, memoryMB, ...options }));
            const balancer = hosts.some((h) => h.version === '2012R2') ? { mode: 'disabled' as const } : autoBalancer;
            const make = (engine: 'wasm' | 'js') =>
              createCluster({
                hosts,
                bootSeconds: 7,
                autoBalancer: balancer,
                engine,
                threads: engine === 'wasm' ? 2 : 1,
              });
            const clusters: [Cluster, Cluster] = [await make('wasm'), await make('js')];
            const names = specs.map((_, i) => `vm-${i}`);
            for (const cluster of clusters) specs.forEach((spec, i) => cluster.addVm(vmConfig(names[i]!, spec)));
            await runTwins(clusters, (cluster) => (cluster as Cluster).hosts(), names, specs, ops);
            if (clusters[0].threads === 2) shared++;
          },
        ),
        { numRuns: RUNS, endOnFailure: process.env.DIFF_SHRINK === undefined },
      );
      // (a checkpoint op goes on with a restored cluster, whose threads this count does not see)
      expect(shared, 'runs whose calls were shared between threads').toBeGreaterThan(RUNS / 5);
    },
    Math.max(60_000, RUNS * 1000),
  );
});
