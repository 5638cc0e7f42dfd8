// Checkpoint and resume as a property: a host or cluster driven by random operations, checkpointed at a random
// point through JSON text, restored (on either engine) and driven on by the same operations, ends exactly as the
// run that never stopped: every outcome, snapshot, counter and the whole saved state (every column, bit for
// bit). State that a later change adds and the checkpoint misses shows up here as a difference.
import { type Cluster, createCluster, createHost, type Host, restoreCluster, restoreHost } from 'dynmem';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apply,
  autoBalancerArb,
  clusterOpArb,
  hostMemoryArb,
  hostOptionsArb,
  type Op,
  opArb,
  policyArb,
  type VmSpec,
  vmConfig,
  vmSpecArb,
} from './properties.ts';

const RUNS = Number(process.env.CHECKPOINT_RUNS ?? 40);

const engineArb = fc.constantFrom('wasm' as const, 'js' as const);
/** A cluster member's memory pools: one, NUMA nodes spanned, or nodes that balance on their own. */
const numaArb = fc.constantFrom(
  {},
  {},
  { numaNodes: 2 },
  { numaNodes: 2, numaSpanning: false },
  { numaNodes: 3, numaSpanning: false },
);

/** The shared operations, applied to one target; a failover's outcome is seen in the snapshots compared after. */
function applyAll(target: Host | Cluster, specs: VmSpec[], ops: Op[]): string[] {
  const names = specs.map((_, i) => `vm-${i}`);
  return ops.map((op) => apply(target, names, specs, op));
}

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
  specs: VmSpec[],
  ops: Op[],
  at: number,
): Promise<void> {
  const straight = await create();
  const straightOutcomes = applyAll(straight, specs, ops);

  const original = await create();
  const outcomes = applyAll(original, specs, ops.slice(0, at));
  const text = JSON.stringify(original.checkpoint());
  const resumed = await restore(JSON.parse(text));
  const resumedOutcomes = [...outcomes, ...applyAll(resumed, specs, ops.slice(at))];
  outcomes.push(...applyAll(original, specs, ops.slice(at)));
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
          memoryMB: hostMemoryArb,
          options: hostOptionsArb,
          policy: policyArb,
          bootSeconds: fc.constantFrom(0, 3, 30),
        }),
        fc.array(vmSpecArb, { minLength: 1, maxLength: 10 }),
        fc.array(opArb, { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        engineArb,
        async ({ memoryMB, options, policy, bootSeconds }, specs, ops, where, restoreEngine) => {
          const create = async () => {
            const host = await createHost({ memoryMB, ...options, ...policy, engine, bootSeconds });
            specs.forEach((spec, i) => host.addVm(vmConfig(`vm-${i}`, spec)));
            return host;
          };
          const at = Math.floor(where * ops.length);
          await compareRuns(create, (saved) => restoreHost(saved, { engine: restoreEngine }), specs, ops, at);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a cluster resumes exactly where it stopped (failovers, failback, homes, live migrations under way), on either engine', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ memoryMB: fc.integer({ min: 4096, max: 32768 }), numa: numaArb }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom('none' as const, 'immediate' as const),
        fc.array(vmSpecArb, { minLength: 1, maxLength: 12 }),
        fc.array(clusterOpArb, { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        engineArb,
        autoBalancerArb,
        fc.constantFrom(1000, 20),
        async (memories, failback, specs, ops, where, restoreEngine, autoBalancer, migrationBandwidthMBps) => {
          const create = async () => {
            const cluster = await createCluster({
              hosts: memories.map(({ memoryMB, numa }, i) => ({ name: `n${i + 1}`, memoryMB, ...numa })),
              failback,
              autoBalancer,
              migrationBandwidthMBps,
              engine,
              bootSeconds: 5,
            });
            // some VMs on a given host, the others unplaced until they start
            specs.forEach((spec, i) => {
              const config = vmConfig(`vm-${i}`, spec);
              if (i % 3 === 0) cluster.hosts()[i % memories.length]!.addVm(config);
              else cluster.addVm(config);
            });
            return cluster;
          };
          const at = Math.floor(where * ops.length);
          await compareRuns(create, (saved) => restoreCluster(saved, { engine: restoreEngine }), specs, ops, at);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
