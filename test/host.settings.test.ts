// README "API contract", the settings table: defaults, every rule of the settings table, the error's code/vm/field,
// and "changes nothing" on every refusal. Both engines.

import { createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

const MEMORY_FIELDS = ['startupMB', 'minimumMB', 'maximumMB'] as const;

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  const newHost = (extra: Record<string, unknown> = {}) => createHost({ memoryMB: 16384, engine, ...extra });

  describe('defaults', () => {
    it('a VM with only a name gets every documented default', async () => {
      const host = await newHost();
      const snap = host.addVm({ name: 'a' });
      expect(snap.name).toBe('a');
      expect(snap.state).toBe('Off');
      expect(snap.assignedMB).toBe(0);
      expect(snap.smartPagingMB).toBe(0);
      expect(snap.settings).toEqual({
        startupMB: 512,
        dynamicMemory: true,
        minimumMB: 512,
        maximumMB: 1_048_576,
        bufferPercent: 20,
        weight: 5000,
        guestOsMaxMB: null,
        guestSupportsDynamicMemory: true,
        guestSupportsHotAdd: true,
        guestSupportsRuntimeResize: true,
        generation: 2,
        clusterPriority: 2000,
        balloonDriverRateMBps: null,
        balloonDriverLimitMB: 0,
      });
      expect(host.vm('a').settings).toEqual(snap.settings);
    });

    it('minimumMB defaults to min(512, startupMB)', async () => {
      const host = await newHost();
      expect(host.addVm({ name: 'small', startupMB: 256 }).settings.minimumMB).toBe(256);
      expect(host.addVm({ name: 'big', startupMB: 4096 }).settings.minimumMB).toBe(512);
      expect(host.addVm({ name: 'exact', startupMB: 512 }).settings.minimumMB).toBe(512);
    });

    it('given settings are kept exactly', async () => {
      const host = await newHost();
      const s = host.addVm({
        name: 'vdi-1',
        startupMB: 2048,
        minimumMB: 512,
        maximumMB: 8192,
        bufferPercent: 35,
        weight: 7000,
        guestOsMaxMB: 4096,
        guestSupportsDynamicMemory: false,
        balloonDriverRateMBps: 16,
        balloonDriverLimitMB: 1024,
      }).settings;
      expect(s).toEqual({
        startupMB: 2048,
        dynamicMemory: true,
        minimumMB: 512,
        maximumMB: 8192,
        bufferPercent: 35,
        weight: 7000,
        guestOsMaxMB: 4096,
        guestSupportsDynamicMemory: false,
        guestSupportsHotAdd: true,
        guestSupportsRuntimeResize: true,
        generation: 2,
        clusterPriority: 2000,
        balloonDriverRateMBps: 16,
        balloonDriverLimitMB: 1024,
      });
    });

    it('the edges of every range are accepted', async () => {
      const host = await newHost();
      expect(
        host.addVm({
          name: 'lo',
          startupMB: 32,
          minimumMB: 32,
          maximumMB: 32,
          bufferPercent: 5,
          weight: 0,
          guestOsMaxMB: 32,
        }).settings,
      ).toMatchObject({ startupMB: 32, minimumMB: 32, maximumMB: 32, bufferPercent: 5, weight: 0, guestOsMaxMB: 32 });
      expect(
        host.addVm({
          name: 'hi',
          startupMB: 1_048_576,
          minimumMB: 1_048_576,
          maximumMB: 1_048_576,
          bufferPercent: 2000,
          weight: 10000,
        }).settings,
      ).toMatchObject({
        startupMB: 1_048_576,
        minimumMB: 1_048_576,
        maximumMB: 1_048_576,
        bufferPercent: 2000,
        weight: 10000,
      });
      expect(host.vms().map((v) => v.name)).toEqual(['lo', 'hi']);
    });

    it('a static VM (dynamicMemory false) is accepted', async () => {
      const host = await newHost();
      const s = host.addVm({ name: 's', startupMB: 2048, dynamicMemory: false }).settings;
      expect(s.dynamicMemory).toBe(false);
      expect(s.startupMB).toBe(2048);
    });
  });

  describe('addVm refuses bad input, names VM and field, and changes nothing', () => {
    const cases: [string, string, unknown, string][] = [];
    for (const f of MEMORY_FIELDS) {
      cases.push(
        [f, 'NaN', NaN, 'InvalidSetting'],
        [f, 'Infinity', Infinity, 'InvalidSetting'],
        [f, '-Infinity', -Infinity, 'InvalidSetting'],
        [f, 'negative', -1024, 'InvalidSetting'],
        [f, 'fractional', 1024.5, 'InvalidSetting'],
        [f, 'a string', '1024', 'InvalidSetting'],
        [f, 'null', null, 'InvalidSetting'],
        [f, 'below 32', 30, 'InvalidSetting'],
        [f, 'zero', 0, 'InvalidSetting'],
        [f, 'above 240 TB (the largest Generation 2 VM on 2025)', 251_658_242, 'InvalidSetting'],
      );
    }
    cases.push(
      ['bufferPercent', 'below 5', 4, 'InvalidSetting'],
      ['bufferPercent', 'above 2000', 2001, 'InvalidSetting'],
      ['bufferPercent', 'NaN', NaN, 'InvalidSetting'],
      ['bufferPercent', 'Infinity', Infinity, 'InvalidSetting'],
      ['bufferPercent', 'negative', -20, 'InvalidSetting'],
      ['bufferPercent', 'fractional', 20.5, 'InvalidSetting'],
      ['bufferPercent', 'a string', '20', 'InvalidSetting'],
      ['weight', 'negative', -1, 'InvalidSetting'],
      ['weight', 'above 10000', 10001, 'InvalidSetting'],
      ['weight', 'NaN', NaN, 'InvalidSetting'],
      ['weight', '-Infinity', -Infinity, 'InvalidSetting'],
      ['weight', 'fractional', 2500.5, 'InvalidSetting'],
      ['weight', 'a boolean', true, 'InvalidSetting'],
      ['guestOsMaxMB', 'below 32', 16, 'InvalidSetting'],
      ['guestOsMaxMB', 'NaN', NaN, 'InvalidSetting'],
      ['guestOsMaxMB', 'Infinity', Infinity, 'InvalidSetting'],
      ['guestOsMaxMB', 'negative', -4096, 'InvalidSetting'],
      ['guestOsMaxMB', 'fractional', 4096.5, 'InvalidSetting'],
      ['dynamicMemory', 'a number', 1, 'InvalidSetting'],
      ['dynamicMemory', 'a string', 'true', 'InvalidSetting'],
      ['guestSupportsDynamicMemory', 'a number', 0, 'InvalidSetting'],
      ['guestSupportsDynamicMemory', 'null', null, 'InvalidSetting'],
    );

    it.each(cases)('%s %s', async (field, _what, value, code) => {
      const host = await newHost();
      host.addVm({ name: 'existing', startupMB: 1024 });
      host.start('existing');
      host.advance(5);
      // a context where the rest of the settings are valid, so only `field` is at fault
      const base: Record<string, unknown> = { name: 'bad', startupMB: 1024, minimumMB: 512, maximumMB: 4096 };
      if (field === 'startupMB') {
        delete base.minimumMB;
        base.maximumMB = 1_048_576;
      }
      if (field === 'minimumMB') delete base.minimumMB;
      if (field === 'maximumMB') {
        base.startupMB = 32;
        base.minimumMB = 32;
      }
      const e = refused(host, () => host.addVm({ ...base, [field]: value } as never), code);
      expect(e.vm).toBe('bad');
      expect(e.field).toBe(field);
      expect(() => host.vm('bad')).toThrow(DynamicMemoryError);
    });

    it.each(MEMORY_FIELDS)(
      'odd MB in %s is NotAligned with "Memory values must be properly aligned"',
      async (field) => {
        const host = await newHost();
        const base: Record<string, unknown> = { name: 'odd', startupMB: 1024, minimumMB: 512, maximumMB: 4096 };
        const e = refused(
          host,
          () =>
            host.addVm({
              ...base,
              [field]: field === 'startupMB' ? 1023 : field === 'minimumMB' ? 511 : 4095,
            } as never),
          'NotAligned',
        );
        expect(e.message).toContain('Memory values must be properly aligned');
        expect(e.vm).toBe('odd');
        expect(e.field).toBe(field);
        expect(host.vms()).toEqual([]);
      },
    );

    it('minimumMB above startupMB is refused', async () => {
      const host = await newHost();
      const e = refused(host, () => host.addVm({ name: 'm', startupMB: 1024, minimumMB: 1026 }), 'InvalidSetting');
      expect(e.vm).toBe('m');
      expect(['minimumMB', 'startupMB']).toContain(e.field);
    });

    it('startupMB above maximumMB is refused', async () => {
      const host = await newHost();
      const e = refused(host, () => host.addVm({ name: 'm', startupMB: 4098, maximumMB: 4096 }), 'InvalidSetting');
      expect(e.vm).toBe('m');
      expect(['maximumMB', 'startupMB']).toContain(e.field);
    });

    it('an unknown field is refused and named', async () => {
      const host = await newHost();
      const e = refused(
        host,
        () => host.addVm({ name: 'u', startupMB: 1024, memoryMB: 2048 } as never),
        'InvalidSetting',
      );
      expect(e.vm).toBe('u');
      expect(e.field).toBe('memoryMB');
      const e2 = refused(host, () => host.addVm({ name: 'u', priority: 50 } as never), 'InvalidSetting');
      expect(e2.field).toBe('priority');
    });

    it('a duplicate name is DuplicateVm and the first VM is untouched', async () => {
      const host = await newHost();
      host.addVm({ name: 'dup', startupMB: 1024, weight: 100 });
      host.start('dup');
      host.advance(2);
      const e = refused(host, () => host.addVm({ name: 'dup', startupMB: 2048 }), 'DuplicateVm');
      expect(e.vm).toBe('dup');
      expect(host.vm('dup').settings.startupMB).toBe(1024);
      expect(host.vm('dup').settings.weight).toBe(100);
      expect(host.vm('dup').state).toBe('Starting');
    });

    it('a missing or empty name is refused', async () => {
      const host = await newHost();
      refused(host, () => host.addVm({ startupMB: 1024 } as never), 'InvalidSetting');
      refused(host, () => host.addVm({ name: '' }), 'InvalidSetting');
      refused(host, () => host.addVm({ name: 42 } as never), 'InvalidSetting');
      expect(host.vms()).toEqual([]);
    });

    it('a maximum above the host maxVmMemoryMB is refused', async () => {
      const host = await newHost({ maxVmMemoryMB: 65536 });
      const e = refused(host, () => host.addVm({ name: 'x', maximumMB: 65538 }), 'InvalidSetting');
      expect(e.vm).toBe('x');
      expect(e.field).toBe('maximumMB');
      expect(host.addVm({ name: 'x', maximumMB: 65536 }).settings.maximumMB).toBe(65536);
    });
  });

  describe('unknown VMs', () => {
    it('every call on an unknown VM is UnknownVm naming it, and changes nothing', async () => {
      const host = await newHost();
      host.addVm({ name: 'known', startupMB: 1024 });
      host.start('known');
      host.advance(40);
      const calls: [string, () => unknown][] = [
        ['vm', () => host.vm('ghost')],
        ['start', () => host.start('ghost')],
        ['restart', () => host.restart('ghost')],
        ['stop', () => host.stop('ghost')],
        ['removeVm', () => host.removeVm('ghost')],
        ['setDemand', () => host.setDemand('ghost', 100)],
        ['setMemory', () => host.setMemory('ghost', { weight: 100 })],
      ];
      for (const [what, call] of calls) {
        const e = refused(host, call, 'UnknownVm');
        expect(e.vm, what).toBe('ghost');
      }
    });
  });

  describe('setMemory on an off VM validates like addVm', () => {
    const bad: [string, unknown, string][] = [
      ['startupMB', NaN, 'InvalidSetting'],
      ['startupMB', 1025, 'NotAligned'],
      ['minimumMB', 511, 'NotAligned'],
      ['maximumMB', 8191, 'NotAligned'],
      ['maximumMB', Infinity, 'InvalidSetting'],
      ['minimumMB', -512, 'InvalidSetting'],
      ['minimumMB', 16, 'InvalidSetting'],
      ['maximumMB', 251_658_242, 'InvalidSetting'],
      ['bufferPercent', 2001, 'InvalidSetting'],
      ['bufferPercent', 1, 'InvalidSetting'],
      ['weight', 10001, 'InvalidSetting'],
      ['weight', 0.5, 'InvalidSetting'],
      ['guestOsMaxMB', 30, 'InvalidSetting'],
      ['guestOsMaxMB', 1001, 'NotAligned'],
      ['dynamicMemory', 'no', 'InvalidSetting'],
      ['bogus', 1, 'InvalidSetting'],
    ];
    it.each(bad)('%s = %s', async (field, value, code) => {
      const host = await newHost();
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      const e = refused(host, () => host.setMemory('v', { [field]: value } as never), code);
      expect(e.vm).toBe('v');
      expect(e.field).toBe(field);
      if (code === 'NotAligned') expect(e.message).toContain('Memory values must be properly aligned');
    });

    it('relations are checked on the result: minimum above startup, startup above maximum', async () => {
      const host = await newHost();
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      refused(host, () => host.setMemory('v', { minimumMB: 2048 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { startupMB: 16384 }), 'InvalidSetting');
      refused(host, () => host.setMemory('v', { maximumMB: 1000 }), 'InvalidSetting');
    });

    it('an off VM takes any valid change, several fields at once', async () => {
      const host = await newHost();
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      const s = host.setMemory('v', {
        startupMB: 4096,
        minimumMB: 2048,
        maximumMB: 4096,
        bufferPercent: 50,
        weight: 9000,
      }).settings;
      expect(s).toMatchObject({
        startupMB: 4096,
        minimumMB: 2048,
        maximumMB: 4096,
        bufferPercent: 50,
        weight: 9000,
        dynamicMemory: true,
      });
      expect(host.vm('v').settings).toEqual(s);
      const t = host.setMemory('v', { dynamicMemory: false, startupMB: 2048 }).settings;
      expect(t).toMatchObject({ startupMB: 2048, dynamicMemory: false, weight: 9000 });
      expect(host.vm('v').settings).toEqual(t);
    });

    it('a multi-field change with one bad field changes nothing', async () => {
      const host = await newHost();
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      const e = refused(
        host,
        () => host.setMemory('v', { startupMB: 2048, weight: 7000, bufferPercent: 3 }),
        'InvalidSetting',
      );
      expect(e.field).toBe('bufferPercent');
      expect(host.vm('v').settings).toMatchObject({ startupMB: 1024, weight: 5000, bufferPercent: 20 });
    });
  });

  describe('setDemand', () => {
    it('takes whole MB ≥ 0 and refuses anything else', async () => {
      const host = await newHost();
      host.addVm({ name: 'v', startupMB: 1024 });
      host.start('v');
      host.setDemand('v', 700);
      host.advance(1);
      expect(host.vm('v').demandMB).toBe(700);
      for (const bad of [-1, 1.5, NaN, Infinity, '100', null]) {
        const e = refused(host, () => host.setDemand('v', bad as never), 'InvalidSetting');
        expect(e.vm).toBe('v');
        expect(e.field).toBe('demandMB');
      }
      expect(host.vm('v').demandMB).toBe(700);
    });
  });
});
