// README "How dynmem models Hyper-V", runtime changes: while a Dynamic Memory VM is on, only raise maximumMB, lower
// minimumMB, change bufferPercent and weight (guest fields any time); startupMB and dynamicMemory need the VM off;
// anything else is refused (InvalidState), all or nothing, and the VM keeps its settings.

import { createHost } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

const SETTINGS = { startupMB: 2048, minimumMB: 1024, maximumMB: 8192, bufferPercent: 20, weight: 5000 };

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  async function runningVm(demand = 1000, settings: Record<string, unknown> = SETTINGS, version = '2025' as const) {
    const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine, version });
    host.addVm({ name: 'v', ...settings });
    host.setDemand('v', demand);
    host.start('v');
    host.advance(90);
    expect(host.vm('v').state).toBe('Running');
    return host;
  }

  describe('allowed while running', () => {
    it('raising maximumMB lets the VM grow at once', async () => {
      const host = await runningVm(10000);
      expect(host.vm('v').assignedMB).toBe(8192);
      const snap = host.setMemory('v', { maximumMB: 16384 });
      expect(snap.settings.maximumMB).toBe(16384);
      expect(host.vm('v').settings.maximumMB).toBe(16384);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(12000);
    });

    it('lowering minimumMB lets the balancer reclaim down to the new minimum', async () => {
      const host = await runningVm(0);
      expect(host.vm('v').assignedMB).toBe(1024);
      host.setMemory('v', { minimumMB: 512 });
      expect(host.vm('v').settings.minimumMB).toBe(512);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(896);
      host.advance(3);
      expect(host.vm('v').assignedMB).toBe(512);
    });

    it('bufferPercent changes the target', async () => {
      const host = await runningVm(1000);
      expect(host.vm('v').assignedMB).toBe(1200);
      host.setMemory('v', { bufferPercent: 50 });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(1500);
      host.setMemory('v', { bufferPercent: 5 });
      host.advance(30);
      expect(host.vm('v').assignedMB).toBe(1050);
      expect(host.vm('v').settings.bufferPercent).toBe(5);
    });

    it('weight changes the share under contention', async () => {
      const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('a', 2500);
      host.setDemand('b', 2500);
      host.start('a');
      host.start('b');
      host.advance(120);
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([2048, 2048]);
      host.setMemory('a', { weight: 10000 });
      host.advance(120);
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([2500, 1596]);
      host.setMemory('a', { weight: 0 });
      host.advance(120);
      // now a has weight 0: b's demand (need 1988) is met first from the 3072 MB tier, a gets the other 1084
      expect([host.vm('a').assignedMB, host.vm('b').assignedMB]).toEqual([1596, 2500]);
    });

    it('several allowed fields at once', async () => {
      const host = await runningVm(1000);
      const s = host.setMemory('v', { maximumMB: 10240, minimumMB: 768, bufferPercent: 40, weight: 9000 }).settings;
      expect(s).toEqual({
        ...SETTINGS,
        maximumMB: 10240,
        minimumMB: 768,
        bufferPercent: 40,
        weight: 9000,
        dynamicMemory: true,
        guestOsMaxMB: null,
        guestSupportsDynamicMemory: true,
        guestSupportsHotAdd: true,
        guestSupportsRuntimeResize: true,
        generation: 2,
        clusterPriority: 2000,
        balloonDriverRateMBps: null,
        balloonDriverLimitMB: 0,
      });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(1400);
    });

    it('guestOsMaxMB and guestSupportsDynamicMemory may change at any time, even while booting', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', ...SETTINGS });
      host.start('v');
      expect(host.vm('v').state).toBe('Starting');
      expect(host.setMemory('v', { guestOsMaxMB: 4096 }).settings.guestOsMaxMB).toBe(4096);
      expect(host.setMemory('v', { guestSupportsDynamicMemory: false }).settings.guestSupportsDynamicMemory).toBe(
        false,
      );
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(2048);
      host.setMemory('v', { guestSupportsDynamicMemory: true, guestOsMaxMB: null });
      host.setDemand('v', 5000);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(6000);
    });

    it('setting a field to its current value is not a change', async () => {
      const host = await runningVm(1000);
      const s = host.setMemory('v', {
        startupMB: 2048,
        maximumMB: 8192,
        minimumMB: 1024,
        dynamicMemory: true,
      }).settings;
      expect(s).toMatchObject(SETTINGS);
    });
  });

  describe('refused while running (InvalidState), nothing changes', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['lowering maximumMB', { maximumMB: 4096 }, 'maximumMB'],
      ['raising minimumMB', { minimumMB: 1536 }, 'minimumMB'],
      ['changing startupMB up', { startupMB: 4096 }, 'startupMB'],
      ['changing startupMB down', { startupMB: 1024 }, 'startupMB'],
      ['turning Dynamic Memory off', { dynamicMemory: false }, 'dynamicMemory'],
    ];
    it.each(cases)('%s', async (_what, change, field) => {
      const host = await runningVm(3000);
      const e = refused(host, () => host.setMemory('v', change), 'InvalidState');
      expect(e.vm).toBe('v');
      expect(e.field).toBe(field);
      expect(host.vm('v').settings).toMatchObject(SETTINGS);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(3600);
    });

    it.each(cases)('%s while Starting', async (_what, change, field) => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', ...SETTINGS });
      host.start('v');
      host.advance(5);
      const e = refused(host, () => host.setMemory('v', change), 'InvalidState');
      expect(e.field).toBe(field);
    });

    it('multi-field changes are all or nothing', async () => {
      const host = await runningVm(1000);
      let e = refused(host, () => host.setMemory('v', { maximumMB: 16384, minimumMB: 1536 }), 'InvalidState');
      expect(e.field).toBe('minimumMB');
      e = refused(host, () => host.setMemory('v', { bufferPercent: 50, weight: 100, startupMB: 4096 }), 'InvalidState');
      expect(e.field).toBe('startupMB');
      refused(host, () => host.setMemory('v', { weight: 100, maximumMB: 4096 }), 'InvalidState');
      refused(host, () => host.setMemory('v', { weight: 100, bufferPercent: 2001 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { weight: 100, minimumMB: 511 }), 'NotAligned');
      refused(host, () => host.setMemory('v', { weight: 100, guestOsMaxMB: 8 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { guestOsMaxMB: 4096, dynamicMemory: false }), 'InvalidState');
      expect(host.vm('v').settings).toEqual({
        ...SETTINGS,
        dynamicMemory: true,
        guestOsMaxMB: null,
        guestSupportsDynamicMemory: true,
        guestSupportsHotAdd: true,
        guestSupportsRuntimeResize: true,
        generation: 2,
        clusterPriority: 2000,
        balloonDriverRateMBps: null,
        balloonDriverLimitMB: 0,
      });
      host.advance(10);
      expect(host.vm('v').assignedMB).toBe(1200);
    });

    it('values outside the table are still refused while running', async () => {
      const host = await runningVm(1000);
      refused(host, () => host.setMemory('v', { maximumMB: 251_658_242 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { minimumMB: 30 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { minimumMB: NaN }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { weight: -5 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { cpu: 2 } as never), 'InvalidSetting');
    });
  });

  describe('a VM without Dynamic Memory (static)', () => {
    const STATIC = { startupMB: 2048, dynamicMemory: false };

    it.each([
      ['minimumMB', 1024],
      ['maximumMB', 65536],
      ['bufferPercent', 50],
    ])('refuses %s changes while running', async (field, value) => {
      const host = await runningVm(0, STATIC);
      expect(host.vm('v').assignedMB).toBe(2048);
      const e = refused(host, () => host.setMemory('v', { [field]: value }), ['InvalidSetting', 'InvalidState']);
      expect(e.vm).toBe('v');
      expect(e.field).toBe(field);
    });

    it.each([
      ['minimumMB', 1024],
      ['maximumMB', 65536],
      ['bufferPercent', 50],
    ])('refuses %s changes while off too', async (field, value) => {
      const host = await createHost({ memoryMB: 16384, engine });
      host.addVm({ name: 'v', ...STATIC });
      const e = refused(host, () => host.setMemory('v', { [field]: value }), ['InvalidSetting', 'InvalidState']);
      expect(e.field).toBe(field);
    });

    it('refuses startupMB (on 2012 R2) and turning Dynamic Memory on while running', async () => {
      const host = await runningVm(0, STATIC, '2012R2' as never);
      expect(refused(host, () => host.setMemory('v', { startupMB: 4096 }), 'InvalidState').field).toBe('startupMB');
      expect(refused(host, () => host.setMemory('v', { dynamicMemory: true }), 'InvalidState').field).toBe(
        'dynamicMemory',
      );
    });

    it('off, it can get a new startup size or Dynamic Memory (with its settings) at once', async () => {
      const host = await createHost({ memoryMB: 16384, reserveMB: 0, engine });
      host.addVm({ name: 'v', ...STATIC });
      expect(host.setMemory('v', { startupMB: 3072 }).settings.startupMB).toBe(3072);
      const s = host.setMemory('v', {
        dynamicMemory: true,
        minimumMB: 1024,
        maximumMB: 4096,
        bufferPercent: 25,
      }).settings;
      expect(s).toMatchObject({
        dynamicMemory: true,
        startupMB: 3072,
        minimumMB: 1024,
        maximumMB: 4096,
        bufferPercent: 25,
      });
      host.setDemand('v', 2000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(2500);
    });
  });

  describe('after a stop every valid change is allowed again', () => {
    it('lower maximum, raise minimum, new startup, Dynamic Memory off', async () => {
      const host = await runningVm(1000);
      host.stop('v');
      const s = host.setMemory('v', { maximumMB: 4096, minimumMB: 2048, startupMB: 3072 }).settings;
      expect(s).toMatchObject({ maximumMB: 4096, minimumMB: 2048, startupMB: 3072 });
      expect(host.setMemory('v', { dynamicMemory: false }).settings.dynamicMemory).toBe(false);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(3072);
    });
  });
});
