// demandInterpolation: 'step' (the default) holds each trace grid point's demand until the next, 'linear' ramps
// towards it tick by tick. Hand-checked on a tiny inline scenario, compared on a day of the bundled Bitbrains
// sample, and, in step mode, the same results whether the engine runs a whole span per call (skipping quiet ticks)
// or one tick per call.
// Defaults used for the hand computations: bootSeconds 30, tick 1 s, traceStep 300, bufferPercent 20.

import { fileURLToPath } from 'node:url';
import { type Scenario, type SimulationResult, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';

const TRACES = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));
const engines = ['wasm', 'js'] as const;

/** One VM whose demand goes 1,000 → 2,200 MB over the first 600 s, then stays; a sample every second. */
const ramp = (engine: 'wasm' | 'js', mode?: 'step' | 'linear'): Scenario => ({
  engine,
  ...(mode ? { demandInterpolation: mode } : {}),
  duration: 700,
  sampleInterval: 1,
  hosts: [{ memoryMB: 16384, reserveMB: 0 }],
  vms: [
    {
      name: 'v',
      startupMB: 1024,
      minimumMB: 512,
      maximumMB: 8192,
      demand: [
        [0, 1000],
        [600, 2200],
      ],
    },
  ],
});

/** The bundled sample for a day on one host that is short of memory at its peaks. */
const day = (engine: 'wasm' | 'js', mode: 'step' | 'linear'): Scenario => ({
  engine,
  demandInterpolation: mode,
  duration: '24h',
  hosts: [{ memoryMB: 131072 }],
  fleets: [
    {
      traces: TRACES,
      maximumFromProvisioned: true,
      startSpread: '10m',
      template: { startupMB: 1024, minimumMB: 512 },
    },
  ],
});

/** Four hosts, time-shifted copies of the sample (copies 17 minutes apart), a failover and a recovery. */
const cluster = (engine: 'wasm' | 'js', mode: 'step' | 'linear'): Scenario => ({
  engine,
  demandInterpolation: mode,
  duration: '4h',
  sampleInterval: 600,
  hosts: ['n1', 'n2', 'n3', 'n4'].map((name) => ({ name, memoryMB: 65536 })),
  fleets: [
    {
      traces: TRACES,
      count: 200,
      copyShift: '17m',
      maximumFromProvisioned: true,
      startSpread: '20m',
      template: { startupMB: 1024, minimumMB: 512 },
    },
  ],
  events: [
    { at: '2h', action: 'failHost', host: 'n2' },
    { at: '3h', action: 'recoverHost', host: 'n2' },
    { at: '200m', action: 'restart', vm: '17' },
  ],
});

/**
 * Everything a run reports, the same in both runs: MB, counts and states exactly, other numbers (averages,
 * integrals) within 1e-12 relative.
 */
function expectSameRun(a: SimulationResult, b: SimulationResult): void {
  const view = (r: SimulationResult) => {
    const { wallSeconds: _, ...summary } = r.summary;
    return { summary, series: r.series, vms: r.cluster.vms(), counters: r.cluster.counters() };
  };
  const mismatches: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (typeof x === 'number' && typeof y === 'number') {
      const same = Number.isInteger(x) && Number.isInteger(y) ? x === y : Math.abs(x - y) <= 1e-12 * Math.abs(x);
      if (!(same || Object.is(x, y))) mismatches.push(`${path}: ${x} vs ${y}`);
    } else if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    } else if (!Object.is(x, y)) mismatches.push(`${path}: ${String(x)} vs ${String(y)}`);
  };
  walk(view(a), view(b), 'run');
  expect(mismatches.slice(0, 10)).toEqual([]);
}

/** Each run once per file: the day runs are shared by the tests that compare them. */
const runs = new Map<string, Promise<SimulationResult>>();
function run(scenario: Scenario, maxTicksPerCall?: number): Promise<SimulationResult> {
  const key = JSON.stringify([scenario, maxTicksPerCall]);
  if (!runs.has(key)) runs.set(key, simulate(scenario, maxTicksPerCall ? { maxTicksPerCall } : {}));
  return runs.get(key)!;
}

describe.each(engines)('%s engine', (engine) => {
  describe('on a tiny inline scenario, by hand', () => {
    it("'step' (the default) holds each grid point's value for the next 300 ticks", async () => {
      const { series } = await simulate(ramp(engine));
      const v = series.vms[0]!;
      for (let t = 1; t <= 700; t++) {
        // grid points 0, 300, 600: 1,000, 1,000 + 1,200 × 300/600 = 1,600, then 2,200
        const held = t <= 300 ? 1000 : t <= 600 ? 1600 : 2200;
        expect(v.demandMB[t], `demand at ${t}`).toBe(held);
        // after the 30-s boot, demand + 20 % (memory is added at once)
        if (t > 30) expect(v.assignedMB[t], `assigned at ${t}`).toBe(held * 1.2);
      }
      expect(await simulate(ramp(engine, 'step'))).toEqual(expect.objectContaining({ series }));
    });

    it("'linear' ramps 2 MB a tick from one grid point to the next, then holds the last value", async () => {
      const { series } = await simulate(ramp(engine, 'linear'));
      const v = series.vms[0]!;
      for (let t = 1; t <= 700; t++) {
        const ramped = Math.min(1000 + 2 * t, 2200);
        expect(v.demandMB[t], `demand at ${t}`).toBe(ramped);
        if (t > 30) expect(v.assignedMB[t], `assigned at ${t}`).toBe(ramped + Math.ceil(ramped * 0.2));
      }
    });
  });

  it('a day of the bundled sample: step and linear summaries are close', async () => {
    const [step, linear] = await Promise.all([run(day(engine, 'step')), run(day(engine, 'linear'))]);
    const s = step.summary;
    const l = linear.summary;
    expect(s.vms).toBe(88);
    // Measured: saved 96.415 % vs 96.425 %, mean assigned 75,753 vs 75,544 MB, average pressure 55.78 vs 55.99.
    expect(Math.abs(s.memory.savedPercent - l.memory.savedPercent)).toBeLessThan(0.05);
    expect(Math.abs(s.memory.meanAssignedMB / l.memory.meanAssignedMB - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.memory.meanDemandMB / l.memory.meanDemandMB - 1)).toBeLessThan(0.002);
    expect(Math.abs(s.pressure.average - l.pressure.average)).toBeLessThan(0.5);
    expect(Math.abs(s.pressure.peak / l.pressure.peak - 1)).toBeLessThan(0.01);
    // the host is short at its peaks in both modes
    expect(s.shortfall.vmSecondsShort).toBeGreaterThan(0);
    expect(l.shortfall.vmSecondsShort).toBeGreaterThan(0);
    expect(s.startFailures).toEqual(l.startFailures);
  });

  describe('the same results whether the engine runs many ticks per call or one', () => {
    it("'step': a day of the bundled sample on one host", async () => {
      expectSameRun(await run(day(engine, 'step')), await run(day(engine, 'step'), 1));
    });

    it.each(['step', 'linear'] as const)(
      "'%s': a cluster of time-shifted copies with a failover, a recovery and a restart",
      async (mode) => {
        const fast = await run(cluster(engine, mode));
        expect(fast.summary.failovers[0]!.restarted).toBeGreaterThan(0);
        expect(fast.summary.vms).toBe(200);
        expectSameRun(fast, await run(cluster(engine, mode), 1));
      },
    );
  });
});

it('maxTicksPerCall must be a whole number ≥ 1', async () => {
  for (const bad of [0, 1.5, -1, Number.NaN]) {
    await expect(simulate(ramp('js'), { maxTicksPerCall: bad })).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'maxTicksPerCall',
    });
  }
});

it('demandInterpolation must be step or linear', async () => {
  await expect(simulate({ ...ramp('js'), demandInterpolation: 'cubic' as never })).rejects.toMatchObject({
    name: 'ScenarioError',
    path: 'demandInterpolation',
  });
});
