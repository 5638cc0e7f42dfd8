// README "How dynmem models Hyper-V": failover (VMs of a failed host are started on other hosts like a start from
// off: no Smart Paging), start from off (reclaim from running VMs down to their minimums, else OutOfMemory with the exact
// Hyper-V message) and the invariants "at every tick" and "identical between the Wasm and JS engines", on clusters.

import { createCluster, DynamicMemoryError, E_OUTOFMEMORY } from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

type AnyCluster = Awaited<ReturnType<typeof createCluster>>;

/** Every VM exactly once; running VMs only on live hosts. */
function checkNothingLost(cluster: AnyCluster, names: string[]): void {
  const vms = cluster.vms();
  expect(vms.map((v) => v.name).sort()).toEqual([...names].sort());
  const live = new Set(
    cluster
      .hosts()
      .filter((h) => !h.failed)
      .map((h) => h.name),
  );
  for (const v of vms) {
    if (v.state !== 'Off') expect(live.has(v.host!), `${v.name} on ${v.host}`).toBe(true);
    else expect(v.assignedMB).toBe(0);
  }
  // each host's VM list agrees with the cluster's
  for (const h of cluster.hosts()) {
    expect(
      h
        .vms()
        .map((v) => v.name)
        .sort(),
    ).toEqual(
      vms
        .filter((v) => v.host === h.name)
        .map((v) => v.name)
        .sort(),
    );
  }
}

/** Σ assigned + reserve ≤ memory on every host; every running DM VM at or above its minimum; no Smart Paging
 * (unless restarts are part of the run). */
function checkConserved(cluster: AnyCluster, label: string, smartPagingAllowed = false): void {
  for (const h of cluster.hosts()) {
    const vms = h.vms();
    const assigned = vms.reduce((s, v) => s + v.assignedMB, 0);
    expect(assigned + h.reserveMB, `${label}: host ${h.name}`).toBeLessThanOrEqual(h.memoryMB);
    expect(h.counters().assignedMB).toBe(assigned);
    if (h.failed)
      expect(
        vms.filter((v) => v.state !== 'Off'),
        `${label}: failed host ${h.name} runs nothing`,
      ).toEqual([]);
    for (const v of vms) {
      expect(Number.isInteger(v.assignedMB)).toBe(true);
      if (v.state === 'Running' && v.settings.dynamicMemory && v.settings.guestSupportsDynamicMemory) {
        expect(v.assignedMB, `${label}: ${v.name} minimum`).toBeGreaterThanOrEqual(v.settings.minimumMB);
        expect(v.assignedMB, `${label}: ${v.name} maximum`).toBeLessThanOrEqual(v.settings.maximumMB);
      }
      // a booting VM holds its startup RAM; a start still gathering it holds the rest
      if (v.state === 'Starting') expect(v.assignedMB + v.smartPagingMB + v.gatheringMB).toBe(v.settings.startupMB);
      if (!smartPagingAllowed) expect(v.smartPagingMB, `${label}: ${v.name} Smart Paging`).toBe(0);
    }
  }
}

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /**
   * a (16384, available 14464): a1 (startup 1024, demand 0 → at its 512 minimum) and a2 (13440 fixed, weight 8000).
   * b (16384, available 14464): b1 (minimum 1024) grown to the whole host.
   */
  async function twoHosts() {
    const cluster = await createCluster({
      engine,
      // about failover: on recovery the load balancer would move b1 to the empty host (test/cluster.balancer.test.ts)
      autoBalancer: { mode: 'disabled' },
      hosts: [
        { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
        { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
      ],
    });
    cluster.host('b').addVm({ name: 'b1', startupMB: 2048, minimumMB: 1024, maximumMB: 16384 });
    cluster.host('b').start('b1');
    cluster.setDemand('b1', 20000);
    cluster.host('a').addVm({ name: 'a1', startupMB: 1024, minimumMB: 512 });
    cluster.host('a').addVm({ name: 'a2', startupMB: 13440, minimumMB: 13440, maximumMB: 13440, weight: 8000 });
    cluster.host('a').addVm({ name: 'a-off', startupMB: 512 }); // off: stays where it is
    cluster.host('a').start('a1');
    cluster.advance(60);
    cluster.host('a').start('a2');
    cluster.advance(60);
    expect(cluster.vms().map((v) => [v.name, v.host, v.state, v.assignedMB])).toEqual([
      ['b1', 'b', 'Running', 14464],
      ['a1', 'a', 'Running', 512],
      ['a2', 'a', 'Running', 13440],
      ['a-off', 'a', 'Off', 0],
    ]);
    return cluster;
  }

  describe('failHost', () => {
    it('starts the running VMs on survivors like a start from off, gathering what it reclaims; a VM that cannot start anywhere fails', async () => {
      const cluster = await twoHosts();
      const report = cluster.failHost('a');
      // highest weight first: a2 (8000) would need all 13,440 MB ballooned out of b1 (weight 5000), 105 ticks at
      // 128 MB/s, far past the 30-s start timeout: no host where it can start → it fails at once (and must not
      // use Smart Paging for it). a1 (5000, equal weight) needs 1,024 of b1's: 8 ticks → placed on b.
      expect(report.host).toBe('a');
      expect(report.restarted).toEqual([{ vm: 'a1', host: 'b' }]);
      expect(report.failed.map((f) => f.vm)).toEqual(['a2']);
      const e = report.failed[0]!.error;
      expect(e).toBeInstanceOf(DynamicMemoryError);
      expect(e.code).toBe('OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      expect(e.hresult).toBe(E_OUTOFMEMORY);
      expect(e.vm).toBe('a2');
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine a2 with ram size 13440 megabytes.',
      );

      expect(cluster.vm('a2')).toMatchObject({ state: 'Off', host: null, assignedMB: 0, smartPagingMB: 0 });
      expect(cluster.vm('a1')).toMatchObject({ state: 'Starting', host: 'b', assignedMB: 0, gatheringMB: 1024 });
      expect(cluster.vm('b1')).toMatchObject({ state: 'Running', host: 'b', assignedMB: 14464, smartPagingMB: 0 });
      expect(cluster.vm('a-off')).toMatchObject({ state: 'Off', host: 'a' });
      expect(cluster.counters()).toMatchObject({
        smartPagingMB: 0,
        hosts: 2,
        failedHosts: 1,
        assignedMB: 14464,
        availableMemoryMB: 0,
      });
      checkNothingLost(cluster, ['b1', 'a1', 'a2', 'a-off']);
      checkConserved(cluster, 'after failover');
      // b1 is the only VM the balancer sets on b: its goal follows the pool down to what it holds
      cluster.advance(8);
      expect(cluster.vm('a1')).toMatchObject({ state: 'Starting', assignedMB: 1024, gatheringMB: 0 });
      expect(cluster.vm('b1').assignedMB).toBe(13440);
      expect(cluster.vm('b1').removedMemoryMB).toBe(1024);
      cluster.advance(120);
      checkConserved(cluster, 'after boot');
      // a1 booted and went to its 512 minimum (no demand); b1 (demand 20,000) took the rest back
      expect(cluster.vm('a1')).toMatchObject({ state: 'Running', assignedMB: 512, smartPagingMB: 0 });
      expect(cluster.vm('b1').assignedMB).toBe(13952);
    });

    it('a VM is never started with Smart Paging on failover, even where a restart would use it', async () => {
      // b: y holds 3072 of 6784 at its 3072 minimum, z 3712 fixed: nothing free, nothing to reclaim.
      // x (startup 2048, minimum 512) would bridge 2048 − 512 with Smart Paging on a restart, but not on failover.
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 8192, rootMemoryReserved: true },
          { name: 'b', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      cluster.host('a').addVm({ name: 'x', startupMB: 2048, minimumMB: 512 });
      cluster.host('b').addVm({ name: 'y', startupMB: 3072, minimumMB: 3072, maximumMB: 8192 });
      cluster.host('b').addVm({ name: 'z', startupMB: 3712, minimumMB: 3712, maximumMB: 3712 });
      for (const n of ['x', 'y', 'z']) cluster.start(n);
      cluster.setDemand('y', 10000);
      cluster.advance(60);
      expect(cluster.host('b').counters().availableMemoryMB).toBe(0);
      const report = cluster.failHost('a');
      expect(report.restarted).toEqual([]);
      expect(report.failed.map((f) => [f.vm, f.error.code, f.error.message])).toEqual([
        [
          'x',
          'OutOfMemory',
          'Not enough memory in the system to start the virtual machine x with ram size 2048 megabytes.',
        ],
      ]);
      expect(cluster.vm('x')).toMatchObject({ state: 'Off', host: null, smartPagingMB: 0, assignedMB: 0 });
      expect(cluster.counters().smartPagingMB).toBe(0);
      checkConserved(cluster, 'after failover');
    });

    it('spreads the VMs highest weight first, each on the survivor with the most available memory', async () => {
      // available: b 14464, c 18304
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 32768, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'c', memoryMB: 20480, rootMemoryReserved: true },
        ],
      });
      for (const [name, weight] of [
        ['v1', 9000],
        ['v2', 1000],
        ['v3', 5000],
      ] as const) {
        cluster.host('a').addVm({ name, startupMB: 4096, minimumMB: 512, weight });
        cluster.start(name);
      }
      const report = cluster.failHost('a');
      expect(report.restarted).toEqual([
        { vm: 'v1', host: 'c' },
        { vm: 'v3', host: 'b' },
        { vm: 'v2', host: 'c' },
      ]);
      expect(report.failed).toEqual([]);
      expect(cluster.hosts().map((h) => h.counters().availableMemoryMB)).toEqual([0, 14464 - 4096, 18304 - 8192]);
      for (const n of ['v1', 'v2', 'v3'])
        expect(cluster.vm(n)).toMatchObject({ state: 'Starting', assignedMB: 4096, smartPagingMB: 0 });
      checkNothingLost(cluster, ['v1', 'v2', 'v3']);
    });

    it('booting VMs move too, and a host with no running VMs fails with an empty report', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      cluster.host('a').addVm({ name: 'boot', startupMB: 2048 });
      cluster.host('a').start('boot');
      expect(cluster.vm('boot').state).toBe('Starting');
      expect(cluster.failHost('a')).toEqual({
        host: 'a',
        restarted: [{ vm: 'boot', host: 'b' }],
        failed: [],
        notStarted: [],
      });
      expect(cluster.vm('boot')).toMatchObject({ host: 'b', state: 'Starting', assignedMB: 2048 });
      cluster.setDemand('boot', 700);
      cluster.advance(60); // the VM keeps its demand on its new host: 700 × 1.2
      expect(cluster.vm('boot')).toMatchObject({ host: 'b', state: 'Running', assignedMB: 840, demandMB: 700 });
      expect(cluster.failHost('b')).toEqual({
        host: 'b',
        restarted: [],
        failed: [{ vm: 'boot', error: expect.any(DynamicMemoryError) }],
        notStarted: [],
      });
      expect(cluster.vm('boot')).toMatchObject({ host: null, state: 'Off' });
      expect(cluster.counters()).toMatchObject({
        hosts: 2,
        failedHosts: 2,
        availableMemoryMB: 0,
        assignedMB: 0,
        memoryMB: 0,
      });
      const empty = await createCluster({
        engine,
        hosts: [
          { name: 'p', memoryMB: 8192, rootMemoryReserved: true },
          { name: 'q', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      expect(empty.failHost('q')).toEqual({ host: 'q', restarted: [], failed: [], notStarted: [] });
    });
  });

  describe('failed hosts', () => {
    it('refuse starts (InvalidState), report 0 available memory, and take VMs again after recoverHost', async () => {
      const cluster = await twoHosts();
      cluster.failHost('a');
      expect(cluster.host('a').failed).toBe(true);
      expect(cluster.host('b').failed).toBe(false);
      expect(cluster.host('a').counters().availableMemoryMB).toBe(0);
      expect(cluster.host('a').counters().runningVms).toBe(0);
      // a VM that stayed on the failed host refuses to start there, by any route
      const e1 = refused(cluster, () => cluster.host('a').start('a-off'), 'InvalidState');
      expect(e1.message).toContain("'a'");
      refused(cluster, () => cluster.start('a-off'), 'InvalidState');
      cluster.host('a').addVm({ name: 'new-on-a', startupMB: 512 });
      refused(cluster, () => cluster.host('a').start('new-on-a'), 'InvalidState');
      // an unplaced VM is never placed on it (a2 cannot start anywhere else: see the failover above)
      refused(cluster, () => cluster.start('a2'), 'OutOfMemory');
      expect(cluster.vm('a2').host).toBeNull();
      // failing it again, or recovering a live host, is refused
      const e2 = refused(cluster, () => cluster.failHost('a'), 'InvalidState');
      expect(e2.message).toContain("'a'");
      const e3 = refused(cluster, () => cluster.recoverHost('b'), 'InvalidState');
      expect(e3.message).toContain("'b'");

      cluster.recoverHost('a');
      expect(cluster.host('a').failed).toBe(false);
      expect(cluster.host('a').counters().availableMemoryMB).toBe(14464);
      expect(cluster.counters().failedHosts).toBe(0);
      cluster.host('a').start('new-on-a');
      cluster.start('a-off');
      cluster.start('a2'); // unplaced: the recovered host has by far the most memory
      expect(cluster.vm('a2')).toMatchObject({ host: 'a', state: 'Starting', assignedMB: 13440 });
      expect(cluster.host('a').counters().availableMemoryMB).toBe(14464 - 512 - 512 - 13440);
      refused(cluster, () => cluster.recoverHost('a'), 'InvalidState');
      checkNothingLost(cluster, ['b1', 'a1', 'a2', 'a-off', 'new-on-a']);
      cluster.advance(60);
      checkConserved(cluster, 'after recovery');
    });
  });

  describe('memory is conserved on every host at every tick', () => {
    it('with changing demands, starts and stops, a failover and a recovery', async () => {
      const hosts = [
        { name: 'h1', memoryMB: 12288, rootMemoryReserved: true },
        { name: 'h2', memoryMB: 16384, rootMemoryReserved: true },
        { name: 'h3', memoryMB: 10240, rootMemoryReserved: true },
      ];
      const cluster = await createCluster({ engine, hosts });
      const names: string[] = [];
      for (let i = 0; i < 12; i++) {
        const name = `vm${i}`;
        names.push(name);
        const startupMB = 512 + 256 * (i % 5);
        const config = {
          name,
          startupMB,
          minimumMB: 256 + 64 * (i % 4),
          maximumMB: 8192,
          bufferPercent: 10 + 15 * (i % 3),
          weight: 1000 * (i % 10),
        };
        if (i % 3 === 0) cluster.host(hosts[i % 3]!.name).addVm(config);
        else cluster.addVm(config);
        cluster.start(name);
      }
      let failovers = 0;
      // deterministic demand waves that push the hosts in and out of pressure
      const demandAt = (i: number, t: number) =>
        Math.max(0, Math.round(1500 + 1400 * Math.sin((t + 37 * i) / (40 + 7 * i))));
      for (let t = 1; t <= 900; t++) {
        if (t % 10 === 1)
          names.forEach((n, i) => {
            if (cluster.vm(n).state !== 'Off') cluster.setDemand(n, demandAt(i, t));
          });
        if (t === 200) {
          const report = cluster.failHost('h2');
          failovers = report.restarted.length + report.failed.length;
          for (const f of report.failed) expect(f.error.code).toBe('OutOfMemory');
        }
        if (t === 300) cluster.stop('vm4');
        if (t === 400) cluster.recoverHost('h2');
        if (t === 450) {
          // a VM may reclaim only from VMs of lower or equal weight: some of these starts find no memory
          for (const v of cluster.vms()) {
            if (v.state !== 'Off') continue;
            try {
              cluster.start(v.name);
            } catch (error) {
              expect((error as DynamicMemoryError).code).toBe('OutOfMemory');
              expect(cluster.vm(v.name).state).toBe('Off');
            }
          }
        }
        if (t === 600) cluster.failHost('h1');
        cluster.advance(1);
        checkConserved(cluster, `t=${t}`);
      }
      expect(failovers).toBeGreaterThan(0);
      checkNothingLost(cluster, names);
      expect(cluster.timeSeconds).toBe(900);
      expect(cluster.counters().failedHosts).toBe(1);
    });
  });
});

describe('the wasm and js engines agree exactly on clusters', () => {
  const mb2 = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((x) => x * 2);
  const hostArb = fc.record({
    memoryMB: mb2(4096, 32768),
    reserve: fc.oneof(fc.constant('auto' as const), mb2(0, 2048)),
  });
  const vmArb = fc.record({
    startupMB: mb2(32, 6144),
    minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    extraMaxMB: mb2(0, 16384),
    bufferPercent: fc.integer({ min: 5, max: 300 }),
    weight: fc.integer({ min: 0, max: 10000 }),
    dynamicMemory: fc.boolean(),
    host: fc.integer({ min: -1, max: 3 }), // -1: unplaced
  });
  const opArb = fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('start' as const), vm: fc.nat(15) }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('stop' as const), vm: fc.nat(15) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('restart' as const), vm: fc.nat(15) }), weight: 1 },
    {
      arbitrary: fc.record({
        op: fc.constant('demand' as const),
        vm: fc.nat(15),
        mb: fc.integer({ min: 0, max: 12000 }),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 60 }) }),
      weight: 4,
    },
    { arbitrary: fc.record({ op: fc.constant('failHost' as const), host: fc.nat(3) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('recoverHost' as const), host: fc.nat(3) }), weight: 1 },
  );
  type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

  function apply(cluster: AnyCluster, hostNames: string[], names: string[], op: Op): unknown {
    try {
      switch (op.op) {
        case 'start':
          cluster.start(names[op.vm % names.length]!);
          break;
        case 'stop':
          cluster.stop(names[op.vm % names.length]!);
          break;
        case 'restart':
          cluster.restart(names[op.vm % names.length]!);
          break;
        case 'demand':
          cluster.setDemand(names[op.vm % names.length]!, op.mb);
          break;
        case 'advance':
          cluster.advance(op.seconds);
          break;
        case 'failHost': {
          const r = cluster.failHost(hostNames[op.host % hostNames.length]!);
          return { ...r, failed: r.failed.map((f) => ({ vm: f.vm, code: f.error.code, message: f.error.message })) };
        }
        case 'recoverHost':
          cluster.recoverHost(hostNames[op.host % hostNames.length]!);
          break;
      }
      return 'ok';
    } catch (error) {
      if (error instanceof DynamicMemoryError) return { code: error.code, message: error.message };
      throw error;
    }
  }

  it('random hosts, VMs and operations including failHost/recoverHost give identical VMs and counters', async () => {
    let refusedOps = 0;
    let failoversSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostArb, { minLength: 2, maxLength: 4 }),
        fc.array(vmArb, { minLength: 1, maxLength: 16 }),
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        async (hostSpecs, vmSpecs, ops) => {
          const hostOptions = hostSpecs.map((h, i) => ({
            name: `h${i}`,
            memoryMB: h.memoryMB,
            ...(h.reserve === 'auto' ? {} : { reserveMB: h.reserve }),
          }));
          const hostNames = hostOptions.map((h) => h.name);
          const clusters = await Promise.all(
            (['wasm', 'js'] as const).map((engine) => createCluster({ engine, hosts: hostOptions })),
          );
          const names = vmSpecs.map((_, i) => `vm${i}`);
          for (const cluster of clusters) {
            vmSpecs.forEach((s, i) => {
              const minimumMB = Math.max(32, Math.floor((s.startupMB * s.minFraction) / 2) * 2);
              const config = s.dynamicMemory
                ? {
                    name: names[i]!,
                    startupMB: s.startupMB,
                    minimumMB,
                    maximumMB: s.startupMB + s.extraMaxMB,
                    bufferPercent: s.bufferPercent,
                    weight: s.weight,
                  }
                : { name: names[i]!, startupMB: s.startupMB, dynamicMemory: false, weight: s.weight };
              if (s.host < 0 || s.host >= hostNames.length) cluster.addVm(config);
              else cluster.host(hostNames[s.host]!).addVm(config);
            });
          }
          const [wasm, js] = clusters as [AnyCluster, AnyCluster];
          expect(wasm.engine).toBe('wasm');
          expect(js.engine).toBe('js');
          for (const [k, op] of ops.entries()) {
            const a = apply(wasm, hostNames, names, op);
            const b = apply(js, hostNames, names, op);
            expect(a, `op ${k} ${JSON.stringify(op)}`).toEqual(b);
            if (typeof a === 'object' && a !== null && 'code' in a) refusedOps++;
            if (op.op === 'failHost' && a !== 'ok' && !('code' in (a as object))) failoversSeen++;
            expect(wasm.vms(), `vms after op ${k} ${JSON.stringify(op)}`).toEqual(js.vms());
            expect(wasm.counters(), `counters after op ${k} ${JSON.stringify(op)}`).toEqual(js.counters());
            checkConserved(wasm, `wasm op ${k}`, true); // restarts may use Smart Paging
          }
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 150), ...(process.env.DIFF_RUNS ? {} : { seed: 20240611 }) },
    );
    // the generator reaches refusals and real failovers
    expect(refusedOps).toBeGreaterThan(0);
    expect(failoversSeen).toBeGreaterThan(0);
  });
});
