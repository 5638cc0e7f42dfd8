// The Wasm core and the JS reference engine, driven through the public API by the same random scenarios,
// must agree exactly, and every tick must keep the balancer's invariants.

import {
  type Cluster,
  createCluster,
  createHost,
  DynamicMemoryError,
  type Host,
  POLICIES,
  type PolicyName,
} from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const mb2 = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((x) => x * 2);

const vmArb = fc.record({
  startupMB: mb2(32, 8192),
  minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  extraMaxMB: mb2(0, 16384),
  bufferPercent: fc.integer({ min: 5, max: 2000 }),
  weight: fc.oneof(fc.constant(0), fc.constant(5000), fc.integer({ min: 0, max: 10000 })),
  dynamicMemory: fc.boolean(),
});

const opArb = fc.oneof(
  fc.record({ op: fc.constant('start' as const), vm: fc.nat(11) }),
  fc.record({ op: fc.constant('stop' as const), vm: fc.nat(11) }),
  fc.record({ op: fc.constant('restart' as const), vm: fc.nat(11) }),
  fc.record({ op: fc.constant('demand' as const), vm: fc.nat(11), mb: fc.integer({ min: 0, max: 20000 }) }),
  fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    op: fc.constant('setMemory' as const),
    vm: fc.nat(11),
    change: fc.oneof(
      fc.record({ weight: fc.integer({ min: 0, max: 10000 }) }),
      fc.record({ bufferPercent: fc.integer({ min: 5, max: 2000 }) }),
      fc.record({ maximumMB: mb2(32, 32768) }),
      fc.record({ minimumMB: mb2(32, 8192) }),
      fc.record({ guestOsMaxMB: fc.oneof(fc.constant(null), mb2(32, 16384)) }),
      fc.record({ guestSupportsDynamicMemory: fc.boolean() }),
    ),
  }),
);

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function apply(host: Host, names: string[], op: Op): string {
  try {
    switch (op.op) {
      case 'start':
        host.start(names[op.vm % names.length]!);
        break;
      case 'stop':
        host.stop(names[op.vm % names.length]!);
        break;
      case 'restart':
        host.restart(names[op.vm % names.length]!);
        break;
      case 'demand':
        host.setDemand(names[op.vm % names.length]!, op.mb);
        break;
      case 'setMemory':
        host.setMemory(names[op.vm % names.length]!, op.change);
        break;
      case 'advance':
        host.advance(op.seconds);
        break;
    }
    return 'ok';
  } catch (error) {
    if (error instanceof DynamicMemoryError) return error.code;
    throw error;
  }
}

/** Host counters equal; the host's Average Pressure to 1e-12 relative: a call of n ticks folds its moving average
 * over quiet ticks in closed form, which differs from n one-tick calls in the last bits. */
function expectSameCounters(a: Host, b: Host): void {
  const { averagePressure: pa, ...restA } = a.counters();
  const { averagePressure: pb, ...restB } = b.counters();
  expect(restA).toEqual(restB);
  expect(Math.abs(pa - pb)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(pb)));
}

/** Snapshots equal, Average Pressure to 1e-12 relative (see expectSameCounters). */
function expectSameVms(a: Host, b: Host): void {
  const vmsB = b.vms();
  a.vms().forEach(({ averagePressure: pa, ...restA }, i) => {
    const { averagePressure: pb, ...restB } = vmsB[i]!;
    expect(restA).toEqual(restB);
    expect(Math.abs(pa - pb)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(pb)));
  });
}

/** Every policy, each peer deciding every 1 to 15 s (its own default interval is exercised by the policy tests). */
const policyArb = fc.record({ policy: fc.constantFrom(...POLICIES), intervalSeconds: fc.integer({ min: 1, max: 15 }) });

function policyOptions({ policy, intervalSeconds }: { policy: PolicyName; intervalSeconds: number }) {
  return policy === 'hyperv' || policy === 'static' ? { policy } : { policy, policyOptions: { intervalSeconds } };
}

/** No NUMA nodes, or two to four, spanning on or off. */
const numaArb = fc.oneof(
  fc.constant({}),
  fc.record({ numaNodes: fc.integer({ min: 2, max: 4 }), numaSpanning: fc.boolean() }),
);

function checkInvariants(host: Host): void {
  const vms = host.vms();
  const assigned = vms.reduce((s, v) => s + v.assignedMB, 0);
  expect(assigned + host.reserveMB).toBeLessThanOrEqual(host.memoryMB);
  // with NUMA spanning off, every node keeps its own books and every VM that is on lives on one node
  for (const node of host.numaNodes()) {
    if (node.assignedMB !== null) expect(node.assignedMB + node.reserveMB).toBeLessThanOrEqual(node.memoryMB);
  }
  const perNode = !host.numaSpanning && host.numaNodes().length > 1;
  for (const v of vms) expect(v.numaNode !== null).toBe(perNode && v.state !== 'Off');
  for (const v of vms) {
    expect(Number.isInteger(v.assignedMB)).toBe(true);
    if (v.state === 'Off') continue;
    const s = v.settings;
    if (s.dynamicMemory) {
      expect(v.assignedMB + v.smartPagingMB).toBeGreaterThanOrEqual(s.minimumMB);
      expect(v.assignedMB).toBeGreaterThanOrEqual(s.minimumMB);
    }
    if (v.state === 'Running' && s.dynamicMemory) {
      const cap = !s.guestSupportsDynamicMemory
        ? s.startupMB
        : s.guestOsMaxMB !== null && s.guestOsMaxMB < s.maximumMB
          ? Math.max(s.guestOsMaxMB, s.minimumMB)
          : s.maximumMB;
      // a lowered guest maximum applies at once, also at boot end: never above the effective maximum (under the
      // static policy a VM holds its startup memory, whatever its guest can use)
      if (host.policy !== 'static') expect(v.assignedMB + v.smartPagingMB).toBeLessThanOrEqual(cap);
      if (!s.guestSupportsDynamicMemory) expect(v.assignedMB).toBe(s.startupMB);
    }
  }
}

describe('wasm and js engines', () => {
  it('agree exactly and keep the invariants on random scenarios', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4096, max: 65536 }),
        fc.array(vmArb, { minLength: 1, maxLength: 12 }),
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom(0, 0, 64),
        policyArb,
        numaArb,
        async (memoryMB, vmSpecs, ops, hysteresisMB, policy, numa) => {
          const hosts = [
            await createHost({ memoryMB, hysteresisMB, engine: 'wasm', ...policyOptions(policy), ...numa }),
            await createHost({ memoryMB, hysteresisMB, engine: 'js', ...policyOptions(policy), ...numa }),
          ];
          const names = vmSpecs.map((_, i) => `vm-${i}`);
          for (const host of hosts) {
            vmSpecs.forEach((spec, i) => {
              const minimumMB = Math.max(32, Math.floor((spec.startupMB * spec.minFraction) / 2) * 2);
              host.addVm({
                name: names[i]!,
                startupMB: spec.startupMB,
                minimumMB,
                maximumMB: spec.startupMB + spec.extraMaxMB,
                bufferPercent: spec.bufferPercent,
                weight: spec.weight,
                dynamicMemory: spec.dynamicMemory,
              });
            });
          }
          for (const op of ops) {
            // advance(n) on wasm, n × advance(1) on js with the invariants after every tick: equal results
            // show both that the engines agree and that a call of n ticks is n calls of one
            if (op.op === 'advance') {
              apply(hosts[0]!, names, op);
              for (let t = 0; t < op.seconds; t++) {
                apply(hosts[1]!, names, { op: 'advance', seconds: 1 });
                checkInvariants(hosts[1]!);
              }
              expectSameVms(hosts[1]!, hosts[0]!);
              expectSameCounters(hosts[1]!, hosts[0]!);
              continue;
            }
            const outcomes = hosts.map((host) => apply(host, names, op));
            expect(outcomes[1]).toBe(outcomes[0]);
            expectSameVms(hosts[1]!, hosts[0]!);
            expectSameCounters(hosts[1]!, hosts[0]!);
            checkInvariants(hosts[0]!);
          }
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 300) },
    );
  });

  it('check the invariants at every single tick', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(vmArb, { minLength: 2, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 12000 }), { minLength: 20, maxLength: 20 }),
        policyArb,
        async (vmSpecs, demands, policy) => {
          const host = await createHost({ memoryMB: 16384, reserveMB: 1024, bootSeconds: 3, ...policyOptions(policy) });
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

const clusterOpArb = fc.oneof(
  opArb,
  fc.record({ op: fc.constant('failHost' as const), host: fc.nat(2) }),
  fc.record({ op: fc.constant('recoverHost' as const), host: fc.nat(2) }),
);

type ClusterOp = typeof clusterOpArb extends fc.Arbitrary<infer T> ? T : never;

function applyToCluster(cluster: Cluster, names: string[], op: ClusterOp): string {
  try {
    const hostName = 'host' in op ? `h${op.host % cluster.hosts().length}` : '';
    if (op.op === 'failHost') cluster.failHost(hostName);
    else if (op.op === 'recoverHost') cluster.recoverHost(hostName);
    else return apply(cluster as unknown as Host, names, op);
    return 'ok';
  } catch (error) {
    if (error instanceof DynamicMemoryError) return error.code;
    throw error;
  }
}

describe('wasm and js engines on clusters', () => {
  it('agree exactly and keep every host’s invariants on random scenarios with failovers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ memoryMB: fc.integer({ min: 4096, max: 32768 }), numa: numaArb }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(vmArb, { minLength: 1, maxLength: 12 }),
        fc.array(clusterOpArb, { minLength: 1, maxLength: 50 }),
        async (members, vmSpecs, ops) => {
          const hosts = members.map(({ memoryMB, numa }, k) => ({ name: `h${k}`, memoryMB, ...numa }));
          const clusters = [
            await createCluster({ hosts, bootSeconds: 7, engine: 'wasm' }),
            await createCluster({ hosts, bootSeconds: 7, engine: 'js' }),
          ];
          const names = vmSpecs.map((_, i) => `vm-${i}`);
          for (const cluster of clusters) {
            vmSpecs.forEach((spec, i) => {
              cluster.addVm({
                name: names[i]!,
                startupMB: spec.startupMB,
                minimumMB: Math.max(32, Math.floor((spec.startupMB * spec.minFraction) / 2) * 2),
                maximumMB: spec.startupMB + spec.extraMaxMB,
                bufferPercent: spec.bufferPercent,
                weight: spec.weight,
                dynamicMemory: spec.dynamicMemory,
              });
            });
          }
          for (const op of ops) {
            const outcomes = clusters.map((cluster) => applyToCluster(cluster, names, op));
            expect(outcomes[1]).toBe(outcomes[0]);
            expect(clusters[1]!.vms()).toEqual(clusters[0]!.vms());
            expect(clusters[1]!.counters()).toEqual(clusters[0]!.counters());
            for (const host of clusters[0]!.hosts()) checkInvariants(host);
          }
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 100) },
    );
  });
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
