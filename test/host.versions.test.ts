// README "How dynmem models Hyper-V", versions: the largest VM per version and generation, running static VMs
// resized on 2016 and later (refused on 2012 R2), static VMs keeping a minimum above startup, and guests without
// hot-add. Hand-computed with the defaults: balloonRateMBps 128, 1 s ticks, bootSeconds 30, ideal = demand × 1.2.
import { createHost, HYPERV_VERSIONS } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

const TB = 1_048_576;

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  const host = (version: string, extra: Record<string, unknown> = {}) =>
    createHost({ memoryMB: 16384, reserveMB: 0, engine, version: version as never, ...extra });

  describe('largest VM memory by version and generation', () => {
    it.each([
      ['2012R2', TB, TB],
      ['2016', TB, 12 * TB],
      ['2019', TB, 12 * TB],
      ['2022', TB, 240 * TB],
      ['2025', TB, 240 * TB],
    ])('%s: Generation 1 up to %i MB, Generation 2 up to %i MB', async (version, gen1, gen2) => {
      const h = await host(version);
      expect(h.version).toBe(version);
      expect(h.maxVmMemoryMB).toBe(gen2);
      expect(h.addVm({ name: 'g2', maximumMB: gen2 }).settings.maximumMB).toBe(gen2);
      expect(h.addVm({ name: 'g1', generation: 1, maximumMB: gen1 }).settings.maximumMB).toBe(gen1);
      const e = refused(h, () => h.addVm({ name: 'big2', maximumMB: gen2 + 2 }), 'InvalidSetting');
      expect(e.field).toBe('maximumMB');
      expect(e.message).toContain(`largest memory for a Generation 2 VM, ${gen2} MB`);
      expect(
        refused(h, () => h.addVm({ name: 'big1', generation: 1, maximumMB: gen1 + 2 }), 'InvalidSetting').field,
      ).toBe('maximumMB');
      // a new VM's maximum still defaults to 1 TB, as Hyper-V's does
      expect(h.addVm({ name: 'd' }).settings.maximumMB).toBe(TB);
    });

    it('the newest version is the default; unknown versions and limits above the version are refused', async () => {
      expect(HYPERV_VERSIONS).toEqual(['2012R2', '2016', '2019', '2022', '2025']);
      expect((await createHost({ memoryMB: 4096, engine })).version).toBe('2025');
      await expect(host('2008R2')).rejects.toMatchObject({ code: 'InvalidSetting', field: 'version' });
      await expect(host('2012R2', { maxVmMemoryMB: 2 * TB })).rejects.toMatchObject({
        code: 'InvalidSetting',
        field: 'maxVmMemoryMB',
      });
      // maxVmMemoryMB caps both generations below the version's limit
      const capped = await host('2016', { maxVmMemoryMB: 65536 });
      expect(refused(capped, () => capped.addVm({ name: 'x', startupMB: 65538 }), 'InvalidSetting').field).toBe(
        'startupMB',
      );
    });

    it('generation must be 1 or 2 and changes only while off', async () => {
      const h = await host('2025');
      expect(refused(h, () => h.addVm({ name: 'x', generation: 3 as never }), 'InvalidSetting').field).toBe(
        'generation',
      );
      h.addVm({ name: 'v', startupMB: 1024 });
      h.start('v');
      expect(refused(h, () => h.setMemory('v', { generation: 1 }), 'InvalidState').field).toBe('generation');
    });
  });

  describe('running static VMs resized (2016 and later)', () => {
    /** db 4096 MB and fill 8192 MB, both static and running on 16384 MB: 4096 MB free. */
    async function statics(version: string, db: Record<string, unknown> = {}) {
      const h = await host(version);
      h.addVm({ name: 'db', startupMB: 4096, dynamicMemory: false, ...db });
      h.addVm({ name: 'fill', startupMB: 8192, dynamicMemory: false });
      h.start('db');
      h.start('fill');
      h.advance(60);
      expect(h.counters().availableMemoryMB).toBe(4096);
      return h;
    }

    it('grows into free memory, at once, and no further', async () => {
      const h = await statics('2016');
      const e = refused(h, () => h.setMemory('db', { startupMB: 8194 }), 'OutOfMemory');
      expect(e.message).toMatch(/resize the virtual machine db to 8194 megabytes: 4098 MB more are needed and 4096 MB/);
      expect(e.hresult).toBe(0x8007000e);
      const s = h.setMemory('db', { startupMB: 8192 });
      expect(s.assignedMB).toBe(8192);
      expect(s.settings.startupMB).toBe(8192);
      expect(s.addedMemoryMB).toBe(4096);
      expect(s.memoryAddOperations).toBe(1);
      expect(s.guestVisibleMB).toBe(8192);
      expect(s.memoryStatus).toBe('');
      expect(h.counters().availableMemoryMB).toBe(0);
      expect(h.counters().addedMemoryMB).toBe(4096);
      h.advance(30);
      expect(h.vm('db').assignedMB).toBe(8192);
    });

    it('shrinks, but not below what the guest uses', async () => {
      const h = await statics('2019');
      h.setDemand('db', 3000);
      const e = refused(h, () => h.setMemory('db', { startupMB: 2998 }), 'InvalidSetting');
      expect(e.field).toBe('startupMB');
      expect(e.message).toMatch(/below what the guest uses \(3000 MB\)/);
      const s = h.setMemory('db', { startupMB: 3000 });
      expect(s.assignedMB).toBe(3000);
      expect(s.removedMemoryMB).toBe(1096);
      expect(h.counters().availableMemoryMB).toBe(4096 + 1096);
    });

    it('is refused on 2012 R2, on Generation 1 and for a guest without runtime resize', async () => {
      const old = await statics('2012R2');
      expect(refused(old, () => old.setMemory('db', { startupMB: 6144 }), 'InvalidState').message).toMatch(
        /Windows Server 2012R2 cannot resize a running VM without Dynamic Memory \(2016 and later can\)/,
      );
      const gen1 = await statics('2022', { generation: 1 });
      expect(refused(gen1, () => gen1.setMemory('db', { startupMB: 6144 }), 'InvalidState').message).toMatch(
        /only a Generation 2 VM/,
      );
      const guest = await statics('2025', { guestSupportsRuntimeResize: false });
      expect(refused(guest, () => guest.setMemory('db', { startupMB: 6144 }), 'InvalidState').message).toMatch(
        /guest does not support runtime memory resize/,
      );
      // the guest field itself may change at any time; then the resize goes through
      guest.setMemory('db', { guestSupportsRuntimeResize: true });
      expect(guest.setMemory('db', { startupMB: 6144 }).assignedMB).toBe(6144);
    });

    it('a booting static VM is not resized', async () => {
      const h = await host('2025');
      h.addVm({ name: 'db', startupMB: 4096, dynamicMemory: false });
      h.start('db');
      expect(refused(h, () => h.setMemory('db', { startupMB: 6144 }), 'InvalidState').field).toBe('startupMB');
    });
  });

  it('a static VM may keep a minimum above its startup RAM; Dynamic Memory on needs minimum ≤ startup', async () => {
    const h = await host('2025');
    const s = h.addVm({ name: 'tiny', startupMB: 256, minimumMB: 512, dynamicMemory: false });
    expect(s.settings.minimumMB).toBe(512);
    h.start('tiny');
    h.advance(60);
    expect(h.vm('tiny').assignedMB).toBe(256);
    h.stop('tiny');
    expect(refused(h, () => h.setMemory('tiny', { dynamicMemory: true }), 'InvalidSetting').field).toBe('minimumMB');
    expect(h.setMemory('tiny', { dynamicMemory: true, minimumMB: 256 }).settings.dynamicMemory).toBe(true);
    expect(refused(h, () => h.addVm({ name: 'dm', startupMB: 256, minimumMB: 512 }), 'InvalidSetting').field).toBe(
      'minimumMB',
    );
  });

  describe('guests without hot-add', () => {
    it('balloon down and take memory back, never above startup RAM', async () => {
      const h = await host('2025');
      h.addVm({ name: 'old', startupMB: 2048, minimumMB: 512, maximumMB: 8192, guestSupportsHotAdd: false });
      h.setDemand('old', 3000); // ideal 3600, capped at startup 2048
      h.start('old');
      h.advance(60);
      expect(h.vm('old').assignedMB).toBe(2048);
      h.setDemand('old', 500); // ideal 600: 1448 MB to balloon out at 128 MB/s, 12 ticks
      h.advance(11);
      expect(h.vm('old').assignedMB).toBe(2048 - 11 * 128);
      h.advance(1);
      expect(h.vm('old').assignedMB).toBe(600);
      h.setDemand('old', 3000);
      h.advance(5);
      expect(h.vm('old').assignedMB).toBe(2048);
      expect(h.vm('old').pressure).toBeCloseTo((100 * 3000) / 2048, 9);
      // a guest that learns hot-add grows to its target; losing it again trims to startup at once
      h.setMemory('old', { guestSupportsHotAdd: true });
      h.advance(1);
      expect(h.vm('old').assignedMB).toBe(3600);
      const s = h.setMemory('old', { guestSupportsHotAdd: false });
      expect(s.assignedMB).toBe(2048);
      expect(s.removedMemoryMB).toBe(1448 + 1552);
    });
  });
});
