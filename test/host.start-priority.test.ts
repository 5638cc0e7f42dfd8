// README "How dynmem models Hyper-V", Lifecycle: a start (or restart) reclaims memory only from running VMs of lower or
// equal memory weight than its own, and a weight-0 VM only takes free memory (Ben Armstrong, "What is memory
// priority", 2010). Expected numbers by hand: no reserve, bootSeconds 30, ideal = demand + 20 %; a balloon rate of
// 4,096 MB/s so that each start here gathers what it reclaims in one tick (the tick's balancer pass comes first:
// with the donors at their targets and the starter holding what was free, their targets fit and nothing moves).

import { createCluster, createHost } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

type AnyHost = Awaited<ReturnType<typeof createHost>>;

const assigned = (host: AnyHost) => Object.fromEntries(host.vms().map((v) => [v.name, v.assignedMB]));

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  const bare = (memoryMB: number) => createHost({ memoryMB, reserveMB: 0, engine, balloonRateMBps: 4096 });

  /** lo (weight 0) and hi (weight 10000) settled at 1,200 MB each on a 4,096 MB host: 1,696 MB free. */
  async function loAndHi(): Promise<AnyHost> {
    const host = await bare(4096);
    host.addVm({ name: 'lo', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 0 });
    host.addVm({ name: 'hi', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 10000 });
    for (const name of ['lo', 'hi']) {
      host.setDemand(name, 1000);
      host.start(name);
    }
    host.advance(120);
    expect(assigned(host)).toEqual({ lo: 1200, hi: 1200 });
    return host;
  }

  it('a weight-0 VM starts only in free memory: it takes nothing, not even from another weight-0 VM', async () => {
    const host = await loAndHi();
    host.addVm({ name: 'z', startupMB: 2048, minimumMB: 512, weight: 0 });
    const e = refused(host, () => host.start('z'), 'OutOfMemory');
    expect(e.message).toBe(
      'Not enough memory in the system to start the virtual machine z with ram size 2048 megabytes.',
    );
    // 1,696 MB is exactly what is free
    host.setMemory('z', { startupMB: 1696, minimumMB: 512 });
    host.start('z');
    expect(assigned(host)).toEqual({ lo: 1200, hi: 1200, z: 1696 });
  });

  it('weight 1 may take from weight 0 (lower), never from weight 10000', async () => {
    const host = await loAndHi();
    host.addVm({ name: 'z', startupMB: 2048, minimumMB: 512, weight: 1 });
    host.start('z');
    // 1,696 free at once + 352 from lo
    expect(assigned(host)).toEqual({ lo: 1200, hi: 1200, z: 1696 });
    host.advance(1);
    expect(assigned(host)).toEqual({ lo: 848, hi: 1200, z: 2048 });
    expect(host.vm('lo').removedMemoryMB).toBe(352);
    // a second start of weight 1 finds lo's last 336 MB above its minimum: 400 is refused at once, 336 starts
    host.addVm({ name: 'y', startupMB: 400, minimumMB: 400, weight: 1 });
    refused(host, () => host.start('y'), 'OutOfMemory');
    host.setMemory('y', { startupMB: 336, minimumMB: 336 });
    host.start('y');
    host.advance(1);
    // that tick's balancer pass first: lo and hi share 4,096 − 2,048 (z booting) = 2,048; demands (1,000 each)
    // fit, the 48 MB of buffer go to the weighted hi first (1,048) and lo rises to its demand (1,000); then y
    // takes its 336 from lo, the only VM of weight ≤ 1
    expect(assigned(host)).toEqual({ lo: 664, hi: 1048, z: 2048, y: 336 });
  });

  it('equal weight may give: weight 10000 takes from lo first, then from hi', async () => {
    const host = await loAndHi();
    host.addVm({ name: 'top', startupMB: 3072, minimumMB: 512, weight: 10000 });
    host.start('top');
    host.advance(1);
    // 1,696 free, lo 688 (to its minimum), then hi 688 (to its minimum): exactly 3,072
    expect(assigned(host)).toEqual({ lo: 512, hi: 512, top: 3072 });
  });

  it('a VM without Dynamic Memory starts by its weight too', async () => {
    const host = await loAndHi();
    host.addVm({ name: 's', startupMB: 2400, dynamicMemory: false, weight: 5000 });
    // 1,696 free + 688 from lo = 2,384 < 2,400: hi (10000) is of higher priority
    refused(host, () => host.start('s'), 'OutOfMemory');
    host.setMemory('s', { weight: 10000 });
    host.start('s');
    host.advance(1);
    // lo down to its minimum (688), then 16 from hi
    expect(assigned(host)).toEqual({ lo: 512, hi: 1184, s: 2400 });
  });

  it('a restart reclaims by its weight too; what it may not take is bridged by Smart Paging', async () => {
    const host = await bare(6160);
    host.addVm({ name: 'L', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 1000 });
    host.addVm({ name: 'H', startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 9000 });
    host.addVm({ name: 'R', startupMB: 2048, minimumMB: 512, maximumMB: 4096, weight: 5000 });
    host.setDemand('L', 1000);
    host.setDemand('H', 3000);
    host.setDemand('R', 100);
    host.start('L');
    host.start('H');
    host.advance(120);
    expect(assigned(host)).toEqual({ L: 1200, H: 3600, R: 0 });
    // R: 1,360 free + 688 from L (weight 1000 ≤ 5000) = 2,048
    host.start('R');
    host.advance(1);
    expect(assigned(host)).toEqual({ L: 512, H: 3600, R: 2048 });
    host.advance(119);
    // R booted and went to its 512 target, L back to 1,200: 848 free
    expect(assigned(host)).toEqual({ L: 1200, H: 3600, R: 512 });
    host.setDemand('H', 3500);
    host.advance(60);
    expect(assigned(host)).toEqual({ L: 1200, H: 4200, R: 512 });
    // restart: R needs 1,536 more: 248 free, 688 from L; H (9000) gives nothing → 600 MB on Smart Paging
    const removedFromH = host.vm('H').removedMemoryMB;
    host.restart('R');
    expect(assigned(host)).toEqual({ L: 512, H: 4200, R: 1448 });
    expect(host.vm('R').smartPagingMB).toBe(600);
    expect(host.vm('H').removedMemoryMB).toBe(removedFromH);
  });

  it('placement picks the host where the start can succeed, not the one with the most free memory', async () => {
    const hosts = [
      { name: 'h1', memoryMB: 4096, reserveMB: 0 },
      { name: 'h2', memoryMB: 4096, reserveMB: 0 },
    ];
    const cluster = await createCluster({ hosts, engine });
    cluster.host('h1').addVm({ name: 'A', startupMB: 3072, minimumMB: 512, maximumMB: 4096, weight: 9000 });
    cluster.host('h2').addVm({ name: 'B', startupMB: 3072, minimumMB: 512, maximumMB: 4096, weight: 1000 });
    cluster.setDemand('A', 2500);
    cluster.setDemand('B', 2800);
    cluster.start('A');
    cluster.start('B');
    cluster.advance(120);
    // A at 3,000 (1,096 free on h1), B at 3,360 (736 free on h2)
    expect(cluster.vm('A').assignedMB).toBe(3000);
    expect(cluster.vm('B').assignedMB).toBe(3360);
    cluster.addVm({ name: 'C', startupMB: 2048, minimumMB: 512, weight: 5000 });
    cluster.start('C');
    // h1 has more free memory but only A (9000) to reclaim from; on h2, 736 free + 1,312 from B (1000), at the
    // hosts' default 128 MB/s: 10 × 128 + 32, eleven ticks
    expect(cluster.vm('C').host).toBe('h2');
    expect(cluster.vm('C').gatheringMB).toBe(1312);
    cluster.advance(11);
    expect(cluster.vm('C').gatheringMB).toBe(0);
    expect(cluster.vm('B').assignedMB).toBe(2048);
    expect(cluster.vm('A').assignedMB).toBe(3000);
  });
});
