// plan(): density, host memory and sweeps on tiny profiles whose answers are computed by hand; the thread pool gives
// exactly what one thread gives; the on-disk cache resumes a stopped plan. Both engines.
//
// The profile: generic CSV traces of four VMs with a constant demand, all VMs started at once (startSpread 0), hosts
// without reserve, a 30-second boot (the default) holding startupMB. Hand rules used below:
// - a VM short of demand while it boots counts as short: with demand 1,200 above startup 1,024 every VM is short
//   for the first 29 ticks of its 30-s boot (at the 30th the balancer takes over and gives it its demand):
//   29 / 3,600 = 0.81 % of a 1-hour run, under the 1 % target these plans set;
// - after boot, N VMs of demand D fit a host of M MB without shortfall while N × D ≤ M;
// - a start from off needs startupMB from free memory or memory reclaimed from running VMs down to their minimum
//   (booting and static VMs give nothing).

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plan, PlanError, type PlanResult, PlanStopped, plan } from 'dynmem';
import { afterAll, describe, expect, it } from 'vitest';

const FLAT_1200 = fileURLToPath(new URL('fixtures/plan/flat-1200.csv', import.meta.url));
const FLAT_1000 = fileURLToPath(new URL('fixtures/plan/flat-1000.csv', import.meta.url));
const PROVISIONED = fileURLToPath(new URL('fixtures/plan/provisioned.csv', import.meta.url));
const FLAT_400 = fileURLToPath(new URL('fixtures/plan/flat-400.csv', import.meta.url));
const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynmem-plan-'));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** One 10 GB host; VMs of demand 1,200 MB, startup 1,024, minimum 512; static VMs of 2,048 MB. */
const hostPlan = (engine: 'wasm' | 'js', question?: Plan['question']): Plan => ({
  name: 'flat',
  duration: '1h',
  scenario: { engine },
  host: { memoryMB: 10240, reserveMB: 0 },
  profile: {
    traces: FLAT_1200,
    template: { startupMB: 1024, minimumMB: 512, maximumMB: 4096, bufferPercent: 20 },
    staticMB: 2048,
  },
  targets: { shortfallPercent: 1, startSpread: 0 },
  ...(question ? { question } : {}),
});

const vmsOf = (runs: { point: { vms: number } }[] | null) => runs?.map((r) => r.point.vms);

describe.each(['wasm', 'js'] as const)('plan (%s engine)', (engine) => {
  it('density on one host: 8 VMs with Dynamic Memory (8 × 1,200 ≤ 10,240 < 9 × 1,200), 5 static (5 × 2,048)', async () => {
    const result = await plan(hostPlan(engine), { workers: 0 });
    expect(result.dynamic!.value).toBe(8);
    expect(result.static!.value).toBe(5);
    expect(result.gain).toBe(8 / 5);
    // The answer and the next count up were both run: the confirmation.
    expect(vmsOf(result.dynamic!.at)).toEqual([8]);
    expect(vmsOf(result.dynamic!.next)).toEqual([9]);
    const at = result.dynamic!.at![0]!.metrics;
    expect(at.startFailures).toBe(0);
    // Short only while booting: 8 VMs × 29 s of 8 × 3,600 VM-seconds.
    expect(at.vmSecondsShort).toBe(8 * 29);
    expect(at.shortfallPercent).toBeCloseTo((100 * 29) / 3600, 10);
    // At 9, 10,240 / 9 = 1,137 MB each, below the 1,200 demand for the whole hour after boot.
    expect(result.dynamic!.next![0]!.missed[0]).toMatch(/demand above memory/);
    // Static: the 6th VM cannot start (5 × 2,048 = 10,240 and static VMs give nothing back).
    expect(result.static!.next![0]!.metrics.startFailures).toBe(1);
    expect(result.static!.at![0]!.metrics.vmSecondsShort).toBe(0);
    // Saved against 8 static VMs of 2,048 MB: all but the booting seconds hold the whole 10,240 MB.
    expect(at.staticMB).toBe(8 * 2048);
    expect(at.savedPercent).toBeGreaterThan(37.5);
    expect(at.savedPercent).toBeLessThan(38);
    expect(result.headline).toBe(
      '10 GB host, profile flat-1200.csv: 8 VMs with Dynamic Memory, 5 with static memory (1.6×); at 8 VMs demand is above memory 0.806 % of VM-seconds and 38 % of static memory is saved.',
    );
    // Every run in a fixed order: dynamic before static, counts rising.
    const order = result.runs.map((r) => `${r.point.variant} ${r.point.vms}`);
    expect(order).toEqual(
      [...order].sort(
        (a, b) => a.split(' ')[0]!.localeCompare(b.split(' ')[0]!) || +a.split(' ')[1]! - +b.split(' ')[1]!,
      ),
    );
  });

  it('host memory for 8 VMs: 10 GB with Dynamic Memory (9 GB < 8 × 1,200), 16 GB static (8 × 2,048)', async () => {
    const result = await plan(hostPlan(engine, { hostMemory: { vms: 8 } }), { workers: 0 });
    expect(result.dynamic!.value).toBe(10240);
    expect(result.static!.value).toBe(16384);
    expect(result.gain).toBe(1.6);
    expect(result.dynamic!.next![0]!.point.hostMemoryMB).toBe(9216);
    expect(result.static!.next![0]!.point.hostMemoryMB).toBe(15360);
    expect(result.headline).toMatch(/^8 VMs, profile flat-1200.csv: 10 GB per host with Dynamic Memory, 16 GB/);
  });

  it('N+1 on a 3-host cluster: 8 VMs, not 12, so the VMs of any one host restart on the other two', async () => {
    // Hosts of 4,096 MB, VMs with minimum = startup = 1,024 MB (demand 1,000): 4 per host, 12 in all without a
    // failure. Placed in turn (3, 3, 2 for 8), a failing host's VMs need 1,024 MB each on the others, which can
    // take 4 − their VMs: 8 passes with any host failing, 9 (3, 3, 3) leaves one VM off.
    // Static VMs of 2,048 MB: 2 per host; 4 (2, 1, 1) survive any failure, 5 (2, 2, 1) do not.
    const result = await plan(
      {
        duration: '1h',
        scenario: { engine },
        hosts: 3,
        host: { memoryMB: 4096, reserveMB: 0 },
        profile: { traces: FLAT_1000, template: { startupMB: 1024, minimumMB: 1024, maximumMB: 4096 }, staticMB: 2048 },
        targets: { startSpread: 0 },
      },
      { workers: 0 },
    );
    expect(result.dynamic!.value).toBe(8);
    expect(result.static!.value).toBe(4);
    expect(result.gain).toBe(2);
    const next = result.dynamic!.next!;
    expect(next.find((r) => !r.point.failHost)!.ok).toBe(true); // 9 VMs run fine until a host fails
    expect(next.filter((r) => r.point.failHost).map((r) => r.metrics.failoverFailed)).toEqual([1, 1, 1]);
    expect(result.dynamic!.at!.map((r) => r.point.failHost ?? 'none')).toEqual(['none', 'host-1', 'host-2', 'host-3']);
    expect(result.headline).toMatch(/^3 × 4 GB cluster \(N\+1\), profile flat-1000.csv: 8 VMs with Dynamic Memory, 4/);
  });
});

describe('plan sweeps, threads and the cache', () => {
  it('a restart wave under pressure needs Smart Paging: 2 VMs stay within the bound where 5 fit without restarts', async () => {
    // 4,096 MB host, VMs of demand 400 (target 480, held at their 512 minimum), startup 2,048, started 10 minutes
    // apart over the storm. Without restarts: a start needs 2,048 beside k VMs at 512, so k ≤ 4: 5 VMs.
    // All restarting at 30 min, in order, each needing 2,048 − 512 = 1,536 more: with 2 VMs, 4,096 − 2 × 512 =
    // 3,072 free covers both; with 3, the second gets 1,024 of free memory and 512 of Smart Paging, the third
    // 1,536 of Smart Paging: a peak of 2,048 MB above the default bound, 10 % of 4,096 = 409 MB.
    const base: Plan = {
      duration: '1h',
      host: { memoryMB: 4096, reserveMB: 0 },
      profile: { traces: FLAT_400, template: { startupMB: 2048, minimumMB: 512, maximumMB: 2048 }, staticMB: 2048 },
    };
    const quiet = await plan(base, { workers: 0 });
    expect(quiet.dynamic!.value).toBe(5);
    const waved = await plan({ ...base, targets: { restarts: { at: '30m' } } }, { workers: 0 });
    expect(waved.dynamic!.value).toBe(2);
    const three = waved.runs.find((r) => r.point.variant === 'dynamic' && r.point.vms === 3)!;
    expect(three.metrics.smartPagingPeakMB).toBe(2048);
    expect(three.missed).toEqual(['Smart Paging peak 2048 MB (bound 409 MB)']);
    expect(waved.dynamic!.at![0]!.metrics.smartPagingPeakMB).toBe(0);
    expect(waved.dynamic!.at![0]!.metrics.restartFailures).toBe(0);
  });

  it('static VMs hold their provisioned memory (2,048, 2,048, 4,096, 4,096 MB): 3 fit in 10 GB, against 10 dynamic', async () => {
    // Dynamic: demand 1,000 ≤ startup 1,024, so nothing is short; 10 × 1,024 MB boot at once in 10,240, 11 do not.
    // Static: 2,048 + 2,048 + 4,096 = 8,192; the fourth, 4,096 more, cannot start.
    const result = await plan(
      {
        duration: '1h',
        host: { memoryMB: 10240, reserveMB: 0 },
        profile: { traces: PROVISIONED, template: { startupMB: 1024, minimumMB: 512 }, maximumFromProvisioned: true },
        targets: { startSpread: 0 },
      },
      { workers: 0 },
    );
    expect(result.dynamic!.value).toBe(10);
    expect(result.static!.value).toBe(3);
    expect(result.static!.next![0]!.metrics.startFailures).toBe(1);
    expect(result.dynamic!.next![0]!.metrics.startFailures).toBe(1);
    // Saved against what the same 10 VMs would hold statically: a, b, c, d, a, b, c, d, a, b.
    expect(result.dynamic!.at![0]!.metrics.staticMB).toBe(6 * 2048 + 4 * 4096);
  });

  it('a density sweep over host memory and buffer: 8 VMs on 10 GB, 10 on 12 GB (10 × 1,200 ≤ 12,288 < 11 × 1,200)', async () => {
    const result = await plan(
      hostPlan('wasm', { sweep: { settings: { 'host.memoryMB': [10240, 12288], bufferPercent: [20, 50] } } }),
      { workers: 0 },
    );
    const grid = result.sweep!.points.map((p) => [p.settings['host.memoryMB'], p.settings.bufferPercent, p.vms]);
    expect(grid).toEqual([
      [10240, 20, 8],
      [10240, 50, 8],
      [12288, 20, 10],
      [12288, 50, 10],
    ]);
    expect(result.headline).toMatch(/most VMs 10 with host\.memoryMB 12288, bufferPercent 20/);
  });

  it.each(['wasm', 'js'] as const)(
    'density per policy (%s engine): 10 VMs under Hyper-V (10 × 1,000 ≤ 10,240 < 11 × 1,000), 6 under static (6 × 1,536 ≤ 10,240 < 7 × 1,536)',
    async (engine) => {
      const base = hostPlan(engine, { sweep: { settings: { 'host.policy': ['hyperv', 'static'] } } });
      const result = await plan(
        {
          ...base,
          profile: { ...base.profile, traces: FLAT_1000, template: { ...base.profile.template, startupMB: 1536 } },
          targets: { shortfallPercent: 1, startSpread: '10m' },
        },
        { workers: 0 },
      );
      // Hyper-V shrinks booted VMs to their targets and reclaims for later starts; static holds every VM's startup.
      expect(result.sweep!.points.map((p) => [p.settings['host.policy'], p.vms])).toEqual([
        ['hyperv', 10],
        ['static', 6],
      ]);
    },
  );

  it('a density sweep over NUMA spanning: 8 VMs in one pool of 10,240 MB, 6 on three nodes of 3,413–3,414 MB (2 × 1,200 each)', async () => {
    const base = hostPlan('wasm', { sweep: { settings: { 'host.numaSpanning': [true, false] } } });
    const result = await plan({ ...base, host: { ...base.host, numaNodes: 3 } }, { workers: 0 });
    expect(result.sweep!.points.map((p) => [p.settings['host.numaSpanning'], p.vms])).toEqual([
      [true, 8],
      [false, 6],
    ]);
  });

  it('a sweep at a fixed count passes settings through to the host (hysteresisMB, version) and the VMs', async () => {
    const settings = { minimumMB: [512, 1024], 'host.hysteresisMB': [0, 64], 'host.version': ['2016', '2025'] };
    const nine = await plan(hostPlan('wasm', { sweep: { vms: 9, settings } }), { workers: 0 });
    // 9 × 1,200 > 10,240 whatever the settings.
    expect(nine.sweep!.points.map((p) => p.ok)).toEqual(Array(8).fill(false));
    expect(nine.sweep!.points.every((p) => p.vms === 9)).toBe(true);
    expect(nine.runs).toHaveLength(8);
    expect(nine.headline).toMatch(/0 of 8 settings meet every target with 9 VMs/);
    const eight = await plan(hostPlan('wasm', { sweep: { vms: 8, settings } }), { workers: 0 });
    expect(eight.sweep!.points.map((p) => p.ok)).toEqual(Array(8).fill(true));
    expect(eight.runs.map((r) => r.point.settings)[7]).toEqual({
      minimumMB: 1024,
      'host.hysteresisMB': 64,
      'host.version': '2025',
    });
  });

  it('the pool gives exactly what one thread gives, in the same order', async () => {
    const question = { sweep: { settings: { 'host.memoryMB': [9216, 10240, 11264] } } };
    const single = await plan(hostPlan('wasm', question), { workers: 0 });
    const pooled = await plan(hostPlan('wasm', question), { workers: 2 });
    expect(pooled).toEqual(single);
    expect(single.runs.length).toBeGreaterThan(6);
  });

  it('a plan stopped midway keeps what finished; run again, it takes those from the cache', async () => {
    const cacheDir = tempDir();
    const stop = new AbortController();
    let first = 0;
    await expect(
      plan(hostPlan('wasm'), {
        workers: 1,
        cacheDir,
        signal: stop.signal,
        onProgress: (p) => {
          first = p.done;
          if (p.done >= 2) stop.abort();
        },
      }),
    ).rejects.toBeInstanceOf(PlanStopped);
    const kept = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(first).toBeGreaterThanOrEqual(2);
    let cached = 0;
    const resumed = await plan(hostPlan('wasm'), { workers: 1, cacheDir, onProgress: (p) => (cached = p.cached) });
    expect(cached).toBe(kept.length);
    const fresh: PlanResult = await plan(hostPlan('wasm'), { workers: 0 });
    expect(resumed).toEqual(fresh);
    // Repeated: every run from the cache.
    let again = { done: 0, cached: 0 };
    await plan(hostPlan('wasm'), { workers: 1, cacheDir, onProgress: (p) => (again = p) });
    expect(again.cached).toBe(again.done);
  });

  it('refuses a bad plan with the path of the field, before any run', async () => {
    const cases: [unknown, string][] = [
      [{ ...hostPlan('wasm'), hosts: 0 }, 'hosts'],
      [
        { ...hostPlan('wasm'), profile: { ...hostPlan('wasm').profile, template: { minimumMB: 3 } } },
        'profile.template.minimumMB',
      ],
      [{ ...hostPlan('wasm'), host: { memoryMB: 10240, hysteresisMB: -1 } }, 'host.hysteresisMB'],
      [{ ...hostPlan('wasm'), targets: { shortfallPercent: 'low' } }, 'targets.shortfallPercent'],
      [
        hostPlan('wasm', { sweep: { settings: { bufferPercent: [20, 3000] } } }),
        'question.sweep.settings.bufferPercent[1].bufferPercent',
      ],
      [
        hostPlan('wasm', { sweep: { settings: { 'host.colour': ['red'] } } }),
        'question.sweep.settings.host.colour[0].colour',
      ],
      [hostPlan('wasm', { hostMemory: { vms: 0 } }), 'question.hostMemory.vms'],
      [{ ...hostPlan('wasm'), question: { density: {}, hostMemory: { vms: 1 } } }, 'question'],
      [{ ...hostPlan('wasm'), question: { density: { maxVms: 1.5 } } }, 'question.density.maxVms'],
      [{ ...hostPlan('wasm'), targets: { restarts: { at: '2h' } } }, 'targets.restarts'],
      [{ ...hostPlan('wasm'), colour: 'red' }, 'colour'],
      [{ ...hostPlan('wasm'), profile: { traces: '/no/such/folder' } }, 'profile.traces'],
      [{ ...hostPlan('wasm'), scenario: { hosts: [] } }, 'scenario.hosts'],
    ];
    for (const [input, path] of cases) {
      const error = await plan(input as Plan, { workers: 0 }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(PlanError);
      expect((error as PlanError).path, JSON.stringify(input)).toBe(path);
    }
  });
});
