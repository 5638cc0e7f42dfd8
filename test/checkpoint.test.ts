// README "Checkpoint and resume": host.checkpoint() / cluster.checkpoint() and restoreHost / restoreCluster, on
// both engines: the saved form, exact resumption, and every refusal of something that is not a usable checkpoint.
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  createCluster,
  createHost,
  DynamicMemoryError,
  restoreCluster,
  restoreHost,
} from 'dynmem';
import { describe, expect, it } from 'vitest';
import { refused } from './refusal.ts';

/** FNV-1a of a text, as the format's `checksum` (to write checkpoints of another release by hand). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A copy of `checkpoint` with `edit` applied to its state and the checksum made to match again. */
function edited(checkpoint: Checkpoint, edit: (state: Record<string, any>) => void): Checkpoint {
  const copy = JSON.parse(JSON.stringify(checkpoint)) as Checkpoint;
  edit(copy.state as Record<string, any>);
  return { ...copy, checksum: fnv1a(JSON.stringify(copy.state)) };
}

/** The README example: one host, two VMs, a minute of balancing. */
async function exampleHost(engine: 'wasm' | 'js') {
  const host = await createHost({ memoryMB: 16384, reserveMB: 1024, engine });
  host.addVm({ name: 'vdi-1', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
  host.addVm({ name: 'vdi-2', startupMB: 2048, minimumMB: 512, maximumMB: 8192, balloonDriverRateMBps: 0 });
  host.start('vdi-1');
  host.start('vdi-2');
  host.setDemand('vdi-1', 1000);
  host.setDemand('vdi-2', 3000);
  host.advance(45);
  return host;
}

/** `fn` rejects with an InvalidCheckpoint error naming `field`; returns its message. */
async function refusedCheckpoint(fn: () => Promise<unknown>, field: string): Promise<string> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DynamicMemoryError);
  expect((error as DynamicMemoryError).code).toBe('InvalidCheckpoint');
  expect((error as DynamicMemoryError).field).toBe(field);
  return (error as Error).message;
}

describe.each(['wasm', 'js'] as const)('checkpoints on the %s engine', (engine) => {
  it('are versioned plain JSON, and resume mid-boot exactly (timers, averages, the clock)', async () => {
    const host = await exampleHost(engine);
    const checkpoint = host.checkpoint();
    expect(checkpoint).toMatchObject({
      format: 'dynmem-checkpoint',
      version: 1,
      kind: 'host',
      engine,
      timeSeconds: 45,
    });
    expect([CHECKPOINT_FORMAT, CHECKPOINT_VERSION]).toEqual(['dynmem-checkpoint', 1]);
    // a balloon driver without a rate of its own holds Infinity, which JSON cannot: written as { $number }
    expect(JSON.stringify(checkpoint)).toContain('{"$number":"Infinity"}');
    const again = await restoreHost(JSON.parse(JSON.stringify(checkpoint)), { engine });
    expect(again.timeSeconds).toBe(45);
    expect(again.vms()).toEqual(host.vms());
    expect(again.counters()).toEqual(host.counters());
    // 45 s in, with 30-s boots over: vdi-1 at 1000 MB + 20 % = 1200; vdi-2's demand of 3000 + 20 % = 3600
    expect(again.vm('vdi-1').assignedMB).toBe(1200);
    expect(again.vm('vdi-2').assignedMB).toBe(3600);
    host.advance(600);
    again.advance(600);
    expect(again.vms()).toEqual(host.vms());
    expect(again.counters()).toEqual(host.counters());
    expect(again.timeSeconds).toBe(645);
  });

  it('restore on the other engine identically', async () => {
    const host = await exampleHost(engine);
    host.setDemand('vdi-2', 200); // vdi-2's driver is stuck: it keeps its memory
    const other = engine === 'wasm' ? 'js' : 'wasm';
    const again = await restoreHost(JSON.parse(JSON.stringify(host.checkpoint())), { engine: other });
    expect(again.engine).toBe(other);
    host.advance(120);
    again.advance(120);
    expect(again.vms()).toEqual(host.vms());
    expect(again.vm('vdi-2').assignedMB).toBe(3600);
    const { engine: _a, ...a } = again.checkpoint();
    const { engine: _b, ...b } = host.checkpoint();
    expect(a).toEqual(b);
  });

  it('of a cluster keep failed hosts and where failed-over VMs came from', async () => {
    const cluster = await createCluster({
      hosts: [
        { name: 'n1', memoryMB: 16384 },
        { name: 'n2', memoryMB: 16384 },
      ],
      failback: 'immediate',
      engine,
    });
    cluster.host('n1').addVm({ name: 'sql-1', startupMB: 4096 });
    cluster.start('sql-1');
    cluster.advance(60);
    expect(cluster.failHost('n1').restarted).toEqual([{ vm: 'sql-1', host: 'n2' }]);
    cluster.advance(60);
    const again = await restoreCluster(JSON.parse(JSON.stringify(cluster.checkpoint())), { engine });
    expect(again.hosts().map((h) => h.failed)).toEqual([true, false]);
    // failback 'immediate': sql-1 goes home to n1 when it recovers, in the restored cluster as in the original
    expect(again.recoverHost('n1').failedBack).toEqual([{ vm: 'sql-1', from: 'n2' }]);
    expect(cluster.recoverHost('n1').failedBack).toEqual([{ vm: 'sql-1', from: 'n2' }]);
    expect(again.vms()).toEqual(cluster.vms());
    expect(again.counters()).toEqual(cluster.counters());
    // the failback is a live migration under way (the VM's memory over 1,000 MB/s, whole seconds): a checkpoint
    // now keeps it, and the restored cluster lands it at the same tick
    const mb = cluster.vm('sql-1').assignedMB;
    expect(cluster.migrations()).toEqual([
      expect.objectContaining({ vm: 'sql-1', mb, seconds: Math.ceil(mb / 1000), status: 'moving' }),
    ]);
    const mid = await restoreCluster(JSON.parse(JSON.stringify(cluster.checkpoint())), { engine });
    for (const c of [cluster, mid]) c.advance(Math.ceil(mb / 1000));
    expect(mid.vm('sql-1')).toMatchObject({ host: 'n1', migratingTo: null });
    expect(mid.vms()).toEqual(cluster.vms());
    expect(mid.migrations()).toEqual(cluster.migrations());
    // one whose move names no VM of it is refused, naming the move
    const damaged = edited(again.checkpoint(), (state) => {
      state.moving[0].vm = 'nobody';
    });
    expect(await refusedCheckpoint(() => restoreCluster(damaged), 'state.moving[0]')).toContain('a logged move');
  });

  it('of a cluster member is refused: its state is the cluster’s', async () => {
    const cluster = await createCluster({ hosts: [{ name: 'n1', memoryMB: 8192 }], engine });
    const e = refused(cluster, () => cluster.host('n1').checkpoint(), 'InvalidState');
    expect(e.message).toContain('cluster.checkpoint()');
    expect(e.host).toBe('n1');
  });
});

describe('a checkpoint that cannot be used is refused, naming what is wrong', async () => {
  const host = await exampleHost('js');
  const good = JSON.parse(JSON.stringify(host.checkpoint())) as Checkpoint;
  const text = JSON.stringify(good);

  it('not a checkpoint, another format, version or kind', async () => {
    expect(await refusedCheckpoint(() => restoreHost(null), 'format')).toContain('expected a checkpoint object');
    expect(await refusedCheckpoint(() => restoreHost({ ...good, format: 'other' }), 'format')).toContain(
      'not a dynmem checkpoint',
    );
    expect(await refusedCheckpoint(() => restoreHost({ ...good, version: 2 }), 'version')).toContain(
      'version 2 is not one this release reads (version 1)',
    );
    expect(await refusedCheckpoint(() => restoreCluster(good), 'kind')).toContain(
      'this is a "host" checkpoint, not a \'cluster\' one (restoreHost takes it)',
    );
    expect(await refusedCheckpoint(() => restoreHost({ ...good, state: undefined }), 'state')).toContain('missing');
  });

  it('a damaged or edited state (the checksum)', async () => {
    const damaged = JSON.parse(text.replace('"ticks":45', '"ticks":46')) as Checkpoint;
    expect(await refusedCheckpoint(() => restoreHost(damaged), 'checksum')).toContain('changed or damaged');
  });

  it('a state this release does not know: another column set, missing settings, bad rows', async () => {
    const foreign = edited(good, (s) => {
      s.fleet.columns.vms.temperature = s.fleet.columns.vms.assigned;
    });
    expect(await refusedCheckpoint(() => restoreHost(foreign), 'state.fleet.columns.vms.temperature')).toContain(
      "not one of this release's columns",
    );
    const short = edited(good, (s) => {
      delete s.fleet.columns.hosts.minAvailable;
    });
    expect(await refusedCheckpoint(() => restoreHost(short), 'state.fleet.columns.hosts.minAvailable')).toContain(
      'column minAvailable is missing',
    );
    const long = edited(good, (s) => {
      s.fleet.columns.hosts.memory.push(1);
    });
    expect(await refusedCheckpoint(() => restoreHost(long), 'state.fleet.columns.hosts.memory')).toContain(
      'must hold 1 number.',
    );
    const noWeight = edited(good, (s) => {
      delete s.fleet.vms[1].settings.weight;
    });
    await refusedCheckpoint(() => restoreHost(noWeight), 'state.fleet.vms[1].settings.weight');
    const badSetting = edited(good, (s) => {
      s.fleet.vms[0].settings.minimumMB = 3000; // above its startup RAM
    });
    expect(await refusedCheckpoint(() => restoreHost(badSetting), 'state.fleet.vms[0].settings.minimumMB')).toContain(
      'must not exceed startupMB',
    );
    const twice = edited(good, (s) => {
      s.fleet.vms[1].slot = s.fleet.vms[0].slot;
    });
    expect(await refusedCheckpoint(() => restoreHost(twice), 'state.fleet.vms[1].slot')).toContain('holds two VMs');
    const badHost = edited(good, (s) => {
      s.fleet.hosts[0].options.memoryMB = -5;
    });
    await refusedCheckpoint(() => restoreHost(badHost), 'state.fleet.hosts[0].options.memoryMB');
    const badBalancer = edited(good, (s) => {
      s.fleet.balancer.bootSeconds = 'soon';
    });
    await refusedCheckpoint(() => restoreHost(badBalancer), 'state.fleet.balancer.bootSeconds');
  });

  it('bad restore options are refused as settings; the checkpoint is left as it was', async () => {
    const checkpoint = JSON.parse(text) as Checkpoint;
    const engineError = await restoreHost(checkpoint, { engine: 'gpu' as 'js' }).catch((e: unknown) => e);
    expect(engineError).toMatchObject({ code: 'InvalidSetting', field: 'engine' });
    const optionError = await restoreHost(checkpoint, { engnie: 'js' } as object).catch((e: unknown) => e);
    expect(optionError).toMatchObject({ code: 'InvalidSetting', field: 'engnie' });
    expect(JSON.stringify(checkpoint)).toBe(text);
    const again = await restoreHost(checkpoint);
    expect(again.vms()).toEqual(host.vms());
  });
});
