// The Wasm core and the JS reference engine, driven through the public API by the same random operation sequences
// on hosts and clusters, must agree exactly, and every tick must keep the balancer's invariants (test/properties.ts).
// DIFF_RUNS sets the number of sequences of each property; `npm run test:soak` runs 10,000.

import { type Cluster, createCluster, createHost, type Host } from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  autoBalancerArb,
  checkInvariants,
  clusterOpArb,
  hostMemoryArb,
  hostOptionsArb,
  type Op,
  opArb,
  policyArb,
  runTwins,
  seen,
  type VmSpec,
  vmConfig,
  vmSpecArb,
} from './properties.ts';

/** CI's sizes: what fits a few minutes' whole run (npm run test:soak runs 10,000 of each). */
const HOST_RUNS = 200;
const CLUSTER_RUNS = 60;
const CONTENTION_RUNS = 100;
const runs = (fallback: number) => Number(process.env.DIFF_RUNS ?? fallback);
/** Time allowed for a property of `n` sequences: a second a sequence, far above what one takes. */
const timeFor = (n: number) => Math.max(60_000, n * 1000);

type Value<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** The VM of the sure cases below: 2,048 MB at start, 512 to 6,144 with Dynamic Memory. */
const PLAIN_VM: VmSpec = {
  startupMB: 2048,
  minFraction: 0.25,
  extraMaxMB: 4096,
  bufferPercent: 20,
  weight: 5000,
  dynamicMemory: true,
  guestOsMaxMB: null,
  guestSupportsDynamicMemory: true,
  guestSupportsHotAdd: true,
  guestSupportsRuntimeResize: true,
  generation: 2,
  clusterPriority: 2000,
  driver: { balloonDriverRateMBps: null, balloonDriverLimitMB: 0 },
};
const PLAIN_HOST: Value<typeof hostOptionsArb> = {
  hysteresisMB: 0,
  version: '2025',
  balloonRateMBps: 128,
  startTimeoutSeconds: 30,
};

/** A host run sure to make a start gather its memory (so every run of the suite sees one, whatever its random cases
 * do): a 4 GB host filled by one VM, then a second VM starting. */
const SURE_TO_GATHER = ((): [
  number,
  VmSpec[],
  Value<typeof opArb>[],
  Value<typeof hostOptionsArb>,
  { policy: 'hyperv' },
  30,
  1,
] => {
  const ops: Value<typeof opArb>[] = [
    { op: 'start', vm: 0 },
    { op: 'demand', vm: 0, mb: 3500 },
    { op: 'advance', seconds: 40 },
    { op: 'start', vm: 1 },
    { op: 'advance', seconds: 3 },
  ];
  return [4096, [PLAIN_VM, PLAIN_VM], ops, PLAIN_HOST, { policy: 'hyperv' }, 30, 1];
})();

/** A cluster run sure to make a live migration (so every run of the suite sees moves under way): two 8 GB hosts,
 * two VMs of 3,600 MB on the first, its neighbour failing and joining again; the join pass moves a VM at 20 MB/s,
 * over minutes. */
const SURE_TO_MIGRATE = ((): [
  [number, Value<typeof hostOptionsArb>, { policy: 'hyperv' }][],
  VmSpec[],
  Op[],
  'none',
  Value<typeof autoBalancerArb>,
  20,
] => {
  const ops: Op[] = [
    { op: 'start', vm: 0 },
    { op: 'start', vm: 1 },
    { op: 'start', vm: 2 },
    { op: 'demand', vm: 0, mb: 3000 },
    { op: 'demand', vm: 1, mb: 500 },
    { op: 'demand', vm: 2, mb: 3000 },
    { op: 'advance', seconds: 40 },
    { op: 'failHost', host: 1 },
    { op: 'advance', seconds: 10 },
    { op: 'recoverHost', host: 1 },
    { op: 'advance', seconds: 5 },
  ];
  const host: [number, Value<typeof hostOptionsArb>, { policy: 'hyperv' }] = [8192, PLAIN_HOST, { policy: 'hyperv' }];
  return [[host, host], [PLAIN_VM, PLAIN_VM, PLAIN_VM], ops, 'none', { mode: 'always', level: 'low' }, 20];
})();

describe('wasm and js engines', () => {
  it(
    'agree exactly and keep the invariants at every tick on random sequences',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          hostMemoryArb,
          fc.array(vmSpecArb, { minLength: 1, maxLength: 12 }),
          fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }),
          hostOptionsArb,
          fc.oneof({ weight: 3, arbitrary: fc.constant({ policy: 'hyperv' as const }) }, policyArb),
          fc.constantFrom(30, 30, 7, 0),
          fc.constantFrom(1, 1, 1, 0.5),
          async (memoryMB, specs, ops, hostOptions, policy, bootSeconds, balancerIntervalSeconds) => {
            const options = { memoryMB, bootSeconds, balancerIntervalSeconds, ...hostOptions, ...policy };
            const make = (engine: 'wasm' | 'js') => createHost({ ...options, engine } as never);
            const hosts: [Host, Host] = [await make('wasm'), await make('js')];
            const names = specs.map((_, i) => `vm-${i}`);
            for (const host of hosts) specs.forEach((spec, i) => host.addVm(vmConfig(names[i]!, spec)));
            await runTwins(hosts, (host) => [host as Host], names, specs, ops, balancerIntervalSeconds);
          },
        ),
        {
          numRuns: runs(HOST_RUNS),
          endOnFailure: process.env.DIFF_SHRINK === undefined,
          examples: [SURE_TO_GATHER],
        },
      );
      expect(seen.gathering, 'host instants with a start gathering its memory').toBeGreaterThan(0);
    },
    timeFor(runs(HOST_RUNS)),
  );

  it('check the invariants at every single tick', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(vmSpecArb, { minLength: 2, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 12000 }), { minLength: 20, maxLength: 20 }),
        policyArb,
        async (vmSpecs, demands, policy) => {
          const host = await createHost({ memoryMB: 16384, reserveMB: 1024, bootSeconds: 3, ...policy });
          vmSpecs.forEach((spec, i) =>
            host.addVm({
              name: `vm-${i}`,
              startupMB: spec.startupMB,
              maximumMB: spec.startupMB + spec.extraMaxMB,
              minimumMB: Math.max(32, Math.floor((spec.startupMB * spec.minFraction) / 2) * 2),
              weight: spec.weight,
              bufferPercent: spec.bufferPercent,
            }),
          );
          vmSpecs.forEach((_, i) => {
            try {
              host.start(`vm-${i}`);
            } catch {
              /* does not fit */
            }
          });
          for (let t = 0; t < 60; t++) {
            if (t % 3 === 0) vmSpecs.forEach((_, i) => host.setDemand(`vm-${i}`, demands[(i + t) % demands.length]!));
            if (t === 30) {
              try {
                host.restart('vm-0');
              } catch {
                /* off */
              }
            }
            host.advance(1);
            checkInvariants(host);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it(
    'agree exactly under contention, whichever tier is shared and as it changes from tick to tick',
    async () => {
      // Memory for a fraction of what the VMs want, demands moving every step: the demand and buffer tiers are
      // shared in turn, so each engine's guess of what a tick shares (from the tick before) is right and wrong
      // in every way, and its fall-back passes run.
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2048, max: 24576 }),
          fc.array(vmSpecArb, { minLength: 2, maxLength: 12 }),
          fc.array(
            fc.record({
              demands: fc.array(fc.record({ vm: fc.nat(11), mb: fc.integer({ min: 0, max: 9000 }) }), {
                maxLength: 6,
              }),
              seconds: fc.integer({ min: 1, max: 6 }),
            }),
            { minLength: 5, maxLength: 30 },
          ),
          fc.constantFrom(0, 64),
          async (memoryMB, specs, steps, hysteresisMB) => {
            const make = (engine: 'wasm' | 'js') =>
              createHost({ memoryMB, reserveMB: 512, bootSeconds: 0, hysteresisMB, engine });
            const hosts: [Host, Host] = [await make('wasm'), await make('js')];
            const names = specs.map((_, i) => `vm-${i}`);
            for (const host of hosts) specs.forEach((spec, i) => host.addVm(vmConfig(names[i]!, spec)));
            const ops: Op[] = [
              ...specs.map((_, vm) => ({ op: 'start' as const, vm })),
              ...steps.flatMap(({ demands, seconds }) => [
                ...demands.map(({ vm, mb }) => ({ op: 'demand' as const, vm, mb })),
                { op: 'advance' as const, seconds },
              ]),
            ];
            await runTwins(hosts, (host) => [host as Host], names, specs, ops);
          },
        ),
        { numRuns: runs(CONTENTION_RUNS), endOnFailure: process.env.DIFF_SHRINK === undefined },
      );
    },
    timeFor(runs(CONTENTION_RUNS)),
  );

  it(
    'agree exactly as the demands cross the pool: demand tier, buffer tier and all fitting, in every order',
    async () => {
      // Demands drawn around an even split of the pool, all of them at each step: the sum of demand levels and the
      // sum of targets cross the pool up and down, so each tier follows each (the Wasm lanes sum the targets only
      // when the demand levels fit after a demand-tier tick, and this is where that happens).
      const memoryMB = 16384;
      const reserveMB = 512;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ bufferPercent: fc.integer({ min: 5, max: 300 }), weight: fc.integer({ min: 0, max: 10000 }) }),
            { minLength: 2, maxLength: 8 },
          ),
          fc.array(
            fc.record({
              scales: fc.array(fc.double({ min: 0.2, max: 1.8, noNaN: true }), { minLength: 8, maxLength: 8 }),
              seconds: fc.integer({ min: 1, max: 4 }),
            }),
            { minLength: 10, maxLength: 40 },
          ),
          async (settings, steps) => {
            const specs = settings.map((s) => ({ ...PLAIN_VM, ...s, extraMaxMB: 8192 }));
            const make = (engine: 'wasm' | 'js') => createHost({ memoryMB, reserveMB, bootSeconds: 0, engine });
            const hosts: [Host, Host] = [await make('wasm'), await make('js')];
            const names = specs.map((_, i) => `vm-${i}`);
            for (const host of hosts) specs.forEach((spec, i) => host.addVm(vmConfig(names[i]!, spec)));
            const evenSplit = (memoryMB - reserveMB) / specs.length;
            const ops: Op[] = [
              ...specs.map((_, vm) => ({ op: 'start' as const, vm })),
              ...steps.flatMap(({ scales, seconds }) => [
                ...specs.map((_, vm) => ({ op: 'demand' as const, vm, mb: Math.round(evenSplit * scales[vm]!) })),
                { op: 'advance' as const, seconds },
              ]),
            ];
            await runTwins(hosts, (host) => [host as Host], names, specs, ops);
          },
        ),
        { numRuns: runs(CONTENTION_RUNS), endOnFailure: process.env.DIFF_SHRINK === undefined },
      );
    },
    timeFor(runs(CONTENTION_RUNS)),
  );

  it('are deterministic: the same scenario twice gives the same result', async () => {
    const runOnce = async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 512 });
      for (let i = 0; i < 8; i++)
        host.addVm({ name: `v${i}`, startupMB: 1024, minimumMB: 256, maximumMB: 4096, weight: 1000 * i });
      for (let i = 0; i < 7; i++) host.start(`v${i}`);
      for (let t = 0; t < 100; t++) {
        for (let i = 0; i < 7; i++) host.setDemand(`v${i}`, 300 + ((t * 37 + i * 101) % 1500));
        host.advance(1);
      }
      return host.vms();
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});

describe('wasm and js engines on clusters', () => {
  it(
    'agree exactly and keep every host’s invariants at every tick through failures, recoveries and failovers',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              hostMemoryArb,
              hostOptionsArb,
              fc.oneof({ weight: 3, arbitrary: fc.constant({ policy: 'hyperv' as const }) }, policyArb),
            ),
            { minLength: 1, maxLength: 4 },
          ),
          fc.array(vmSpecArb, { minLength: 1, maxLength: 12 }),
          fc.array(clusterOpArb, { minLength: 1, maxLength: 50, size: 'max' }),
          fc.constantFrom('none' as const, 'immediate' as const),
          autoBalancerArb,
          // moves of a few seconds, and slow ones that many ticks and operations happen during
          fc.constantFrom(1000, 200, 20),
          async (hostSpecs, specs, ops, failback, autoBalancer, migrationBandwidthMBps) => {
            const hosts = hostSpecs.map(([memoryMB, options, policy], k) => ({
              name: `h${k}`,
              memoryMB,
              ...options,
              ...policy,
            }));
            // the balancer came with Windows Server 2016: off in a cluster with a 2012R2 member
            const balancer = hosts.some((h) => h.version === '2012R2') ? { mode: 'disabled' as const } : autoBalancer;
            const make = (engine: 'wasm' | 'js') =>
              createCluster({
                hosts,
                bootSeconds: 7,
                failback,
                autoBalancer: balancer,
                migrationBandwidthMBps,
                engine,
              });
            const clusters: [Cluster, Cluster] = [await make('wasm'), await make('js')];
            const names = specs.map((_, i) => `vm-${i}`);
            for (const cluster of clusters) specs.forEach((spec, i) => cluster.addVm(vmConfig(names[i]!, spec)));
            await runTwins(clusters, (cluster) => (cluster as Cluster).hosts(), names, specs, ops);
          },
        ),
        {
          numRuns: runs(CLUSTER_RUNS),
          endOnFailure: process.env.DIFF_SHRINK === undefined,
          examples: [SURE_TO_MIGRATE],
        },
      );
      expect(seen.migrating, 'cluster instants with a live migration under way').toBeGreaterThan(0);
    },
    timeFor(runs(CLUSTER_RUNS)),
  );
});

describe('store growth', () => {
  it('keeps every VM and counter when the Wasm memory grows under running VMs, as the JS engine does', async () => {
    const hosts = [
      await createHost({ memoryMB: 1_048_576, engine: 'wasm' }),
      await createHost({ memoryMB: 1_048_576, engine: 'js' }),
    ];
    for (const host of hosts) {
      for (let i = 0; i < 700; i++) {
        host.addVm({ name: `vm-${i}`, startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: (i * 37) % 10001 });
        host.start(`vm-${i}`);
        host.setDemand(`vm-${i}`, 400 + ((i * 53) % 1200));
        if (i % 50 === 49) host.advance(40); // columns grow (64 → 128 → … → 1,024 slots) between ticks
      }
      host.advance(60);
    }
    const wasm = hosts[0]!.vms();
    const js = hosts[1]!.vms();
    expect(wasm).toHaveLength(700);
    expect(wasm).toEqual(js);
    expect(wasm.filter((v) => v.state === 'Running')).toHaveLength(700);
    // a VM added first, whose columns were copied at every growth, still has its settings and its goal
    const first = wasm[0]!;
    expect(first.settings.maximumMB).toBe(4096);
    expect(first.assignedMB).toBe(512); // 400 MB + 20 % = 480, raised to the 512 MB minimum
    expect(wasm[1]!.assignedMB).toBe(453 + Math.ceil(453 * 0.2));
  });
});
