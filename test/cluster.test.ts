// README: host reserve (a failover-cluster member reserves more), the API contract and the cluster facade:
// createCluster validation, member reserves, the per-host Host API on members, placement of unplaced VMs and
// cluster-wide counters. Expected numbers are computed by hand from the documented reserve formula
// (384 + ceil(64 × memoryMB / 1024), + 512 on a member with the 2008 R2 RootMemoryReserved, which most tests here
// keep: rootMemoryReserved) and the default balancer options.

import { autoReserveMB, CLUSTER_RESERVE_MB, createCluster, DynamicMemoryError, E_OUTOFMEMORY } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refusal, refused } from './refusal.ts';

type AnyCluster = Awaited<ReturnType<typeof createCluster>>;

async function rejection(promise: Promise<unknown>): Promise<DynamicMemoryError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(DynamicMemoryError);
    return e as DynamicMemoryError;
  }
  throw new Error('expected a DynamicMemoryError, but the call succeeded');
}

/** The member reserve by the documented formula. */
const memberReserve = (memoryMB: number) => 384 + Math.ceil((64 * memoryMB) / 1024) + 512;

const sumOf = (
  cluster: AnyCluster,
  key: 'availableMemoryMB' | 'assignedMB' | 'memoryMB' | 'reserveMB' | 'runningVms' | 'smartPagingMB',
) =>
  cluster
    .hosts()
    .filter((h) => !h.failed)
    .reduce((s, h) => s + h.counters()[key], 0);

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  describe('createCluster validation', () => {
    it('refuses an empty host list', async () => {
      const e = await rejection(createCluster({ engine, hosts: [] }));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('hosts');
      expect(e.message).toMatch(/hosts/);
    });

    it('refuses a missing host list', async () => {
      const e = await rejection(createCluster({ engine } as never));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('hosts');
    });

    it('refuses a host without a name', async () => {
      const e = await rejection(
        createCluster({
          engine,
          hosts: [{ name: 'a', memoryMB: 8192, rootMemoryReserved: true }, { memoryMB: 8192 } as never],
        }),
      );
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('hosts[1].name');
    });

    it('refuses two hosts with the same name (DuplicateHost)', async () => {
      const e = await rejection(
        createCluster({
          engine,
          hosts: [
            { name: 'a', memoryMB: 8192, rootMemoryReserved: true },
            { name: 'b', memoryMB: 8192, rootMemoryReserved: true },
            { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          ],
        }),
      );
      expect(e.code).toBe('DuplicateHost');
      expect(e.host).toBe('a');
      expect(e.message).toContain("'a'");
    });

    it('refuses bad host options with the host option named', async () => {
      const e = await rejection(createCluster({ engine, hosts: [{ name: 'a', memoryMB: 8193.5 }] }));
      expect(e.code).toBe('InvalidSetting');
      expect(e.field).toBe('memoryMB');
    });

    it('an unknown host name is refused with UnknownHost everywhere a host is named', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 8192, rootMemoryReserved: true },
          { name: 'b', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      for (const call of [() => cluster.host('zz'), () => cluster.failHost('zz'), () => cluster.recoverHost('zz')]) {
        const e = refusal(call);
        expect(e.code).toBe('UnknownHost');
        expect(e.host).toBe('zz');
        expect(e.message).toContain('zz');
      }
      expect(cluster.counters().failedHosts).toBe(0);
    });

    it('uses the engine it was asked for and lists its hosts in order', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'n1', memoryMB: 8192, rootMemoryReserved: true },
          { name: 'n2', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      expect(cluster.engine).toBe(engine);
      expect(cluster.hosts().map((h) => h.name)).toEqual(['n1', 'n2']);
      expect(cluster.hosts().map((h) => h.memoryMB)).toEqual([8192, 16384]);
      expect(cluster.host('n2').engine).toBe(engine);
      expect(cluster.timeSeconds).toBe(0);
    });
  });

  describe('member reserve', () => {
    it('members keep the 512 MB RootMemoryReserved only when asked: off by default (unsupported after 2008 R2)', async () => {
      const plain = await createCluster({ engine, hosts: [{ name: 'a', memoryMB: 65536 }] });
      expect(plain.host('a').reserveMB).toBe(autoReserveMB(65536));
      expect(plain.host('a').reserveMB).toBe(4480);
    });

    it('with rootMemoryReserved: reserve = 384 + ceil(64·memoryMB/1024) + 512', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 65536, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'c', memoryMB: 10001, rootMemoryReserved: true }, // 64 × 10001 / 1024 = 625.06 → 626
          { name: 'd', memoryMB: 65536, failoverCluster: false },
          { name: 'e', memoryMB: 65536, reserveMB: 1000 },
        ],
      });
      expect(CLUSTER_RESERVE_MB).toBe(512);
      expect(cluster.host('a').reserveMB).toBe(4992);
      expect(cluster.host('a').reserveMB).toBe(memberReserve(65536));
      expect(cluster.host('b').reserveMB).toBe(1920);
      expect(cluster.host('c').reserveMB).toBe(384 + 626 + 512);
      expect(cluster.host('d').reserveMB).toBe(4480); // a standalone host's reserve
      expect(cluster.host('d').reserveMB).toBe(autoReserveMB(65536, false));
      expect(cluster.host('e').reserveMB).toBe(1000); // an explicit reserve is used as given
      expect(cluster.host('a').counters().availableMemoryMB).toBe(65536 - 4992);
      expect(cluster.host('c').counters().availableMemoryMB).toBe(10001 - 1522);
    });
  });

  describe('the Host API on members', () => {
    it('cluster.host(name).addVm/start/setDemand/vm work and the VM is on that host', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 65536, rootMemoryReserved: true },
        ],
      });
      const a = cluster.host('a');
      const added = a.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      expect(added.host).toBe('a');
      expect(added.state).toBe('Off');
      a.start('vdi-1'); // on 'a', although 'b' has more memory
      a.setDemand('vdi-1', 1000);
      expect(a.vm('vdi-1').state).toBe('Starting');
      expect(a.vm('vdi-1').assignedMB).toBe(2048);
      expect(cluster.host('a').counters().availableMemoryMB).toBe(16384 - 1920 - 2048);
      a.advance(60);
      const v = a.vm('vdi-1');
      expect(v.host).toBe('a');
      expect(v.state).toBe('Running');
      expect(v.assignedMB).toBe(1200);
      expect(cluster.vm('vdi-1')).toEqual(v);
      expect(a.vms().map((x) => x.name)).toEqual(['vdi-1']);
      expect(cluster.host('b').vms()).toEqual([]);
      expect(cluster.timeSeconds).toBe(60);
      // another member does not see it as its own
      expect(refusal(() => cluster.host('b').vm('vdi-1')).code).toBe('UnknownVm');
      expect(refusal(() => cluster.host('b').stop('vdi-1')).code).toBe('UnknownVm');
      // VM names are unique cluster-wide
      expect(refusal(() => cluster.host('b').addVm({ name: 'vdi-1' })).code).toBe('DuplicateVm');
      expect(refusal(() => cluster.addVm({ name: 'vdi-1' })).code).toBe('DuplicateVm');
      a.stop('vdi-1');
      expect(cluster.vm('vdi-1')).toMatchObject({ state: 'Off', host: 'a', assignedMB: 0 });
    });

    it('advancing any member advances every host together', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      cluster.host('a').addVm({ name: 'x', startupMB: 2048 });
      cluster.host('b').addVm({ name: 'y', startupMB: 2048 });
      cluster.host('a').start('x');
      cluster.host('b').start('y');
      cluster.setDemand('x', 1000);
      cluster.setDemand('y', 500);
      cluster.host('a').advance(60);
      expect(cluster.vm('x').assignedMB).toBe(1200);
      expect(cluster.vm('y').assignedMB).toBe(600);
      expect(cluster.host('b').timeSeconds).toBe(60);
    });
  });

  describe('placement of unplaced VMs', () => {
    it('an added VM has no host until it starts', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      const snap = cluster.addVm({ name: 'x', startupMB: 2048 });
      expect(snap.host).toBeNull();
      expect(snap.state).toBe('Off');
      expect(cluster.host('a').vms()).toEqual([]);
      expect(cluster.host('b').vms()).toEqual([]);
      expect(cluster.counters().assignedMB).toBe(0);
    });

    it('an unplaced VM can be configured, given demand and removed while off', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      cluster.addVm({ name: 'u', startupMB: 1024 });
      expect(cluster.setMemory('u', { startupMB: 2048 })).toMatchObject({ host: null, settings: { startupMB: 2048 } });
      cluster.setDemand('u', 700);
      expect(refusal(() => cluster.stop('u')).code).toBe('InvalidState');
      expect(refusal(() => cluster.restart('u')).code).toBe('InvalidState');
      expect(refusal(() => cluster.setMemory('u', { startupMB: 1025 })).code).toBe('NotAligned');
      cluster.start('u');
      expect(cluster.vm('u')).toMatchObject({ host: 'a', state: 'Starting', assignedMB: 2048 });
      cluster.advance(60);
      expect(cluster.vm('u')).toMatchObject({ state: 'Running', assignedMB: 840, demandMB: 700 });
      cluster.addVm({ name: 'gone' });
      cluster.removeVm('gone');
      expect(refusal(() => cluster.vm('gone')).code).toBe('UnknownVm');
      expect(cluster.vms().map((v) => v.name)).toEqual(['u']);
    });

    it('goes to the live host with the most available memory; ties go to the first host', async () => {
      // available: a 8192 − 1408 = 6784, b 16384 − 1920 = 14464, c 20480 − 2176 = 18304
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 8192, rootMemoryReserved: true },
          { name: 'b', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'c', memoryMB: 20480, rootMemoryReserved: true },
        ],
      });
      expect(cluster.hosts().map((h) => h.counters().availableMemoryMB)).toEqual([6784, 14464, 18304]);
      const place = (name: string, startupMB: number) => {
        cluster.addVm({ name, startupMB, minimumMB: Math.min(512, startupMB) });
        cluster.start(name);
        return cluster.vm(name).host;
      };
      expect(place('v1', 4096)).toBe('c'); // c 14208
      expect(place('v2', 4096)).toBe('b'); // b 10368 (14464 > 14208)
      expect(place('v3', 4096)).toBe('c'); // c 10112 (14208 > 10368)
      expect(place('v4', 3616)).toBe('b'); // b 6752 (10368 > 10112)
      expect(place('v5', 32)).toBe('c'); // c 10080 (10112 > 6784 > 6752)
      expect(cluster.hosts().map((h) => h.counters().availableMemoryMB)).toEqual([6784, 6752, 10080]);
      expect(place('v6', 3296)).toBe('c'); // c 6784: now a and c tie at 6784
      expect(place('v7', 32)).toBe('a'); // tie a/c → the first host given
      expect(cluster.vm('v7').state).toBe('Starting');
    });

    it('equal hosts fill round-robin from the first', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'h1', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'h2', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'h3', memoryMB: 16384, rootMemoryReserved: true },
        ],
      });
      const placed: (string | null)[] = [];
      for (let i = 0; i < 7; i++) {
        cluster.addVm({ name: `v${i}`, startupMB: 1024 });
        cluster.start(`v${i}`);
        placed.push(cluster.vm(`v${i}`).host);
      }
      expect(placed).toEqual(['h1', 'h2', 'h3', 'h1', 'h2', 'h3', 'h1']);
    });

    it('skips a failed host, and a VM that fits nowhere is refused with OutOfMemory and stays unplaced', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      cluster.failHost('a');
      cluster.addVm({ name: 'x', startupMB: 2048 });
      cluster.start('x');
      expect(cluster.vm('x').host).toBe('b');
      cluster.addVm({ name: 'huge', startupMB: 8192, minimumMB: 512 }); // b has 6784 − 2048 free; a has failed
      const before = { vms: cluster.vms(), counters: cluster.counters() };
      const e = refusal(() => cluster.start('huge'));
      expect(e.code).toBe('OutOfMemory');
      expect(e.hresult).toBe(E_OUTOFMEMORY);
      expect(e.hresult).toBe(0x8007000e);
      expect(e.vm).toBe('huge');
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine huge with ram size 8192 megabytes.',
      );
      expect(cluster.vm('huge')).toMatchObject({ state: 'Off', host: null, assignedMB: 0 });
      expect({ vms: cluster.vms(), counters: cluster.counters() }).toEqual(before);
      cluster.recoverHost('a');
      cluster.start('huge');
      expect(cluster.vm('huge').host).toBe('a');
    });

    it('placement reclaims memory from running VMs when no host has it free', async () => {
      // one member; its only VM has grown to the whole host
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      cluster.host('a').addVm({ name: 'grow-a', startupMB: 1024, minimumMB: 1024, maximumMB: 65536 });
      cluster.host('b').addVm({ name: 'grow-b', startupMB: 1024, minimumMB: 1024, maximumMB: 65536 });
      cluster.start('grow-a');
      cluster.start('grow-b');
      cluster.setDemand('grow-a', 60000);
      cluster.setDemand('grow-b', 60000);
      cluster.advance(60);
      expect(cluster.vm('grow-a').assignedMB).toBe(14464);
      expect(cluster.vm('grow-b').assignedMB).toBe(6784);
      expect(cluster.counters().availableMemoryMB).toBe(0);
      // no free memory anywhere: 4,096 MB ballooned out at 128 MB/s takes 32 ticks on either host, past the 30-s
      // start timeout → refused at once
      cluster.addVm({ name: 'x', startupMB: 4096 });
      refused(cluster, () => cluster.start('x'), 'OutOfMemory');
      // 2,048 takes 16 ticks: ties → a, which reclaims from grow-a (equal weight)
      cluster.setMemory('x', { startupMB: 2048 });
      cluster.start('x');
      expect(cluster.vm('x')).toMatchObject({ host: 'a', state: 'Starting', assignedMB: 0, gatheringMB: 2048 });
      cluster.advance(16);
      expect(cluster.vm('x')).toMatchObject({ host: 'a', state: 'Starting', assignedMB: 2048, smartPagingMB: 0 });
      expect(cluster.vm('x').gatheringMB).toBe(0);
      expect(cluster.vm('grow-a').assignedMB).toBe(14464 - 2048);
      expect(cluster.vm('grow-b').assignedMB).toBe(6784);
    });
  });

  describe('cluster counters', () => {
    it('sum the hosts', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 32768, rootMemoryReserved: true },
          { name: 'c', memoryMB: 8192, rootMemoryReserved: true },
        ],
      });
      const empty = cluster.counters();
      expect(empty).toMatchObject({
        hosts: 3,
        failedHosts: 0,
        memoryMB: 16384 + 32768 + 8192,
        reserveMB: 1920 + 2944 + 1408,
        assignedMB: 0,
        availableMemoryMB: 14464 + 29824 + 6784,
        runningVms: 0,
        smartPagingMB: 0,
      });
      cluster.host('a').addVm({ name: 'a1', startupMB: 2048 });
      cluster.host('c').addVm({ name: 'c1', startupMB: 1024 });
      cluster.addVm({ name: 'u1', startupMB: 4096 });
      cluster.addVm({ name: 'u2', startupMB: 512 }); // stays off and unplaced
      cluster.start('a1');
      cluster.start('c1');
      cluster.start('u1');
      cluster.setDemand('a1', 1000);
      cluster.setDemand('c1', 300);
      cluster.setDemand('u1', 2000);
      const check = () => {
        const c = cluster.counters();
        for (const key of [
          'availableMemoryMB',
          'assignedMB',
          'memoryMB',
          'reserveMB',
          'runningVms',
          'smartPagingMB',
        ] as const) {
          expect(c[key], key).toBe(sumOf(cluster, key));
        }
        expect(c.assignedMB).toBe(
          cluster
            .vms()
            .filter((v) => v.host !== null)
            .reduce((s, v) => s + v.assignedMB, 0),
        );
        expect(c.availableMemoryMB).toBe(c.memoryMB - c.reserveMB - c.assignedMB);
        return c;
      };
      const booting = check();
      expect(booting.assignedMB).toBe(2048 + 1024 + 4096);
      expect(booting.runningVms).toBe(3);
      cluster.advance(120);
      const settled = check();
      expect(settled.assignedMB).toBe(1200 + 512 + 2400); // c1's ideal 360 is clamped to its 512 minimum
      expect(settled.systemCurrentPressure).toBeCloseTo((100 * (1000 + 300 + 2000)) / (1200 + 512 + 2400), 9);
      expect(settled.addedMemoryMB).toBe(cluster.hosts().reduce((s, h) => s + h.counters().addedMemoryMB, 0));
      expect(settled.removedMemoryMB).toBe(cluster.hosts().reduce((s, h) => s + h.counters().removedMemoryMB, 0));
      expect(settled.removedMemoryMB).toBe(2048 - 1200 + (1024 - 512) + (4096 - 2400));
      expect(settled.memoryRemoveOperations).toBe(
        cluster.hosts().reduce((s, h) => s + h.counters().memoryRemoveOperations, 0),
      );
      const failed = cluster.vm('u1').host!;
      cluster.failHost(failed === 'b' ? 'c' : 'b');
      const after = check();
      expect(after.hosts).toBe(3);
      expect(after.failedHosts).toBe(1);
    });

    it('a failed host drops out of the sums and counts in failedHosts', async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384, rootMemoryReserved: true },
          { name: 'b', memoryMB: 32768, rootMemoryReserved: true },
        ],
      });
      cluster.failHost('b');
      expect(cluster.counters()).toMatchObject({
        hosts: 2,
        failedHosts: 1,
        memoryMB: 16384,
        reserveMB: 1920,
        availableMemoryMB: 14464,
        assignedMB: 0,
      });
      expect(cluster.host('b').counters().availableMemoryMB).toBe(0);
      cluster.recoverHost('b');
      expect(cluster.counters()).toMatchObject({
        hosts: 2,
        failedHosts: 0,
        memoryMB: 49152,
        reserveMB: 1920 + 2944,
        availableMemoryMB: 14464 + 29824,
      });
    });
  });
});
