// Every refusal of the public API: a DynamicMemoryError with a stable code, the VM and field where they apply,
// a message a person can act on, and a host that is exactly as before (vms(), counters(), time).

import { createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';

type AnyHost = Awaited<ReturnType<typeof createHost>>;

function state(host: AnyHost) {
  return { vms: host.vms(), counters: host.counters(), time: host.timeSeconds, reserve: host.reserveMB };
}

function refused(host: AnyHost, fn: () => unknown, code: string): DynamicMemoryError {
  const before = state(host);
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DynamicMemoryError);
  expect(err).toBeInstanceOf(Error);
  const e = err as DynamicMemoryError;
  expect(e.name).toBe('DynamicMemoryError');
  expect(e.code).toBe(code);
  expect(e.message.length).toBeGreaterThan(15);
  expect(state(host)).toEqual(before);
  return e;
}

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /** off: 'off'; booting: 'boot'; running: 'run' (at 1200 MB), static running: 'st'. */
  async function scene() {
    const host = await createHost({ memoryMB: 8192, reserveMB: 0, engine });
    host.addVm({ name: 'off', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
    host.addVm({ name: 'run', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
    host.addVm({ name: 'st', startupMB: 1024, dynamicMemory: false });
    host.setDemand('run', 1000);
    host.start('run');
    host.start('st');
    host.advance(60);
    host.addVm({ name: 'boot', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
    host.start('boot');
    host.advance(5);
    expect(host.vms().map((v) => [v.name, v.state, v.assignedMB])).toEqual([
      ['off', 'Off', 0],
      ['run', 'Running', 1200],
      ['st', 'Running', 1024],
      ['boot', 'Starting', 1024],
    ]);
    return host;
  }

  describe('lifecycle calls in the wrong state are InvalidState', () => {
    it('start of a running or booting VM', async () => {
      const host = await scene();
      expect(refused(host, () => host.start('run'), 'InvalidState').vm).toBe('run');
      expect(refused(host, () => host.start('boot'), 'InvalidState').vm).toBe('boot');
      expect(refused(host, () => host.start('st'), 'InvalidState').vm).toBe('st');
    });

    it('stop or restart of an off VM', async () => {
      const host = await scene();
      expect(refused(host, () => host.stop('off'), 'InvalidState').vm).toBe('off');
      expect(refused(host, () => host.restart('off'), 'InvalidState').vm).toBe('off');
    });

    it('removeVm of a running, booting or static running VM', async () => {
      const host = await scene();
      for (const name of ['run', 'boot', 'st'])
        expect(refused(host, () => host.removeVm(name), 'InvalidState').vm).toBe(name);
    });

    it('runtime setting changes outside the rules', async () => {
      const host = await scene();
      const cases: [string, Record<string, unknown>, string][] = [
        ['run', { maximumMB: 2048 }, 'maximumMB'],
        ['run', { minimumMB: 1024 }, 'minimumMB'],
        ['run', { startupMB: 1024 }, 'startupMB'],
        ['run', { dynamicMemory: false }, 'dynamicMemory'],
        ['run', { weight: 1, bufferPercent: 30, maximumMB: 2048 }, 'maximumMB'],
        ['boot', { maximumMB: 2048 }, 'maximumMB'],
        ['boot', { startupMB: 2048 }, 'startupMB'],
        ['st', { dynamicMemory: true }, 'dynamicMemory'],
      ];
      for (const [vm, change, field] of cases) {
        const e = refused(host, () => host.setMemory(vm, change), 'InvalidState');
        expect(e.vm, JSON.stringify(change)).toBe(vm);
        expect(e.field, JSON.stringify(change)).toBe(field);
      }
    });
  });

  describe('OutOfMemory', () => {
    it('has the code, hresult, VM and exact message, and changes nothing', async () => {
      const host = await scene(); // 8192 − 1200 − 1024 − 1024 = 4944 free; 688 reclaimable from 'run'
      host.addVm({ name: 'huge', startupMB: 5634, minimumMB: 512 });
      const e = refused(host, () => host.start('huge'), 'OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      expect(e.vm).toBe('huge');
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine huge with ram size 5634 megabytes.',
      );
      // the largest that fits: all free memory plus 'run' down to its minimum
      host.setMemory('huge', { startupMB: 5632 });
      host.start('huge');
      // 4,944 at once, then 688 ballooned out of 'run' at 128 MB a tick (5 × 128 + 48): six ticks
      expect(host.vm('huge').gatheringMB).toBe(688);
      host.advance(6);
      expect(host.vm('huge').gatheringMB).toBe(0);
      expect(host.vm('run').assignedMB).toBe(512);
      expect(host.counters().availableMemoryMB).toBe(0);
    });

    it('a guest losing Dynamic Memory support is either given its startup RAM or refused with nothing changed', async () => {
      const host = await createHost({ memoryMB: 4096, reserveMB: 0, engine });
      host.addVm({ name: 'g', startupMB: 2048, minimumMB: 512 });
      host.start('g');
      host.advance(60);
      host.addVm({ name: 's', startupMB: 3584, dynamicMemory: false });
      host.start('s');
      const before = state(host);
      let err: unknown;
      try {
        host.setMemory('g', { guestSupportsDynamicMemory: false });
      } catch (e) {
        err = e;
      }
      if (err !== undefined) {
        expect(err).toBeInstanceOf(DynamicMemoryError);
        expect(state(host)).toEqual(before);
      } else {
        // accepted: Σ assigned + reserve ≤ memory must still hold
        host.advance(1);
        expect(host.counters().assignedMB).toBeLessThanOrEqual(4096);
      }
    });
  });

  describe('bad arguments', () => {
    it('setDemand refuses non-whole or negative MB', async () => {
      const host = await scene();
      for (const bad of [-1, 0.5, NaN, Infinity, -Infinity, '5', undefined]) {
        const e = refused(host, () => host.setDemand('run', bad as never), 'InvalidSetting');
        expect(e.vm).toBe('run');
        expect(e.field).toBe('demandMB');
      }
    });

    it('advance refuses negative, non-finite or fractional-tick durations', async () => {
      const host = await scene();
      for (const bad of [-1, NaN, Infinity, 0.5, '10']) {
        const before = state(host);
        let err: unknown;
        try {
          host.advance(bad as never);
        } catch (e) {
          err = e;
        }
        expect(err, String(bad)).toBeInstanceOf(DynamicMemoryError);
        expect(state(host)).toEqual(before);
      }
      host.advance(0);
      expect(host.timeSeconds).toBe(65);
    });

    it('addVm with bad settings, a duplicate or a non-object', async () => {
      const host = await scene();
      expect(refused(host, () => host.addVm({ name: 'run' }), 'DuplicateVm').vm).toBe('run');
      expect(refused(host, () => host.addVm({ name: 'x', startupMB: 1001 }), 'NotAligned').field).toBe('startupMB');
      expect(refused(host, () => host.addVm({ name: 'x', weight: 10001 }), 'InvalidSetting').field).toBe('weight');
      expect(refused(host, () => host.addVm({ name: 'x', extra: 1 } as never), 'InvalidSetting').field).toBe('extra');
      refused(host, () => host.addVm(null as never), 'InvalidSetting');
      refused(host, () => host.addVm('vm' as never), 'InvalidSetting');
    });

    it('setMemory with a non-object change or unknown field', async () => {
      const host = await scene();
      refused(host, () => host.setMemory('off', null as never), 'InvalidSetting');
      refused(host, () => host.setMemory('off', 5 as never), 'InvalidSetting');
      expect(refused(host, () => host.setMemory('off', { name: 'renamed' } as never), 'InvalidSetting').field).toBe(
        'name',
      );
      expect(refused(host, () => host.setMemory('off', { startupMb: 2048 } as never), 'InvalidSetting').field).toBe(
        'startupMb',
      );
    });

    it('calls naming an unknown VM are UnknownVm', async () => {
      const host = await scene();
      for (const call of [
        () => host.vm('nope'),
        () => host.start('nope'),
        () => host.stop('nope'),
        () => host.restart('nope'),
        () => host.removeVm('nope'),
        () => host.setDemand('nope', 1),
        () => host.setMemory('nope', { weight: 1 }),
      ]) {
        expect(refused(host, call, 'UnknownVm').vm).toBe('nope');
      }
      // names are case-sensitive and exact
      refused(host, () => host.start('RUN'), 'UnknownVm');
      refused(host, () => host.start(' run'), 'UnknownVm');
    });

    it('a removed VM is unknown afterwards', async () => {
      const host = await scene();
      host.removeVm('off');
      expect(refused(host, () => host.start('off'), 'UnknownVm').vm).toBe('off');
      expect(refused(host, () => host.removeVm('off'), 'UnknownVm').vm).toBe('off');
    });
  });

  it('after many refusals the host still balances exactly as an untouched one', async () => {
    const a = await scene();
    const b = await scene();
    for (const call of [
      () => a.start('run'),
      () => a.stop('off'),
      () => a.setMemory('run', { maximumMB: 2048 }),
      () => a.setDemand('run', -5),
      () => a.addVm({ name: 'run' }),
      () => a.advance(-1),
      () => a.removeVm('boot'),
      () => a.setMemory('run', { weight: 100, minimumMB: 2048 }),
    ]) {
      try {
        call();
      } catch {
        /* expected */
      }
    }
    for (const h of [a, b]) {
      h.setDemand('run', 2500);
      h.advance(120);
    }
    expect(a.vms()).toEqual(b.vms());
    expect(a.counters()).toEqual(b.counters());
  });
});
