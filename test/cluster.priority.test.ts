// README "Failover by cluster priority": a failed host's VMs restart in the order of their cluster group priority
// (High 3000, Medium 2000, Low 1000), then weight; No Auto Start (0) VMs stay off and are reported; failback
// 'immediate' moves VMs home (live migrations) when their host recovers. Hand-computed with static VMs, which
// hold exactly their startup RAM and give nothing to a reclaim, so every placement is plain arithmetic.
import { createCluster, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /** a holds high, med, med2 (2048 MB each) and nas (1024 MB); b has 2048 MB free, c 3072 MB. */
  async function scene(failback?: 'none' | 'immediate') {
    const cluster = await createCluster({
      engine,
      ...(failback ? { failback } : {}),
      // about failover and failback: on recovery the load balancer would even the hosts out (its own tests)
      autoBalancer: { mode: 'disabled' },
      hosts: ['a', 'b', 'c'].map((name) => ({ name, memoryMB: 8192, reserveMB: 0 })),
    });
    const a = cluster.host('a');
    const vm = (name: string, startupMB: number, clusterPriority: number, weight: number) =>
      a.addVm({ name, startupMB, dynamicMemory: false, clusterPriority: clusterPriority as never, weight });
    vm('high', 2048, 3000, 1000);
    vm('med', 2048, 2000, 5000);
    vm('med2', 2048, 2000, 9000);
    vm('nas', 1024, 0, 10000);
    cluster.host('b').addVm({ name: 'fill-b', startupMB: 6144, dynamicMemory: false });
    cluster.host('c').addVm({ name: 'fill-c', startupMB: 5120, dynamicMemory: false });
    for (const v of cluster.vms()) cluster.start(v.name);
    cluster.advance(60);
    return cluster;
  }

  it('restarts by cluster priority, then weight; No Auto Start stays off', async () => {
    const cluster = await scene();
    const report = cluster.failHost('a');
    // high (3000) → c (3072 free, the most); med2 (2000, weight 9000) → b (2048 free); med (2000, weight 5000)
    // fits nowhere (c 1024, b 0 free); nas (No Auto Start) is left off.
    expect(report.restarted).toEqual([
      { vm: 'high', host: 'c' },
      { vm: 'med2', host: 'b' },
    ]);
    expect(report.failed.map((f) => [f.vm, f.error.code])).toEqual([['med', 'OutOfMemory']]);
    expect(report.notStarted).toEqual(['nas']);
    expect(cluster.vm('nas')).toMatchObject({ state: 'Off', host: null });
    expect(cluster.vm('med')).toMatchObject({ state: 'Off', host: null });
    cluster.advance(60);
    expect(cluster.host('c').counters().availableMemoryMB).toBe(1024);
    expect(cluster.host('b').counters().availableMemoryMB).toBe(0);
  });

  it("failback 'none' (the default) leaves the VMs where they are", async () => {
    const cluster = await scene();
    expect(cluster.failback).toBe('none');
    cluster.failHost('a');
    expect(cluster.recoverHost('a')).toEqual({ host: 'a', failedBack: [] });
    expect(cluster.vm('high').host).toBe('c');
    expect(cluster.host('a').counters().runningVms).toBe(0);
  });

  it("failback 'immediate' moves the running VMs home when their host recovers, keeping their memory", async () => {
    const cluster = await scene('immediate');
    cluster.failHost('a');
    cluster.advance(60);
    const report = cluster.recoverHost('a');
    expect(report).toEqual({
      host: 'a',
      failedBack: [
        { vm: 'high', from: 'c' },
        { vm: 'med2', from: 'b' },
      ],
    });
    // live migrations of 2,048 MB at the default 1,000 MB/s: 3 s, running where they were until then
    expect(cluster.vm('high')).toMatchObject({ host: 'c', migratingTo: 'a', state: 'Running', assignedMB: 2048 });
    cluster.advance(2);
    expect(cluster.vm('med2')).toMatchObject({ host: 'b', migratingTo: 'a' });
    cluster.advance(1);
    expect(cluster.vm('high')).toMatchObject({ host: 'a', migratingTo: null, state: 'Running', assignedMB: 2048 });
    expect(cluster.vm('med2')).toMatchObject({ host: 'a', migratingTo: null, state: 'Running', assignedMB: 2048 });
    cluster.advance(57);
    expect(cluster.host('a').counters().availableMemoryMB).toBe(8192 - 4096);
    expect(cluster.host('b').counters().availableMemoryMB).toBe(2048);
    expect(cluster.host('c').counters().availableMemoryMB).toBe(3072);
    // a second failure and recovery fails back again: the homes are those of the latest failover
    cluster.failHost('a');
    cluster.advance(60);
    expect(cluster.recoverHost('a').failedBack.map((f) => f.vm)).toEqual(['high', 'med2']);
  });

  it('VMs still booting after the failover do not fail back (a live migration needs a running VM)', async () => {
    const cluster = await scene('immediate');
    cluster.failHost('a');
    expect(cluster.recoverHost('a').failedBack).toEqual([]);
    expect(cluster.vm('high').host).toBe('c');
    expect(cluster.migrations().filter((m) => m.reason === 'failback')).toEqual([]);
  });

  it('clusterPriority takes only the four Failover Clustering values, and may change while running', async () => {
    const cluster = await scene();
    expect(cluster.vm('med').settings.clusterPriority).toBe(2000);
    expect(cluster.vm('fill-b').settings.clusterPriority).toBe(2000); // Medium by default
    const e = refused(cluster, () => cluster.setMemory('med', { clusterPriority: 1500 as never }), 'InvalidSetting');
    expect(e.field).toBe('clusterPriority');
    expect(e.message).toMatch(/3000 \(High\), 2000 \(Medium\), 1000 \(Low\) or 0 \(No Auto Start\)/);
    expect(cluster.setMemory('med', { clusterPriority: 1000 }).settings.clusterPriority).toBe(1000);
    await expect(
      createCluster({ engine, failback: 'later' as never, hosts: [{ name: 'a', memoryMB: 4096 }] }),
    ).rejects.toMatchObject({ code: 'InvalidSetting', field: 'failback' });
  });

  it('a scenario reports No Auto Start VMs and failbacks in the summary', async () => {
    const { summary } = await simulate({
      engine,
      duration: '2h',
      failback: 'immediate',
      hosts: [
        { name: 'a', memoryMB: 8192, reserveMB: 0 },
        { name: 'b', memoryMB: 8192, reserveMB: 0 },
      ],
      vms: [
        { name: 'app', host: 'a', startupMB: 2048, dynamicMemory: false, demandMB: 1000 },
        { name: 'lab', host: 'a', startupMB: 2048, dynamicMemory: false, clusterPriority: 0, demandMB: 500 },
      ],
      events: [
        { at: '30m', action: 'failHost', host: 'a' },
        { at: '1h', action: 'recoverHost', host: 'a' },
      ],
    });
    expect(summary.failovers).toEqual([{ atSeconds: 1800, host: 'a', restarted: 1, failed: [], notStarted: ['lab'] }]);
    expect(summary.recoveries).toEqual([{ atSeconds: 3600, host: 'a', failedBack: ['app'] }]);
  });
});
