// The scenario format (src/sim/scenario.ts) and how scenarios are built: every refusal is a ScenarioError whose
// `path` names the field (e.g. "fleets[0].template.minimumMB"), with `file` and `line` for bad trace data.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkScenario, parseDuration, type Scenario, ScenarioError, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';

const TRACES = fileURLToPath(new URL('../data/bitbrains-sample/', import.meta.url));

const base = (): Scenario => ({
  duration: '10m',
  hosts: [{ memoryMB: 16384 }],
  vms: [{ name: 'v', startupMB: 1024, demandMB: 500 }],
});
const cluster = (): Scenario => ({
  duration: '10m',
  hosts: [
    { name: 'a', memoryMB: 16384 },
    { name: 'b', memoryMB: 16384 },
  ],
  vms: [{ name: 'v', startupMB: 1024, demandMB: 500 }],
});

async function scenarioError(input: unknown): Promise<ScenarioError> {
  try {
    await simulate(input as Scenario);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario ran');
}

function checkError(input: unknown): ScenarioError {
  try {
    checkScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError from checkScenario');
}

describe('parseDuration', () => {
  it.each([
    [90, 90],
    ['90', 90],
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['24h', 86400],
    ['2d', 172800],
    ['1.5h', 5400],
    [' 5 m ', 300],
    ['3d1m', 259260],
    ['1h30m', 5400],
    ['1h 30m 15s', 5415],
    ['2d12h', 216000],
    ['1m1m', 120],
    [0, 0],
  ] as const)('%j is %i s', (value, seconds) => {
    expect(parseDuration(value, 'x')).toBe(seconds);
  });

  it.each([
    ['2 weeks'],
    ['-5s'],
    ['h'],
    [''],
    ['1w'],
    ['1h30'],
    ['h30m'],
    ['1h-30m'],
    ['1.h'],
    [-1],
    [Number.NaN],
    [Infinity],
    [null],
    [true],
    [[60]],
  ])('refuses %j', (value) => {
    let error: unknown;
    try {
      parseDuration(value, 'events[3].at');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).path).toBe('events[3].at');
    expect((error as ScenarioError).message).toMatch(/^events\[3\]\.at: expected a duration/);
  });
});

describe('scenario validation', () => {
  it('is a ScenarioError, an Error with name, path and a message that starts with the path', async () => {
    const e = await scenarioError({ ...base(), bogus: 1 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ScenarioError');
    expect(e.path).toBe('bogus');
    expect(e.message).toMatch(/^bogus: unknown field \(known: .*duration.*hosts.*vms.*fleets.*events/);
    expect(e.file).toBeUndefined();
    expect(e.line).toBeUndefined();
  });

  it('refuses what is not an object', async () => {
    for (const input of [5, null, 'scenario', [base()]]) {
      const e = await scenarioError(input);
      expect(e.path).toBe('');
      expect(e.message).toMatch(/JSON object/);
    }
  });

  it('refuses a bad duration, sample interval or trace step', async () => {
    const cases: [Partial<Scenario>, string, RegExp][] = [
      [{ duration: '2 weeks' }, 'duration', /expected a duration.*"2 weeks"/],
      [{ duration: 0 }, 'duration', /more than 0/],
      [{ duration: -60 }, 'duration', /expected a duration/],
      [{ sampleInterval: 'often' }, 'sampleInterval', /expected a duration/],
      [{ sampleInterval: '0s' }, 'sampleInterval', /more than 0/],
      [{ traceStep: 'x' }, 'traceStep', /expected a duration/],
    ];
    for (const [patch, path, message] of cases) {
      const e = await scenarioError({ ...base(), ...patch });
      expect(e.path, JSON.stringify(patch)).toBe(path);
      expect(e.message).toMatch(message);
    }
  });

  it('refuses durations that are not whole balancer intervals', async () => {
    const e = await scenarioError({ ...base(), balancerIntervalSeconds: 2, duration: 61 });
    expect(e.path).toBe('duration');
    expect(e.message).toMatch(/61 s is not a whole number of balancer intervals \(2 s\)/);
    const e2 = await scenarioError({
      ...base(),
      balancerIntervalSeconds: 2,
      events: [{ at: 31, action: 'stop', vm: 'v' }],
    });
    expect(e2.path).toBe('events[0].at');
    const e3 = await scenarioError({ ...base(), balancerIntervalSeconds: 2, sampleInterval: 45 });
    expect(e3.path).toBe('sampleInterval');
  });

  it('refuses an unknown engine', async () => {
    const e = await scenarioError({ ...base(), engine: 'gpu' });
    expect(e.path).toBe('engine');
    expect(e.message).toBe('engine: must be "wasm" or "js", not "gpu".');
  });

  it('refuses missing or empty hosts', async () => {
    for (const hosts of [undefined, [], 'host', [5]]) {
      const e = await scenarioError({ ...base(), hosts });
      expect(e.path).toMatch(/^hosts/);
      expect(e.message).toMatch(/is required|at least 1 item|expected an array|expected an object/);
    }
    expect((await scenarioError({ ...base(), hosts: [] })).path).toBe('hosts');
    expect((await scenarioError({ ...base(), hosts: [5] })).path).toBe('hosts[0]');
  });

  it('a bad host option is a ScenarioError naming the host field', async () => {
    const e = await scenarioError({ ...base(), hosts: [{ memoryMB: 'lots' }] });
    expect(e.path).toBe('hosts[0].memoryMB');
    expect(e.message).toContain('memoryMB');
    const e2 = await scenarioError({
      ...cluster(),
      hosts: [
        { name: 'a', memoryMB: 8192 },
        { name: 'b', memoryMB: 8192, reserveMB: 8192 },
      ],
    });
    expect(e2.path).toBe('hosts[1].reserveMB');
    expect(e2.message).toContain("'b'");
    const e3 = await scenarioError({ ...base(), hosts: [{ memoryMB: 8192, colour: 'red' }] });
    expect(e3.path).toBe('hosts[0].colour');
  });

  it('two hosts with one name is a ScenarioError', async () => {
    const e = await scenarioError({
      ...base(),
      hosts: [
        { name: 'a', memoryMB: 8192 },
        { name: 'a', memoryMB: 8192 },
      ],
    });
    expect(e.path).toBe('hosts[1].name');
    expect(e.message).toContain("'a'");
  });

  it('a bad balancer option is a ScenarioError naming it', async () => {
    const e = await scenarioError({ ...base(), bootSeconds: -1 });
    expect(e.path).toBe('bootSeconds');
    expect(e.message).toContain('bootSeconds');
    expect((await scenarioError({ ...base(), balancerIntervalSeconds: 0 })).path).toBe('balancerIntervalSeconds');
  });

  it('refuses a scenario with no VMs', async () => {
    const e = await scenarioError({ ...base(), vms: [] });
    expect(e.path).toBe('vms');
    expect(e.message).toMatch(/no VMs/);
    expect((await scenarioError({ ...base(), vms: {} })).path).toBe('vms');
  });

  describe('VMs', () => {
    it('need a name', async () => {
      const e = await scenarioError({ ...base(), vms: [{ name: 'ok', demandMB: 5 }, { demandMB: 5 }] });
      expect(e.path).toBe('vms[1].name');
      expect((await scenarioError({ ...base(), vms: [{ name: '' }] })).path).toBe('vms[0].name');
    });

    it('need a demand source, named in the refusal', async () => {
      const e = await scenarioError({
        ...base(),
        vms: [
          { name: 'ok', demandMB: 5 },
          { name: 'quiet', startupMB: 1024 },
        ],
      });
      expect(e.path).toBe('vms[1]');
      expect(e.message).toBe("vms[1]: 'quiet' has no demand: give demandMB, demand or trace.");
    });

    it('take one demand source', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ demandMB: 5, demand: [[0, 5]] }, 'demandMB and demand'],
        [{ demandMB: 5, trace: 'x.csv' }, 'demandMB and trace'],
        [{ trace: 'x.csv', demand: [[0, 5]] }, 'trace and demand'],
      ];
      for (const [sources, named] of cases) {
        const e = await scenarioError({ ...base(), vms: [{ name: 'v', ...sources }] });
        expect(e.path).toBe('vms[0]');
        expect(e.message).toBe(`vms[0]: give one demand source, not ${named}.`);
      }
    });

    it('inline demand must be [seconds, MB] pairs of numbers ≥ 0', async () => {
      for (const demand of [
        [],
        [[0, -5]],
        [[0]],
        [[0, 5, 6]],
        [['0', 5]],
        [[0, Infinity]],
        'flat',
        [[Number.NaN, 5]],
      ]) {
        const e = await scenarioError({ ...base(), vms: [{ name: 'v', demand }] });
        expect(e.path.startsWith('vms[0].demand'), `${JSON.stringify(demand)}: ${e.path}`).toBe(true);
        expect(e.message).toMatch(/expected|needs at least|takes at most|must be ≥ 0/);
      }
    });

    it('constant demand must be MB ≥ 0', async () => {
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', demandMB: -1 }] });
      expect(e.path).toBe('vms[0].demandMB');
    });

    it('a trace must be a path; durations of a VM are checked', async () => {
      expect((await scenarioError({ ...base(), vms: [{ name: 'v', trace: 5 }] })).path).toBe('vms[0].trace');
      expect((await scenarioError({ ...base(), vms: [{ name: 'v', demandMB: 5, startAt: 'later' }] })).path).toBe(
        'vms[0].startAt',
      );
      expect((await scenarioError({ ...base(), vms: [{ name: 'v', trace: 'x.csv', traceOffset: 'x' }] })).path).toBe(
        'vms[0].traceOffset',
      );
    });

    it('a bad VM setting names the VM path and the field', async () => {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ weight: 20000 }, 'vms[1].weight', /weight: VM 'bad': must be ≤ 10000, not 20000/],
        [{ startupMB: 1025 }, 'vms[1].startupMB', /properly aligned/],
        [
          { startupMB: 1024, minimumMB: 2048 },
          'vms[1].minimumMB',
          /minimumMB 2048 MB must not exceed startupMB 1024 MB/,
        ],
        [{ bufferPercent: 1 }, 'vms[1].bufferPercent', /bufferPercent/],
        [{ colour: 'red' }, 'vms[1].colour', /colour: VM 'bad': unknown field/],
      ];
      for (const [settings, path, message] of cases) {
        const e = await scenarioError({
          ...base(),
          vms: [
            { name: 'ok', demandMB: 1 },
            { name: 'bad', demandMB: 1, ...settings },
          ],
        });
        expect(e.path, JSON.stringify(settings)).toBe(path);
        expect(e.message).toMatch(message);
        expect(e.message).toContain("VM 'bad'");
      }
    });

    it('two VMs with one name are refused', async () => {
      const e = await scenarioError({
        ...base(),
        vms: [
          { name: 'v', demandMB: 1 },
          { name: 'v', demandMB: 1 },
        ],
      });
      expect(e.path).toBe('vms[1].name');
      expect(e.message).toContain("'v'");
    });

    it('a VM on an unknown host is refused, listing the hosts', async () => {
      const e = await scenarioError({ ...cluster(), vms: [{ name: 'v', demandMB: 1, host: 'c' }] });
      expect(e.path).toBe('vms[0].host');
      expect(e.message).toBe("vms[0].host: no host is named 'c' (hosts: a, b).");
    });
  });

  describe('fleets', () => {
    it('need traces', async () => {
      for (const traces of [undefined, '', 5]) {
        const e = await scenarioError({ ...base(), vms: [], fleets: [{ traces, template: {} }] });
        expect(e.path).toBe('fleets[0].traces');
        expect(e.message).toMatch(/is required|must not be empty|expected a string/);
      }
    });

    it('refuse unknown fields, a bad template, count, copyShift, startSpread and hosts', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ colour: 'red' }, 'fleets[0].colour'],
        [{ template: 'big' }, 'fleets[0].template'],
        [{ count: 0 }, 'fleets[0].count'],
        [{ count: 2.5 }, 'fleets[0].count'],
        [{ copyShift: 'x' }, 'fleets[0].copyShift'],
        [{ startSpread: 'x' }, 'fleets[0].startSpread'],
        [{ hosts: [] }, 'fleets[0].hosts'],
        [{ hosts: [1] }, 'fleets[0].hosts[0]'],
      ];
      for (const [patch, path] of cases) {
        const e = await scenarioError({ ...base(), vms: [], fleets: [{ traces: TRACES, ...patch }] });
        expect(e.path, JSON.stringify(patch)).toBe(path);
      }
    });

    it('a folder with no trace files is refused, naming it', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'dynmem-empty-'));
      const e = await scenarioError({ ...base(), vms: [], fleets: [{ traces: empty }] });
      expect(e.path).toBe('fleets[0].traces');
      expect(e.file).toBe(empty);
      expect(e.message).toContain(empty);
    });

    it('a fleet of only idle traces has no usable traces, unless skipIdle is false', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-idle-'));
      for (const n of [44, 45]) copyFileSync(join(TRACES, `${n}.csv.gz`), join(dir, `${n}.csv.gz`));
      const e = await scenarioError({ ...base(), vms: [], fleets: [{ traces: dir }] });
      expect(e.path).toBe('fleets[0].traces');
      expect(e.message).toBe(`fleets[0].traces: no usable traces in ${dir}.`);
      const r = await simulate({ ...base(), vms: [], fleets: [{ traces: dir, skipIdle: false }] });
      expect(r.summary.vms).toBe(2);
      expect(r.series.vms.map((v) => v.name)).toEqual(['44', '45']);
    });

    it('a bad VM setting inside the template names the fleet VM and the field', async () => {
      const e = await scenarioError({
        ...base(),
        vms: [],
        fleets: [{ traces: TRACES, count: 3, template: { startupMB: 1024, minimumMB: 2048 } }],
      });
      expect(e.path).toBe('fleets[0].template.minimumMB');
      expect(e.message).toContain('minimumMB');
      expect(e.message).toBe(
        "fleets[0].template.minimumMB: VM '1': minimumMB 2048 MB must not exceed startupMB 1024 MB.",
      );
      const odd = await scenarioError({
        ...base(),
        vms: [{ name: 'solo', demandMB: 1 }],
        fleets: [{ traces: TRACES, prefix: 'bb-', count: 2, template: { maximumMB: 333 } }],
      });
      expect(odd.path).toBe('fleets[0].template.maximumMB');
      expect(odd.message).toMatch(/maximumMB: Memory values must be properly aligned: 333 MB/);
    });

    it('a fleet spread over an unknown host is refused', async () => {
      const e = await scenarioError({
        ...cluster(),
        vms: [],
        fleets: [{ traces: TRACES, count: 2, hosts: ['a', 'zz'] }],
      });
      expect(e.path).toBe('fleets[0].hosts');
      expect(e.message).toContain("no host is named 'zz'");
    });

    it('a fleet VM named like an existing VM is refused', async () => {
      const e = await scenarioError({
        ...base(),
        vms: [{ name: '1', demandMB: 1 }],
        fleets: [{ traces: TRACES, count: 2 }],
      });
      expect(e.path).toBe('fleets[0].prefix');
      expect(e.message).toContain("'1'");
    });
  });

  describe('events', () => {
    it('need a known action, a time and a VM or host', async () => {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ at: 10, action: 'stop' }, 'events[0].vm', /is required/],
        [{ at: 10, action: 'restart', vm: 5 }, 'events[0].vm', /expected a string, not 5/],
        [{ at: 10, action: 'failHost' }, 'events[0].host', /is required/],
        [{ at: 10, action: 'recoverHost', vm: 'v' }, 'events[0].host', /is required/],
        [
          { at: 10, action: 'explode', vm: 'v' },
          'events[0].action',
          /must be one of start, stop, restart, setMemory, setDemand, balloonDriver, failHost, recoverHost/,
        ],
        [{ action: 'stop', vm: 'v' }, 'events[0].at', /is required/],
        [{ at: 'soon', action: 'stop', vm: 'v' }, 'events[0].at', /expected a duration/],
        [{ at: 10, action: 'setMemory', vm: 'v' }, 'events[0].settings', /is required/],
        [{ at: 10, action: 'setDemand', vm: 'v', demandMB: -1 }, 'events[0].demandMB', /must be ≥ 0/],
        [{ at: 10, action: 'setDemand', vm: 'v', demandMB: 1.5 }, 'events[0].demandMB', /whole number/],
      ];
      for (const [event, path, message] of cases) {
        const e = await scenarioError({ ...base(), events: [event] });
        expect(e.path, JSON.stringify(event)).toBe(path);
        expect(e.message).toMatch(message);
        expect(checkError({ ...base(), events: [event] }).path).toBe(path);
      }
    });

    it('name a VM and a host that exist', async () => {
      const e = await scenarioError({
        ...base(),
        events: [
          { at: 10, action: 'stop', vm: 'v' },
          { at: 20, action: 'restart', vm: 'nope' },
        ],
      });
      expect(e.path).toBe('events[1].vm');
      expect(e.message).toBe("events[1].vm: no VM is named 'nope'.");
      const h = await scenarioError({ ...cluster(), events: [{ at: 10, action: 'failHost', host: 'c' }] });
      expect(h.path).toBe('events[0].host');
      expect(h.message).toBe("events[0].host: no host is named 'c'.");
    });
  });

  describe('trace files', () => {
    it('a trace file that does not exist is refused, naming the file', async () => {
      const missing = join(tmpdir(), 'dynmem-no-such-trace.csv.gz');
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', trace: missing }] });
      expect(e.path).toBe('vms[0].trace');
      expect(e.file).toBe(missing);
      expect(e.message).toContain(missing);
    });

    it('a generic CSV with a bad cell is refused with its file and line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-bad-'));
      const file = join(dir, 'bad.csv');
      writeFileSync(file, 'time,vm,demandMB\n0,v,100\n300,v,200\n600,v,abc\n');
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', trace: file }] });
      expect(e.path).toBe('vms[0].trace');
      expect(e.file).toBe(file);
      expect(e.line).toBe(4);
      expect(e.message).toContain('abc');
      expect(e.message).toContain('line 4');
    });

    it('a Bitbrains file with a bad cell is refused with its file and line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-bad-'));
      const file = join(dir, '7.csv');
      const header =
        'Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]';
      const row = (t: number, usage: string) => `${t};\t2;\t5000;\t100;\t2;\t4194304;\t${usage};\t0;\t0;\t0;\t0`;
      writeFileSync(
        file,
        [header, row(1372629804, '1000000'), row(1372630104, '1048576'), row(1372630404, 'XYZ'), ''].join('\n'),
      );
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', trace: file }] });
      expect(e.path).toBe('vms[0].trace');
      expect(e.file).toBe(file);
      expect(e.line).toBe(4);
      expect(e.message).toContain('Memory usage');
      expect(e.message).toContain('XYZ');
    });

    it('a bad file inside a fleet folder is refused with the fleet path, file and line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-fleet-'));
      writeFileSync(join(dir, 'a.csv'), 'time,vm,demandMB\n0,x,100\n300,x,200\n');
      writeFileSync(join(dir, 'b.csv'), 'time,vm,demandMB\n0,y,100\n300,y,-\n');
      const e = await scenarioError({ ...base(), vms: [], fleets: [{ traces: dir }] });
      expect(e.path).toBe('fleets[0].traces');
      expect(e.file).toBe(join(dir, 'b.csv'));
      expect(e.line).toBe(3);
    });

    it('a file that is not a trace is refused at line 1', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-bad-'));
      const file = join(dir, 'notes.csv');
      writeFileSync(file, 'hello,world\n1,2\n');
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', trace: file }] });
      expect(e.file).toBe(file);
      expect(e.line).toBe(1);
    });

    it('a traceVm the file does not have is refused, listing the VMs it has', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dynmem-multi-'));
      const file = join(dir, 'two.csv');
      writeFileSync(file, 'time,vm,demandMB\n0,x,100\n0,y,200\n300,x,150\n300,y,250\n');
      const e = await scenarioError({ ...base(), vms: [{ name: 'v', trace: file }] });
      expect(e.path).toBe('vms[0].traceVm');
      expect(e.message).toMatch(/has no VM 'v' \(it has x, y\)/);
      const r = await simulate({ ...base(), vms: [{ name: 'v', trace: file, traceVm: 'y' }] });
      expect(r.series.vms[0]!.demandMB[0]).toBe(200);
    });
  });

  it('checkScenario passes a good scenario through unchanged', () => {
    const s = {
      ...cluster(),
      events: [{ at: '5m', action: 'failHost', host: 'a' }],
      fleets: [{ traces: TRACES, count: 2 }],
    } as Scenario;
    expect(checkScenario(s)).toBe(s);
  });
});
