// README "How dynmem models Hyper-V", lifecycle: Smart Paging only on a restart with no memory to be found, its size
// (the gap, at most startup − minimum), how it shrinks (Smart Paging memory removed first, at the default balloon
// rate of 128 MB/s after the 30 s boot) and ends, MemoryStatus 'Paging', and that it is never in assigned memory.

import { createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';

type AnyHost = Awaited<ReturnType<typeof createHost>>;

function checkMemoryInvariant(host: AnyHost): void {
  const sum = host.vms().reduce((s, v) => s + v.assignedMB, 0);
  expect(sum + host.reserveMB).toBeLessThanOrEqual(host.memoryMB);
  expect(host.counters().assignedMB).toBe(sum);
  expect(host.counters().smartPagingMB).toBe(host.vms().reduce((s, v) => s + v.smartPagingMB, 0));
  expect(host.counters().availableMemoryMB).toBe(host.memoryMB - host.reserveMB - sum);
}

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /**
   * Host of 4096 MB, no reserve: 'r' (startup 2048, minimum 512) shrinks to 512 with no demand; then a static VM
   * takes `staticMB` of what is left, so nothing can be reclaimed for r.
   */
  async function crowded(staticMB: number, extra: Record<string, unknown> = {}) {
    const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine, ...extra });
    host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
    host.start('r');
    host.advance(120);
    expect(host.vm('r').assignedMB).toBe(512);
    host.addVm({ name: 's', startupMB: staticMB, dynamicMemory: false });
    host.start('s');
    host.advance(40);
    return host;
  }

  it('no memory free or reclaimable: the whole gap (startup − minimum) is Smart Paging', async () => {
    const host = await crowded(3584);
    expect(host.counters().availableMemoryMB).toBe(0);
    host.restart('r');
    const r = host.vm('r');
    expect(r.state).toBe('Starting');
    expect(r.assignedMB).toBe(512);
    expect(r.smartPagingMB).toBe(2048 - 512);
    expect(r.memoryStatus).toBe('Paging');
    const c = host.counters();
    expect(c.smartPagingMB).toBe(1536);
    expect(c.assignedMB).toBe(4096); // Smart Paging is not in assigned memory
    expect(c.availableMemoryMB).toBe(0);
    checkMemoryInvariant(host);
  });

  it('free memory is used first; only the rest is Smart Paging', async () => {
    const host = await crowded(3084); // 500 MB free
    expect(host.counters().availableMemoryMB).toBe(500);
    host.restart('r');
    expect(host.vm('r').assignedMB).toBe(1012);
    expect(host.vm('r').smartPagingMB).toBe(1036);
    expect(host.vm('r').memoryStatus).toBe('Paging');
    expect(host.counters().availableMemoryMB).toBe(0);
    checkMemoryInvariant(host);
  });

  it('memory reclaimed from other VMs is used before Smart Paging', async () => {
    const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
    host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
    host.addVm({ name: 'o', startupMB: 1024, minimumMB: 1024, maximumMB: 4096, weight: 1 });
    host.addVm({ name: 's', startupMB: 1024, dynamicMemory: false });
    host.setDemand('o', 2000); // o wants 2400 but gets what is left
    host.start('r');
    host.start('o');
    host.start('s');
    host.advance(150);
    // r 512, s 1024; o's 2400 target fits in the 2560 left
    expect(host.vm('o').assignedMB).toBe(2400);
    expect(host.counters().availableMemoryMB).toBe(160);
    host.restart('r'); // 1536 needed: 160 free + 1376 from o (spare 1376 above its 1024 minimum)
    expect(host.vm('r').assignedMB).toBe(2048);
    expect(host.vm('r').smartPagingMB).toBe(0);
    expect(host.vm('o').assignedMB).toBe(1024);
    expect(host.counters().availableMemoryMB).toBe(0);

    checkMemoryInvariant(host);
  });

  it('a partial gap: a VM above its minimum pages only startup − held', async () => {
    const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
    host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
    host.setDemand('r', 800); // 960
    host.start('r');
    host.advance(120);
    expect(host.vm('r').assignedMB).toBe(960);
    host.addVm({ name: 's', startupMB: 3136, dynamicMemory: false });
    host.start('s');
    host.restart('r');
    expect(host.vm('r').assignedMB).toBe(960);
    expect(host.vm('r').smartPagingMB).toBe(2048 - 960);
    expect(host.vm('r').smartPagingMB).toBeLessThanOrEqual(2048 - 512);
  });

  it('Smart Paging lasts through the boot, then shrinks at 128 MB/s (removed first) and is deleted at zero', async () => {
    const host = await crowded(3584);
    host.restart('r');
    host.advance(29);
    expect(host.vm('r')).toMatchObject({
      state: 'Starting',
      assignedMB: 512,
      smartPagingMB: 1536,
      memoryStatus: 'Paging',
    });
    host.advance(1);
    expect(host.vm('r')).toMatchObject({
      state: 'Running',
      assignedMB: 512,
      smartPagingMB: 1408,
      memoryStatus: 'Paging',
    });
    for (let t = 0; t < 10; t++) {
      host.advance(1);
      expect(host.vm('r').smartPagingMB).toBe(1408 - 128 * (t + 1));
      expect(host.vm('r').assignedMB).toBe(512);
      expect(host.vm('r').memoryStatus).toBe('Paging');
      checkMemoryInvariant(host);
    }
    host.advance(1); // 41 s after the restart
    const r = host.vm('r');
    expect(r.smartPagingMB).toBe(0);
    expect(r.assignedMB).toBe(512);
    expect(r.memoryStatus).not.toBe('Paging');
    expect(host.counters().smartPagingMB).toBe(0);
    host.advance(300);
    expect(host.vm('r').smartPagingMB).toBe(0);
  });

  it('Smart Paging shrinking counts as removed memory', async () => {
    const host = await crowded(3584);
    const before = host.vm('r').removedMemoryMB;
    host.restart('r');
    host.advance(60);
    expect(host.vm('r').smartPagingMB).toBe(0);
    expect(host.vm('r').removedMemoryMB - before).toBe(1536);
  });

  it('with a high demand Smart Paging still ends (within 10 minutes); the guest is oversubscribed instead', async () => {
    const host = await crowded(3584);
    host.setDemand('r', 1500);
    host.restart('r');
    let peak = 0;
    let seconds = 0;
    while (host.vm('r').smartPagingMB > 0 && seconds < 600) {
      host.advance(1);
      seconds++;
      peak = Math.max(peak, host.vm('r').smartPagingMB);
      checkMemoryInvariant(host);
    }
    expect(host.vm('r').smartPagingMB).toBe(0);
    expect(seconds).toBe(29 + 12); // boot ends on tick 30, which removes the first 128 MB
    expect(peak).toBeLessThanOrEqual(1536);
    const r = host.vm('r');
    expect(r.assignedMB).toBe(512);
    expect(r.pressure).toBeCloseTo((100 * 1500) / 512, 9);
    host.advance(300);
    expect(host.vm('r').smartPagingMB).toBe(0);
    expect(host.vm('r').memoryStatus).toBe('Warning');
  });

  it('a large restart gap still drains within 10 simulated minutes with the defaults', async () => {
    const host = await createHost({ memoryMB: 65536, reserveMB: 0, engine });
    host.addVm({ name: 'r', startupMB: 32768, minimumMB: 512, maximumMB: 65536 });
    host.start('r');
    host.advance(600);
    expect(host.vm('r').assignedMB).toBe(512);
    host.addVm({ name: 's', startupMB: 65024, dynamicMemory: false });
    host.start('s');
    host.restart('r');
    expect(host.vm('r').smartPagingMB).toBe(32768 - 512);
    host.advance(600);
    expect(host.vm('r').smartPagingMB).toBe(0);
    expect(host.vm('r').assignedMB).toBe(512);
  });

  it('physical memory freed during Smart Paging never pushes Σ assigned + reserve over host memory', async () => {
    const host = await crowded(3584, { reserveMB: 0 });
    host.setDemand('r', 3000);
    host.restart('r');
    host.advance(10);
    host.stop('s');
    for (let t = 0; t < 120; t++) {
      host.advance(1);
      checkMemoryInvariant(host);
    }
    const r = host.vm('r');
    expect(r.smartPagingMB).toBe(0);
    expect(r.assignedMB).toBe(3600);
  });

  it('no Smart Paging on a start from off, even when memory is short', async () => {
    const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
    host.addVm({ name: 's', startupMB: 3584, dynamicMemory: false });
    host.start('s');
    host.addVm({ name: 'new', startupMB: 1024, minimumMB: 32 });
    let err: unknown;
    try {
      host.start('new');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DynamicMemoryError);
    expect((err as DynamicMemoryError).code).toBe('OutOfMemory');
    expect(host.vm('new')).toMatchObject({ state: 'Off', assignedMB: 0, smartPagingMB: 0 });
    expect(host.counters().smartPagingMB).toBe(0);
  });

  it('oversubscription (demand above maximum) gives pressure above 100 but never Smart Paging', async () => {
    const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
    host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
    host.setDemand('v', 10000);
    host.start('v');
    for (let t = 0; t < 120; t++) {
      host.advance(1);
      expect(host.vm('v').smartPagingMB).toBe(0);
    }
    const v = host.vm('v');
    expect(v.assignedMB).toBe(4096);
    expect(v.pressure).toBeCloseTo((100 * 10000) / 4096, 9);
    expect(v.pressure).toBeGreaterThan(100);
    expect(v.memoryStatus).toBe('Warning');
    expect(host.counters().smartPagingMB).toBe(0);
  });

  it('oversubscription by contention never uses Smart Paging either', async () => {
    const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
    host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
    host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
    host.setDemand('a', 5000);
    host.setDemand('b', 5000);
    host.start('a');
    host.start('b');
    host.advance(120);
    expect(host.vm('a').assignedMB).toBe(2048);
    expect(host.vm('b').assignedMB).toBe(2048);
    expect(host.vm('a').pressure).toBeCloseTo((100 * 5000) / 2048, 9);
    expect(host.vm('a').smartPagingMB + host.vm('b').smartPagingMB).toBe(0);
  });

  it('a restart with free memory creates no Smart Paging file', async () => {
    const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
    host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512 });
    host.start('r');
    host.advance(120);
    host.restart('r');
    expect(host.vm('r')).toMatchObject({ assignedMB: 2048, smartPagingMB: 0 });
    for (let t = 0; t < 60; t++) {
      host.advance(1);
      expect(host.vm('r').smartPagingMB).toBe(0);
      expect(host.vm('r').memoryStatus).not.toBe('Paging');
    }
  });
});
