// The published scenario schema: the file users point `$schema` at equals the schema the library validates with,
// its fields are exactly those of the TypeScript types, and every corruption the probe slipped through is refused
// before the run with an error naming the field's path.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkScenario,
  type HostOptions,
  SCENARIO_SCHEMA,
  type Scenario,
  ScenarioError,
  type ScenarioEvent,
  type ScenarioFleet,
  type ScenarioVm,
  simulate,
  type VmSettings,
} from 'dynmem';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_FIXTURES, REPO, removeTempDirs, runCli, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);

type Fields<T> = Record<keyof T, true>;
type EventOf<A extends ScenarioEvent['action']> = Extract<ScenarioEvent, { action: A }>;
// Each list must name every field of its type and nothing else, or this file does not type-check.
const SCENARIO: Fields<Scenario> = {
  name: true,
  engine: true,
  threads: true,
  duration: true,
  balancerIntervalSeconds: true,
  sampleInterval: true,
  traceStep: true,
  demandInterpolation: true,
  bootSeconds: true,
  pressureWindowSeconds: true,
  hosts: true,
  vms: true,
  fleets: true,
  events: true,
  perVmSeries: true,
  failback: true,
  autoBalancer: true,
  migrationBandwidthMBps: true,
  startTime: true,
  policy: true,
  policies: true,
  policyOptions: true,
};
const HOST: Fields<HostOptions> = {
  name: true,
  memoryMB: true,
  reserveMB: true,
  failoverCluster: true,
  rootMemoryReserved: true,
  version: true,
  maxVmMemoryMB: true,
  balloonRateMBps: true,
  hysteresisMB: true,
  startTimeoutSeconds: true,
  policy: true,
  policyOptions: true,
  numaNodes: true,
  numaSpanning: true,
};
const SETTINGS: Fields<VmSettings> = {
  startupMB: true,
  dynamicMemory: true,
  minimumMB: true,
  maximumMB: true,
  bufferPercent: true,
  weight: true,
  guestOsMaxMB: true,
  guestSupportsDynamicMemory: true,
  guestSupportsHotAdd: true,
  guestSupportsRuntimeResize: true,
  generation: true,
  clusterPriority: true,
  balloonDriverRateMBps: true,
  balloonDriverLimitMB: true,
};
const VM: Fields<ScenarioVm> = {
  ...SETTINGS,
  name: true,
  host: true,
  start: true,
  startAt: true,
  initialAssignedMB: true,
  staticMB: true,
  demandMB: true,
  trace: true,
  traceVm: true,
  demand: true,
  traceOffset: true,
};
const FLEET: Fields<ScenarioFleet> = {
  prefix: true,
  traces: true,
  template: true,
  maximumFromProvisioned: true,
  startupFromProvisioned: true,
  count: true,
  copyShift: true,
  hosts: true,
  skipIdle: true,
  start: true,
  startSpread: true,
};
const VM_EVENT: Fields<EventOf<'start'>> = { at: true, action: true, vm: true };
const SET_MEMORY_EVENT: Fields<EventOf<'setMemory'>> = { at: true, action: true, vm: true, settings: true };
const SET_DEMAND_EVENT: Fields<EventOf<'setDemand'>> = { at: true, action: true, vm: true, demandMB: true };
const BALLOON_DRIVER_EVENT: Fields<EventOf<'balloonDriver'>> = {
  at: true,
  action: true,
  vm: true,
  rateMBps: true,
  limitMB: true,
};
const HOST_EVENT: Fields<EventOf<'failHost'>> = { at: true, action: true, host: true };
const EVENTS = [VM_EVENT, SET_MEMORY_EVENT, SET_DEMAND_EVENT, BALLOON_DRIVER_EVENT, HOST_EVENT];

type Node = { properties?: Record<string, unknown>; anyOf?: Node[] };
const defs = SCENARIO_SCHEMA.$defs as unknown as Record<string, Node>;
const keys = (node: Node | undefined) => Object.keys(node?.properties ?? {}).sort();
const names = (fields: object) => Object.keys(fields).sort();

describe('the published schema', () => {
  it('schema/scenario.schema.json is the schema the library validates with (npm run schema writes it)', () => {
    const file = JSON.parse(readFileSync(join(REPO, 'schema/scenario.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(SCENARIO_SCHEMA)));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.exports['./schema/scenario.schema.json']).toBe('./schema/scenario.schema.json');
    expect(pkg.files).toContain('schema');
  });

  it('has exactly the fields of the TypeScript types', () => {
    expect(keys(SCENARIO_SCHEMA as unknown as Node)).toEqual(names({ ...SCENARIO, $schema: true }));
    expect(keys(defs.host)).toEqual(names(HOST));
    expect(keys(defs.settings)).toEqual(names(SETTINGS));
    expect(keys(defs.vm)).toEqual(names(VM));
    expect(keys(defs.fleet)).toEqual(names(FLEET));
    expect(defs.event!.anyOf!.map(keys)).toEqual(EVENTS.map(names));
  });

  it('the bundled example scenario conforms', () => {
    const scenario = JSON.parse(readFileSync(join(CLI_FIXTURES, 'small-scenario.json'), 'utf8'));
    expect(() => checkScenario(scenario)).not.toThrow();
  });
});

describe('corrupt scenarios are refused before the run, naming the path', () => {
  const base = (): Scenario => ({
    duration: 600,
    hosts: [{ memoryMB: 16384, reserveMB: 0 }],
    vms: [{ name: 'a', startupMB: 2048, demandMB: 1000 }],
  });
  const vm = (patch: Record<string, unknown>) => ({ ...base(), vms: [{ ...base().vms![0]!, ...patch }] });

  it.each([
    ['initialAssignedMB: "abc"', vm({ initialAssignedMB: 'abc' }), 'vms[0].initialAssignedMB', /whole number/],
    ['staticMB: "abc"', vm({ staticMB: 'abc' }), 'vms[0].staticMB', /whole number/],
    ['staticMB: -100', vm({ staticMB: -100 }), 'vms[0].staticMB', /≥ 0/],
    ['start: "no"', vm({ start: 'no' }), 'vms[0].start', /true or false/],
    ['perVmSeries: "no"', { ...base(), perVmSeries: 'no' }, 'perVmSeries', /true or false/],
    ['name: 123', { ...base(), name: 123 }, 'name', /a string/],
    [
      'an unknown event field',
      { ...base(), events: [{ at: 10, action: 'stop', vm: 'a', when: 'later' }] },
      'events[0].when',
      /unknown field/,
    ],
    [
      'autoBalancer mode "sometimes"',
      { ...base(), autoBalancer: { mode: 'sometimes' } },
      'autoBalancer.mode',
      /one of/,
    ],
    ['autoBalancer level 90', { ...base(), autoBalancer: { level: 90 } }, 'autoBalancer.level', /one of/],
    ['autoBalancer unknown field', { ...base(), autoBalancer: { every: '1h' } }, 'autoBalancer.every', /unknown/],
    [
      'autoBalancer on with a 2012R2 host',
      { ...base(), hosts: [{ memoryMB: 16384, version: '2012R2' }], autoBalancer: { mode: 'onJoin' } },
      'autoBalancer.mode',
      /needs Windows Server 2016 or later/,
    ],
    [
      'an event after the end',
      { ...base(), events: [{ at: 601, action: 'stop', vm: 'a' }] },
      'events[0].at',
      /after the end/,
    ],
    [
      'a setMemory event with bad settings',
      { ...base(), events: [{ at: 60, action: 'setMemory', vm: 'a', settings: { weight: 20000 } }] },
      'events[0].settings.weight',
      /≤ 10000/,
    ],
    [
      'a setMemory event that changes nothing',
      { ...base(), events: [{ at: 60, action: 'setMemory', vm: 'a', settings: {} }] },
      'events[0].settings',
      /needs at least one setting/,
    ],
    [
      'a balloonDriver event without rateMBps or limitMB',
      { ...base(), events: [{ at: 60, action: 'balloonDriver', vm: 'a' }] },
      'events[0]',
      /needs rateMBps or limitMB/,
    ],
    [
      'a setMemory event whose settings break a rule between fields',
      { ...base(), events: [{ at: 60, action: 'setMemory', vm: 'a', settings: { minimumMB: 4096 } }] },
      'events[0].settings.minimumMB',
      /must not exceed startupMB 2048 MB/,
    ],
  ])('%s', async (_what, scenario, path, message) => {
    const e = await simulate(scenario as Scenario).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).path).toBe(path);
    expect((e as ScenarioError).message).toMatch(message);
  });

  it('setMemory events are checked in time order on top of each other', async () => {
    const events = [
      { at: 120, action: 'setMemory', vm: 'a', settings: { minimumMB: 1024 } },
      { at: 60, action: 'setMemory', vm: 'a', settings: { startupMB: 512 } },
    ];
    const e = await simulate({ ...base(), events } as Scenario).catch((error: unknown) => error);
    expect(e).toMatchObject({ name: 'ScenarioError', path: 'events[0].settings.minimumMB' });
  });

  it('the CLI exits non-zero, naming the path, and writes no report', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    const scenario = { ...base(), events: [{ at: 60, action: 'setMemory', vm: 'a', settings: { weight: 20000 } }] };
    writeFileSync(file, JSON.stringify(scenario));
    const run = runCli(['simulate', file, '--out', 'out'], dir);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('events[0].settings.weight');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
