// Checkpoint and resume as a property: a host or cluster driven by random operations, checkpointed at a random
// point through JSON text, restored (on either engine) and driven on by the same operations, ends exactly as the
// run that never stopped: every outcome, snapshot, counter and the whole saved state (every column, bit for
// bit). State that a later change adds and the checkpoint misses shows up here as a difference.
import {
  type Cluster,
  createCluster,
  createHost,
  DynamicMemoryError,
  type Host,
  restoreCluster,
  restoreHost,
} from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const RUNS = Number(process.env.CHECKPOINT_RUNS ?? 40);
const mb2 = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((x) => x * 2);

const vmArb = fc.record({
  startupMB: mb2(32, 8192),
  minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  extraMaxMB: mb2(0, 16384),
  bufferPercent: fc.integer({ min: 5, max: 2000 }),
  weight: fc.integer({ min: 0, max: 10000 }),
  dynamicMemory: fc.boolean(),
  clusterPriority: fc.constantFrom(3000, 2000, 1000, 0),
});
type VmSpec = typeof vmArb extends fc.Arbitrary<infer T> ? T : never;

const vm = fc.nat(15);
const commonOps = [
  fc.record({ op: fc.constant('start' as const), vm }),
  fc.record({ op: fc.constant('stop' as const), vm }),
  fc.record({ op: fc.constant('restart' as const), vm }),
  fc.record({ op: fc.constant('demand' as const), vm, mb: fc.integer({ min: 0, max: 20000 }) }),
  fc.record({
    op: fc.constant('advance' as const),
    seconds: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(600)),
  }),
  fc.record({ op: fc.constant('add' as const), spec: vmArb }),
  fc.record({ op: fc.constant('remove' as const), vm }),
  fc.record({
    op: fc.constant('setMemory' as const),
    vm,
    change: fc.oneof(
      fc.record({ weight: fc.integer({ min: 0, max: 10000 }) }),
      fc.record({ bufferPercent: fc.integer({ min: 5, max: 2000 }) }),
      fc.record({ maximumMB: mb2(32, 32768) }),
      fc.record({ minimumMB: mb2(32, 8192) }),
      fc.record({ guestOsMaxMB: fc.oneof(fc.constant(null), mb2(32, 16384)) }),
      fc.record({ guestSupportsDynamicMemory: fc.boolean() }),
      fc.record({ balloonDriverRateMBps: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 200 })) }),
      fc.record({ balloonDriverLimitMB: mb2(0, 4096) }),
    ),
  }),
];
const hostOpArb = fc.oneof(...commonOps);
const clusterOpArb = fc.oneof(
  ...commonOps,
  fc.record({ op: fc.constant('failHost' as const), host: fc.nat(3) }),
  fc.record({ op: fc.constant('recoverHost' as const), host: fc.nat(3) }),
);
type Op = typeof clusterOpArb extends fc.Arbitrary<infer T> ? T : never;

const engineArb = fc.constantFrom('wasm' as const, 'js' as const);
/** One pool, NUMA nodes spanned, or nodes that balance on their own (every VM on one node). */
const numaArb = fc.constantFrom(
  {},
  {},
  { numaNodes: 2 },
  { numaNodes: 2, numaSpanning: false },
  { numaNodes: 3, numaSpanning: false },
);
const policyArb = fc.constantFrom('hyperv', 'hyperv', 'static', 'squeezed', 'qmemman', 'mom', 'proxmox', 'esx');

function config(spec: VmSpec, name: string) {
  const minimumMB = Math.max(32, Math.floor((spec.startupMB * spec.minFraction) / 2) * 2);
  const { minFraction: _, extraMaxMB, ...rest } = spec;
  return { ...rest, name, minimumMB, maximumMB: spec.startupMB + extraMaxMB };
}

/** Applies `op` to a host or cluster; the outcome ('ok', an error code, or a failover report) for comparison. */
function apply(target: Host | Cluster, op: Op, step: number): unknown {
  const names = target.vms().map((v) => v.name);
  const name = 'vm' in op ? (names[op.vm % Math.max(1, names.length)] ?? 'none') : '';
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
      case 'setMemory':
        target.setMemory(name, op.change);
        break;
      case 'advance':
        target.advance(op.seconds);
        break;
      case 'add':
        target.addVm(config(op.spec, `added-${step}`));
        break;
      case 'remove':
        target.removeVm(name);
        break;
      case 'failHost':
      case 'recoverHost': {
        const cluster = target as Cluster;
        const host = cluster.hosts()[op.host % cluster.hosts().length]!.name;
        return op.op === 'failHost' ? cluster.failHost(host) : cluster.recoverHost(host);
      }
    }
    return 'ok';
  } catch (error) {
    if (error instanceof DynamicMemoryError) return error.code;
    throw error;
  }
}

/** Everything that can be seen of a host or cluster, and everything it saves. */
/** The kernel's per-tick scratch columns: written before they are read in every tick, they may differ between
 * the engines where no result depends on them (a VM outside a tier's sharing), so across engines they are left out
 * of the comparison (each engine's own restore still has to give them back bit for bit). */
const SCRATCH_COLUMNS = ['goal', 'need', 'shareWeight', 'ratio', 'share'];

/** Everything that can be seen of a host or cluster, and everything it saves. Taken once per run: reading VMs or
 * counters may lay the rows out (a layout the next engine call would make anyway), which a checkpoint shows. */
function look(target: Host | Cluster) {
  const { engine: _, ...checkpoint } = target.checkpoint();
  return { time: target.timeSeconds, vms: target.vms(), counters: target.counters(), checkpoint };
}

/** `seen` without the scratch columns and the checksum over them, for a comparison across engines. */
function withoutScratch(seen: ReturnType<typeof look>) {
  const { checksum: _, ...checkpoint } = structuredClone(seen.checkpoint);
  const columns = (checkpoint.state as { fleet: { columns: { vms: Record<string, unknown> } } }).fleet.columns.vms;
  for (const name of SCRATCH_COLUMNS) delete columns[name];
  return { ...seen, checkpoint };
}

/** Runs `ops` without a break, and again with a checkpoint after `at` of them restored on `restoreEngine`; also
 * checks that the checkpoint changed nothing of the original. */
async function compareRuns<T extends Host | Cluster>(
  create: () => Promise<T>,
  restore: (saved: unknown) => Promise<T>,
  ops: Op[],
  at: number,
): Promise<void> {
  const straight = await create();
  const straightOutcomes = ops.map((op, step) => apply(straight, op, step));

  const original = await create();
  const outcomes = ops.slice(0, at).map((op, step) => apply(original, op, step));
  const text = JSON.stringify(original.checkpoint());
  const resumed = await restore(JSON.parse(text));
  const resumedOutcomes = [...outcomes];
  ops.slice(at).forEach((op, k) => {
    outcomes.push(apply(original, op, at + k));
    resumedOutcomes.push(apply(resumed, op, at + k));
  });
  expect(resumedOutcomes).toEqual(straightOutcomes);
  expect(outcomes).toEqual(straightOutcomes);
  const expected = look(straight);
  expect(look(original)).toEqual(expected);
  const seen = look(resumed);
  if (resumed.engine === straight.engine) expect(seen).toEqual(expected);
  else expect(withoutScratch(seen)).toEqual(withoutScratch(expected));
}

describe.each(['wasm', 'js'] as const)('checkpoint and resume, written by the %s engine', (engine) => {
  it('a host resumes exactly where it stopped, on either engine', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          memoryMB: fc.integer({ min: 4096, max: 65536 }),
          hysteresisMB: fc.constantFrom(0, 0, 64, 256),
          policy: policyArb,
          bootSeconds: fc.constantFrom(0, 3, 30),
          numa: numaArb,
        }),
        fc.array(vmArb, { minLength: 1, maxLength: 10 }),
        fc.array(hostOpArb, { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        engineArb,
        async ({ bootSeconds, numa, ...options }, specs, ops, where, restoreEngine) => {
          const create = async () => {
            const host = await createHost({ ...options, ...numa, engine, bootSeconds });
            specs.forEach((spec, i) => host.addVm(config(spec, `vm-${i}`)));
            return host;
          };
          const at = Math.floor(where * ops.length);
          await compareRuns(create, (saved) => restoreHost(saved, { engine: restoreEngine }), ops, at);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a cluster resumes exactly where it stopped (failovers, failback, homes), on either engine', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ memoryMB: fc.integer({ min: 4096, max: 32768 }), numa: numaArb }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom('none' as const, 'immediate' as const),
        fc.array(vmArb, { minLength: 1, maxLength: 12 }),
        fc.array(clusterOpArb, { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        engineArb,
        async (memories, failback, specs, ops, where, restoreEngine) => {
          const create = async () => {
            const cluster = await createCluster({
              hosts: memories.map(({ memoryMB, numa }, i) => ({ name: `n${i + 1}`, memoryMB, ...numa })),
              failback,
              engine,
              bootSeconds: 5,
            });
            // some VMs on a given host, the others unplaced until they start
            specs.forEach((spec, i) => {
              const vmConfig = config(spec, `vm-${i}`);
              if (i % 3 === 0) cluster.hosts()[i % memories.length]!.addVm(vmConfig);
              else cluster.addVm(vmConfig);
            });
            return cluster;
          };
          const at = Math.floor(where * ops.length);
          await compareRuns(create, (saved) => restoreCluster(saved, { engine: restoreEngine }), ops, at);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
