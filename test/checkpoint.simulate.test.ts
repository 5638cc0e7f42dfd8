// simulate()'s checkpoints (README "Simulate", checkpoints): a run that saves checkpoints equals one that does
// not; a run resumed from any of them, after JSON text and on either engine, ends exactly as the uninterrupted run
// (summary, series, the final cluster); a checkpoint of another scenario or other traces is refused.
import { fileURLToPath } from 'node:url';
import {
  type Checkpoint,
  type DemandTrace,
  DynamicMemoryError,
  parseDuration,
  type Scenario,
  type SimulateOptions,
  type SimulationResult,
  simulate,
} from 'dynmem';
import { describe, expect, it } from 'vitest';

const TRACES = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

/** Three hosts, 30 traced VMs and two of their own, and an event of every kind, some between checkpoints. */
const busyDay = (engine: 'wasm' | 'js', hours = 12): Scenario => ({
  name: 'busy',
  engine,
  duration: hours * 3600,
  sampleInterval: '10m',
  failback: 'immediate',
  // about checkpoints: the load balancer would move VMs off n3 (above 80 %), so the restart of r would need no Smart
  // Paging (test/cluster.balancer.test.ts checks that a checkpoint keeps the balancer's schedule)
  autoBalancer: { mode: 'disabled' },
  hosts: [
    { name: 'n1', memoryMB: 49152 },
    { name: 'n2', memoryMB: 49152 },
    { name: 'n3', memoryMB: 32768 },
  ],
  fleets: [
    {
      traces: TRACES,
      count: 30,
      startSpread: '20m',
      template: { startupMB: 2048, minimumMB: 512, maximumMB: 8192 },
      maximumFromProvisioned: true,
    },
  ],
  vms: [
    { name: 'sql', host: 'n1', startupMB: 4096, minimumMB: 1024, maximumMB: 16384, demandMB: 6000, weight: 9000 },
    { name: 'late', startupMB: 2048, demandMB: 1500, startAt: '5h' },
    // n3 full once r has shrunk and filler started: restarting r at a checkpoint's moment needs Smart Paging
    { name: 'big', host: 'n3', startupMB: 26000, minimumMB: 26000, maximumMB: 26000, demandMB: 30000 },
    { name: 'r', host: 'n3', startupMB: 4096, minimumMB: 512, demandMB: 100 },
    { name: 'filler', host: 'n3', startupMB: 3000, dynamicMemory: false, demandMB: 2000, startAt: '30m' },
  ],
  events: [
    { at: '1h', action: 'setMemory', vm: 'sql', settings: { bufferPercent: 40 } },
    { at: '2h', action: 'restart', vm: 'r' },
    { at: '2h30m', action: 'restart', vm: 'sql' },
    { at: '3h', action: 'failHost', host: 'n1' },
    { at: '4h', action: 'setDemand', vm: 'late', demandMB: 3000 },
    { at: '4h10m', action: 'balloonDriver', vm: 'sql', rateMBps: 0 },
    { at: '5h', action: 'recoverHost', host: 'n1' },
    { at: '7h', action: 'stop', vm: 'late' },
    { at: '9h', action: 'start', vm: 'late' },
  ].filter((event) => parseDuration(event.at, 'at') < hours * 3600) as Scenario['events'],
});

/** Everything a run produces but the wall-clock time it took (and, across engines, which engine it was). */
function outcome(result: SimulationResult, withEngine = true) {
  const { wallSeconds, engine, ...summary } = result.summary;
  expect(wallSeconds).toBeGreaterThanOrEqual(0);
  const { engine: _, ...cluster } = result.cluster.checkpoint();
  return {
    summary: withEngine ? { ...summary, engine } : summary,
    series: result.series,
    cluster,
    policies: result.policies?.map(({ summary: { wallSeconds: _w, ...rest }, ...run }) => ({ ...run, summary: rest })),
  };
}

/** The run, saving a checkpoint (as JSON text) every `every` seconds. */
async function withCheckpoints(scenario: Scenario, every: number, options: SimulateOptions = {}) {
  const saved: string[] = [];
  const result = await simulate(scenario, {
    ...options,
    checkpointEverySeconds: every,
    onCheckpoint: (checkpoint) => {
      saved.push(JSON.stringify(checkpoint));
    },
  });
  return { result, saved };
}

describe.each(['wasm', 'js'] as const)('simulate checkpoints on the %s engine', (engine) => {
  it('change nothing, and every one resumes to the uninterrupted result', async () => {
    const scenario = busyDay(engine);
    const straight = outcome(await simulate(scenario));
    expect(straight.summary.smartPaging.vms).toBe(1);
    const { result, saved } = await withCheckpoints(scenario, 7200);
    expect(outcome(result)).toEqual(straight);
    const checkpoints = saved.map((text) => JSON.parse(text) as Checkpoint);
    expect(checkpoints.map((c) => [c.kind, c.timeSeconds])).toEqual(
      [7200, 14400, 21600, 28800, 36000].map((t) => ['simulation', t]),
    );
    for (const checkpoint of checkpoints) {
      expect(outcome(await simulate(scenario, { resumeFrom: checkpoint }))).toEqual(straight);
    }
  });

  it('resume on the other engine, and go on saving checkpoints that resume alike', async () => {
    const other = engine === 'wasm' ? 'js' : 'wasm';
    const straight = outcome(await simulate(busyDay(engine)), false);
    const { saved } = await withCheckpoints(busyDay(engine), 3 * 3600);
    // resumed at 3 h (the failover's moment) on the other engine, saving again every 2 h from there
    const resumed = await withCheckpoints(busyDay(other), 7200, { resumeFrom: JSON.parse(saved[0]!) });
    expect(resumed.result.summary.engine).toBe(other);
    expect(outcome(resumed.result, false)).toEqual(straight);
    expect(resumed.saved.map((text) => (JSON.parse(text) as Checkpoint).timeSeconds)).toEqual([
      14400, 21600, 28800, 36000,
    ]);
    const again = await simulate(busyDay(engine), { resumeFrom: JSON.parse(resumed.saved[2]!) });
    expect(outcome(again, false)).toEqual(straight);
  });

  it('of a policies comparison resume inside any policy’s run', async () => {
    const scenario: Scenario = { ...busyDay(engine, 4), policies: ['hyperv', 'static', 'esx'] };
    const straight = outcome(await simulate(scenario));
    const { saved } = await withCheckpoints(scenario, 3600);
    const checkpoints = saved.map((text) => JSON.parse(text) as Checkpoint);
    expect(checkpoints.map((c) => c.timeSeconds)).toEqual([3600, 7200, 10800, 3600, 7200, 10800, 3600, 7200, 10800]);
    for (const k of [1, 4, 8]) {
      expect(outcome(await simulate(scenario, { resumeFrom: checkpoints[k] }))).toEqual(straight);
    }
  });
});

describe('simulate refuses a checkpoint it cannot resume, before running anything', async () => {
  const scenario = busyDay('js', 4);
  const { saved } = await withCheckpoints(scenario, 7200);
  const checkpoint = JSON.parse(saved[0]!) as Checkpoint;

  async function refusal(run: Promise<unknown>): Promise<DynamicMemoryError> {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DynamicMemoryError);
    return error as DynamicMemoryError;
  }

  it('another scenario', async () => {
    const progress: number[] = [];
    const e = await refusal(
      simulate(busyDay('js', 5), { resumeFrom: checkpoint, onProgress: (done) => progress.push(done) }),
    );
    expect(e).toMatchObject({ code: 'InvalidCheckpoint', field: 'state.scenarioHash' });
    expect(e.message).toContain('written by another scenario or on other traces');
    expect(progress).toEqual([]);
  });

  it('the same scenario on other traces', async () => {
    const trace = (demand: number): DemandTrace => ({
      vm: 't',
      source: 't.csv',
      startTime: 0,
      times: Float64Array.of(0, 300),
      demandMB: Float64Array.of(1000, demand),
      intervalSeconds: 300,
      repairs: { duplicateTimestamps: 0, outOfOrder: 0, gaps: 0, gapSeconds: 0 },
    });
    const traced: Scenario = {
      duration: '2h',
      engine: 'js',
      hosts: [{ memoryMB: 8192 }],
      vms: [{ name: 'v', trace: 't.csv', startupMB: 2048 }],
    };
    const loader = (demand: number) => ({ read: async () => [trace(demand)], list: async () => ['t.csv'] });
    const first = await withCheckpoints(traced, 3600, { traceLoader: loader(1200) });
    const resumeFrom = JSON.parse(first.saved[0]!);
    const same = await simulate(traced, { traceLoader: loader(1200), resumeFrom });
    expect(outcome(same)).toEqual(outcome(first.result));
    const e = await refusal(simulate(traced, { traceLoader: loader(1201), resumeFrom }));
    expect(e).toMatchObject({ code: 'InvalidCheckpoint', field: 'state.scenarioHash' });
  });

  it('a host checkpoint, a damaged one, bad options', async () => {
    expect(await refusal(simulate(scenario, { resumeFrom: { ...checkpoint, kind: 'host' } }))).toMatchObject({
      code: 'InvalidCheckpoint',
      field: 'kind',
    });
    const damaged = JSON.parse(saved[0]!.replace('"t":7200', '"t":7300'));
    expect(await refusal(simulate(scenario, { resumeFrom: damaged }))).toMatchObject({ field: 'checksum' });
    expect(await refusal(simulate(scenario, { checkpointEverySeconds: 0, onCheckpoint: () => {} }))).toMatchObject({
      code: 'InvalidArgument',
      field: 'checkpointEverySeconds',
    });
    expect(await refusal(simulate(scenario, { checkpointEverySeconds: 60 }))).toMatchObject({
      code: 'InvalidArgument',
      field: 'checkpointEverySeconds',
    });
  });
});
