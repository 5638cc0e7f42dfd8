// The balancer's allocation against hand-computed cases and against the simple oracle model in oracle.ts.

import { createHost } from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OracleVm, oracleGoals } from './oracle.ts';

const engines = ['wasm', 'js'] as const;

describe.each(engines)('balancer allocation (%s)', (engine) => {
  const settle = async (memoryMB: number, reserveMB: number, vms: (OracleVm & { startupMB: number })[]) => {
    const host = await createHost({ memoryMB, reserveMB, engine, bootSeconds: 0, balloonRateMBps: 1_000_000 });
    vms.forEach((v, i) =>
      host.addVm({
        name: `v${i}`,
        startupMB: v.startupMB,
        minimumMB: v.minimumMB,
        maximumMB: v.maximumMB,
        bufferPercent: v.bufferPercent,
        weight: v.weight,
      }),
    );
    vms.forEach((v, i) => {
      host.start(`v${i}`);
      host.setDemand(`v${i}`, v.demandMB);
    });
    host.advance(3);
    return host.vms().map((v) => v.assignedMB);
  };
  const vm = (over: Partial<OracleVm & { startupMB: number }>) => ({
    startupMB: 512,
    minimumMB: 512,
    maximumMB: 8192,
    bufferPercent: 20,
    weight: 5000,
    demandMB: 0,
    ...over,
  });

  it("gives the seed's 1,000 MB demand with a 20 % buffer 1,200 MB", async () => {
    expect(await settle(65536, 4096, [vm({ demandMB: 1000 })])).toEqual([1200]);
  });

  it('clamps the target to [minimum, maximum]', async () => {
    expect(await settle(65536, 4096, [vm({ demandMB: 100 }), vm({ demandMB: 9000 })])).toEqual([512, 8192]);
  });

  it('drops the buffer first, sharing what is left of it by weight', async () => {
    // pool 3,300: demands 1,000 + 2,000 fit, buffers 200 + 400 do not; 300 MB left, weights 1:3.
    expect(
      await settle(4300, 1000, [vm({ demandMB: 1000, weight: 2500 }), vm({ demandMB: 2000, weight: 7500 })]),
    ).toEqual([1075, 2225]);
    // pool 3,500: 500 MB left; 1:3 would give the second VM 375 of its 400, the first 125: both uncapped.
    // pool 3,540: 540 left; 135 / 405 → the second is capped at 400, the first gets the other 140.
    expect(
      await settle(4540, 1000, [vm({ demandMB: 1000, weight: 2500 }), vm({ demandMB: 2000, weight: 7500 })]),
    ).toEqual([1140, 2400]);
  });

  it('keeps every minimum and shares the demand tier by weight when demand does not fit', async () => {
    // pool 3,000; minimums 512 each; demands 2,000 each: 1,976 MB over minimums shared 1:1.
    expect(await settle(4000, 1000, [vm({ demandMB: 2000 }), vm({ demandMB: 2000 })])).toEqual([1500, 1500]);
    // A weight-0 VM keeps only its minimum while weighted VMs still need memory.
    expect(await settle(4000, 1000, [vm({ demandMB: 2000, weight: 0 }), vm({ demandMB: 2800 })])).toEqual([512, 2488]);
  });

  it('matches the oracle model on random hosts under contention', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            minimumMB: fc.integer({ min: 16, max: 512 }).map((x) => x * 2),
            extraMaxMB: fc.integer({ min: 0, max: 4096 }).map((x) => x * 2),
            bufferPercent: fc.integer({ min: 5, max: 300 }),
            weight: fc.integer({ min: 0, max: 10000 }),
            demandMB: fc.integer({ min: 0, max: 8000 }),
          }),
          { minLength: 1, maxLength: 16 },
        ),
        fc.integer({ min: 0, max: 40000 }),
        async (specs, extraPool) => {
          const vms = specs.map((s) => ({ ...s, startupMB: s.minimumMB, maximumMB: s.minimumMB + s.extraMaxMB }));
          const minimums = vms.reduce((s, v) => s + v.minimumMB, 0);
          const pool = minimums + extraPool;
          const got = await settle(pool + 1024, 1024, vms);
          const want = oracleGoals(vms, pool);
          got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1));
          const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
          expect(sum(got)).toBe(Math.min(pool, Math.round(sum(want))));
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 150) },
    );
  });
});

describe.each(engines)('hysteresis (%s)', (engine) => {
  it('leaves small differences alone, acts on large ones, and is exact with the default 0', async () => {
    for (const hysteresisMB of [0, 64]) {
      const host = await createHost({ memoryMB: 65536, reserveMB: 4096, engine, bootSeconds: 0, hysteresisMB });
      host.addVm({ name: 'v', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      host.start('v');
      host.setDemand('v', 1000);
      host.advance(30);
      expect(host.vm('v').assignedMB).toBe(1200); // a large move lands exactly on the goal
      const ops = host.vm('v').memoryAddOperations + host.vm('v').memoryRemoveOperations;
      host.setDemand('v', 1040); // goal 1,248: 48 MB away
      host.advance(5);
      expect(host.vm('v').assignedMB).toBe(hysteresisMB === 0 ? 1248 : 1200);
      const after = host.vm('v').memoryAddOperations + host.vm('v').memoryRemoveOperations;
      expect(after - ops).toBe(hysteresisMB === 0 ? 1 : 0);
      host.setDemand('v', 1100); // goal 1,320: 120 MB away from 1,200
      host.advance(5);
      expect(host.vm('v').assignedMB).toBe(1320);
    }
  });

  it('refuses a hysteresis that is not a whole number of MB', async () => {
    await expect(createHost({ memoryMB: 65536, engine, hysteresisMB: -1 })).rejects.toMatchObject({
      code: 'InvalidSetting',
      field: 'hysteresisMB',
    });
    await expect(createHost({ memoryMB: 65536, engine, hysteresisMB: 1.5 })).rejects.toMatchObject({
      code: 'InvalidSetting',
      field: 'hysteresisMB',
    });
  });
});
