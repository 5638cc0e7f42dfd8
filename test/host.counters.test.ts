// README "How dynmem models Hyper-V", counters: per-VM Physical Memory, Demand, Current/Average/Minimum/Maximum Pressure, Added/Removed
// Memory and operation counts, Guest Visible Physical Memory (high-water mark), AvailableMemoryBuffer and
// MemoryStatus; host Available Memory, System Current Pressure, Average Pressure and the add/remove totals.
// Defaults used: balloon rate 128 MB/s, boot 30 s, Average Pressure an EMA with a 60 s time constant.

import { createHost } from 'dynmem';
import { describe, expect, it } from 'vitest';

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  const bare = (memoryMB = 16384, extra: Record<string, unknown> = {}) =>
    createHost({ memoryMB, reserveMB: 0, engine, ...extra });

  describe('pressure', () => {
    it('Current Pressure = 100 × demand / assigned', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').pressure).toBeCloseTo((100 * 1000) / 1200, 9);
      host.setDemand('v', 10000);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(4096);
      expect(host.vm('v').pressure).toBeCloseTo((100 * 10000) / 4096, 9);
      host.setDemand('v', 0);
      host.advance(1);
      expect(host.vm('v').pressure).toBe(0);
      expect(host.vm('v').assignedMB).toBe(4096 - 128);
      host.setDemand('v', 700);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(4096 - 256);
      expect(host.vm('v').pressure).toBeCloseTo((100 * 700) / 3840, 9);
    });

    it('a booting VM has 100 × demand / startup RAM', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512 });
      host.setDemand('v', 1024);
      host.start('v');
      host.advance(10);
      expect(host.vm('v').pressure).toBeCloseTo(50, 9);
    });

    it('Minimum and Maximum Pressure are the extremes seen since the VM started', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(120);
      let v = host.vm('v');
      // during boot 1000/2048; settled 1000/1200
      expect(v.minimumPressure).toBeCloseTo((100 * 1000) / 2048, 9);
      expect(v.maximumPressure).toBeCloseTo((100 * 1000) / 1200, 9);
      host.setDemand('v', 8192);
      host.advance(1);
      v = host.vm('v');
      expect(v.pressure).toBeCloseTo(200, 9);
      expect(v.maximumPressure).toBeCloseTo(200, 9);
      host.setDemand('v', 1000);
      host.advance(120);
      expect(host.vm('v').maximumPressure).toBeCloseTo(200, 9);
      host.setDemand('v', 0);
      host.advance(1);
      v = host.vm('v');
      expect(v.minimumPressure).toBe(0);
      expect(v.maximumPressure).toBeCloseTo(200, 9);
    });

    it('Average Pressure is a moving average with a 60 s time constant', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(3000); // long enough that the average is the steady pressure to 1e-9
      const steady = (100 * 1000) / 1200;
      expect(host.vm('v').averagePressure).toBeCloseTo(steady, 8);
      expect(host.counters().averagePressure).toBeCloseTo(steady, 8);
      host.setDemand('v', 8192); // assigned 4096 at once: pressure 200
      host.advance(60);
      const expected = 200 + (steady - 200) * Math.exp(-1);
      expect(host.vm('v').averagePressure).toBeCloseTo(expected, 6);
      expect(host.counters().averagePressure).toBeCloseTo(expected, 6);
      host.advance(60);
      expect(host.vm('v').averagePressure).toBeCloseTo(200 + (steady - 200) * Math.exp(-2), 6);
    });

    it('pressureWindowSeconds sets the averaging time constant', async () => {
      const host = await bare(16384, { pressureWindowSeconds: 30 });
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(2000);
      host.setDemand('v', 8192);
      host.advance(30);
      expect(host.vm('v').averagePressure).toBeCloseTo(200 + ((100 * 1000) / 1200 - 200) * Math.exp(-1), 6);
    });

    it('an Off VM reports zero pressure and no memory', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048 });
      const v = host.vm('v');
      expect([v.state, v.assignedMB, v.pressure, v.smartPagingMB, v.guestVisibleMB]).toEqual(['Off', 0, 0, 0, 0]);
    });
  });

  describe('added and removed memory', () => {
    it('counts what the balancer moved, in MB and operations', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(60);
      let v = host.vm('v');
      expect(v.assignedMB).toBe(512);
      expect(v.removedMemoryMB).toBe(1536);
      expect(v.memoryRemoveOperations).toBe(12); // 128 MB per tick
      expect(v.addedMemoryMB).toBe(0);
      expect(v.memoryAddOperations).toBe(0);

      host.setDemand('v', 1000);
      host.advance(5);
      v = host.vm('v');
      expect(v.addedMemoryMB).toBe(688);
      expect(v.memoryAddOperations).toBe(1);

      host.setDemand('v', 3000);
      host.advance(5);
      v = host.vm('v');
      expect(v.assignedMB).toBe(3600);
      expect(v.addedMemoryMB).toBe(688 + 2400);
      expect(v.memoryAddOperations).toBe(2);
      // what moved accounts for where the VM is
      expect(2048 + v.addedMemoryMB - v.removedMemoryMB).toBe(v.assignedMB);

      const c = host.counters();
      expect(c.addedMemoryMB).toBe(v.addedMemoryMB);
      expect(c.removedMemoryMB).toBe(v.removedMemoryMB);
      expect(c.memoryAddOperations).toBe(v.memoryAddOperations);
      expect(c.memoryRemoveOperations).toBe(v.memoryRemoveOperations);
    });

    it('a faster balloon rate needs fewer remove operations for the same memory', async () => {
      const host = await bare(16384, { balloonRateMBps: 512 });
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(60);
      expect(host.vm('v').removedMemoryMB).toBe(1536);
      expect(host.vm('v').memoryRemoveOperations).toBe(3);
    });

    it('host totals are the sums over its VMs, and memory reclaimed for a start is counted', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 1000 });
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 9000 });
      host.setDemand('a', 1000);
      host.setDemand('b', 500);
      host.start('a');
      host.start('b');
      host.advance(60);
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([1200, 600]);
      host.addVm({ name: 'c', startupMB: 2560, minimumMB: 512 });
      // 2,296 free at once, 264 ballooned out of a (weight 1000 ≤ 5000) at 128 MB a tick: 128, 128, 8, each a
      // remove operation of a's
      host.start('c');
      host.advance(2);
      expect(host.vm('a').assignedMB).toBe(944);
      expect(host.vm('a').removedMemoryMB).toBe(256);
      expect(host.vm('a').memoryRemoveOperations).toBe(2);
      expect(host.vm('c').gatheringMB).toBe(8);
      host.advance(1);
      expect(host.vm('a').removedMemoryMB).toBe(264);
      expect(host.vm('a').memoryRemoveOperations).toBe(3);
      expect(host.vm('c').gatheringMB).toBe(0);
      host.advance(87);
      const vms = host.vms();
      const c = host.counters();
      const sum = (f: (v: (typeof vms)[number]) => number) => vms.reduce((s, v) => s + f(v), 0);
      expect(c.addedMemoryMB).toBe(sum((v) => v.addedMemoryMB));
      expect(c.removedMemoryMB).toBe(sum((v) => v.removedMemoryMB));
      expect(c.memoryAddOperations).toBe(sum((v) => v.memoryAddOperations));
      expect(c.memoryRemoveOperations).toBe(sum((v) => v.memoryRemoveOperations));
      for (const v of vms)
        expect(v.settings.startupMB + v.addedMemoryMB - v.removedMemoryMB, v.name).toBe(v.assignedMB);
    });
  });

  describe('Guest Visible Physical Memory', () => {
    it('is the high-water mark since boot', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      expect(host.vm('v').guestVisibleMB).toBe(2048);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(512);
      expect(host.vm('v').guestVisibleMB).toBe(2048);
      host.setDemand('v', 3000);
      host.advance(1);
      expect(host.vm('v').guestVisibleMB).toBe(3600);
      host.setDemand('v', 1000);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(1200);
      expect(host.vm('v').guestVisibleMB).toBe(3600);
      host.restart('v');
      expect(host.vm('v').guestVisibleMB).toBe(2048);
      host.stop('v');
      expect(host.vm('v').guestVisibleMB).toBe(0);
    });
  });

  describe('AvailableMemoryBuffer and MemoryStatus', () => {
    // startup 512, buffer 20, demand d; the maximum M caps the memory, so buffer = 100 (M − d) / (0.2 d)
    it.each([
      [8192, 1000, 100, 'Ok'],
      [1164, 1000, 82, 'Ok'],
      [1162, 1000, 81, 'Ok'],
      [1160, 1000, 80, 'Low'],
      [1100, 1000, 50, 'Low'],
      [1000, 1000, 0, 'Low'],
      [1000, 1100, (100 * (1000 - 1100)) / 220, 'Warning'],
      [512, 2048, (100 * (512 - 2048)) / (2048 * 0.2), 'Warning'],
    ])('maximum %i MB, demand %i MB → buffer %d, %s', async (maximumMB, demand, buffer, status) => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 512, minimumMB: 512, maximumMB });
      host.setDemand('v', demand);
      host.start('v');
      host.advance(60);
      const v = host.vm('v');
      expect(v.assignedMB).toBe(Math.min(maximumMB, demand * 1.2));
      expect(v.availableMemoryBuffer).toBeCloseTo(buffer, 9);
      expect(v.memoryStatus).toBe(status);
    });

    it("uses the VM's own buffer percentage", async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 512, minimumMB: 512, maximumMB: 1300, bufferPercent: 50 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(60);
      // 100 × 300 / 500
      expect(host.vm('v').availableMemoryBuffer).toBeCloseTo(60, 9);
      expect(host.vm('v').memoryStatus).toBe('Low');
    });

    it('no demand: nothing is short, status Ok', async () => {
      const host = await bare();
      host.addVm({ name: 'v', startupMB: 512 });
      host.start('v');
      host.advance(60);
      expect(host.vm('v').availableMemoryBuffer).toBe(Infinity);
      expect(host.vm('v').memoryStatus).toBe('Ok');
    });
  });

  describe('host counters', () => {
    it('Available Memory = memory − reserve − Σ assigned; System Current Pressure = 100 Σ demand / Σ assigned', async () => {
      const host = await createHost({ memoryMB: 16384, engine }); // auto reserve 384 + 1024 = 1408
      expect(host.reserveMB).toBe(1408);
      expect(host.counters().availableMemoryMB).toBe(16384 - 1408);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('a', 1000);
      host.setDemand('b', 8192);
      host.start('a');
      expect(host.counters().availableMemoryMB).toBe(16384 - 1408 - 1024);
      host.start('b');
      host.advance(60);
      const c = host.counters();
      expect(c.availableMemoryMB).toBe(16384 - 1408 - 1200 - 4096);
      expect(c.assignedMB).toBe(5296);
      expect(c.memoryMB).toBe(16384);
      expect(c.reserveMB).toBe(1408);
      expect(c.runningVms).toBe(2);
      expect(c.smartPagingMB).toBe(0);
      expect(c.systemCurrentPressure).toBeCloseTo((100 * (1000 + 8192)) / (1200 + 4096), 9);
      host.stop('b');
      expect(host.counters().availableMemoryMB).toBe(16384 - 1408 - 1200);
      expect(host.counters().runningVms).toBe(1);
      host.advance(1);
      expect(host.counters().systemCurrentPressure).toBeCloseTo((100 * 1000) / 1200, 9);
    });

    it('counters agree with the VM snapshots at every tick', async () => {
      const host = await createHost({ memoryMB: 8192, engine });
      host.addVm({ name: 'a', startupMB: 2048, minimumMB: 512, maximumMB: 8192, weight: 8000 });
      host.addVm({ name: 'b', startupMB: 2048, minimumMB: 512, maximumMB: 8192, weight: 2000 });
      host.start('a');
      host.start('b');
      for (let t = 0; t < 200; t++) {
        if (t === 40) {
          host.setDemand('a', 5000);
          host.setDemand('b', 3000);
        }
        if (t === 120) {
          host.setDemand('a', 100);
        }
        host.advance(1);
        const vms = host.vms();
        const c = host.counters();
        const sumAssigned = vms.reduce((s, v) => s + v.assignedMB, 0);
        expect(c.assignedMB).toBe(sumAssigned);
        expect(c.availableMemoryMB).toBe(8192 - host.reserveMB - sumAssigned);
        expect(c.availableMemoryMB).toBeGreaterThanOrEqual(0);
        expect(c.addedMemoryMB).toBe(vms.reduce((s, v) => s + v.addedMemoryMB, 0));
        expect(c.removedMemoryMB).toBe(vms.reduce((s, v) => s + v.removedMemoryMB, 0));
        const running = vms.filter((v) => v.state === 'Running');
        if (running.length === 2) {
          const d = running.reduce((s, v) => s + v.demandMB, 0);
          const m = running.reduce((s, v) => s + v.assignedMB + v.smartPagingMB, 0);
          expect(c.systemCurrentPressure).toBeCloseTo((100 * d) / m, 9);
        }
        for (const v of vms) {
          if (v.state !== 'Running') continue;
          expect(v.pressure).toBeCloseTo((100 * v.demandMB) / v.assignedMB, 9);
          expect(v.minimumPressure).toBeLessThanOrEqual(v.pressure + 1e-9);
          expect(v.maximumPressure).toBeGreaterThanOrEqual(v.pressure - 1e-9);
          expect(v.guestVisibleMB).toBeGreaterThanOrEqual(v.assignedMB);
        }
      }
    });
  });
});
