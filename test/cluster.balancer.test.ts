// README "VM load balancing": the cluster option autoBalancer { mode, level } (Windows Server 2016 node fairness),
// its defaults by version, and the passes that move VMs (live migrations) off hosts whose memory load (reserve +
// assigned over memory) is above the level's threshold. Hand-computed with static VMs (they hold exactly their
// startup RAM) on hosts without reserve, so every load is plain arithmetic.
import { fileURLToPath } from 'node:url';
import { type AutoBalancer, type Cluster, createCluster, restoreCluster, type Scenario, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';

const TRACES = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

type Engine = 'wasm' | 'js';

/** Hosts of `memoryMB` without reserve; `vms[host]` the startup RAM of its static VMs, named host + index. */
async function cluster(
  engine: Engine,
  vms: Record<string, number[]>,
  autoBalancer?: Partial<AutoBalancer>,
  memoryMB = 10240,
): Promise<Cluster> {
  const c = await createCluster({
    engine,
    ...(autoBalancer ? { autoBalancer } : {}),
    hosts: Object.keys(vms).map((name) => ({ name, memoryMB, reserveMB: 0 })),
  });
  for (const [host, sizes] of Object.entries(vms)) {
    sizes.forEach((startupMB, k) => {
      c.host(host).addVm({ name: `${host}${k}`, startupMB, dynamicMemory: false });
      c.host(host).start(`${host}${k}`);
    });
  }
  return c;
}

const where = (c: Cluster) => Object.fromEntries(c.vms().map((v) => [v.name, v.host]));
const used = (c: Cluster, host: string) => c.host(host).counters().assignedMB;

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  describe('the option', () => {
    it("defaults to Microsoft's { mode: 'always', level: 'low' } on 2016 and later, 'disabled' with a 2012R2 host", async () => {
      const modern = await createCluster({ engine, hosts: [{ name: 'a', memoryMB: 8192, version: '2016' }] });
      expect(modern.autoBalancer).toEqual({ mode: 'always', level: 'low' });
      const newest = await createCluster({ engine, hosts: [{ name: 'a', memoryMB: 8192 }] });
      expect(newest.autoBalancer).toEqual({ mode: 'always', level: 'low' });
      const mixed = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 8192, version: '2012R2' },
          { name: 'b', memoryMB: 8192, version: '2019' },
        ],
      });
      expect(mixed.autoBalancer).toEqual({ mode: 'disabled', level: 'low' });
      const partial = await createCluster({
        engine,
        autoBalancer: { level: 'high' },
        hosts: [{ name: 'a', memoryMB: 8192 }],
      });
      expect(partial.autoBalancer).toEqual({ mode: 'always', level: 'high' });
    });

    it.each([
      [{ mode: 'sometimes' }, 'autoBalancer.mode', /'disabled', 'onJoin' or 'always'/],
      [{ level: 'max' }, 'autoBalancer.level', /'low', 'medium' or 'high'/],
      [{ mode: 'always', every: 60 }, 'autoBalancer.every', /unknown field/],
      ['always', 'autoBalancer', /an object \{ mode, level \}/],
      [null, 'autoBalancer', /an object/],
    ])('refuses %j, naming %s', async (value, field, message) => {
      const made = createCluster({ engine, autoBalancer: value as never, hosts: [{ name: 'a', memoryMB: 8192 }] });
      await expect(made).rejects.toMatchObject({
        code: 'InvalidSetting',
        field,
        message: expect.stringMatching(message),
      });
    });

    it('refuses to turn it on with a 2012R2 host (the feature came with Windows Server 2016)', async () => {
      const made = createCluster({
        engine,
        autoBalancer: { mode: 'onJoin' },
        hosts: [{ name: 'a', memoryMB: 8192, version: '2012R2' }],
      });
      await expect(made).rejects.toMatchObject({ code: 'InvalidSetting', field: 'autoBalancer.mode' });
      const off = await createCluster({
        engine,
        autoBalancer: { mode: 'disabled' },
        hosts: [{ name: 'a', memoryMB: 8192, version: '2012R2' }],
      });
      expect(off.autoBalancer.mode).toBe('disabled');
    });
  });

  describe('a 4-host cluster with a failure and a recovery (10,240 MB hosts, four 2,048 MB VMs each: 80 %)', () => {
    /**
     * d fails: d0, d1, d2 take the 2,048 MB left on a, b and c (the roomiest first, ties in host order), d3 fits
     * nowhere. a, b and c are full (100 %); d comes back empty.
     */
    async function failAndRecover(autoBalancer: Partial<AutoBalancer>) {
      const c = await cluster(
        engine,
        {
          a: [2048, 2048, 2048, 2048],
          b: [2048, 2048, 2048, 2048],
          c: [2048, 2048, 2048, 2048],
          d: [2048, 2048, 2048, 2048],
        },
        autoBalancer,
      );
      c.advance(60);
      const failover = c.failHost('d');
      expect(failover.restarted).toEqual([
        { vm: 'd0', host: 'a' },
        { vm: 'd1', host: 'b' },
        { vm: 'd2', host: 'c' },
      ]);
      expect(failover.failed.map((f) => f.vm)).toEqual(['d3']);
      c.advance(60);
      expect(['a', 'b', 'c'].map((h) => used(c, h))).toEqual([10240, 10240, 10240]);
      c.recoverHost('d');
      return c;
    }

    it('with the balancer on, the recovered host takes load back: one VM from each full host', async () => {
      const c = await failAndRecover({ mode: 'onJoin' });
      // Pass on join: loads a, b, c 100 %, d 0 %. Each move: the most loaded host (ties: the first) gives the VM
      // that best evens it with d; all are 2,048 MB, so its first (a0, b0, c0). a, b, c end at 80 % (not above the
      // 80 % threshold), d at 60 %.
      expect(c.migrations().map((m) => [m.vm, m.from, m.to, m.mb, m.reason])).toEqual([
        ['a0', 'a', 'd', 2048, 'balance'],
        ['b0', 'b', 'd', 2048, 'balance'],
        ['c0', 'c', 'd', 2048, 'balance'],
      ]);
      // live migrations of 2,048 MB at 1,000 MB/s: 3 s each, all under way at once; d keeps their memory meanwhile
      expect(c.migrations().map((m) => [m.seconds, m.status])).toEqual([
        [3, 'moving'],
        [3, 'moving'],
        [3, 'moving'],
      ]);
      expect(c.host('d').counters()).toMatchObject({ assignedMB: 0, migratingInMB: 6144 });
      c.advance(3);
      expect(c.migrations().map((m) => m.status)).toEqual(['done', 'done', 'done']);
      c.advance(57);
      expect(['a', 'b', 'c', 'd'].map((h) => used(c, h))).toEqual([8192, 8192, 8192, 6144]);
      expect(c.host('d').counters().runningVms).toBe(3);
      expect(c.vm('a0')).toMatchObject({ host: 'd', state: 'Running', assignedMB: 2048 });
    });

    it('with the balancer disabled, the recovered host stays empty', async () => {
      const c = await failAndRecover({ mode: 'disabled' });
      c.advance(3600);
      expect(c.migrations()).toEqual([]);
      expect(used(c, 'd')).toBe(0);
    });
  });

  describe('levels: a host at 75 % (4,096 + 2,048 + 1,536 of 10,240 MB) and an empty one', () => {
    it.each([
      ['low', 80, []],
      ['medium', 70, [['a0', 4096]]], // a0 evens best: a 35 %, b 40 %
      ['high', 60, [['a0', 4096]]],
    ] as const)('%s (%i %)', async (level, _percent, moved) => {
      const c = await cluster(engine, { a: [4096, 2048, 1536], b: [] }, { mode: 'onJoin', level });
      c.advance(60); // booting VMs do not move
      c.failHost('b');
      c.recoverHost('b');
      expect(c.migrations().map((m) => [m.vm, m.mb])).toEqual(moved);
    });
  });

  describe("mode 'always' balances every 30 minutes; 'onJoin' only when a host joins", () => {
    /** a holds 8,192 MB (80 %), b nothing; at 60 s a 1,024 MB VM starts on a: 90 %. */
    async function overload(mode: 'always' | 'onJoin') {
      const c = await cluster(engine, { a: [4096, 2048, 2048], b: [] }, { mode });
      c.advance(60);
      c.host('a').addVm({ name: 'late', startupMB: 1024, dynamicMemory: false });
      c.host('a').start('late');
      c.advance(1799 - 60);
      expect(c.migrations()).toEqual([]);
      c.advance(1);
      return c;
    }

    it("'always': at 30 min, the VM that best evens a and b moves (a0: a 50 %, b 40 %)", async () => {
      const c = await overload('always');
      expect(c.migrations()).toEqual([
        { atSeconds: 1800, vm: 'a0', from: 'a', to: 'b', mb: 4096, seconds: 5, reason: 'balance', status: 'moving' },
      ]);
      c.advance(5); // 4,096 MB at 1,000 MB/s: ⌈4.096⌉ s
      expect(c.migrations()[0]!.status).toBe('done');
      expect(where(c)).toMatchObject({ a0: 'b', a1: 'a', a2: 'a', late: 'a' });
      c.advance(3600); // the next passes find no host above 80 %
      expect(c.migrations()).toHaveLength(1);
    });

    it("'onJoin': nothing moves at 30 min", async () => {
      const c = await overload('onJoin');
      c.advance(3600);
      expect(c.migrations()).toEqual([]);
      expect(used(c, 'a')).toBe(9216);
    });

    it('a checkpoint keeps the option, the log and the schedule: a restored cluster moves as the original does', async () => {
      const original = await cluster(engine, { a: [4096, 2048, 2048], b: [] }, { mode: 'always', level: 'medium' });
      original.advance(60);
      original.host('a').addVm({ name: 'late', startupMB: 1024, dynamicMemory: false });
      original.host('a').start('late');
      original.advance(1000);
      const restored = await restoreCluster(JSON.parse(JSON.stringify(original.checkpoint())), { engine });
      expect(restored.autoBalancer).toEqual({ mode: 'always', level: 'medium' });
      for (const c of [original, restored]) c.advance(3600 - 1060);
      expect(restored.migrations()).toEqual(original.migrations());
      expect(restored.migrations().map((m) => [m.atSeconds, m.vm])).toEqual([[1800, 'a0']]);
      expect(restored.vms()).toEqual(original.vms());
    });

    it('cutting the time into other calls gives the same moves at the same times', async () => {
      const whole = await overload('always');
      const parts = await cluster(engine, { a: [4096, 2048, 2048], b: [] }, { mode: 'always' });
      parts.advance(60);
      parts.host('a').addVm({ name: 'late', startupMB: 1024, dynamicMemory: false });
      parts.host('a').start('late');
      for (let t = 60; t < 1800; t += 290) parts.advance(Math.min(290, 1800 - t));
      expect(parts.migrations()).toEqual(whole.migrations());
      expect(parts.vms()).toEqual(whole.vms());
    });
  });

  describe('a real trace: the bundled Bitbrains sample on four 20 GB hosts, n4 failing at 1 h and back at 3 h', () => {
    const run = (mode: AutoBalancer['mode']) =>
      simulate({
        engine,
        duration: '8h',
        sampleInterval: '30m',
        autoBalancer: { mode },
        hosts: ['n1', 'n2', 'n3', 'n4'].map((name) => ({ name, memoryMB: 20480 })),
        fleets: [
          {
            traces: TRACES,
            template: { startupMB: 1024, minimumMB: 512 },
            maximumFromProvisioned: true,
            startSpread: '30m',
          },
        ],
        events: [
          { at: '1h', action: 'failHost', host: 'n4' },
          { at: '3h', action: 'recoverHost', host: 'n4' },
        ],
      } satisfies Scenario);

    it('the recovered host takes VMs back and the VMs are short of memory less often', async () => {
      const off = await run('disabled');
      const on = await run('always');
      const n4 = (r: typeof on) => r.series.hosts.find((h) => h.name === 'n4')!;
      const after = (r: typeof on) => r.series.timeSeconds.map((t, k) => [t, k] as const).filter(([t]) => t > 3 * 3600);
      // disabled: n4 stays empty to the end
      expect(off.summary.migrations).toMatchObject({ count: 0, list: [] });
      for (const [, k] of after(off)) expect(n4(off).runningVms[k]).toBe(0);
      // always: the pass on join (3 h) moves VMs to n4, which runs VMs from then on (the 30-minute pass due at
      // 3 h runs first, n4 still down: it may move VMs between the others)
      const joined = on.summary.migrations.list.filter((m) => m.atSeconds === 3 * 3600 && m.to === 'n4');
      expect(joined.length).toBeGreaterThan(0);
      for (const m of joined) expect(m.reason).toBe('balance');
      for (const [, k] of after(on)) expect(n4(on).runningVms[k]).toBeGreaterThan(0);
      expect(on.summary.migrations.count).toBe(on.summary.migrations.balance);
      // each took its memory over 1,000 MB/s, whole seconds, and landed (or ended with a host failure)
      for (const m of on.summary.migrations.list) {
        expect(m.seconds).toBe(Math.max(1, Math.ceil(m.mb / 1000)));
        expect(m.status).toBe('done');
      }
      expect(Math.max(...on.summary.migrations.list.map((m) => m.seconds))).toBeGreaterThan(1);
      expect(on.summary.shortfall.vmSecondsShort).toBeLessThan(off.summary.shortfall.vmSecondsShort / 2);
    });
  });
});
