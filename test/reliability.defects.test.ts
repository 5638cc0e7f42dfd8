// Regression tests of the defects an adversarial probe found: invariants breached by settings changed while a VM
// is Starting, a guest maximum ignored at boot, advance() wrapping, inputs that crashed or slipped through, and
// the order spare MB go in. Each starts from the probe's reproduction; expected values are computed by hand.

import { createCluster, createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refusal, refused } from './refusal.ts';

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  describe('settings changed while Starting keep every invariant', () => {
    // Host 10,240 MB, reserve 0; static B 6,144; A startup 4,096 min 512; C startup 3,584 min 3,584.
    async function probeScene() {
      const host = await createHost({ memoryMB: 10240, reserveMB: 0, engine });
      host.addVm({ name: 'B', startupMB: 6144, dynamicMemory: false });
      host.addVm({ name: 'A', startupMB: 4096, minimumMB: 512 });
      host.addVm({ name: 'C', startupMB: 3584, minimumMB: 3584 });
      host.start('B');
      host.start('A');
      host.setDemand('A', 100);
      host.advance(60); // A boots (30 s), then balloons 4,096 → 512 at 128 MB/s
      host.start('C');
      host.setDemand('C', 3000);
      host.advance(40); // C boots; the 4,096 MB left are exactly A's 512 + C's 3,584
      host.restart('A'); // nothing free, nothing to reclaim: 512 MB + 3,584 MB Smart Paging
      return host;
    }

    it('guestSupportsDynamicMemory false on a booting VM bridged by Smart Paging is refused like on a running one', async () => {
      const host = await probeScene();
      expect(host.vm('A')).toMatchObject({ state: 'Starting', assignedMB: 512, smartPagingMB: 3584 });
      const e = refused(host, () => host.setMemory('A', { guestSupportsDynamicMemory: false }), 'OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      for (let t = 0; t < 60; t++) {
        host.advance(1);
        expect(host.vm('C').assignedMB).toBeGreaterThanOrEqual(3584);
        expect(host.vm('A').assignedMB + host.vm('A').smartPagingMB).toBeGreaterThanOrEqual(512);
      }
      // A booted at 30 s and gave its Smart Paging back at 128 MB/s (28 ticks): 512 MB, no paging.
      expect(host.vm('A')).toMatchObject({ state: 'Running', assignedMB: 512, smartPagingMB: 0 });
      expect(host.vm('C').assignedMB).toBe(3584);
    });

    it('when the memory can be found, the booting guest without Dynamic Memory holds its startup RAM physically', async () => {
      const host = await probeScene();
      host.stop('C'); // frees 3,584 MB
      host.setMemory('A', { guestSupportsDynamicMemory: false });
      expect(host.vm('A')).toMatchObject({ state: 'Starting', assignedMB: 4096, smartPagingMB: 0 });
      for (let t = 0; t < 60; t++) {
        host.advance(1);
        expect(host.vm('A').assignedMB).toBe(4096);
      }
    });

    it('a guest maximum below startup RAM applies the moment the guest reports (startup 4,096, guestOsMaxMB 1,024)', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512, guestOsMaxMB: 1024 });
      host.setDemand('v', 2000);
      host.start('v');
      host.advance(29);
      expect(host.vm('v')).toMatchObject({ state: 'Starting', assignedMB: 4096 });
      host.advance(1);
      expect(host.vm('v')).toMatchObject({ state: 'Running', assignedMB: 1024, removedMemoryMB: 3072 });
      expect(host.vm('v').memoryRemoveOperations).toBe(1);
      expect(host.counters().removedMemoryMB).toBe(3072);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(1024);
    });

    it('guestOsMaxMB lowered while Starting applies at boot', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512 });
      host.setDemand('v', 2000);
      host.start('v');
      host.advance(10);
      host.setMemory('v', { guestOsMaxMB: 1024 });
      expect(host.vm('v').assignedMB).toBe(4096); // a booting VM holds its startup RAM
      host.advance(20);
      expect(host.vm('v')).toMatchObject({ state: 'Running', assignedMB: 1024 });
    });

    it('guestSupportsDynamicMemory turned on while Starting: the guest maximum applies at boot', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512, guestOsMaxMB: 1024, guestSupportsDynamicMemory: false });
      host.setDemand('v', 2000);
      host.start('v');
      host.advance(10);
      host.setMemory('v', { guestSupportsDynamicMemory: true });
      host.advance(20);
      expect(host.vm('v')).toMatchObject({ state: 'Running', assignedMB: 1024 });
    });

    it('hysteresis never keeps a VM above its effective maximum (hysteresisMB 256, startup 4,096, guestOsMaxMB 3,900)', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, hysteresisMB: 256, engine });
      host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512, guestOsMaxMB: 3900 });
      host.setDemand('v', 3500); // ideal 4,200: the target is the guest maximum, 196 MB below startup
      host.start('v');
      host.advance(30);
      expect(host.vm('v').assignedMB).toBe(3900);
      host.advance(600);
      expect(host.vm('v').assignedMB).toBe(3900);
    });
  });

  describe('advance()', () => {
    // A host settled in a few ticks (v balloons 1,024 → 512 at 128 MB/s: 4 ticks after its 30 s boot), so the
    // rest of any call is quiet and jumps to the end.
    async function settledHost() {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512 });
      host.setDemand('v', 100);
      host.start('v');
      return host;
    }

    it.each([2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 60, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER])(
      'advance(%d) runs exactly that many ticks, not wrapped',
      async (seconds) => {
        const host = await settledHost();
        host.advance(seconds);
        expect(host.timeSeconds).toBe(seconds);
        expect(host.vm('v')).toMatchObject({ state: 'Running', assignedMB: 512, memoryRemoveOperations: 4 });
        // the run totals count every tick: 1,024 MB over the first 29 ticks, then (the guest reports at the 30th)
        // 896, 768, 640 at 128 MB/s, then 512 MB for every later tick; exact while the sum stays below 2^53
        const h = (host as any).fleet.store.hosts;
        expect(h.elapsed[0]).toBe(seconds);
        if (seconds < 2 ** 40) expect(h.assignedMBs[0]).toBe(1024 * 29 + 896 + 768 + 640 + 512 * (seconds - 32));
      },
    );

    it('advance(2**32 + 60) is 2**32 + 60 one-second ticks: the same as advance(2**32) then advance(60)', async () => {
      const once = await settledHost();
      const split = await settledHost();
      once.advance(2 ** 32 + 60);
      split.advance(2 ** 32);
      split.advance(60);
      expect(once.timeSeconds).toBe(2 ** 32 + 60);
      expect(once.vms()).toEqual(split.vms());
      expect(once.counters()).toEqual(split.counters());
    });

    it('a clock past 2^53 − 1 ticks is refused and changes nothing', async () => {
      const host = await settledHost();
      refused(host, () => host.advance(Number.MAX_SAFE_INTEGER + 1), 'InvalidArgument');
      expect(host.timeSeconds).toBe(0);
      host.advance(Number.MAX_SAFE_INTEGER - 10);
      const e = refused(host, () => host.advance(11), 'InvalidArgument');
      expect(e.field).toBe('seconds');
      expect(host.timeSeconds).toBe(Number.MAX_SAFE_INTEGER - 10);
      host.advance(10);
      expect(host.timeSeconds).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('0.1 s ticks: advance((2**32 + 60) × 0.1) is 2**32 + 60 ticks', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, balancerIntervalSeconds: 0.1, engine });
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512 });
      host.start('v');
      host.advance((2 ** 32 + 60) * 0.1);
      expect((host as any).fleet.ticks).toBe(2 ** 32 + 60);
      expect(host.vm('v').state).toBe('Running');
    });

    it('advance(0.3) with balancerIntervalSeconds 0.1 runs 3 ticks, like three advance(0.1)', async () => {
      const make = async () => {
        const host = await createHost({
          memoryMB: 8192,
          reserveMB: 0,
          balancerIntervalSeconds: 0.1,
          bootSeconds: 0,
          engine,
        });
        host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512 });
        host.start('v');
        return host;
      };
      const once = await make();
      once.advance(0.3);
      const thrice = await make();
      for (let i = 0; i < 3; i++) thrice.advance(0.1);
      // 128 MB/s × 0.1 s = 12.8 MB a tick, moved in whole MB: 12 MB a tick, 4,096 − 3 × 12 = 4,060
      expect(once.vm('v').assignedMB).toBe(4060);
      expect(once.vms()).toEqual(thrice.vms());
      expect(once.timeSeconds).toBeCloseTo(0.3, 12);
      refused(once, () => once.advance(0.25), 'InvalidArgument');
    });
  });

  describe('inputs that crashed or slipped through', () => {
    const bare = () => Object.create(null) as never;

    it('objects without a prototype are refused with DynamicMemoryError, never a TypeError', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 1024 });
      refused(host, () => host.addVm(bare()), 'InvalidSetting');
      refused(host, () => host.start(bare()), 'UnknownVm');
      refused(host, () => host.vm(bare()), 'UnknownVm');
      refused(host, () => host.setDemand('v', bare()), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { startupMB: bare() }), 'InvalidSetting');
      refused(host, () => host.advance(bare()), 'InvalidArgument');
      await expect(createHost(bare())).rejects.toMatchObject({ code: 'InvalidSetting' });
      await expect(createHost({ memoryMB: bare() })).rejects.toMatchObject({ code: 'InvalidSetting' });
      await expect(createHost({ memoryMB: 8192, name: bare() })).rejects.toMatchObject({ code: 'InvalidSetting' });
      await expect(createCluster({ hosts: [bare()], engine })).rejects.toBeInstanceOf(DynamicMemoryError);
      const cluster = await createCluster({ hosts: [{ name: 'n1', memoryMB: 8192 }], engine });
      expect(refusal(() => cluster.host(bare())).code).toBe('UnknownHost');
      expect(refusal(() => cluster.addVm(bare())).code).toBe('InvalidSetting');
    });

    it('cluster.addVm(null) is refused', async () => {
      const cluster = await createCluster({ hosts: [{ name: 'n1', memoryMB: 8192 }], engine });
      const e = refused(cluster, () => cluster.addVm(null as never), 'InvalidSetting');
      expect(e.message).toContain('null');
    });

    it('unknown top-level options of createCluster and createHost are refused', async () => {
      await expect(
        createCluster({ hosts: [{ name: 'n1', memoryMB: 8192 }], engnie: 'js' } as never),
      ).rejects.toMatchObject({ code: 'InvalidSetting', field: 'engnie' });
      await expect(createHost({ memoryMB: 8192, engnie: 'js' } as never)).rejects.toMatchObject({
        code: 'InvalidSetting',
        field: 'engnie',
      });
    });

    it('guestOsMaxMB and maxVmMemoryMB must be multiples of 2 MB', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 1024 });
      const e = refused(host, () => host.setMemory('v', { guestOsMaxMB: 1001 }), 'NotAligned');
      expect(e).toMatchObject({ vm: 'v', field: 'guestOsMaxMB' });
      expect(refusal(() => host.addVm({ name: 'w', guestOsMaxMB: 1001 })).code).toBe('NotAligned');
      await expect(createHost({ memoryMB: 8192, maxVmMemoryMB: 1001, engine })).rejects.toMatchObject({
        code: 'NotAligned',
        field: 'maxVmMemoryMB',
      });
    });

    it('demand is at most 2^30 MB', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
      host.addVm({ name: 'v', startupMB: 1024 });
      refused(host, () => host.setDemand('v', 2 ** 53), 'InvalidSetting');
      refused(host, () => host.setDemand('v', 2 ** 30 + 1), 'InvalidSetting');
      host.setDemand('v', 2 ** 30);
      expect(host.vm('v').demandMB).toBe(2 ** 30);
    });

    it('a host name of blanks is refused', async () => {
      await expect(createHost({ memoryMB: 8192, name: ' ', engine })).rejects.toMatchObject({
        code: 'InvalidSetting',
        field: 'name',
      });
      await expect(createCluster({ hosts: [{ name: ' ', memoryMB: 8192 }], engine })).rejects.toMatchObject({
        code: 'InvalidSetting',
      });
    });

    it('a million-character name is cut in the message and kept whole in the error', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
      const name = 'x'.repeat(1_000_000);
      const e = refused(host, () => host.start(name), 'UnknownVm');
      expect(e.message.length).toBeLessThan(200);
      expect(e.message).toContain('…');
      expect(e.vm).toBe(name);
      host.addVm({ name, startupMB: 1024 });
      const bad = refused(host, () => host.setMemory(name, { weight: -1 }), 'InvalidSetting');
      expect(bad.message.length).toBeLessThan(300);
      expect(bad.vm).toBe(name);
    });
  });

  it('spare MB after rounding go in the order the VMs were added, also after a removal', async () => {
    // 4,098 MB among four equal VMs that all want more: 1,024 each and 2 MB over, to the first two added.
    const host = await createHost({ memoryMB: 4098, reserveMB: 0, bootSeconds: 0, engine });
    for (const name of ['a', 'b', 'c', 'd']) host.addVm({ name, startupMB: 512, minimumMB: 32, maximumMB: 4096 });
    host.removeVm('b');
    host.addVm({ name: 'e', startupMB: 512, minimumMB: 32, maximumMB: 4096 });
    for (const name of ['a', 'c', 'd', 'e']) {
      host.start(name);
      host.setDemand(name, 3000);
    }
    host.advance(60);
    expect(host.vms().map((v) => [v.name, v.assignedMB])).toEqual([
      ['a', 1025],
      ['c', 1025],
      ['d', 1024],
      ['e', 1024],
    ]);
  });
});

describe('the wasm option', () => {
  it.each([
    ['a string', 'core.wasm'],
    ['bytes that are no Wasm module', new Uint8Array([1, 2, 3])],
    ['a Wasm module that is not the core', new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])],
    ['a URL of a missing file', new URL('file:///nonexistent/dynmem-core.wasm')],
  ])('%s is refused as a setting', async (_what, wasm) => {
    await expect(createHost({ memoryMB: 8192, wasm: wasm as never })).rejects.toMatchObject({
      name: 'DynamicMemoryError',
      code: 'InvalidSetting',
      field: 'wasm',
    });
  });
});
