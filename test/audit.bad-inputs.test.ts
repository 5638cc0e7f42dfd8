// An adversarial pass over the public API: every call and every option gets values of the wrong type, out of range,
// misaligned, without a prototype, or naming nothing. Each must be refused with a DynamicMemoryError that names
// the field (or the VM or host), and leave the host or cluster exactly as before: every snapshot equal, and the
// same results afterwards as a twin that was never touched.

import {
  autoReserveMB,
  type Cluster,
  createCluster,
  createHost,
  DynamicMemoryError,
  type Host,
  InteropError,
  loadCoreModule,
  mergePowerShellExports,
  parseDuration,
  parsePdhCsv,
  parseTraceText,
  replayScenario,
  ScenarioError,
  simulate,
  TraceError,
  vmsFromPowerShellJson,
} from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refusal, thrown } from './refusal.ts';

const bare = () => Object.create(null) as unknown;

/** Everything observable of a host or a cluster, every member host included. */
function fullSnapshot(subject: Host | Cluster) {
  const hosts = 'failHost' in subject ? subject.hosts() : [subject];
  return {
    time: subject.timeSeconds,
    vms: subject.vms(),
    counters: subject.counters(),
    hosts: hosts.map((h) => ({
      name: h.name,
      failed: h.failed,
      memoryMB: h.memoryMB,
      reserveMB: h.reserveMB,
      maxVmMemoryMB: h.maxVmMemoryMB,
      version: h.version,
      policy: h.policy,
      vms: h.vms(),
      counters: h.counters(),
    })),
  };
}

/** `fn` is refused with a DynamicMemoryError naming `field` (and `vm` where given) and changes nothing. */
function refusedNaming(
  subject: Host | Cluster,
  fn: () => unknown,
  expected: { field?: string; vm?: string; host?: string },
): DynamicMemoryError {
  const before = fullSnapshot(subject);
  const e = refusal(fn);
  expect(e.name).toBe('DynamicMemoryError');
  expect(e.message.length).toBeGreaterThan(10);
  expect(e).toMatchObject(expected);
  expect(fullSnapshot(subject)).toEqual(before);
  return e;
}

/** Bad values of each VM setting (undefined means "unchanged" in a change, so it is not among them). */
const MEMORY_BAD = [null, Number.NaN, Infinity, -Infinity, -2, 0, 30, 1.5, 1025, '1024', true, {}, [], 2 ** 53];
const BAD_SETTINGS: Record<string, unknown[]> = {
  startupMB: MEMORY_BAD,
  minimumMB: MEMORY_BAD,
  maximumMB: MEMORY_BAD,
  dynamicMemory: [null, 0, 1, 'true', {}, []],
  bufferPercent: [null, Number.NaN, 4, 2001, 20.5, '20', -20, true],
  weight: [null, Number.NaN, -1, 10001, 0.5, '5000', Infinity, false],
  guestOsMaxMB: [Number.NaN, Infinity, -2, 0, 30, 1.5, 1025, '2048', true, {}, []],
  guestSupportsDynamicMemory: [null, 0, 1, 'false', {}],
  guestSupportsHotAdd: [null, 0, 1, 'false', {}],
  guestSupportsRuntimeResize: [null, 0, 1, 'false', {}],
  generation: [null, 0, 3, 1.5, '2', true, Number.NaN],
  clusterPriority: [null, -1, 1, 1500, 2000.5, '2000', 4000, Number.NaN, true],
  balloonDriverRateMBps: [Number.NaN, Infinity, -1, 1.5, '10', true, {}, []],
  balloonDriverLimitMB: [null, Number.NaN, Infinity, -2, 1.5, 3, '0', true, {}],
};
const SETTING_CASES = Object.entries(BAD_SETTINGS).flatMap(([field, values]) =>
  [...values, bare()].map((value) => [field, value] as const),
);

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  /** VMs in every state: off, booting, running with Dynamic Memory (under Smart Paging after a restart), running
   * static; a host short of memory so that every path is live. */
  async function hostScene(): Promise<Host> {
    const host = await createHost({ memoryMB: 8192, reserveMB: 0, hysteresisMB: 64, version: '2016', engine });
    host.addVm({ name: 'off', startupMB: 1024, minimumMB: 512, maximumMB: 4096 });
    host.addVm({ name: 'run', startupMB: 4096, minimumMB: 512, maximumMB: 8192, balloonDriverRateMBps: 0 });
    host.addVm({ name: 'st', startupMB: 2048, dynamicMemory: false, clusterPriority: 3000 });
    host.addVm({ name: 'boot', startupMB: 1024, minimumMB: 512, guestOsMaxMB: 768 });
    host.setDemand('run', 3000);
    host.start('run');
    host.start('st');
    host.advance(60);
    host.start('boot');
    host.advance(5);
    return host;
  }

  async function clusterScene(): Promise<Cluster> {
    const cluster = await createCluster({
      hosts: [
        { name: 'n1', memoryMB: 8192, reserveMB: 0 },
        { name: 'n2', memoryMB: 8192, reserveMB: 0, version: '2012R2' },
        { name: 'n3', memoryMB: 4096, reserveMB: 0 },
      ],
      failback: 'immediate',
      engine,
    });
    cluster.addVm({ name: 'a', startupMB: 2048, minimumMB: 512, clusterPriority: 1000 });
    cluster.addVm({ name: 'b', startupMB: 1024, dynamicMemory: false });
    cluster.addVm({ name: 'c', startupMB: 1024, clusterPriority: 0 });
    for (const name of ['a', 'b', 'c']) cluster.start(name);
    cluster.advance(40);
    cluster.failHost('n3');
    cluster.advance(10);
    return cluster;
  }

  describe('VM settings', () => {
    it.each(SETTING_CASES)('addVm with %s = %o is refused, naming the field', async (field, value) => {
      const host = await hostScene();
      refusedNaming(host, () => host.addVm({ name: 'new', startupMB: 1024, [field]: value } as never), {
        field,
        vm: 'new',
      });
    });

    it.each(SETTING_CASES)('setMemory %s = %o is refused in every state, naming it', async (field, value) => {
      const host = await hostScene();
      for (const vm of ['off', 'run', 'st', 'boot'])
        refusedNaming(host, () => host.setMemory(vm, { [field]: value } as never), { field, vm });
    });

    it.each(SETTING_CASES)('cluster addVm and setMemory with %s = %o are refused', async (field, value) => {
      const cluster = await clusterScene();
      refusedNaming(cluster, () => cluster.addVm({ name: 'new', [field]: value } as never), { field });
      for (const vm of ['a', 'b', 'c'])
        refusedNaming(cluster, () => cluster.setMemory(vm, { [field]: value } as never), { field, vm });
    });

    it.each([
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['a misspelt field', { startupMb: 1024 }, 'startupMb'],
      ['__proto__ as an own field', JSON.parse('{"__proto__": {"weight": 1}}'), '__proto__'],
      ['constructor', { constructor: 1 }, 'constructor'],
      ['name in a change', { name: 'other' }, 'name'],
    ])('setMemory with %s is refused, naming it', async (_what, change, field) => {
      const host = await hostScene();
      refusedNaming(host, () => host.setMemory('off', change as never), { field, vm: 'off' });
    });

    it.each([
      ['null', null],
      ['a number', 5],
      ['a string', 'x'],
      ['an array', []],
    ])('a change that is %s is refused', async (_what, change) => {
      const host = await hostScene();
      refusedNaming(host, () => host.setMemory('run', change as never), { vm: 'run' });
    });

    it.each([
      ['no name', {}],
      ['a blank name', { name: '  ' }],
      ['a number as name', { name: 5 }],
      ['null as name', { name: null }],
      ['an object as name', { name: {} }],
    ])('addVm with %s is refused, naming the field', async (_what, config) => {
      const host = await hostScene();
      refusedNaming(host, () => host.addVm(config as never), { field: 'name' });
      const cluster = await clusterScene();
      refusedNaming(cluster, () => cluster.addVm(config as never), { field: 'name' });
    });
  });

  describe('calls naming a VM or a host', () => {
    const badNames = [undefined, null, 5, {}, [], 'nobody', bare()];

    it.each(badNames.map((name) => [name]))('every VM call refuses the name %o', async (name) => {
      const host = await hostScene();
      const cluster = await clusterScene();
      for (const subject of [host, cluster] as const) {
        const s = subject as Host;
        for (const call of [
          () => s.start(name as never),
          () => s.stop(name as never),
          () => s.restart(name as never),
          () => s.removeVm(name as never),
          () => s.setDemand(name as never, 100),
          () => s.setMemory(name as never, { weight: 100 }),
          () => s.vm(name as never),
          () => s.vmHandles([name as never]),
        ]) {
          const e = refusedNaming(subject, call, {});
          expect(e.code).toBe('UnknownVm');
          if (typeof name === 'string') expect(e.vm).toBe(name);
        }
      }
    });

    it.each(badNames.map((name) => [name]))('cluster host calls refuse the host %o', async (name) => {
      const cluster = await clusterScene();
      for (const call of [
        () => cluster.failHost(name as never),
        () => cluster.recoverHost(name as never),
        () => cluster.host(name as never),
      ]) {
        expect(refusedNaming(cluster, call, {}).code).toBe('UnknownHost');
      }
    });

    it('a VM of another host is unknown to a host; a failed host cannot fail again nor a live one recover', async () => {
      const cluster = await clusterScene();
      const where = cluster.vm('a').host!;
      const other = cluster.hosts().find((h) => h.name !== where && !h.failed)!;
      expect(refusedNaming(cluster, () => other.setDemand('a', 10), { vm: 'a' }).code).toBe('UnknownVm');
      expect(refusedNaming(cluster, () => cluster.failHost('n3'), { host: 'n3' }).code).toBe('InvalidState');
      expect(refusedNaming(cluster, () => cluster.recoverHost('n1'), { host: 'n1' }).code).toBe('InvalidState');
    });
  });

  describe('demand, batch demand and time', () => {
    const badDemands = [null, Number.NaN, Infinity, -1, 1.5, '100', true, {}, 2 ** 30 + 1, 2 ** 53, bare()];

    it.each(badDemands.map((d) => [d]))('setDemand and setDemands refuse %o, naming the VM', async (demand) => {
      const host = await hostScene();
      refusedNaming(host, () => host.setDemand('run', demand as never), { vm: 'run', field: 'demandMB' });
      const handles = host.vmHandles(['off', 'run', 'boot']);
      refusedNaming(host, () => host.setDemands(handles, [1, demand as never, 2]), { vm: 'run', field: 'demandMB' });
      const cluster = await clusterScene();
      const all = cluster.vmHandles(['a', 'b', 'c']);
      refusedNaming(cluster, () => cluster.setDemands(all, [1, 2, demand as never]), { vm: 'c', field: 'demandMB' });
    });

    it('vmHandles and setDemands refuse what is not theirs or does not match', async () => {
      const host = await hostScene();
      const twin = await hostScene();
      const handles = host.vmHandles(['run', 'boot']);
      for (const names of [null, 'run', 5, {}, bare()])
        refusedNaming(host, () => host.vmHandles(names as never), { field: 'names' });
      refusedNaming(host, () => host.vmHandles(['run', 'run']), { field: 'names', vm: 'run' });
      for (const h of [null, {}, [], 'run', bare(), twin.vmHandles(['run', 'boot'])])
        refusedNaming(host, () => host.setDemands(h as never, [1, 2]), { field: 'handles' });
      for (const demands of [null, undefined, [1], [1, 2, 3], 'ab', 5, bare()])
        refusedNaming(host, () => host.setDemands(handles, demands as never), { field: 'demandsMB' });
    });

    it.each([
      -1,
      Number.NaN,
      Infinity,
      -Infinity,
      '1',
      null,
      undefined,
      true,
      {},
      [],
      0.5,
      Number.MAX_SAFE_INTEGER + 2,
      bare(),
    ])('advance(%o) is refused, naming seconds', async (seconds) => {
      const host = await hostScene();
      refusedNaming(host, () => host.advance(seconds as never), { field: 'seconds' });
      const cluster = await clusterScene();
      refusedNaming(cluster, () => cluster.advance(seconds as never), { field: 'seconds' });
    });
  });

  describe('host, cluster and engine options', () => {
    const HOST_BAD: [string, unknown][] = [
      ['memoryMB', undefined],
      ['memoryMB', null],
      ['memoryMB', 63],
      ['memoryMB', 8192.5],
      ['memoryMB', '8192'],
      ['memoryMB', Number.NaN],
      ['memoryMB', 2 ** 53],
      ['reserveMB', -1],
      ['reserveMB', 1.5],
      ['reserveMB', 'manual'],
      ['reserveMB', null],
      ['reserveMB', 8192],
      ['failoverCluster', 'yes'],
      ['failoverCluster', null],
      ['rootMemoryReserved', 1],
      ['rootMemoryReserved', true], // only for a failover-cluster member
      ['version', '2008R2'],
      ['version', 2016],
      ['version', null],
      ['version', '2012r2'],
      ['maxVmMemoryMB', 1001],
      ['maxVmMemoryMB', 16],
      ['maxVmMemoryMB', 2 ** 40],
      ['maxVmMemoryMB', null],
      ['balloonRateMBps', 0],
      ['balloonRateMBps', 1.5],
      ['balloonRateMBps', null],
      ['hysteresisMB', -1],
      ['hysteresisMB', 'none'],
      ['hysteresisMB', null],
      ['name', ''],
      ['name', ' '],
      ['name', 5],
      ['name', null],
      ['policy', 'xen'],
      ['policy', null],
      ['policyOptions', 5],
      ['engine', 'wasm2'],
      ['engine', null],
      ['balancerIntervalSeconds', 0],
      ['balancerIntervalSeconds', -1],
      ['balancerIntervalSeconds', null],
      ['bootSeconds', -1],
      ['bootSeconds', Number.NaN],
      ['bootSeconds', null],
      ['pressureWindowSeconds', 0],
      ['pressureWindowSeconds', '60'],
      ['wasm', 'core.wasm'],
      ['wasm', null],
      ['enigne', 'js'],
    ];

    it.each(HOST_BAD)('createHost with %s = %o is refused, naming the field', async (field, value) => {
      const options = { memoryMB: 8192, engine, [field]: value };
      if (value === undefined) delete (options as Record<string, unknown>)[field];
      const e = await createHost(options as never).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(e).toBeInstanceOf(DynamicMemoryError);
      expect(e).toMatchObject({ field });
    });

    it.each(HOST_BAD.filter(([field]) => field !== 'engine' && field !== 'wasm' && !field.endsWith('Seconds')))(
      'a cluster host with %s = %o is refused, naming the field',
      async (field, value) => {
        const host = { name: 'n1', memoryMB: 8192, [field]: value };
        if (value === undefined) delete (host as Record<string, unknown>)[field];
        if (field === 'rootMemoryReserved' && value === true) return; // a cluster member may keep it
        const e = await createCluster({ hosts: [host], engine } as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(e).toBeInstanceOf(DynamicMemoryError);
        expect((e as DynamicMemoryError).field).toContain(field);
      },
    );

    it.each([
      ['failback', 'sometimes'],
      ['failback', null],
      ['failback', true],
      ['hosts', []],
      ['hosts', null],
      ['hosts', 'n1'],
      ['engnie', 'js'],
      ['autobalancer', {}],
    ])('createCluster with %s = %o is refused, naming the field', async (field, value) => {
      const options = { hosts: [{ name: 'n1', memoryMB: 8192 }], engine, [field]: value };
      const e = await createCluster(options as never).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(e).toBeInstanceOf(DynamicMemoryError);
      expect(e).toMatchObject({ field });
    });
  });

  it('after every refusal above, a host and a cluster balance exactly as twins never refused anything', async () => {
    const host = await hostScene();
    const hostTwin = await hostScene();
    const cluster = await clusterScene();
    const clusterTwin = await clusterScene();
    for (const [field, value] of SETTING_CASES) {
      for (const vm of ['off', 'run', 'st', 'boot']) refusal(() => host.setMemory(vm, { [field]: value } as never));
      for (const vm of ['a', 'b', 'c']) refusal(() => cluster.setMemory(vm, { [field]: value } as never));
      refusal(() => host.addVm({ name: 'x', [field]: value } as never));
      refusal(() => cluster.addVm({ name: 'x', [field]: value } as never));
    }
    refusal(() => host.advance(-1));
    refusal(() => cluster.failHost('n3'));
    for (const [subject, twin] of [
      [host, hostTwin],
      [cluster, clusterTwin],
    ] as const) {
      for (const s of [subject, twin]) {
        (s as Host).setDemand((s as Host).vms()[1]!.name, 700);
        s.advance(300);
      }
      expect(fullSnapshot(subject)).toEqual(fullSnapshot(twin));
    }
    cluster.recoverHost('n3');
    clusterTwin.recoverHost('n3');
    cluster.advance(60);
    clusterTwin.advance(60);
    expect(fullSnapshot(cluster)).toEqual(fullSnapshot(clusterTwin));
  });
});

describe('scenario fields of the second milestone', () => {
  const base = () => ({
    duration: 600,
    hosts: [{ name: 'h1', memoryMB: 16384, reserveMB: 0 }],
    vms: [{ name: 'a', startupMB: 2048, demandMB: 1000 }],
  });
  const cluster = () => ({ ...base(), hosts: [...base().hosts, { name: 'h2', memoryMB: 16384 }] });
  const event = (e: Record<string, unknown>, scenario: Record<string, unknown> = base()) => ({
    ...scenario,
    events: [{ at: 60, vm: 'a', ...e }],
  });
  const vm = (patch: Record<string, unknown>) => ({ ...base(), vms: [{ ...base().vms[0]!, ...patch }] });

  it.each([
    ['balloonDriver rateMBps -1', event({ action: 'balloonDriver', rateMBps: -1 }), 'events[0].rateMBps'],
    ['balloonDriver rateMBps "x"', event({ action: 'balloonDriver', rateMBps: 'x' }), 'events[0].rateMBps'],
    ['balloonDriver limitMB 3', event({ action: 'balloonDriver', limitMB: 3 }), 'events[0].limitMB'],
    ['balloonDriver for nobody', event({ action: 'balloonDriver', vm: 'zz', rateMBps: 0 }), 'events[0].vm'],
    [
      'clusterPriority 5',
      event({ action: 'setMemory', settings: { clusterPriority: 5 } }),
      'events[0].settings.clusterPriority',
    ],
    ['generation 3', event({ action: 'setMemory', settings: { generation: 3 } }), 'events[0].settings.generation'],
    ['guestSupportsHotAdd "no"', vm({ guestSupportsHotAdd: 'no' }), 'vms[0].guestSupportsHotAdd'],
    ['guestSupportsRuntimeResize null', vm({ guestSupportsRuntimeResize: null }), 'vms[0].guestSupportsRuntimeResize'],
    ['clusterPriority "High"', vm({ clusterPriority: 'High' }), 'vms[0].clusterPriority'],
    ['balloonDriverLimitMB 1.5', vm({ balloonDriverLimitMB: 1.5 }), 'vms[0].balloonDriverLimitMB'],
    ['version "2008"', { ...base(), hosts: [{ memoryMB: 16384, version: '2008' }] }, 'hosts[0].version'],
    ['version null', { ...base(), hosts: [{ memoryMB: 16384, version: null }] }, 'hosts[0].version'],
    ['reserveMB null', { ...base(), hosts: [{ memoryMB: 16384, reserveMB: null }] }, 'hosts[0].reserveMB'],
    [
      'rootMemoryReserved "yes"',
      {
        ...cluster(),
        hosts: [
          { name: 'h1', memoryMB: 16384, rootMemoryReserved: 'yes' },
          { name: 'h2', memoryMB: 16384 },
        ],
      },
      'hosts[0].rootMemoryReserved',
    ],
    ['failback "x"', { ...cluster(), failback: 'x' }, 'failback'],
    ['failback null', { ...cluster(), failback: null }, 'failback'],
    ['demandInterpolation "cubic"', { ...base(), demandInterpolation: 'cubic' }, 'demandInterpolation'],
    ['policy null', { ...base(), policy: null }, 'policy'],
    ['engine null', { ...base(), engine: null }, 'engine'],
    ['failHost of no host', { ...cluster(), events: [{ at: 60, action: 'failHost', host: 'nope' }] }, 'events[0].host'],
  ])('%s is refused before the run, naming its path', async (_what, scenario, path) => {
    const e = await simulate(scenario as never).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).path).toBe(path);
  });
});

describe('library functions given what is not their input', () => {
  const notText = [undefined, null, 5, {}, [], bare()];

  it.each(notText.map((x) => [x]))('the text readers refuse %o with their own error, naming the source', (text) => {
    for (const read of [
      () => parsePdhCsv(text as never, 'counters.csv'),
      () => vmsFromPowerShellJson(text as never, { source: 'counters.csv' }),
      () => mergePowerShellExports(text as never, '[]', { getVmSource: 'counters.csv' }),
      () => replayScenario('[]', text as never, { countersSource: 'counters.csv' }),
    ]) {
      const e = thrown(read, InteropError);
      expect(e.file).toBe('counters.csv');
      expect(e.message).toContain('expected the file');
    }
    expect(thrown(() => parseTraceText(text as never, 'trace.csv'), TraceError).file).toBe('trace.csv');
  });

  it.each([Number.NaN, -1, 1.5, '65536', null, bare()])('autoReserveMB(%o) is refused, naming memoryMB', (memoryMB) => {
    expect(refusal(() => autoReserveMB(memoryMB as never)).field).toBe('memoryMB');
  });

  it('simulate() with options that are no object, parseDuration of a BigInt, loadCoreModule of a bare object', async () => {
    const scenario = { duration: 60, hosts: [{ memoryMB: 8192 }], vms: [{ name: 'a', demandMB: 10 }] };
    await expect(simulate(scenario, null as never)).rejects.toMatchObject({ field: 'options' });
    expect(thrown(() => parseDuration(10n, 'duration'), ScenarioError).path).toBe('duration');
    await expect(loadCoreModule(bare() as never)).rejects.toMatchObject({ name: 'DynamicMemoryError', field: 'wasm' });
  });
});
