// The dynmem command run in this process through `runCli` (dynmem/node), as an embedding tool would call it: a
// scenario with every report format, a replay with its comparison, a plan, and the exit codes of usage and data
// errors. (test/cli*.test.ts run the same command as a separate process, as a shell does.)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from 'dynmem/node';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = (path: string) => fileURLToPath(new URL(`fixtures/${path}`, import.meta.url));
const sample = fileURLToPath(new URL('../data/bitbrains-sample', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dynmem-in-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('runCli in process', () => {
  it('simulate: a scenario, every report format', async () => {
    const scenario = file('scenario.json', {
      name: 'in-process',
      duration: '2h',
      hosts: [{ name: 'hv', memoryMB: 16384 }],
      fleets: [{ traces: `${sample}/1*.csv.gz`, template: { startupMB: 1024, minimumMB: 512, maximumMB: 4096 } }],
    });
    const out = join(dir, 'simulate');
    const code = await runCli([
      'simulate',
      scenario,
      '--out',
      out,
      '--format',
      'html,csv,json,pdh-csv',
      '--no-progress',
    ]);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'counters.csv',
      'report.html',
      'summary.json',
      'timeseries.csv',
      'vm-timeseries.csv',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect([summary.scenario, summary.hosts, summary.durationSeconds]).toEqual(['in-process', 1, 7200]);
    expect(readFileSync(join(out, 'counters.csv'), 'utf8')).toContain('\\\\hv\\Hyper-V Dynamic Memory VM(');
  });

  it('replay: Get-VM, Get-VMMemory and counters, compared', async () => {
    const out = join(dir, 'replay');
    const args = ['cli/get-vm.json', 'cli/get-vmmemory.json', 'cli/counters.csv'].map(fixture);
    expect(await runCli(['replay', ...args, '--out', out, '--format', 'json', '--no-progress'])).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.comparison.overall.samples).toBeGreaterThan(0);
  });

  it('plan: the answer and its report', async () => {
    const plan = file('plan.json', {
      name: 'flat',
      duration: '1h',
      host: { memoryMB: 10240, reserveMB: 0 },
      profile: {
        traces: fixture('plan/flat-1200.csv'),
        template: { startupMB: 1024, minimumMB: 512, maximumMB: 4096 },
        staticMB: 2048,
      },
      targets: { shortfallPercent: 1, startSpread: 0 },
    });
    const out = join(dir, 'plan');
    expect(await runCli(['plan', plan, '--out', out, '--workers', '1', '--no-cache', '--no-progress'])).toBe(0);
    for (const name of ['plan.html', 'plan.json', 'plan.csv']) expect(existsSync(join(out, name))).toBe(true);
  });

  it.each([
    [['--help'], 0],
    [['--version'], 0],
    [['frobnicate'], 2],
    [['simulate'], 2],
    [['simulate', fixture('does-not-exist.json'), '--json'], 1],
  ])('dynmem %j exits with %i', async (args, code) => {
    expect(await runCli(args)).toBe(code);
  });
});
