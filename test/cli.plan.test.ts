// `dynmem plan` and `dynmem worker` as a user runs them: the answer in one line first, plan.html/json/csv written,
// usage and plan errors with their exit codes, Ctrl-C keeping the finished runs, and a second run resuming from them.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BITBRAINS_SAMPLE, CLI, csvRows, readOut, removeTempDirs, runCli, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);
const FLAT_1200 = fileURLToPath(new URL('fixtures/plan/flat-1200.csv', import.meta.url));

/** The library test's one-host plan (8 VMs with Dynamic Memory, 5 static), written where the CLI runs. */
function planFile(extra: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'plan.json'),
    JSON.stringify({
      name: 'flat',
      duration: '1h',
      host: { memoryMB: 10240, reserveMB: 0 },
      profile: {
        traces: FLAT_1200,
        template: { startupMB: 1024, minimumMB: 512, maximumMB: 4096 },
        staticMB: 2048,
      },
      targets: { shortfallPercent: 1, startSpread: 0 },
      ...extra,
    }),
  );
  return dir;
}

describe('dynmem plan', () => {
  it('prints the answer first and writes plan.html, plan.json and plan.csv', () => {
    const dir = planFile();
    const run = runCli(['plan', 'plan.json', '--workers', '2', '--no-progress'], dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [headline, , runs] = run.stdout.split('\n');
    expect(headline).toMatch(
      /^10 GB host, profile flat-1200\.csv: 8 VMs with Dynamic Memory, 5 with static memory \(1\.6×\)/,
    );
    expect(runs).toMatch(/^\d+ runs\.$/);
    const json = JSON.parse(readOut(run, 'plan-report', 'plan.json'));
    expect(json.dynamic.value).toBe(8);
    const rows = csvRows(readOut(run, 'plan-report', 'plan.csv'));
    expect(rows[0]!.slice(0, 3)).toEqual(['variant', 'vms', 'host_memory_mb']);
    expect(rows.length - 1).toBe(json.runs.length);
    const html = readOut(run, 'plan-report', 'plan.html');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\//);
    // Run again: every run from the cache beside the report.
    const again = runCli(['plan', 'plan.json', '--no-progress'], dir);
    expect(again.stdout.split('\n')[2]).toBe(
      `${json.runs.length} runs, ${json.runs.length} of them from the cache (${join(dir, 'plan-report', 'cache')}).`,
    );
  });

  it('--json prints the whole result', () => {
    const run = runCli(['plan', 'plan.json', '--json', '--workers', '1', '--no-cache'], planFile());
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).static.value).toBe(5);
  });

  it('refuses bad usage with exit code 2 and a bad plan with exit code 1, naming the field', () => {
    const dir = planFile({ targets: { shortfallPercent: -1 } });
    for (const args of [['plan'], ['plan', 'a.json', 'b.json'], ['plan', 'plan.json', '--workers', '0'], ['worker']]) {
      const run = runCli(args, dir);
      expect(run.status, args.join(' ')).toBe(2);
    }
    const bad = runCli(['plan', 'plan.json', '--no-progress'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^dynmem plan: targets\.shortfallPercent: .*0/);
    const unreachable = runCli(['plan', 'plan.json', '--queue', 'redis://127.0.0.1:1', '--no-cache'], planFile());
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it('Ctrl-C stops the plan, keeps the finished runs, and the same command resumes from them', async () => {
    // A sweep of 24 runs of 40 VMs on the bundled sample on one thread: long enough to be stopped midway.
    const dir = tempDir();
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({
        duration: '12h',
        host: { memoryMB: 65536 },
        profile: {
          traces: BITBRAINS_SAMPLE,
          template: { startupMB: 1024, minimumMB: 512 },
          maximumFromProvisioned: true,
        },
        question: {
          sweep: { vms: 40, settings: { bufferPercent: [10, 20, 30, 40, 50, 60], weight: [1000, 2000, 3000, 4000] } },
        },
      }),
    );
    const cache = join(dir, 'plan-report', 'cache');
    const child = spawn(process.execPath, [CLI, 'plan', 'plan.json', '--workers', '1', '--no-progress'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const finished = () => (existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith('.json')).length : 0);
    while (finished() < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const status = await new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    expect(status).toBe(130);
    expect(stderr).toMatch(/stopped; \d+ finished run\(s\) kept in .*cache: run the same command again to resume/);
    const kept = finished();
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(24);
    const resumed = runCli(['plan', 'plan.json', '--workers', '1', '--no-progress'], dir);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout.split('\n')[2]).toBe(`24 runs, ${kept} of them from the cache (${cache}).`);
  });
});
