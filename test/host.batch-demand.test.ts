// Batch demand: vmHandles() + setDemands() give exactly what one setDemand per VM gives, on hosts and clusters,
// through re-layouts and failovers; a bad entry refuses the whole call, names the VM, and changes nothing.

import { type Cluster, createCluster, createHost, type Host } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

const engines = ['wasm', 'js'] as const;
const VM = { startupMB: 1024, minimumMB: 512, maximumMB: 4096, bufferPercent: 20 };

/** A deterministic demand for VM i at step k: 0 … 3,998 MB, whole, different for every VM and step. */
const demandOf = (i: number, k: number) => (i * 7919 + k * 104729) % 3999;

/** 40 VMs on 44 GB for VMs: under contention once demands grow. */
async function crowdedHost(engine: 'wasm' | 'js'): Promise<{ host: Host; names: string[] }> {
  const host = await createHost({ memoryMB: 49152, reserveMB: 4096, engine, bootSeconds: 0 });
  const names = Array.from({ length: 40 }, (_, i) => `vm-${i}`);
  names.forEach((name, i) => {
    host.addVm({ name, ...VM, weight: 1000 + ((i * 37) % 9000) });
    host.start(name);
  });
  return { host, names };
}

describe.each(engines)('%s engine', (engine) => {
  describe('setDemands equals one setDemand per VM, exactly', () => {
    it('on a host under contention, every tick for 200 ticks', async () => {
      const one = await crowdedHost(engine);
      const batch = await crowdedHost(engine);
      // Handles in an order other than the host's, to show the order is the caller's.
      const order = [...batch.names].reverse();
      const handles = batch.host.vmHandles(order);
      expect(handles.names).toEqual(order);
      expect(handles.length).toBe(40);
      const demands = new Float64Array(order.length);
      for (let k = 0; k < 200; k++) {
        // a third of the VMs change each tick
        one.names.forEach((name, i) => {
          if ((i + k) % 3 === 0) one.host.setDemand(name, demandOf(i, k));
        });
        order.forEach((name, j) => {
          const i = Number(name.slice(3));
          demands[j] = (i + k) % 3 === 0 ? demandOf(i, k) : batch.host.vm(name).demandMB;
        });
        batch.host.setDemands(handles, demands);
        one.host.advance(1);
        batch.host.advance(1);
      }
      expect(batch.host.vms()).toEqual(one.host.vms());
      expect(batch.host.counters()).toEqual(one.host.counters());
      expect(one.host.counters().memoryRemoveOperations).toBeGreaterThan(0);
    });

    it('takes plain arrays of numbers too', async () => {
      const { host, names } = await crowdedHost(engine);
      host.setDemands(host.vmHandles(names.slice(0, 3)), [100, 0, 2048]);
      expect(names.slice(0, 4).map((n) => host.vm(n).demandMB)).toEqual([100, 0, 2048, 0]);
    });

    it('handles keep their VMs through re-layouts, stops and failovers of a cluster', async () => {
      const make = async () => {
        const cluster = await createCluster({
          engine,
          bootSeconds: 0,
          hosts: ['a', 'b', 'c'].map((name) => ({ name, memoryMB: 16384 })),
        });
        const names = Array.from({ length: 12 }, (_, i) => `vm-${i}`);
        for (const name of names) {
          cluster.addVm({ name, ...VM });
          cluster.start(name);
        }
        return { cluster, names };
      };
      const one = await make();
      const batch = await make();
      const handles = batch.cluster.vmHandles(batch.names);
      const step = (k: number, change: (c: Cluster) => void) => {
        for (const { cluster, names } of [one, batch]) {
          change(cluster);
          if (cluster === one.cluster) names.forEach((name, i) => cluster.setDemand(name, demandOf(i, k) % 2000));
          else
            cluster.setDemands(
              handles,
              Float64Array.from(names, (_, i) => demandOf(i, k) % 2000),
            );
          cluster.advance(30);
        }
        expect(batch.cluster.vms()).toEqual(one.cluster.vms());
      };
      step(0, () => {});
      step(1, (c) => c.addVm({ name: 'late', ...VM })); // new slot: the store is laid out again
      step(2, (c) => c.stop('vm-3'));
      const failed = batch.cluster.vm('vm-0').host!;
      step(3, (c) => c.failHost(failed)); // VMs move hosts, slots change
      step(4, (c) => c.start('late'));
      expect(batch.cluster.vm('vm-0').host).not.toBe(failed);
      expect(batch.cluster.vm('vm-5').demandMB).toBe(demandOf(5, 4) % 2000);
      expect(batch.cluster.counters()).toEqual(one.cluster.counters());
    });
  });

  describe('refusals: the whole call, naming the VM and the value, and nothing changes', () => {
    it('a bad value anywhere refuses every entry, with the error setDemand gives', async () => {
      const { host, names } = await crowdedHost(engine);
      host.advance(5);
      const handles = host.vmHandles(names);
      for (const bad of [1.5, -2, Number.NaN, Number.POSITIVE_INFINITY]) {
        const demands = new Float64Array(names.length).fill(1000);
        demands[7] = bad;
        const e = refused(host, () => host.setDemands(handles, demands), 'InvalidSetting');
        expect(e.vm).toBe('vm-7');
        expect(e.field).toBe('demandMB');
        expect(e.message).toContain(String(bad));
        // the same error as setDemand
        const single = refused(host, () => host.setDemand('vm-7', bad), 'InvalidSetting');
        expect(single.message).toBe(e.message);
      }
      const e = refused(host, () => host.setDemands(host.vmHandles(['vm-1']), ['2' as never]), 'InvalidSetting');
      expect(e.message).toBe('VM \'vm-1\': demandMB must be a whole number of MB from 0 to 1073741824, not "2".');
    });

    it('demands and handles must match, and handles must be of this host or cluster', async () => {
      const { host, names } = await crowdedHost(engine);
      const other = await crowdedHost(engine);
      const handles = host.vmHandles(names.slice(0, 3));
      expect(refused(host, () => host.setDemands(handles, [1, 2]), 'InvalidArgument').field).toBe('demandsMB');
      expect(refused(host, () => host.setDemands(handles, null as never), 'InvalidArgument').field).toBe('demandsMB');
      const foreign = other.host.vmHandles(names.slice(0, 3));
      expect(refused(host, () => host.setDemands(foreign, [1, 2, 3]), 'InvalidArgument').field).toBe('handles');
      expect(refused(host, () => host.setDemands(names as never, [1, 2, 3]), 'InvalidArgument').field).toBe('handles');
    });

    it('vmHandles refuses unknown VMs, VMs named twice and anything but an array', async () => {
      const { host } = await crowdedHost(engine);
      const unknown = refused(host, () => host.vmHandles(['vm-1', 'nope']), 'UnknownVm');
      expect(unknown.vm).toBe('nope');
      const twice = refused(host, () => host.vmHandles(['vm-1', 'vm-2', 'vm-1']), 'InvalidArgument');
      expect(twice.vm).toBe('vm-1');
      expect(refused(host, () => host.vmHandles('vm-1' as never), 'InvalidArgument').field).toBe('names');
    });

    it('a VM removed after its handle was made is refused by name; fresh handles work', async () => {
      const { host } = await crowdedHost(engine);
      const handles = host.vmHandles(['vm-1', 'vm-2']);
      host.setDemands(handles, [10, 20]); // used before the removal: what it learned then must not be trusted
      host.stop('vm-2');
      host.removeVm('vm-2');
      host.addVm({ name: 'vm-2', ...VM }); // same name, a new VM: the old handle is still refused
      host.advance(1);
      const e = refused(host, () => host.setDemands(handles, [100, 200]), 'UnknownVm');
      expect(e.vm).toBe('vm-2');
      expect(e.message).toMatch(/removed.*vmHandles/);
      host.setDemands(host.vmHandles(['vm-1', 'vm-2']), [100, 200]);
      expect([host.vm('vm-1').demandMB, host.vm('vm-2').demandMB]).toEqual([100, 200]);
    });

    it("a host's setDemands refuses a VM that failed over to another host; the cluster's takes it", async () => {
      const cluster = await createCluster({
        engine,
        hosts: [
          { name: 'a', memoryMB: 16384 },
          { name: 'b', memoryMB: 16384 },
        ],
      });
      cluster.host('a').addVm({ name: 'x', ...VM });
      cluster.host('a').addVm({ name: 'y', ...VM });
      cluster.start('x');
      cluster.start('y');
      const onA = cluster.host('a').vmHandles(['x', 'y']);
      cluster.host('a').setDemands(onA, [50, 60]);
      cluster.failHost('a');
      expect(cluster.vm('x').host).toBe('b');
      const e = refused(cluster, () => cluster.host('a').setDemands(onA, [100, 200]), 'UnknownVm');
      expect([e.vm, e.host]).toEqual(['x', 'a']);
      cluster.setDemands(onA, [100, 200]);
      expect([cluster.vm('x').demandMB, cluster.vm('y').demandMB]).toEqual([100, 200]);
    });
  });
});
