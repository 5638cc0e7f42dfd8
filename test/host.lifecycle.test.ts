// README "How dynmem models Hyper-V": the balancer and the lifecycle (start, boot, restart without Smart Paging, stop,
// guests without Dynamic Memory, static VMs). Expected numbers are computed by hand from the design and the
// documented defaults: bootSeconds 30, balloonRateMBps 128, balancer tick 1 s, ideal = demand + demand × buffer%.

import { createHost, DynamicMemoryError, E_OUTOFMEMORY } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

type AnyHost = Awaited<ReturnType<typeof createHost>>;

const assigned = (host: AnyHost) => Object.fromEntries(host.vms().map((v) => [v.name, v.assignedMB]));

/** Σ assigned + reserve ≤ memory; every running DM VM within [minimum, effective maximum]. */
function checkInvariants(host: AnyHost): void {
  const c = host.counters();
  const sum = host.vms().reduce((s, v) => s + v.assignedMB, 0);
  expect(c.assignedMB).toBe(sum);
  expect(sum + host.reserveMB).toBeLessThanOrEqual(host.memoryMB);
  for (const v of host.vms()) {
    if (v.state !== 'Running' || !v.settings.dynamicMemory || !v.settings.guestSupportsDynamicMemory) continue;
    const hi = Math.min(v.settings.maximumMB, v.settings.guestOsMaxMB ?? Infinity);
    expect(v.assignedMB + v.smartPagingMB, v.name).toBeGreaterThanOrEqual(v.settings.minimumMB);
    expect(v.assignedMB, v.name).toBeLessThanOrEqual(Math.max(hi, v.settings.minimumMB));
    expect(Number.isInteger(v.assignedMB)).toBe(true);
  }
}

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /** A host with no reserve, so the arithmetic is plain. */
  const bare = (memoryMB: number, extra: Record<string, unknown> = {}) =>
    createHost({ memoryMB, reserveMB: 0, engine, ...extra });

  describe('balancer targets', () => {
    it('the design example: 1,000 MB demand with a 20 % buffer settles at 1,200 MB', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192, bufferPercent: 20, weight: 5000 });
      host.start('vdi-1');
      host.setDemand('vdi-1', 1000);
      host.advance(60);
      const v = host.vm('vdi-1');
      expect(v.state).toBe('Running');
      expect(v.assignedMB).toBe(1200);
      expect(v.demandMB).toBe(1000);
      expect(v.pressure).toBeCloseTo((100 * 1000) / 1200, 9);
    });

    it.each([
      [5, 1000, 1050],
      [50, 1000, 1500],
      [100, 1500, 3000],
      [20, 2500, 3000],
    ])('buffer %i %% over demand %i MB gives %i MB', async (bufferPercent, demand, expected) => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192, bufferPercent });
      host.setDemand('v', demand);
      host.start('v');
      host.advance(90);
      expect(host.vm('v').assignedMB).toBe(expected);
    });

    it.each([
      ['clamped up to the minimum', { startupMB: 2048, minimumMB: 1024, maximumMB: 8192 }, 100, 1024], // ideal 120
      ['clamped down to the maximum', { startupMB: 1024, minimumMB: 512, maximumMB: 4096 }, 5000, 4096], // ideal 6000
      ['capped by guestOsMaxMB', { startupMB: 1024, minimumMB: 512, maximumMB: 8192, guestOsMaxMB: 3000 }, 5000, 3000],
    ])('the target is %s', async (_case, settings, demand, expected) => {
      const host = await bare(16384);
      host.addVm({ name: 'v', ...settings });
      host.setDemand('v', demand);
      host.start('v');
      host.advance(120);
      expect(host.vm('v').assignedMB).toBe(expected);
    });

    it('a VM without demand keeps its minimum', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 1024, maximumMB: 8192 });
      host.setDemand('v', 0);
      host.start('v');
      host.advance(120);
      expect(host.vm('v').assignedMB).toBe(1024);
    });

    it('a guest cap above the maximum changes nothing; lowered again, the next tick trims to it', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192, guestOsMaxMB: 3000 });
      host.setDemand('v', 5000);
      host.start('v');
      host.advance(60);
      host.setMemory('v', { guestOsMaxMB: 10000 });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(6000);
      // "no VM exceeds its effective maximum" at every tick
      host.setMemory('v', { guestOsMaxMB: 5000 });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(5000);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(5000);
    });

    it('memory is hot-added in one tick as soon as it is free', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 1000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(1200);
      host.setDemand('v', 3000);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(3600);
    });

    it('memory is removed by ballooning at 128 MB/s by default', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 3000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(3600);
      host.setDemand('v', 1000); // target 1200: 2400 MB to remove, 18.75 ticks
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(3472);
      host.advance(17);
      expect(host.vm('v').assignedMB).toBe(3600 - 18 * 128);
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(1200);
      host.advance(30);
      expect(host.vm('v').assignedMB).toBe(1200);
    });

    it('balloonRateMBps changes the removal rate', async () => {
      const host = await bare(16384, { balloonRateMBps: 1000 });
      host.addVm({ name: 'v', startupMB: 4096, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(30); // boot ends on tick 30, then the first removal
      expect(host.vm('v').assignedMB).toBe(3096);
      host.advance(3);
      expect(host.vm('v').assignedMB).toBe(512);
    });

    it('memory is freed before it is allocated: one VM gains exactly what another gives up', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('a', 2500);
      host.setDemand('b', 0);
      host.start('a');
      host.start('b');
      host.advance(120);
      expect(assigned(host)).toEqual({ a: 3000, b: 512 });
      host.setDemand('a', 0);
      host.setDemand('b', 2500);
      host.advance(1);
      // a gives 128; b gets the 584 that were free plus those 128
      expect(assigned(host)).toEqual({ a: 2872, b: 1224 });
      for (let t = 0; t < 30; t++) {
        host.advance(1);
        checkInvariants(host);
      }
      expect(assigned(host)).toEqual({ a: 512, b: 3000 });
    });
  });

  describe('contention: tiers and weights', () => {
    async function pair(demandA: number, demandB: number, weightA = 5000, weightB = 5000) {
      const host = await bare(4096);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: weightA });
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: weightB });
      host.setDemand('a', demandA);
      host.setDemand('b', demandB);
      host.start('a');
      host.start('b');
      host.advance(150);
      checkInvariants(host);
      return host;
    }

    it('when all targets fit every VM gets its target', async () => {
      const host = await pair(1000, 1500);
      expect(assigned(host)).toEqual({ a: 1200, b: 1800 });
      expect(host.counters().availableMemoryMB).toBe(4096 - 3000);
    });

    it('the buffer goes first and is shared equally at equal weight', async () => {
      // targets 1800 + 2400 > 4096; demands 1500 + 2000 fit; 596 MB of buffer over needs 300 and 400
      const host = await pair(1500, 2000);
      expect(assigned(host)).toEqual({ a: 1798, b: 2298 });
      expect(host.counters().availableMemoryMB).toBe(0);
    });

    it('inside the buffer tier the higher weight is served first', async () => {
      // λ × 10000 covers a's 300, b gets the other 296
      const host = await pair(1500, 2000, 10000, 5000);
      expect(assigned(host)).toEqual({ a: 1800, b: 2296 });
    });

    it('the demand tier is water-filled by weight when demands do not fit', async () => {
      // minimums 1024; 3072 MB over demand needs 1988 each
      expect(assigned(await pair(2500, 2500))).toEqual({ a: 2048, b: 2048 });
      // weights 2:1 — a's share 2048 caps at its need 1988, b gets 1084
      expect(assigned(await pair(2500, 2500, 10000, 5000))).toEqual({ a: 2500, b: 1596 });
      // weights 3:1 with both uncapped (needs 3488 each): λ = 3072/4000 → 2304 and 768
      expect(assigned(await pair(4000, 4000, 3000, 1000))).toEqual({ a: 512 + 2304, b: 512 + 768 });
    });

    it('a weight-0 VM is kept at its minimum while weighted VMs want more', async () => {
      const host = await pair(4000, 2500, 5000, 0);
      // a's demand need 3488 exceeds the 3072 MB tier: a takes it all, b keeps exactly its minimum
      expect(assigned(host)).toEqual({ a: 3584, b: 512 });
      expect(host.vm('b').pressure).toBeCloseTo((100 * 2500) / 512, 9);
      expect(host.vm('b').smartPagingMB).toBe(0);
    });

    it('weight-0 VMs share evenly what weighted VMs leave', async () => {
      const host = await bare(4096);
      for (const [name, weight] of [
        ['a', 5000],
        ['b', 0],
        ['c', 0],
      ] as const) {
        host.addVm({ name, startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight });
      }
      host.setDemand('a', 1000);
      host.setDemand('b', 2000);
      host.setDemand('c', 2000);
      for (const n of ['a', 'b', 'c']) host.start(n);
      host.advance(150);
      // minimums 1536; demand tier 2560: a full (488), b and c 1036 each
      expect(assigned(host)).toEqual({ a: 1000, b: 1548, c: 1548 });
    });

    it('minimums are always kept, whatever the weights', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'big', startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 10000 });
      host.addVm({ name: 'floor', startupMB: 2048, minimumMB: 2048, maximumMB: 8192, weight: 0 });
      host.setDemand('big', 8000);
      host.setDemand('floor', 6000);
      host.start('big');
      host.start('floor');
      host.advance(150);
      expect(assigned(host)).toEqual({ big: 2048, floor: 2048 });
      checkInvariants(host);
    });

    it('a low-weight VM gives up memory first when a high-weight VM grows', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'lo', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 1000 });
      host.addVm({ name: 'hi', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 9000 });
      host.setDemand('lo', 2000);
      host.setDemand('hi', 1000);
      host.start('lo');
      host.start('hi');
      host.advance(150);
      expect(assigned(host)).toEqual({ lo: 2400, hi: 1200 });
      host.setDemand('hi', 3000);
      for (let t = 0; t < 60; t++) {
        host.advance(1);
        checkInvariants(host);
      }
      // demand levels 2000 + 3000 > 4096; tier 3072 over needs 1488 and 2488: λ = 3072/10000 → hi 2764 capped
      // at 2488, lo gets 584
      expect(assigned(host)).toEqual({ lo: 1096, hi: 3000 });
    });
    it('the settled allocation does not depend on the path that led to it (λ search start), and reruns agree', async () => {
      const specs = [
        { name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 7001 },
        { name: 'b', startupMB: 1024, minimumMB: 300, maximumMB: 8192, weight: 2999, bufferPercent: 35 },
        { name: 'c', startupMB: 1024, minimumMB: 256, maximumMB: 8192, weight: 1 },
        { name: 'd', startupMB: 1024, minimumMB: 700, maximumMB: 3000, weight: 5000 },
      ];
      const final = [3333, 2777, 1999, 2500];
      const run = async (history: number[][]) => {
        const host = await bare(6000);
        for (const s of specs) host.addVm(s);
        for (const s of specs) host.start(s.name);
        for (const demands of [...history, final]) {
          specs.forEach((s, k) => host.setDemand(s.name, demands[k]!));
          host.advance(300);
          checkInvariants(host);
        }
        return assigned(host);
      };
      const direct = await run([]);
      expect(Object.values(direct).reduce((x, y) => x + y, 0)).toBe(6000);
      expect(
        await run([
          [100, 100, 100, 100],
          [9000, 9000, 9000, 9000],
          [5000, 10, 4000, 10],
        ]),
      ).toEqual(direct);
      expect(
        await run([
          [2000, 2000, 2000, 2000],
          [3333, 2777, 1999, 100],
        ]),
      ).toEqual(direct);
      expect(await run([])).toEqual(direct);
    });
  });

  describe('start from off', () => {
    it('the VM takes its startup RAM at once and is Starting', async () => {
      const host = await bare(8192);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      const v = host.vm('v');
      expect(v.state).toBe('Starting');
      expect(v.assignedMB).toBe(2048);
      expect(v.smartPagingMB).toBe(0);
      expect(v.guestVisibleMB).toBe(2048);
      expect(v.bootSecondsLeft).toBe(30);
      expect(host.counters().availableMemoryMB).toBe(8192 - 2048);
    });

    it('free memory is used first, then running VMs of lower or equal weight are reclaimed at the balloon rate, never below minimum', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'L', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 1000 });
      host.addVm({ name: 'H', startupMB: 1024, minimumMB: 512, maximumMB: 4096, weight: 9000 });
      host.setDemand('L', 1000);
      host.setDemand('H', 100);
      host.start('L');
      host.start('H');
      host.advance(120);
      expect(assigned(host)).toEqual({ L: 1200, H: 512 });
      const removedBefore = host.counters().removedMemoryMB;
      const removedFromH = host.vm('H').removedMemoryMB;

      // C (weight 5000) needs 2,800: 2,384 free at once, then 416 ballooned out of L (weight 1000 ≤ 5000) at
      // 128 MB a tick: 3 × 128 + 32, four ticks. H sits at its minimum. While C gathers, L's goal follows the
      // shrinking pool down to what it holds (its buffer, then its demand give way), so the balancer moves nothing.
      host.addVm({ name: 'C', startupMB: 2800, minimumMB: 512 });
      host.start('C');
      expect(assigned(host)).toEqual({ L: 1200, H: 512, C: 2384 });
      expect(host.vm('C').state).toBe('Starting');
      expect(host.vm('C').gatheringMB).toBe(416);
      expect(host.vm('C').startTimeoutSecondsLeft).toBe(30);
      host.advance(3);
      expect(assigned(host)).toEqual({ L: 816, H: 512, C: 2768 });
      expect(host.vm('C').gatheringMB).toBe(32);
      expect(host.vm('C').startTimeoutSecondsLeft).toBe(27);
      host.advance(1);
      expect(assigned(host)).toEqual({ L: 784, H: 512, C: 2800 });
      expect(host.vm('C').gatheringMB).toBe(0);
      expect(host.vm('L').removedMemoryMB).toBe(416);
      expect(host.vm('H').removedMemoryMB).toBe(removedFromH);
      expect(host.counters().removedMemoryMB - removedBefore).toBe(416);
      expect(host.counters().availableMemoryMB).toBe(0);

      // D (weight 5000) needs 800: nothing free, 272 above L's minimum (C boots and gives nothing) → refused at
      // once, nothing changes
      host.addVm({ name: 'D', startupMB: 800, minimumMB: 272 });
      const e = refused(host, () => host.start('D'), 'OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      expect(E_OUTOFMEMORY).toBe(0x8007000e);
      expect(e.vm).toBe('D');
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine D with ram size 800 megabytes.',
      );
      expect(host.vm('D').state).toBe('Off');
      // 272 does: 128 + 128 + 16, three ticks, L down to its minimum
      host.setMemory('D', { startupMB: 272 });
      host.start('D');
      host.advance(3);
      expect(assigned(host)).toEqual({ L: 512, H: 512, C: 2800, D: 272 });
      expect(host.vms().every((v) => v.smartPagingMB === 0)).toBe(true);
      checkInvariants(host);
    });

    it('OutOfMemory with nothing to reclaim: exact message, nothing changes, no Smart Paging', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'static', startupMB: 3072, dynamicMemory: false });
      host.start('static');
      host.advance(60);
      host.addVm({ name: 'vdi 7', startupMB: 2048, minimumMB: 512 });
      const e = refused(host, () => host.start('vdi 7'), 'OutOfMemory');
      expect(e.hresult).toBe(0x8007000e);
      expect(e.message).toBe(
        'Not enough memory in the system to start the virtual machine vdi 7 with ram size 2048 megabytes.',
      );
      const v = host.vm('vdi 7');
      expect(v.state).toBe('Off');
      expect(v.assignedMB).toBe(0);
      expect(v.smartPagingMB).toBe(0);
      expect(host.counters().smartPagingMB).toBe(0);
      expect(host.counters().availableMemoryMB).toBe(1024);
    });

    it("a donor's balloon gives at its rate in all: to the balancer and to the starts gathering from it together", async () => {
      const host = await bare(8192);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('a', 7000); // 8,400 wanted, capped by the host: a holds it all
      host.start('a');
      host.advance(60);
      expect(assigned(host)).toEqual({ a: 8192 });
      // a's demand drops as b starts: the balancer balloons a towards 2,400 at 128 MB a tick, which is all a's
      // balloon gives; b gathers what that frees, 128 MB a tick (not 128 freed + 128 more reclaimed):
      // 2,048 = 16 × 128, sixteen ticks
      host.setDemand('a', 2000);
      host.addVm({ name: 'b', startupMB: 2048, minimumMB: 512 });
      host.start('b');
      expect(assigned(host)).toEqual({ a: 8192, b: 0 });
      host.advance(15);
      expect(assigned(host)).toEqual({ a: 8192 - 15 * 128, b: 15 * 128 });
      expect(host.vm('b').gatheringMB).toBe(128);
      host.advance(1);
      expect(assigned(host)).toEqual({ a: 6144, b: 2048 });
      expect(host.vm('b').gatheringMB).toBe(0);
      expect(host.vm('a').removedMemoryMB).toBe(2048);
      checkInvariants(host);
    });

    it('two starts gathering from one donor share its balloon: 128 MB a tick between them', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('a', 3500); // 4,200 wanted: a holds the host
      host.start('a');
      host.advance(60);
      expect(assigned(host)).toEqual({ a: 4096 });
      host.addVm({ name: 'b', startupMB: 256, minimumMB: 256 });
      host.addVm({ name: 'c', startupMB: 256, minimumMB: 256 });
      host.start('b');
      host.start('c');
      // b, started first, takes the whole 128 of each tick until it has its 256; then c
      host.advance(1);
      expect(assigned(host)).toEqual({ a: 3968, b: 128, c: 0 });
      host.advance(1);
      expect(assigned(host)).toEqual({ a: 3840, b: 256, c: 0 });
      host.advance(2);
      expect(assigned(host)).toEqual({ a: 3584, b: 256, c: 256 });
      expect(host.vm('a').removedMemoryMB).toBe(512);
      checkInvariants(host);
    });

    it('a start that fails leaves the running VMs unreclaimed', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'r', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('r', 2000); // 2400
      host.start('r');
      host.advance(60);
      expect(host.vm('r').assignedMB).toBe(2400);
      host.addVm({ name: 'big', startupMB: 3586, minimumMB: 512 }); // 1696 free + 1888 reclaimable = 3584
      refused(host, () => host.start('big'), 'OutOfMemory');
      expect(host.vm('r').assignedMB).toBe(2400);
      expect(host.vm('r').removedMemoryMB).toBe(0);
      host.setMemory('big', { startupMB: 3584 });
      host.start('big');
      // 1,696 free at once, then 1,888 ballooned out of r at 128 MB a tick: 14 × 128 + 96, fifteen ticks
      expect(assigned(host)).toEqual({ r: 2400, big: 1696 });
      host.advance(14);
      expect(assigned(host)).toEqual({ r: 608, big: 3488 });
      host.advance(1);
      expect(assigned(host)).toEqual({ r: 512, big: 3584 });
    });
  });

  describe('boot', () => {
    it('a Starting VM holds its startup RAM for 30 s, then the balancer reclaims down to the minimum', async () => {
      const host = await bare(8192);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(29);
      let v = host.vm('v');
      expect(v.state).toBe('Starting');
      expect(v.assignedMB).toBe(2048);
      expect(v.bootSecondsLeft).toBe(1);
      host.advance(1);
      v = host.vm('v');
      expect(v.state).toBe('Running');
      expect(v.bootSecondsLeft).toBe(0);
      expect(v.assignedMB).toBe(2048 - 128);
      host.advance(11); // 1536 MB to remove in all = 12 ticks
      expect(host.vm('v').assignedMB).toBe(512);
      host.advance(100);
      expect(host.vm('v').assignedMB).toBe(512);
    });

    it('a booting VM is not grown either, whatever its demand', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 4000);
      host.start('v');
      host.advance(29);
      expect(host.vm('v').assignedMB).toBe(2048);
      expect(host.vm('v').state).toBe('Starting');
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(4800);
    });

    it('the bootSeconds option sets the boot duration', async () => {
      const host = await bare(8192, { bootSeconds: 10 });
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512 });
      host.start('v');
      expect(host.vm('v').bootSecondsLeft).toBe(10);
      host.advance(9);
      expect(host.vm('v').state).toBe('Starting');
      host.advance(1);
      expect(host.vm('v').state).toBe('Running');
      expect(host.vm('v').assignedMB).toBe(1920);
    });

    it('memory held by booting VMs is outside what the balancer hands out', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'a', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('a', 3000);
      host.start('a');
      host.advance(60);
      expect(host.vm('a').assignedMB).toBe(3600);
      host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512 });
      // b takes the 496 MB free at once and waits while 528 MB are ballooned out of a (same weight), 128 MB a
      // tick: 128 × 4 + 16, five ticks (a's goal follows the pool down, so the balancer moves nothing meanwhile)
      host.start('b');
      expect(assigned(host)).toEqual({ a: 3600, b: 496 });
      expect(host.vm('b').gatheringMB).toBe(528);
      host.advance(4);
      expect(assigned(host)).toEqual({ a: 3088, b: 1008 });
      expect(host.vm('b').bootSecondsLeft).toBe(30); // the boot has not begun
      host.advance(1);
      expect(assigned(host)).toEqual({ a: 3072, b: 1024 });
      expect(host.vm('b').gatheringMB).toBe(0);
      host.advance(29);
      // pool while b boots: 4096 − 1024 = 3072, which a gets (demand 3000 fits, 72 of buffer)
      expect(assigned(host)).toEqual({ a: 3072, b: 1024 });
      host.advance(30);
      // b balanced to 512; a: demand levels 3512, 584 MB of buffer for its 600 MB need
      expect(assigned(host)).toEqual({ a: 3584, b: 512 });
      checkInvariants(host);
    });
  });

  describe('restart without Smart Paging', () => {
    it('a VM below startup gets its startup RAM back from free memory and boots again', async () => {
      const host = await bare(8192);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(120);
      expect(host.vm('v').assignedMB).toBe(512);
      host.restart('v');
      const v = host.vm('v');
      expect(v.state).toBe('Starting');
      expect(v.assignedMB).toBe(2048);
      expect(v.smartPagingMB).toBe(0);
      expect(v.bootSecondsLeft).toBe(30);
      expect(v.memoryStatus).not.toBe('Paging');
      host.advance(29);
      expect(host.vm('v').assignedMB).toBe(2048);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(512);
    });

    it('reclaims from other VMs before any Smart Paging', async () => {
      const host = await bare(4096);
      host.addVm({ name: 'r', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
      host.addVm({ name: 'o', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
      host.setDemand('o', 3000);
      host.start('r');
      host.start('o');
      host.advance(150);
      // r at 512; o target 3600 does not fit: demand 3000 + 584 of buffer
      expect(assigned(host)).toEqual({ r: 512, o: 3584 });
      host.restart('r');
      expect(assigned(host)).toEqual({ r: 2048, o: 2048 });
      expect(host.vm('r').smartPagingMB).toBe(0);
      expect(host.counters().smartPagingMB).toBe(0);
      expect(host.vm('r').memoryStatus).not.toBe('Paging');
    });

    it('a VM holding more than its startup RAM reboots with exactly startup RAM', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 3000);
      host.start('v');
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(3600);
      host.restart('v');
      expect(host.vm('v')).toMatchObject({ state: 'Starting', assignedMB: 2048, smartPagingMB: 0 });
      host.advance(30);
      expect(host.vm('v').assignedMB).toBe(3600);
    });
  });

  describe('stop and remove', () => {
    it('stop frees the memory at once', async () => {
      const host = await bare(8192);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('v', 3000);
      host.start('v');
      host.advance(60);
      expect(host.counters().availableMemoryMB).toBe(8192 - 3600);
      host.stop('v');
      const v = host.vm('v');
      expect(v.state).toBe('Off');
      expect(v.assignedMB).toBe(0);
      expect(v.smartPagingMB).toBe(0);
      expect(host.counters().availableMemoryMB).toBe(8192);
      expect(host.counters().assignedMB).toBe(0);
      // and it can start again
      host.start('v');
      expect(host.vm('v')).toMatchObject({ state: 'Starting', assignedMB: 2048 });
    });

    it('removeVm works only when off', async () => {
      const host = await bare(8192);
      host.addVm({ name: 'v', startupMB: 2048 });
      host.start('v');
      let e = refused(host, () => host.removeVm('v'), 'InvalidState');
      expect(e.vm).toBe('v');
      host.advance(60);
      e = refused(host, () => host.removeVm('v'), 'InvalidState');
      expect(e.vm).toBe('v');
      host.stop('v');
      host.removeVm('v');
      expect(host.vms()).toEqual([]);
      expect(() => host.vm('v')).toThrow(DynamicMemoryError);
      // the name is free again
      expect(host.addVm({ name: 'v', startupMB: 1024 }).settings.startupMB).toBe(1024);
    });
  });

  describe('guests without Dynamic Memory and static VMs', () => {
    it('guestSupportsDynamicMemory false: exactly startup RAM, whatever the demand', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192, guestSupportsDynamicMemory: false });
      host.start('v');
      host.advance(120);
      expect(host.vm('v').assignedMB).toBe(2048);
      host.setDemand('v', 5000);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(2048);
      expect(host.vm('v').pressure).toBeCloseTo((100 * 5000) / 2048, 9);
      expect(host.vm('v').smartPagingMB).toBe(0);
    });

    it('guestSupportsDynamicMemory may change while running: false → startup RAM, true → balanced again', async () => {
      const host = await bare(16384);
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.advance(120);
      expect(host.vm('v').assignedMB).toBe(512);
      host.setMemory('v', { guestSupportsDynamicMemory: false });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(2048);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(2048);
      host.setMemory('v', { guestSupportsDynamicMemory: true });
      host.advance(1);
      expect(host.vm('v').assignedMB).toBe(1920);
      host.advance(60);
      expect(host.vm('v').assignedMB).toBe(512);
    });

    it('a static VM holds exactly its startup RAM and shrinks the pool of the others', async () => {
      const host = await bare(8192);
      host.addVm({ name: 's', startupMB: 3072, dynamicMemory: false });
      host.addVm({ name: 'd', startupMB: 1024, minimumMB: 512, maximumMB: 8192 });
      host.setDemand('s', 6000);
      host.setDemand('d', 6000);
      host.start('s');
      host.start('d');
      host.advance(120);
      expect(host.vm('s').assignedMB).toBe(3072);
      expect(host.vm('s').state).toBe('Running');
      expect(host.vm('d').assignedMB).toBe(8192 - 3072);
      expect(host.vm('s').pressure).toBeCloseTo((100 * 6000) / 3072, 9);
      checkInvariants(host);
    });
  });

  it('invariants hold every tick through a busy scenario', async () => {
    const host = await createHost({ memoryMB: 12288, engine }); // auto reserve 384 + 768 = 1152
    const specs = [
      { name: 'w1', startupMB: 2048, minimumMB: 512, maximumMB: 6144, weight: 8000 },
      { name: 'w2', startupMB: 1024, minimumMB: 1024, maximumMB: 4096, weight: 100, bufferPercent: 50 },
      { name: 'w3', startupMB: 1024, minimumMB: 256, maximumMB: 8192, weight: 0, guestOsMaxMB: 3000 },
      { name: 's1', startupMB: 1536, dynamicMemory: false },
      { name: 'w4', startupMB: 2048, minimumMB: 512, maximumMB: 8192, weight: 5000 },
    ];
    for (const s of specs) host.addVm(s);
    for (const s of specs) host.start(s.name);
    const demands = [
      [500, 3000, 9000, 100, 4000],
      [6000, 200, 100, 9000, 0],
      [2500, 2500, 2500, 2500, 2500],
    ];
    for (const round of demands) {
      specs.forEach((s, k) => host.setDemand(s.name, round[k]!));
      for (let t = 0; t < 60; t++) {
        host.advance(1);
        checkInvariants(host);
      }
    }
    host.restart('w4');
    for (let t = 0; t < 120; t++) {
      host.advance(1);
      checkInvariants(host);
    }
  });
});

it('both engines give identical snapshots for the same scenario', async () => {
  const run = async (engine: 'wasm' | 'js') => {
    const host = await createHost({ memoryMB: 8192, engine });
    host.addVm({ name: 'a', startupMB: 2048, minimumMB: 512, maximumMB: 8192, weight: 7000 });
    host.addVm({ name: 'b', startupMB: 1024, minimumMB: 512, maximumMB: 8192, weight: 3000, bufferPercent: 35 });
    host.addVm({ name: 'c', startupMB: 1024, minimumMB: 256, maximumMB: 4096, weight: 0 });
    for (const n of ['a', 'b', 'c']) host.start(n);
    const out: unknown[] = [];
    for (const [da, db, dc] of [
      [3001, 2777, 1999],
      [4501, 333, 4001],
      [10, 10, 10],
    ]) {
      host.setDemand('a', da!);
      host.setDemand('b', db!);
      host.setDemand('c', dc!);
      host.advance(45);
      out.push(host.vms(), host.counters());
    }
    return out;
  };
  expect(await run('wasm')).toEqual(await run('js'));
});
