// README "How dynmem models Hyper-V", host reserve, and the host options: the automatic reserve
// (384 MB + 64 MB per GB of host memory, rounded up), an override with reserveMB, +512 MB on a failover-cluster
// member with rootMemoryReserved, and maxVmMemoryMB capping every VM's memory settings.

import { autoReserveMB, CLUSTER_RESERVE_MB, createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';

async function rejected(p: Promise<unknown>): Promise<DynamicMemoryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DynamicMemoryError);
    return e as DynamicMemoryError;
  }
  throw new Error('expected createHost to be refused');
}

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  describe('automatic reserve', () => {
    it.each([
      [4096, 384 + 256],
      [8192, 384 + 512],
      [16384, 384 + 1024],
      [65536, 4480],
      [262144, 384 + 16384],
      [1000, 384 + 63], // 62.5 rounded up
      [1536, 384 + 96],
      [2000, 384 + 125],
      [2050, 384 + 129], // 128.125 rounded up
    ])('%i MB host reserves %i MB', async (memoryMB, reserve) => {
      const host = await createHost({ memoryMB, engine });
      expect(host.reserveMB).toBe(reserve);
      expect(host.counters().reserveMB).toBe(reserve);
      expect(host.counters().availableMemoryMB).toBe(memoryMB - reserve);
      expect(autoReserveMB(memoryMB, false)).toBe(reserve);
      const explicit = await createHost({ memoryMB, engine, reserveMB: 'auto' });
      expect(explicit.reserveMB).toBe(reserve);
    });

    it("a failover-cluster member reserves the cluster's 512 MB RootMemoryReserved only when asked (2008 R2)", async () => {
      expect(CLUSTER_RESERVE_MB).toBe(512);
      const member = await createHost({ memoryMB: 65536, failoverCluster: true, engine });
      expect(member.reserveMB).toBe(4480); // unsupported after 2008 R2: off by default
      const host = await createHost({ memoryMB: 65536, failoverCluster: true, rootMemoryReserved: true, engine });
      expect(host.reserveMB).toBe(4480 + 512);
      expect(autoReserveMB(65536, true)).toBe(4992);
      expect(autoReserveMB(65536)).toBe(4480);
      expect(host.counters().availableMemoryMB).toBe(65536 - 4992);
      const e = await rejected(createHost({ memoryMB: 65536, rootMemoryReserved: true, engine }));
      expect(e.field).toBe('rootMemoryReserved');
      expect(e.message).toMatch(/only to a failover-cluster member/);
    });

    it('a host too small for its own reserve is refused', async () => {
      const e = await rejected(createHost({ memoryMB: 384, engine }));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('reserveMB');
    });
  });

  describe('reserve override', () => {
    it('reserveMB replaces the automatic reserve', async () => {
      const host = await createHost({ memoryMB: 65536, reserveMB: 2048, engine });
      expect(host.reserveMB).toBe(2048);
      expect(host.counters().availableMemoryMB).toBe(65536 - 2048);
      const none = await createHost({ memoryMB: 65536, reserveMB: 0, engine });
      expect(none.reserveMB).toBe(0);
      expect(none.counters().availableMemoryMB).toBe(65536);
    });

    it.each([
      ['negative', -1],
      ['fractional', 1024.5],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a string', '1024'],
      ['all of the memory', 8192],
      ['more than the memory', 9000],
    ])('reserveMB %s is refused', async (_what, reserveMB) => {
      const e = await rejected(createHost({ memoryMB: 8192, reserveMB: reserveMB as never, engine }));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('reserveMB');
    });
  });

  describe('the reserve is never handed to VMs', () => {
    it('a start must fit in memory − reserve', async () => {
      const host = await createHost({ memoryMB: 4096, engine }); // reserve 640: 3456 for VMs
      host.addVm({ name: 'too-big', startupMB: 3458, minimumMB: 512 });
      const before = { vms: host.vms(), counters: host.counters() };
      let err: DynamicMemoryError | undefined;
      try {
        host.start('too-big');
      } catch (e) {
        err = e as DynamicMemoryError;
      }
      expect(err).toBeInstanceOf(DynamicMemoryError);
      expect(err!.code).toBe('OutOfMemory');
      expect(err!.message).toBe(
        'Not enough memory in the system to start the virtual machine too-big with ram size 3458 megabytes.',
      );
      expect({ vms: host.vms(), counters: host.counters() }).toEqual(before);
      host.addVm({ name: 'fits', startupMB: 3456, minimumMB: 512 });
      host.start('fits');
      expect(host.counters().availableMemoryMB).toBe(0);
    });

    it('the balancer hands out at most memory − reserve', async () => {
      const host = await createHost({ memoryMB: 4096, engine });
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 5000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(4096 - 640);
      expect(host.counters().availableMemoryMB).toBe(0);
    });

    it('the cluster reserve shrinks what VMs get', async () => {
      const host = await createHost({ memoryMB: 4096, failoverCluster: true, rootMemoryReserved: true, engine }); // 640 + 512
      expect(host.reserveMB).toBe(1152);
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 5000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(4096 - 1152);
    });

    it('an overridden reserve is honoured by the balancer and by starts', async () => {
      const host = await createHost({ memoryMB: 8192, reserveMB: 3000, engine });
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 6000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(5192);
      host.addVm({ name: 'w', startupMB: 4682, minimumMB: 512 }); // 4680 reclaimable above v's minimum
      let err: DynamicMemoryError | undefined;
      try {
        host.start('w');
      } catch (e) {
        err = e as DynamicMemoryError;
      }
      expect(err?.code).toBe('OutOfMemory');
      host.setMemory('w', { startupMB: 4680 });
      host.start('w');
      // nothing free: all 4,680 ballooned out of v at 128 MB a tick (36 × 128 + 72 = 37 ticks) would take longer
      // than the 30-s start timeout: the start fails then, w is off and what it gathered is v's again
      host.advance(29);
      expect(host.vm('w').assignedMB).toBe(29 * 128);
      expect(host.vm('v').assignedMB).toBe(5192 - 29 * 128);
      host.advance(1);
      expect(host.vm('w').state).toBe('Off');
      expect(host.startFailures().map((f) => [f.vm, f.atSeconds, f.error.code])).toEqual([['w', 90, 'OutOfMemory']]);
      host.advance(1); // what w held is free: v (demand 6,000) takes it back at once
      expect(host.vm('v').assignedMB).toBe(5192);
      // with a 40-s timeout it gathers it all
      const patient = await createHost({ memoryMB: 8192, reserveMB: 3000, startTimeoutSeconds: 40, engine });
      patient.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      patient.setDemand('v', 6000);
      patient.start('v');
      patient.advance(60);
      patient.addVm({ name: 'w', startupMB: 4680, minimumMB: 512 });
      patient.start('w');
      patient.advance(37);
      expect(patient.vm('v').assignedMB).toBe(512);
      expect(patient.vm('w').gatheringMB).toBe(0);
      expect(patient.counters().availableMemoryMB).toBe(0);
      expect(host.counters().availableMemoryMB).toBe(0);
    });
  });

  describe('maxVmMemoryMB', () => {
    it("defaults to the version's Generation 2 limit; a new VM's maximum defaults to 1 TB", async () => {
      const host = await createHost({ memoryMB: 16384, engine });
      expect(host.version).toBe('2025');
      expect(host.maxVmMemoryMB).toBe(240 * 1_048_576);
      expect(host.addVm({ name: 'v' }).settings.maximumMB).toBe(1_048_576);
    });

    it('caps every memory setting, and a default maximum is at most it', async () => {
      const host = await createHost({ memoryMB: 16384, maxVmMemoryMB: 65536, engine });
      expect(host.maxVmMemoryMB).toBe(65536);
      expect(host.addVm({ name: 'd' }).settings.maximumMB).toBe(65536);
      expect(host.addVm({ name: 'ok', startupMB: 65536, maximumMB: 65536 }).settings.startupMB).toBe(65536);
      for (const [field, config] of [
        ['maximumMB', { maximumMB: 65538 }],
        ['startupMB', { startupMB: 65538 }],
        ['minimumMB', { minimumMB: 65538 }],
      ] as const) {
        const before = host.vms();
        let err: DynamicMemoryError | undefined;
        try {
          host.addVm({ name: 'x', ...config });
        } catch (e) {
          err = e as DynamicMemoryError;
        }
        expect(err).toBeInstanceOf(DynamicMemoryError);
        expect(err!.code).toBe('InvalidSetting');
        expect(err!.field).toBe(field);
        expect(host.vms()).toEqual(before);
      }
      host.addVm({ name: 'r', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.start('r');
      let err: DynamicMemoryError | undefined;
      try {
        host.setMemory('r', { maximumMB: 65538 });
      } catch (e) {
        err = e as DynamicMemoryError;
      }
      expect(err?.code).toBe('InvalidSetting');
      expect(host.setMemory('r', { maximumMB: 65536 }).settings.maximumMB).toBe(65536);
    });

    it.each([
      ['NaN', NaN],
      ['negative', -2],
      ['fractional', 1000.5],
      ['a string', '1TB'],
    ])('maxVmMemoryMB %s is refused', async (_what, maxVmMemoryMB) => {
      const e = await rejected(createHost({ memoryMB: 16384, maxVmMemoryMB: maxVmMemoryMB as never, engine }));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('maxVmMemoryMB');
    });
  });

  describe('host options validation', () => {
    it.each([
      ['memoryMB NaN', { memoryMB: NaN }, 'memoryMB'],
      ['memoryMB negative', { memoryMB: -4096 }, 'memoryMB'],
      ['memoryMB fractional', { memoryMB: 4096.5 }, 'memoryMB'],
      ['memoryMB Infinity', { memoryMB: Infinity }, 'memoryMB'],
      ['memoryMB missing', {}, 'memoryMB'],
      ['failoverCluster not boolean', { memoryMB: 4096, failoverCluster: 'yes' }, 'failoverCluster'],
      [
        'rootMemoryReserved not boolean',
        { memoryMB: 4096, failoverCluster: true, rootMemoryReserved: 1 },
        'rootMemoryReserved',
      ],
      ['unknown option', { memoryMB: 4096, cpus: 8 }, 'cpus'],
      ['balloonRateMBps zero', { memoryMB: 4096, balloonRateMBps: 0 }, 'balloonRateMBps'],
    ])('%s is refused', async (_what, options, field) => {
      const e = await rejected(createHost({ ...options, engine } as never));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe(field);
    });
  });
});
