// Stuck and slow balloon drivers through the public API: the VM settings balloonDriverRateMBps and
// balloonDriverLimitMB, the starts that may only reclaim what a driver gives, and the scenario's balloonDriver
// events. Host 16,384 MB, reserve 1,024 (15,360 MB for VMs), host balloon rate 128 MB/s, boot 0 s.
import { createCluster, createHost, DynamicMemoryError, type Host, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refusal } from './refusal.ts';

describe.each(['wasm', 'js'] as const)('balloon drivers (%s engine)', (engine) => {
  const newHost = () => createHost({ memoryMB: 16384, reserveMB: 1024, balloonRateMBps: 128, bootSeconds: 0, engine });

  /** VMs of startup 4,096 MB started with demand 1,000 MB: each balloons toward 1,200 MB. */
  async function shrinking(drivers: Record<string, object>): Promise<Host> {
    const host = await newHost();
    for (const [name, driver] of Object.entries(drivers)) {
      host.addVm({ name, startupMB: 4096, minimumMB: 512, maximumMB: 8192, ...driver });
      host.start(name);
      host.setDemand(name, 1000);
    }
    return host;
  }

  it('a VM without driver settings balloons at the host rate; its snapshot shows the defaults', async () => {
    const host = await shrinking({ a: {} });
    host.advance(2);
    expect(host.vm('a').assignedMB).toBe(4096 - 2 * 128);
    expect(host.vm('a').settings).toMatchObject({ balloonDriverRateMBps: null, balloonDriverLimitMB: 0 });
  });

  it('a slow driver gives back its own rate each tick', async () => {
    const host = await shrinking({ a: { balloonDriverRateMBps: 10 } });
    host.advance(3);
    expect(host.vm('a').assignedMB).toBe(4096 - 3 * 10);
    expect(host.vm('a').settings.balloonDriverRateMBps).toBe(10);
  });

  it('a limit holds the VM above its goal, and may be set while the VM runs', async () => {
    const host = await shrinking({ a: {} });
    host.setMemory('a', { balloonDriverLimitMB: 3000 });
    host.advance(60);
    expect(host.vm('a').assignedMB).toBe(3000);
    host.setMemory('a', { balloonDriverLimitMB: 0 });
    host.advance(60);
    expect(host.vm('a').assignedMB).toBe(1200);
  });

  it('a stuck VM keeps its memory while the others shrink, and shrinks once it recovers', async () => {
    const host = await shrinking({ stuck: { balloonDriverRateMBps: 0 }, ok: {} });
    host.advance(5);
    expect(host.vm('stuck').assignedMB).toBe(4096);
    expect(host.vm('ok').assignedMB).toBe(4096 - 5 * 128);
    host.setMemory('stuck', { balloonDriverRateMBps: null });
    host.advance(5);
    expect(host.vm('stuck').assignedMB).toBe(4096 - 5 * 128);
  });

  it('refuses bad driver settings, naming the field, and changes nothing', async () => {
    const host = await shrinking({ a: { balloonDriverRateMBps: 10 } });
    for (const [change, field] of [
      [{ balloonDriverRateMBps: -1 }, 'balloonDriverRateMBps'],
      [{ balloonDriverRateMBps: 1.5 }, 'balloonDriverRateMBps'],
      [{ balloonDriverRateMBps: 'fast' }, 'balloonDriverRateMBps'],
      [{ balloonDriverLimitMB: -2 }, 'balloonDriverLimitMB'],
      [{ balloonDriverLimitMB: null }, 'balloonDriverLimitMB'],
    ] as const) {
      const error = refusal(() => host.setMemory('a', change as never));
      expect(error).toBeInstanceOf(DynamicMemoryError);
      expect(error.field).toBe(field);
    }
    const odd = refusal(() => host.addVm({ name: 'b', balloonDriverLimitMB: 1001 }));
    expect([odd.code, odd.field]).toEqual(['NotAligned', 'balloonDriverLimitMB']);
    expect(host.vm('a').settings.balloonDriverRateMBps).toBe(10);
    expect(host.vms().map((v) => v.name)).toEqual(['a']);
  });

  describe('a start reclaims only what the drivers give', () => {
    /** 'a' and 'b' hold 7,680 MB each (demand 6,400 → target 7,680): the host is full. */
    async function fullHost(aDriver: object): Promise<Host> {
      const host = await newHost();
      for (const name of ['a', 'b']) {
        host.addVm({ name, startupMB: 7680, minimumMB: 512, maximumMB: 8192, ...(name === 'a' ? aDriver : {}) });
        host.start(name);
        host.setDemand(name, 6400);
      }
      host.addVm({ name: 'c', startupMB: 8192, minimumMB: 512 });
      host.advance(1);
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([7680, 7680]);
      return host;
    }

    it("fails with OutOfMemory and changes nothing when it needs a stuck VM's memory", async () => {
      // b gives 7,680 − 512 = 7,168 MB < 8,192; a's driver is stuck and gives nothing.
      const host = await fullHost({ balloonDriverRateMBps: 0 });
      expect(refusal(() => host.start('c')).code).toBe('OutOfMemory');
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB, host.vm('c').state]).toEqual([7680, 7680, 'Off']);
    });

    it('stops at a limit: 680 MB from a limited to 7,000 is not enough; from a limit of 6,000 the start waits and times out', async () => {
      const host = await fullHost({ balloonDriverLimitMB: 7000 });
      expect(refusal(() => host.start('c')).code).toBe('OutOfMemory');
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([7680, 7680]);
      // a may give 1,680 and b 7,168: enough, so c starts and gathers, 128 MB a tick from each: a reaches its
      // limit in tick 14 (13 × 128 + 16), b alone gives from then on (the balancer moves nothing: a cannot go
      // below its limit, b gets nothing while nothing is free). In 30 ticks: 1,680 + 30 × 128 = 5,520 < 8,192.
      host.setMemory('a', { balloonDriverLimitMB: 6000 });
      host.start('c');
      host.advance(29);
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB, host.vm('c').assignedMB]).toEqual([6000, 3968, 5392]);
      expect(host.vm('c').gatheringMB).toBe(8192 - 5392);
      host.advance(1);
      // the 30-s timeout: c is off, the 5,520 MB it held are free, and the failure is reported at t = 1 + 30
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB, host.vm('c').state]).toEqual([6000, 3840, 'Off']);
      expect(host.counters().availableMemoryMB).toBe(5520);
      expect(host.startFailures().map((f) => [f.vm, f.atSeconds, f.error.message])).toEqual([
        ['c', 31, 'Not enough memory in the system to start the virtual machine c with ram size 8192 megabytes.'],
      ]);
    });

    it('a slow driver gives 1 MB a tick: the start gathers about 128 MB a tick and fails after its timeout', async () => {
      const host = await fullHost({ balloonDriverRateMBps: 1 });
      host.start('c'); // b's 7,168 above its minimum alone would do: not refused at once
      host.advance(29);
      // a's balloon gives 1 MB a tick and b's 128, in all: to the balancer's cuts and to c. The balancer hands the
      // MB its whole-MB sharing leaves over back to b, so c gathers 129 MB in the first tick and 128 in each later
      // one: 129 + 28 × 128 = 3,713 MB after 29 ticks, far from 8,192
      expect(host.vm('c')).toMatchObject({
        state: 'Starting',
        assignedMB: 3713,
        gatheringMB: 8192 - 3713,
        startTimeoutSecondsLeft: 1,
      });
      expect(host.vm('a').assignedMB).toBe(7680 - 29);
      host.advance(1);
      expect(host.vm('c').state).toBe('Off');
      expect(host.counters().availableMemoryMB).toBe(3713 + 128);
      expect(host.startFailures().map((f) => [f.vm, f.atSeconds])).toEqual([['c', 31]]);
      expect(Math.min(host.vm('a').assignedMB, host.vm('b').assignedMB)).toBeGreaterThanOrEqual(512);
      // 3,840 MB is gathered within the 30 s, 3,842 MB is not
      host.advance(10);
      host.setMemory('c', { startupMB: 3842 });
      host.start('c');
      host.advance(30);
      expect(host.vm('c').state).toBe('Off');
      host.advance(10);
      host.setMemory('c', { startupMB: 3840 });
      host.start('c');
      host.advance(30);
      expect(host.vm('c')).toMatchObject({ state: 'Starting', assignedMB: 3840, gatheringMB: 0 });
      host.advance(1);
      expect(host.vm('c').state).toBe('Running');
    });

    it('a start that needs memory from a driver that gets stuck while it waits fails cleanly after its timeout', async () => {
      const host = await fullHost({});
      host.setMemory('c', { startupMB: 4096 });
      host.start('c'); // 16 ticks of 256 MB would do
      host.advance(5); // 5 × 256
      host.setMemory('a', { balloonDriverRateMBps: 0 });
      host.advance(5); // b alone: 5 × 128
      host.setMemory('b', { balloonDriverRateMBps: 0 });
      expect(host.vm('c')).toMatchObject({ assignedMB: 1920, gatheringMB: 2176, startTimeoutSecondsLeft: 20 });
      host.advance(19);
      expect(host.vm('c')).toMatchObject({ state: 'Starting', assignedMB: 1920 });
      host.advance(1);
      expect(host.vm('c')).toMatchObject({ state: 'Off', assignedMB: 0 });
      expect(host.startFailures().map((f) => [f.vm, f.atSeconds, f.error.code])).toEqual([['c', 31, 'OutOfMemory']]);
      expect(host.counters().availableMemoryMB).toBe(1920);
      expect(Math.min(host.vm('a').assignedMB, host.vm('b').assignedMB)).toBeGreaterThanOrEqual(512);
    });
  });

  it('failover places no VM that needs a stuck VM’s memory', async () => {
    const cluster = await createCluster({
      engine,
      bootSeconds: 0,
      hosts: [
        { name: 'h1', memoryMB: 16384, reserveMB: 1024 },
        { name: 'h2', memoryMB: 16384, reserveMB: 1024 },
      ],
    });
    cluster.host('h2').addVm({ name: 'stuck', startupMB: 15360, minimumMB: 512, maximumMB: 15360 });
    cluster.host('h1').addVm({ name: 'moving', startupMB: 3840, minimumMB: 512 });
    cluster.start('stuck');
    cluster.start('moving');
    cluster.setDemand('stuck', 12800); // target 15,360: h2 is full
    cluster.setMemory('stuck', { balloonDriverRateMBps: 0 });
    cluster.advance(1);
    const report = cluster.failHost('h1');
    expect(report.restarted).toEqual([]);
    expect(report.failed.map((f) => [f.vm, f.error.code])).toEqual([['moving', 'OutOfMemory']]);
    expect([cluster.vm('moving').state, cluster.vm('stuck').assignedMB]).toEqual(['Off', 15360]);
    // The driver recovers: the VM can start again, 3,840 MB ballooned out of 'stuck' at 128 MB/s (30 ticks,
    // just within the start timeout).
    cluster.setMemory('stuck', { balloonDriverRateMBps: null });
    cluster.start('moving');
    expect([cluster.vm('moving').host, cluster.vm('stuck').assignedMB]).toEqual(['h2', 15360]);
    cluster.advance(30);
    expect([cluster.vm('moving').gatheringMB, cluster.vm('stuck').assignedMB]).toEqual([0, 15360 - 3840]);
  });

  it('a scenario makes a driver stuck and recover with balloonDriver events; the host holds every tick', async () => {
    const { series, summary } = await simulate({
      engine,
      duration: 20,
      sampleInterval: 1,
      bootSeconds: 0,
      perVmSeries: true,
      hosts: [{ name: 'h', memoryMB: 16384, reserveMB: 1024 }],
      vms: [
        { name: 'a', startupMB: 4096, minimumMB: 512, maximumMB: 8192, demandMB: 1000 },
        { name: 'b', startupMB: 4096, minimumMB: 512, maximumMB: 8192, demandMB: 1000 },
      ],
      events: [
        { at: 0, action: 'balloonDriver', vm: 'a', rateMBps: 0 },
        { at: 5, action: 'balloonDriver', vm: 'a', rateMBps: null, limitMB: 3840 },
        { at: 10, action: 'balloonDriver', vm: 'b', rateMBps: 32 },
      ],
    });
    expect(summary.eventErrors).toEqual([]);
    const a = series.vms.find((v) => v.name === 'a')!.assignedMB;
    const b = series.vms.find((v) => v.name === 'b')!.assignedMB;
    // a: stuck for 5 s, then 128 MB/s down to its limit 3,840 (two ticks: 3,968, 3,840).
    expect(a.slice(0, 9)).toEqual([4096, 4096, 4096, 4096, 4096, 4096, 3968, 3840, 3840]);
    // b: 128 MB/s for 10 s (4,096 − 1,280 = 2,816), then 32 MB/s until its target 1,200 is near.
    expect(b.slice(9, 13)).toEqual([2944, 2816, 2784, 2752]);
    for (let k = 0; k < series.timeSeconds.length; k++) {
      expect(a[k]! + b[k]!).toBeLessThanOrEqual(15360);
      expect(Math.min(a[k]!, b[k]!)).toBeGreaterThanOrEqual(512);
    }
  });

  it('a scenario reports a start that times out while a driver is stuck as a start failure, at its time', async () => {
    const { summary, cluster } = await simulate({
      engine,
      duration: 60,
      sampleInterval: 10,
      bootSeconds: 0,
      hosts: [{ name: 'h', memoryMB: 16384, reserveMB: 1024 }],
      vms: [
        { name: 'a', startupMB: 7680, minimumMB: 512, maximumMB: 8192, demandMB: 6400 },
        { name: 'b', startupMB: 7680, minimumMB: 512, maximumMB: 8192, demandMB: 6400 },
        { name: 'c', startupMB: 4096, minimumMB: 512, demandMB: 100, startAt: 10 },
      ],
      events: [
        { at: 0, action: 'balloonDriver', vm: 'a', rateMBps: 0 },
        { at: 12, action: 'balloonDriver', vm: 'b', rateMBps: 0 },
      ],
    });
    // the host is full; c starts at 10 s (b's 7,168 above its minimum would do), gathers 128 MB from b in each
    // of the ticks at 11 and 12 s, then b's driver is stuck: at 10 + 30 s the start fails
    expect(summary.startFailures).toEqual([
      {
        vm: 'c',
        atSeconds: 40,
        code: 'OutOfMemory',
        message: 'Not enough memory in the system to start the virtual machine c with ram size 4096 megabytes.',
      },
    ]);
    expect(cluster.vm('c')).toMatchObject({ state: 'Off', assignedMB: 0 });
    expect(cluster.vm('b').assignedMB).toBeGreaterThanOrEqual(7680 - 256);
  });

  it('a scenario names a bad balloonDriver event field before running', async () => {
    const run = simulate({
      engine,
      duration: 10,
      hosts: [{ memoryMB: 16384 }],
      vms: [{ name: 'a', demandMB: 100 }],
      events: [{ at: 1, action: 'balloonDriver', vm: 'a', limitMB: 1001 }],
    });
    await expect(run).rejects.toThrow(/events\[0\]\.limitMB/);
  });
});
