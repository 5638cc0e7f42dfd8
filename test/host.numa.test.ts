// README "How dynmem models Hyper-V", NUMA: host options numaNodes and numaSpanning. With spanning on (the default)
// the host is one pool and a VM holding more than a node spans nodes (MemoryStatus 'Spanning'); with spanning off
// every VM lives on one node, picked at start, and each node balances on its own. Hand-computed with the defaults:
// balloonRateMBps 128, 1 s ticks, bootSeconds 30, target = demand + ⌈demand × 20 %⌉ clamped to [minimum, maximum].
import { checkScenario, createCluster, createHost, ScenarioError, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /** 8 GB in two 4 GB nodes, no reserve, spanning off unless asked. */
  const twoNodes = (extra: Record<string, unknown> = {}) =>
    createHost({ memoryMB: 8192, reserveMB: 0, numaNodes: 2, numaSpanning: false, engine, ...extra });

  describe('options', () => {
    it('a count splits memory evenly (the first nodes take the odd MB); a list gives the sizes', async () => {
      const three = await createHost({ memoryMB: 8192, reserveMB: 0, numaNodes: 3, engine });
      expect(three.numaNodes().map((n) => n.memoryMB)).toEqual([2731, 2731, 2730]);
      expect(three.numaSpanning).toBe(true);
      const listed = await createHost({ memoryMB: 16384, reserveMB: 1000, numaNodes: [4096, 12288], engine });
      // the reserve in proportion to the node sizes: node 1 keeps ⌊1000 × 12288 / 16384⌋ = 750, node 0 the rest
      expect(listed.numaNodes().map((n) => [n.memoryMB, n.reserveMB])).toEqual([
        [4096, 250],
        [12288, 750],
      ]);
      // the default: one node, the whole host, spanning on
      const plain = await createHost({ memoryMB: 65536, engine });
      expect(plain.numaSpanning).toBe(true);
      expect(plain.numaNodes()).toEqual([
        { node: 0, memoryMB: 65536, reserveMB: 4480, assignedMB: null, availableMemoryMB: null, runningVms: null },
      ]);
    });

    it('the auto reserve splits evenly over equal nodes', async () => {
      const host = await createHost({ memoryMB: 65536, numaNodes: 2, numaSpanning: false, engine });
      expect(host.reserveMB).toBe(4480);
      expect(host.numaNodes().map((n) => [n.reserveMB, n.availableMemoryMB])).toEqual([
        [2240, 30528],
        [2240, 30528],
      ]);
    });

    it.each([
      [{ numaNodes: 0 }, 'numaNodes', 'from 1 to 64'],
      [{ numaNodes: 65 }, 'numaNodes', 'from 1 to 64'],
      [{ numaNodes: 1.5 }, 'numaNodes', 'from 1 to 64'],
      [{ numaNodes: 'two' }, 'numaNodes', 'a count of nodes or a list'],
      [{ numaNodes: [] }, 'numaNodes', 'a count of nodes or a list'],
      [{ numaNodes: [4096, 4000] }, 'numaNodes', '4096 + 4000 = 8096 MB) must add up to the host'],
      [{ numaNodes: [0, 8192] }, 'numaNodes[0]', 'at least 1'],
      [{ numaNodes: [4096, -1, 4097] }, 'numaNodes[1]', 'at least 1'],
      [{ numaSpanning: 'no' }, 'numaSpanning', 'true or false'],
    ])('%j is refused, naming %s', async (bad, field, words) => {
      const error = await createHost({ memoryMB: 8192, engine, ...(bad as object) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'InvalidSetting', field, host: 'host' });
      expect((error as Error).message).toContain(words);
    });

    it('with spanning off, every node must keep something for VMs after its share of the reserve', async () => {
      // node 1 keeps ⌊199 × 199 / 200⌋ = 198 of the 199 MB reserve, node 0 the last 1 MB: all of its 1 MB
      const options = { memoryMB: 200, reserveMB: 199, numaNodes: [1, 199] };
      await expect(createHost({ ...options, numaSpanning: false, engine })).rejects.toMatchObject({
        code: 'InvalidSetting',
        field: 'numaNodes',
        message: expect.stringContaining('NUMA node 0 (1 MB) keeps 1 MB of the host reserve'),
      });
      // with spanning on the host is one pool: accepted
      expect((await createHost({ ...options, engine })).numaNodes()[0]!.reserveMB).toBe(1);
    });
  });

  describe('spanning off', () => {
    it('a start fails with OutOfMemory when no single node fits, though the host has the memory in total', async () => {
      const host = await twoNodes();
      for (const name of ['a', 'b']) host.addVm({ name, startupMB: 3072 });
      host.addVm({ name: 'c', startupMB: 2048 });
      host.start('a'); // node 0 (both have 4096 free: the lowest node)
      host.start('b'); // node 1 (4096 free against 1024)
      expect([host.vm('a').numaNode, host.vm('b').numaNode]).toEqual([0, 1]);
      expect(host.counters().availableMemoryMB).toBe(2048); // 1024 on each node
      const e = refused(host, () => host.start('c'), 'OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine c with ram size 2048 megabytes.',
      );
      // the same VMs on the same host with spanning on: one pool, c starts
      const spanning = await twoNodes({ numaSpanning: true });
      for (const name of ['a', 'b']) spanning.addVm({ name, startupMB: 3072 });
      spanning.addVm({ name: 'c', startupMB: 2048 });
      for (const name of ['a', 'b', 'c']) spanning.start(name);
      expect(spanning.vm('c')).toMatchObject({ state: 'Starting', assignedMB: 2048, numaNode: null });
    });

    it('a start picks the node with the most available memory (ties: the lowest); reclaim stays on the node', async () => {
      const host = await createHost({
        memoryMB: 10240,
        reserveMB: 0,
        numaNodes: [4096, 6144],
        numaSpanning: false,
        engine,
      });
      for (const name of ['a', 'b', 'c']) host.addVm({ name, startupMB: 2048, minimumMB: 512 });
      host.start('a'); // node 1: 6144 free against 4096
      host.start('b'); // 4096 free on both: node 0
      host.start('c'); // node 1: 4096 free against 2048
      expect(host.vms().map((v) => v.numaNode)).toEqual([1, 0, 1]);
      expect(host.numaNodes().map((n) => [n.assignedMB, n.availableMemoryMB, n.runningVms])).toEqual([
        [2048, 2048, 1],
        [4096, 2048, 2],
      ]);
      // booted and idle, each VM is taken down to its 512 MB minimum: node 0 has 3584 free, node 1 5120
      host.advance(60);
      expect(host.numaNodes().map((n) => n.availableMemoryMB)).toEqual([3584, 5120]);
      // a 5632 MB VM: node 1 has 5120 free and its VMs sit at their minimums (nothing to reclaim), node 0 less:
      // OutOfMemory, though the host has 8704 MB free
      host.addVm({ name: 'big', startupMB: 5632 });
      refused(host, () => host.start('big'), 'OutOfMemory');
      // with demand, a and c hold more: a start reclaims from the node it lands on only
      host.setDemand('a', 1500); // target 1800
      host.setDemand('c', 1500);
      host.setDemand('b', 1500);
      host.advance(60);
      expect(host.vms().map((v) => v.assignedMB)).toEqual([1800, 1800, 1800, 0]);
      host.addVm({ name: 'd', startupMB: 3072 });
      // node 0 has 2296 free, node 1 2544: neither fits it free; node 1 (the most free) gathers the 528 MB more
      // from a and c (equal weight), 128 MB a tick from each (a first on ties): 256, 256, then 16 from a
      host.start('d');
      expect(host.vm('d').numaNode).toBe(1);
      expect(host.vms().map((v) => v.assignedMB)).toEqual([1800, 1800, 1800, 0, 2544]);
      host.advance(3);
      expect(host.vms().map((v) => v.assignedMB)).toEqual([1528, 1800, 1544, 0, 3072]);
      expect(host.vm('b').removedMemoryMB).toBe(1536); // only what b gave back while idle: node 0 gave nothing
    });

    it('each node balances on its own: pressure on one node gets nothing from the free memory of another', async () => {
      const host = await twoNodes();
      for (const name of ['a', 'b', 'c']) host.addVm({ name, startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      for (const name of ['a', 'b', 'c']) host.start(name); // a node 0, b node 1, c node 0 (tie: the lowest)
      expect(host.vms().map((v) => v.numaNode)).toEqual([0, 1, 0]);
      host.setDemand('a', 2000);
      host.setDemand('c', 2000);
      host.setDemand('b', 100);
      host.advance(3600);
      // node 0 (4096 MB): targets 2400 + 2400 do not fit; demands (4000) do, and the 96 MB left of the buffer tier
      // go half and half by equal weight: 2048 each. Node 1: b at its 512 MB minimum, 3584 MB free there.
      expect(host.vms().map((v) => v.assignedMB)).toEqual([2048, 512, 2048]);
      expect(host.numaNodes().map((n) => n.availableMemoryMB)).toEqual([0, 3584]);
      expect(host.vm('a').memoryStatus).toBe('Low'); // buffer 100 × 48 / 400 = 12
      // the host's counters are its nodes' together: a and c each added 1024 once; b gave 512 in 4 ticks of 128
      expect(host.counters()).toMatchObject({
        availableMemoryMB: 3584,
        assignedMB: 4608,
        addedMemoryMB: 2048,
        memoryAddOperations: 2,
        removedMemoryMB: 512,
        memoryRemoveOperations: 4,
        runningVms: 3,
      });
      // System Current Pressure over both nodes: 100 × (2000 + 2000 + 100) / (2048 + 2048 + 512)
      expect(host.counters().systemCurrentPressure).toBeCloseTo((100 * 4100) / 4608, 12);
      // Average Pressure: the nodes' averages (settled at 100 × 4000 / 4096 and 100 × 100 / 512) by memory
      expect(host.counters().averagePressure).toBeCloseTo((97.65625 * 4096 + 19.53125 * 512) / 4608, 9);
      // the same VMs with spanning on: one pool of 8192, every target fits
      const spanning = await twoNodes({ numaSpanning: true });
      for (const name of ['a', 'b', 'c']) spanning.addVm({ name, startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      for (const name of ['a', 'b', 'c']) spanning.start(name);
      spanning.setDemand('a', 2000);
      spanning.setDemand('c', 2000);
      spanning.setDemand('b', 100);
      spanning.advance(3600);
      expect(spanning.vms().map((v) => v.assignedMB)).toEqual([2400, 512, 2400]);
    });

    it('a restart stays on its node: Smart Paging bridges what that node lacks, whatever other nodes have', async () => {
      const host = await twoNodes();
      host.addVm({ name: 'a', startupMB: 4096, minimumMB: 512 });
      host.addVm({ name: 'b', startupMB: 3584, dynamicMemory: false });
      host.addVm({ name: 'c', startupMB: 3584, dynamicMemory: false });
      host.start('a'); // node 0
      host.start('b'); // node 1 (4096 free against 0)
      host.advance(60); // a idle: down to 512 after its boot, node 0 has 3584 free
      host.start('c'); // node 0 (3584 free against 512)
      expect(host.vms().map((v) => v.numaNode)).toEqual([0, 1, 0]);
      host.restart('a'); // needs 4096, holds 512; node 0 has nothing free and c is static: 3584 MB Smart Paging
      expect(host.vm('a')).toMatchObject({
        state: 'Starting',
        numaNode: 0,
        assignedMB: 512,
        smartPagingMB: 3584,
        memoryStatus: 'Paging',
      });
      expect(host.numaNodes()[1]!.availableMemoryMB).toBe(512); // node 1's 512 free MB were not used
    });

    it('a static VM resized at run time takes the increase from its own node', async () => {
      const host = await twoNodes();
      host.addVm({ name: 's', startupMB: 2048, dynamicMemory: false });
      host.addVm({ name: 't', startupMB: 3072, dynamicMemory: false });
      host.start('s'); // node 0
      host.start('t'); // node 1
      host.advance(30);
      // node 0 has 2048 free: + 2048 fits, + 2050 does not (node 1's 1024 do not help)
      const e = refused(host, () => host.setMemory('s', { startupMB: 4098 }), 'OutOfMemory');
      expect(e.message).toContain('2050 MB more are needed and 2048 MB are free');
      host.setMemory('s', { startupMB: 4096 });
      expect(host.numaNodes().map((n) => n.availableMemoryMB)).toEqual([0, 1024]);
    });

    it('one node with spanning off is the whole host: its VMs live on node 0', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, numaNodes: 1, numaSpanning: false, engine });
      host.addVm({ name: 'a', startupMB: 1024 });
      host.start('a');
      expect(host.vm('a').numaNode).toBe(0);
      expect(host.numaNodes()).toEqual([
        { node: 0, memoryMB: 8192, reserveMB: 0, assignedMB: 1024, availableMemoryMB: 7168, runningVms: 1 },
      ]);
    });

    it('a VM that is off has no node; it may start on another node next time', async () => {
      const host = await twoNodes();
      host.addVm({ name: 'a', startupMB: 1024 });
      host.addVm({ name: 'b', startupMB: 2048 });
      expect(host.vm('a').numaNode).toBeNull();
      host.start('a'); // node 0
      host.start('b'); // node 1
      host.stop('a');
      expect(host.vm('a').numaNode).toBeNull();
      host.start('a'); // node 0 has 4096 free, node 1 2048
      expect(host.vm('a').numaNode).toBe(0);
      host.stop('a');
      host.stop('b');
      host.start('b'); // tie: node 0
      host.start('a'); // node 1
      expect([host.vm('a').numaNode, host.vm('b').numaNode]).toEqual([1, 0]);
    });
  });

  describe('spanning on', () => {
    it("MemoryStatus is 'Spanning' while a VM holds more than the largest node can give VMs", async () => {
      // 2 nodes of 4096 MB, 1024 MB reserve: 512 MB each, so a node gives VMs at most 3584 MB
      const host = await createHost({ memoryMB: 8192, reserveMB: 1024, numaNodes: 2, engine });
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.addVm({ name: 's', startupMB: 4096, dynamicMemory: false });
      host.start('v');
      host.start('s');
      expect(host.vm('v').numaNode).toBeNull();
      host.setDemand('v', 2500); // target 3000: within a node
      host.advance(60);
      expect(host.vm('v')).toMatchObject({ assignedMB: 3000, memoryStatus: 'Ok' });
      host.stop('s');
      host.setDemand('v', 3000); // target 3600: 16 MB more than a node gives
      host.advance(60);
      expect(host.vm('v')).toMatchObject({ assignedMB: 3600, memoryStatus: 'Spanning' });
      host.setDemand('v', 2986); // target 2986 + 598 = 3584: fits a node again
      host.advance(60);
      expect(host.vm('v')).toMatchObject({ assignedMB: 3584, memoryStatus: 'Ok' });
      // a static VM holding more than a node shows Get-VM's empty MemoryStatus
      host.start('s');
      expect(host.vm('s').memoryStatus).toBe('');
    });

    it('a one-node host, or spanning off, never shows Spanning', async () => {
      for (const options of [{}, { numaNodes: 2, numaSpanning: false }]) {
        const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine, ...options });
        host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512, maximumMB: 8192 });
        host.start('v');
        host.setDemand('v', 3400); // target 4080
        host.advance(60);
        expect(host.vm('v')).toMatchObject({ assignedMB: 4080, memoryStatus: 'Ok' });
      }
    });
  });

  describe('scenarios', () => {
    it('a scenario host takes numaNodes and numaSpanning: starts, samples and the summary follow the nodes', async () => {
      const { summary, series, cluster } = await simulate({
        engine,
        duration: '10m',
        sampleInterval: '5m',
        hosts: [{ memoryMB: 8192, reserveMB: 0, numaNodes: [4096, 4096], numaSpanning: false }],
        vms: [
          { name: 'a', startupMB: 3072, dynamicMemory: false, demandMB: 1000 },
          { name: 'b', startupMB: 3072, dynamicMemory: false, demandMB: 1000 },
          { name: 'c', startupMB: 2048, dynamicMemory: false, demandMB: 1000 },
        ],
      });
      expect(summary.startFailures).toEqual([
        {
          vm: 'c',
          atSeconds: 0,
          code: 'OutOfMemory',
          message: 'Not enough memory in the system to start the virtual machine c with ram size 2048 megabytes.',
        },
      ]);
      expect([cluster.vm('a').numaNode, cluster.vm('b').numaNode]).toEqual([0, 1]);
      expect(series.hosts[0]!.assignedMB).toEqual([6144, 6144, 6144]);
      expect(series.hosts[0]!.availableMB).toEqual([2048, 2048, 2048]);
      // the least available memory of the run is a node's: 1024 MB
      expect(summary.headroom.minHostAvailableMB).toBe(1024);
    });

    it('the schema and the library refuse bad NUMA options, naming the field', async () => {
      const scenario = (host: Record<string, unknown>) => ({ hosts: [{ memoryMB: 8192, ...host }], engine });
      for (const [host, path] of [
        [{ numaNodes: 0 }, 'hosts[0].numaNodes'],
        [{ numaNodes: [4096, 'x'] }, 'hosts[0].numaNodes'],
        [{ numaSpanning: 1 }, 'hosts[0].numaSpanning'],
      ] as const) {
        expect(() => checkScenario(scenario(host)), JSON.stringify(host)).toThrow(ScenarioError);
        try {
          checkScenario(scenario(host));
        } catch (e) {
          expect((e as ScenarioError).path).toBe(path);
        }
      }
      const e = await simulate(scenario({ numaNodes: [4096, 4000] }) as never).catch((error: unknown) => error);
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).path).toBe('hosts[0].numaNodes');
      expect((e as Error).message).toContain('must add up to the host');
    });
  });

  describe('clusters', () => {
    /** h1: 8 GB in one pool; h2: 8 GB in two nodes with spanning off. No reserves. */
    const cluster = (h2: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      createCluster({
        hosts: [
          { name: 'h1', memoryMB: 8192, reserveMB: 0 },
          { name: 'h2', memoryMB: 8192, reserveMB: 0, numaNodes: 2, numaSpanning: false, ...h2 },
        ],
        engine,
        ...extra,
      });

    it('placement takes the host with the most available memory where the VM fits on one node', async () => {
      const c = await cluster();
      c.host('h1').addVm({ name: 'x', startupMB: 5120, dynamicMemory: false });
      c.host('h2').addVm({ name: 'y0', startupMB: 2048, dynamicMemory: false });
      c.host('h2').addVm({ name: 'y1', startupMB: 2048, dynamicMemory: false });
      for (const name of ['x', 'y0', 'y1']) c.start(name);
      expect([c.vm('y0').numaNode, c.vm('y1').numaNode]).toEqual([0, 1]);
      // h2 has 4096 available against h1's 3072, but 2048 per node: a 3072 MB VM goes to h1
      c.addVm({ name: 'z', startupMB: 3072 });
      c.start('z');
      expect(c.vm('z')).toMatchObject({ host: 'h1', numaNode: null });
      // a 2048 MB VM fits a node of h2, the roomier host
      c.addVm({ name: 'w', startupMB: 2048 });
      c.start('w');
      expect(c.vm('w')).toMatchObject({ host: 'h2', numaNode: 0 });
      // with spanning on h2 takes z
      const spanning = await cluster({ numaSpanning: true });
      spanning.host('h1').addVm({ name: 'x', startupMB: 5120, dynamicMemory: false });
      spanning.host('h2').addVm({ name: 'y', startupMB: 4096, dynamicMemory: false });
      spanning.start('x');
      spanning.start('y');
      spanning.addVm({ name: 'z', startupMB: 3072 });
      spanning.start('z');
      expect(spanning.vm('z').host).toBe('h2');
    });

    it('failover restarts VMs only where a node fits them', async () => {
      const c = await cluster();
      c.host('h1').addVm({ name: 'x', startupMB: 3072, dynamicMemory: false, clusterPriority: 3000 });
      c.host('h1').addVm({ name: 'z', startupMB: 2048, dynamicMemory: false });
      c.host('h2').addVm({ name: 'y0', startupMB: 2048, dynamicMemory: false });
      c.host('h2').addVm({ name: 'y1', startupMB: 2560, dynamicMemory: false });
      for (const name of ['x', 'z', 'y0', 'y1']) c.start(name);
      // h2 has 3584 free (2048 on node 0, 1536 on node 1): x (3072) fits no node, z (2048) fits node 0
      const report = c.failHost('h1');
      expect(report.restarted).toEqual([{ vm: 'z', host: 'h2' }]);
      expect(report.failed.map((f) => [f.vm, f.error.code])).toEqual([['x', 'OutOfMemory']]);
      expect(c.vm('z').numaNode).toBe(0);
      expect(
        c
          .host('h2')
          .numaNodes()
          .map((n) => n.availableMemoryMB),
      ).toEqual([0, 1536]);
    });

    it('failback moves a VM home only where one node of its home host has its memory free', async () => {
      const c = await createCluster({
        hosts: [
          { name: 'home', memoryMB: 8192, reserveMB: 0, numaNodes: 2, numaSpanning: false },
          { name: 'away', memoryMB: 16384, reserveMB: 0 },
        ],
        failback: 'immediate',
        engine,
      });
      c.host('home').addVm({ name: 'small', startupMB: 2048, dynamicMemory: false });
      c.host('home').addVm({ name: 'grows', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      c.start('small'); // node 0
      c.start('grows'); // node 1
      c.failHost('home');
      expect([c.vm('small').host, c.vm('grows').host]).toEqual(['away', 'away']);
      c.setDemand('grows', 4000); // on 'away' it grows to 4800: more than a node of 'home'
      c.advance(60);
      expect(c.vm('grows').assignedMB).toBe(4800);
      const back = c.recoverHost('home');
      expect(back.failedBack).toEqual([{ vm: 'small', from: 'away' }]);
      // a live migration of 3 s: its 2,048 MB kept on node 0 of home meanwhile
      expect(c.vm('small')).toMatchObject({ host: 'away', migratingTo: 'home' });
      expect(
        c
          .host('home')
          .numaNodes()
          .map((n) => n.availableMemoryMB),
      ).toEqual([2048, 4096]);
      c.advance(3);
      expect(c.vm('small')).toMatchObject({ host: 'home', numaNode: 0 });
      expect(
        c
          .host('home')
          .numaNodes()
          .map((n) => n.availableMemoryMB),
      ).toEqual([2048, 4096]);
      expect(c.vm('grows').host).toBe('away');
    });
  });
});
