// The property suite's pieces: random VMs, hosts, clusters and operation sequences (every public call that changes
// state, with settings changed in every VM state), and the invariants every tick must keep, written from the
// README's rules rather than from the library's code.

import {
  type Cluster,
  DynamicMemoryError,
  type Host,
  HYPERV_VERSIONS,
  POLICIES,
  restoreCluster,
  restoreHost,
  type VmSnapshot,
} from 'dynmem';
import fc from 'fast-check';
import { expect } from 'vitest';

/** Whole MB in steps of 2 (Hyper-V's alignment). */
export const mb2 = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((x) => x * 2);

/** A balloon driver: none of its own, stuck (0 MB/s), slow, and sometimes held above a floor. */
const balloonDriverArb = fc.record({
  balloonDriverRateMBps: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    fc.constant(0),
    fc.integer({ min: 1, max: 256 }),
  ),
  balloonDriverLimitMB: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, mb2(32, 8192)),
});

export const vmSpecArb = fc.record({
  startupMB: mb2(32, 8192),
  minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  extraMaxMB: mb2(0, 16384),
  bufferPercent: fc.integer({ min: 5, max: 2000 }),
  weight: fc.oneof(fc.constant(0), fc.constant(5000), fc.integer({ min: 0, max: 10000 })),
  dynamicMemory: fc.boolean(),
  guestOsMaxMB: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, mb2(32, 16384)),
  guestSupportsDynamicMemory: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, fc.constant(false)),
  guestSupportsHotAdd: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
  guestSupportsRuntimeResize: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
  generation: fc.oneof({ weight: 3, arbitrary: fc.constant(2 as const) }, fc.constant(1 as const)),
  clusterPriority: fc.constantFrom(3000 as const, 2000 as const, 1000 as const, 0 as const),
  driver: balloonDriverArb,
});

export type VmSpec = typeof vmSpecArb extends fc.Arbitrary<infer T> ? T : never;

/** The addVm settings of a spec. */
export function vmConfig(name: string, spec: VmSpec) {
  return {
    name,
    startupMB: spec.startupMB,
    minimumMB: Math.max(32, Math.floor((spec.startupMB * spec.minFraction) / 2) * 2),
    maximumMB: spec.startupMB + spec.extraMaxMB,
    bufferPercent: spec.bufferPercent,
    weight: spec.weight,
    dynamicMemory: spec.dynamicMemory,
    guestOsMaxMB: spec.guestOsMaxMB,
    guestSupportsDynamicMemory: spec.guestSupportsDynamicMemory,
    guestSupportsHotAdd: spec.guestSupportsHotAdd,
    guestSupportsRuntimeResize: spec.guestSupportsRuntimeResize,
    generation: spec.generation,
    clusterPriority: spec.clusterPriority,
    ...spec.driver,
  };
}

/** A settings change of one to three fields, any of which may be refused by the runtime rules of the VM's state:
 * all or nothing, the same answer on both engines. */
const settingArbs = {
  startupMB: mb2(32, 8192),
  dynamicMemory: fc.boolean(),
  minimumMB: mb2(32, 8192),
  maximumMB: mb2(32, 32768),
  bufferPercent: fc.integer({ min: 5, max: 2000 }),
  weight: fc.integer({ min: 0, max: 10000 }),
  guestOsMaxMB: fc.oneof(fc.constant(null), mb2(32, 16384)),
  guestSupportsDynamicMemory: fc.boolean(),
  guestSupportsHotAdd: fc.boolean(),
  guestSupportsRuntimeResize: fc.boolean(),
  generation: fc.constantFrom(1 as const, 2 as const),
  clusterPriority: fc.constantFrom(3000 as const, 2000 as const, 1000 as const, 0 as const),
  balloonDriverRateMBps: balloonDriverArb.map((d) => d.balloonDriverRateMBps),
  balloonDriverLimitMB: balloonDriverArb.map((d) => d.balloonDriverLimitMB),
};
type Setting = keyof typeof settingArbs;

const changeArb = fc
  .tuple(fc.record(settingArbs), fc.subarray(Object.keys(settingArbs) as Setting[], { minLength: 1, maxLength: 3 }))
  .map(([values, fields]) => Object.fromEntries(fields.map((field) => [field, values[field]])));

const vm = fc.nat(11);

/** Operations on a host or a cluster (both have these calls). */
export const opArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), vm }) },
  fc.record({ op: fc.constant('stop' as const), vm }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('restart' as const), vm }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('demand' as const), vm, mb: fc.integer({ min: 0, max: 20000 }) }),
  },
  fc.record({
    op: fc.constant('demands' as const),
    vms: fc.uniqueArray(vm, { minLength: 1, maxLength: 6 }),
    mb: fc.array(fc.integer({ min: 0, max: 20000 }), { minLength: 6, maxLength: 6 }),
  }),
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      seconds: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 40 }) }, fc.integer({ min: 41, max: 200 })),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('setMemory' as const), vm, change: changeArb }) },
  // a VM removed and added again (with the settings it was created with): it takes the last place in the order
  fc.record({ op: fc.constant('readd' as const), vm }),
  // the Wasm twin saved to JSON and resumed from it: it must go on exactly as the JS twin that was not
  fc.record({ op: fc.constant('checkpoint' as const) }),
);

export const clusterOpArb = fc.oneof(
  { weight: 8, arbitrary: opArb },
  fc.record({ op: fc.constant('failHost' as const), host: fc.nat(3) }),
  fc.record({ op: fc.constant('recoverHost' as const), host: fc.nat(3) }),
);

export type Op = typeof clusterOpArb extends fc.Arbitrary<infer T> ? T : never;

/** Host memory, MB: mostly small, so that VMs contend, starts fail and restarts need Smart Paging. */
export const hostMemoryArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 4096, max: 16384 }) },
  fc.integer({ min: 16385, max: 65536 }),
);

/** Host options the suite varies: hysteresis, version (runtime resize of static VMs from 2016), balloon rate and
 * NUMA nodes. */
export const hostOptionsArb = fc
  .record({
    hysteresisMB: fc.constantFrom(0, 0, 64, 256),
    version: fc.constantFrom(...HYPERV_VERSIONS),
    balloonRateMBps: fc.constantFrom(128, 128, 16, 1024),
    // the default, and one short enough for starts that gather their memory to time out often
    startTimeoutSeconds: fc.constantFrom(30, 30, 5),
    // no NUMA nodes, or two to four, spanning on or off
    numa: fc.oneof(
      { weight: 2, arbitrary: fc.constant({}) },
      fc.record({ numaNodes: fc.integer({ min: 2, max: 4 }), numaSpanning: fc.boolean() }),
    ),
  })
  .map(({ numa, ...options }) => ({ ...options, ...numa }));

/** The cluster's VM load balancing: any mode and level (low thresholds move more). */
export const autoBalancerArb = fc.record({
  mode: fc.constantFrom('disabled' as const, 'onJoin' as const, 'always' as const),
  level: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
});

/** Every policy, each peer deciding every 1 to 15 s (its own default interval is exercised by the policy tests). */
export const policyArb = fc
  .record({ policy: fc.constantFrom(...POLICIES), intervalSeconds: fc.integer({ min: 1, max: 15 }) })
  .map(({ policy, intervalSeconds }) =>
    policy === 'hyperv' || policy === 'static' ? { policy } : { policy, policyOptions: { intervalSeconds } },
  );

/** A host or a cluster: the calls the operations use. */
type Target = Host | Cluster;

/** Apply one operation; the outcome is 'ok' or the refusal's code (anything but a DynamicMemoryError fails). */
export function apply(target: Target, names: string[], specs: VmSpec[], op: Op): string {
  const name = 'vm' in op ? names[op.vm % names.length]! : '';
  try {
    switch (op.op) {
      case 'start':
        target.start(name);
        break;
      case 'stop':
        target.stop(name);
        break;
      case 'restart':
        target.restart(name);
        break;
      case 'demand':
        target.setDemand(name, op.mb);
        break;
      case 'demands': {
        const chosen = op.vms.map((k) => names[k % names.length]!).filter((n, k, all) => all.indexOf(n) === k);
        target.setDemands(
          target.vmHandles(chosen),
          Float64Array.from(chosen, (_, k) => op.mb[k]!),
        );
        break;
      }
      case 'setMemory':
        target.setMemory(name, op.change);
        break;
      case 'advance':
        target.advance(op.seconds);
        break;
      case 'readd':
        target.removeVm(name);
        target.addVm(vmConfig(name, specs[op.vm % names.length]!));
        break;
      case 'checkpoint':
        break; // runTwins replaces the twin by its resumed copy
      case 'failHost':
      case 'recoverHost': {
        const cluster = target as Cluster;
        const host = cluster.hosts()[op.host % cluster.hosts().length]!.name;
        if (op.op === 'failHost') cluster.failHost(host);
        else cluster.recoverHost(host);
        break;
      }
    }
    return 'ok';
  } catch (error) {
    if (error instanceof DynamicMemoryError) return error.code;
    throw error;
  }
}

/** The most a running Dynamic Memory VM may hold (README "Settings"): startup RAM for a guest without Dynamic
 * Memory; else its maximum (startup RAM for a guest without hot-add), capped by the guest OS's maximum but never
 * below the minimum. */
export function effectiveMaximum(s: VmSnapshot['settings']): number {
  if (!s.guestSupportsDynamicMemory) return s.startupMB;
  const maximum = s.guestSupportsHotAdd ? s.maximumMB : s.startupMB;
  return s.guestOsMaxMB !== null && s.guestOsMaxMB < maximum ? Math.max(s.guestOsMaxMB, s.minimumMB) : maximum;
}

/** Host instants seen with a start gathering its memory, cluster instants with a live migration under way (a
 * property checks it saw some). */
export const seen = { gathering: 0, migrating: 0 };

/** Every invariant of one host at this instant. */
export function checkInvariants(host: Host): void {
  const vms = host.vms();
  const assigned = vms.reduce((s, v) => s + v.assignedMB, 0);
  // memory kept for VMs moving in is in use, as the reserve
  expect(assigned + host.reserveMB + host.counters().migratingInMB).toBeLessThanOrEqual(host.memoryMB);
  // with NUMA spanning off, every node keeps its own books and every VM that is on lives on one node
  for (const node of host.numaNodes()) {
    if (node.assignedMB !== null) expect(node.assignedMB + node.reserveMB).toBeLessThanOrEqual(node.memoryMB);
  }
  for (const v of vms) expect(v.numaNode !== null).toBe(!host.numaSpanning && v.state !== 'Off');
  if (host.failed) expect(vms.filter((v) => v.state !== 'Off')).toEqual([]);
  for (const v of vms) {
    expect(Number.isInteger(v.assignedMB)).toBe(true);
    expect(v.smartPagingMB).toBeGreaterThanOrEqual(0);
    if (v.state === 'Off') {
      expect([v.assignedMB, v.smartPagingMB]).toEqual([0, 0]);
      continue;
    }
    const s = v.settings;
    if (v.gatheringMB > 0) {
      // a start waiting for memory holds what it has gathered so far, nothing on Smart Paging
      seen.gathering++;
      expect(v.state).toBe('Starting');
      expect([v.assignedMB + v.gatheringMB, v.smartPagingMB]).toEqual([s.startupMB, 0]);
      expect(v.startTimeoutSecondsLeft).toBeGreaterThan(0);
      continue;
    }
    // a booting VM holds its startup RAM, Smart Paging bridging what a restart could not find
    if (v.state === 'Starting') expect(v.assignedMB + v.smartPagingMB).toBeLessThanOrEqual(s.startupMB);
    if (!s.dynamicMemory) {
      if (v.state === 'Running') expect([v.assignedMB, v.smartPagingMB]).toEqual([s.startupMB, 0]);
      continue;
    }
    // the minimum is kept (Smart Paging counted while it bridges a restart): by physical memory too
    expect(v.assignedMB).toBeGreaterThanOrEqual(s.minimumMB);
    if (v.state !== 'Running') continue;
    // a guest without Dynamic Memory runs at its startup RAM
    if (!s.guestSupportsDynamicMemory) expect([v.assignedMB, v.smartPagingMB]).toEqual([s.startupMB, 0]);
    // never above the effective maximum, from the tick the guest reports (a lowered guest maximum applies at once;
    // under the static policy a VM holds its startup memory whatever its guest can use)
    if (host.policy !== 'static') expect(v.assignedMB + v.smartPagingMB).toBeLessThanOrEqual(effectiveMaximum(s));
  }
}

/**
 * A cluster's live migrations at this instant: a moving VM runs (on a live host other than its target), each
 * host keeps exactly the memory of the VMs moving to it, and the log lists exactly the moves under way as
 * 'moving'.
 */
export function checkMigrations(cluster: Cluster): void {
  const vms = cluster.vms();
  const moving = vms.filter((v) => v.migratingTo !== null);
  if (moving.length > 0) seen.migrating++;
  const failed = new Set(
    cluster
      .hosts()
      .filter((h) => h.failed)
      .map((h) => h.name),
  );
  for (const v of moving) {
    expect(v.state).toBe('Running');
    expect(v.host).not.toBe(v.migratingTo);
    expect(failed.has(v.host!) || failed.has(v.migratingTo!)).toBe(false);
  }
  for (const host of cluster.hosts()) {
    const kept = moving.filter((v) => v.migratingTo === host.name).reduce((s, v) => s + v.assignedMB, 0);
    expect(host.counters().migratingInMB).toBe(kept);
  }
  const underWay = cluster.migrations().filter((m) => m.status === 'moving');
  expect(underWay.map((m) => [m.vm, m.to, m.mb]).sort()).toEqual(
    moving.map((v) => [v.name, v.migratingTo, v.assignedMB]).sort(),
  );
}

/** What can be observed of a host or a cluster. */
interface Observable {
  vms(): VmSnapshot[];
  counters(): { averagePressure: number };
}

/** Within 1e-12 relative: a call of n ticks folds its moving averages over quiet ticks in closed form, which
 * differs from n one-tick calls in the last bits. */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

/** Same VMs and counters, exactly, but for the Average Pressures (to 1e-12, see expectClose). */
export function expectSame(a: Observable, b: Observable): void {
  const vmsB = b.vms();
  const vmsA = a.vms();
  expect(vmsA.length).toBe(vmsB.length);
  vmsA.forEach(({ averagePressure: pa, ...restA }, i) => {
    const { averagePressure: pb, ...restB } = vmsB[i]!;
    expect(restA).toEqual(restB);
    expectClose(pa, pb);
  });
  const { averagePressure: pa, ...restA } = a.counters();
  const { averagePressure: pb, ...restB } = b.counters();
  expect(restA).toEqual(restB);
  expectClose(pa, pb);
}

/** Host columns that hold averages or time integrals: a call of n ticks folds them over quiet ticks in closed form,
 * which differs from n one-tick calls in the last bits (the rest are whole MB, counts and extremes: exact). */
const FOLDED_HOST_COLUMNS = new Set([
  'avgPressure',
  'pressureSeconds',
  'assignedMBs',
  'smartPagingMBs',
  'pagingMBs',
  'shortVmSeconds',
]);

/** Where each pool's rows lie: laid out anew at a call's start, so a call of n ticks and n calls of one may lay
 * the same VMs out differently (the rows' contents, compared through snapshots, are the same). */
const LAYOUT_HOST_COLUMNS = new Set(['hostStart', 'hostEnd']);

/** The same kernel state of every host (its pools' rows in the host store, as a checkpoint has them): what the
 * kernels sum per host each tick (memory held, moves, extremes, run totals), not only what snapshots show. */
export function expectSameHostColumns(a: Target, b: Target): void {
  const columnsOf = (target: Target) =>
    (target.checkpoint().state as { fleet: { columns: { hosts: Record<string, number[]> } } }).fleet.columns.hosts;
  const columnsA = columnsOf(a);
  const columnsB = columnsOf(b);
  expect(Object.keys(columnsA)).toEqual(Object.keys(columnsB));
  for (const [name, valuesA] of Object.entries(columnsA)) {
    if (LAYOUT_HOST_COLUMNS.has(name)) continue;
    const valuesB = columnsB[name]!;
    expect(valuesA.length, name).toBe(valuesB.length);
    if (!FOLDED_HOST_COLUMNS.has(name)) expect(valuesA, name).toEqual(valuesB);
    else valuesA.forEach((value, pool) => expectClose(value, valuesB[pool]!));
  }
}

/** Run `ops` on twin subjects, the first on the Wasm engine and the second on the JS one: advance(n) on the first
 * and one advance per tick (of `tickSeconds`) on the second, with every host's invariants after each of its ticks, so equal results show
 * both that the engines agree and that a call of n ticks is n calls of one. */
export async function runTwins(
  twins: [Target, Target],
  hostsOf: (target: Target) => Host[],
  names: string[],
  specs: VmSpec[],
  ops: Op[],
  tickSeconds = 1,
): Promise<void> {
  let [wasm, js] = twins;
  for (const op of ops) {
    if (op.op === 'checkpoint') {
      const saved = JSON.parse(JSON.stringify(wasm.checkpoint()));
      wasm = 'failHost' in wasm ? await restoreCluster(saved) : await restoreHost(saved);
    } else if (op.op === 'advance') {
      apply(wasm, names, specs, op);
      for (let t = 0; t < op.seconds / tickSeconds; t++) {
        expect(apply(js, names, specs, { op: 'advance', seconds: tickSeconds })).toBe('ok');
        for (const host of hostsOf(js)) checkInvariants(host);
        if ('failHost' in js) checkMigrations(js);
      }
    } else {
      const outcome = apply(wasm, names, specs, op);
      expect(apply(js, names, specs, op)).toBe(outcome);
      for (const host of hostsOf(wasm)) checkInvariants(host);
      if ('failHost' in wasm) checkMigrations(wasm);
    }
    expectSame(js, wasm);
    if (op.op === 'advance') expectSameHostColumns(js, wasm); // (what the kernels write; a checkpoint each costs)
    if ('failHost' in wasm) expect((wasm as Cluster).migrations()).toEqual((js as Cluster).migrations());
  }
}
