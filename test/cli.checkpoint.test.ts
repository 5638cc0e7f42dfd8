// `dynmem simulate --checkpoint FILE`: a real run killed (SIGKILL) once its checkpoint file appears, then run again
// with the same command, writes the report the uninterrupted run writes; the file is written whole or not at all,
// removed once the report is written, and one of another scenario is refused without touching anything.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BITBRAINS_SAMPLE, CLI, removeTempDirs, runCli, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);

/** Three days of the bundled sample on one host, demand ramped tick by tick: a few seconds of work. */
const scenario = (days: number) => ({
  name: 'three days',
  duration: `${days}d`,
  sampleInterval: '1h',
  demandInterpolation: 'linear',
  hosts: [{ memoryMB: 131072 }],
  fleets: [{ traces: BITBRAINS_SAMPLE, template: { startupMB: 2048, minimumMB: 512 }, maximumFromProvisioned: true }],
  events: [{ at: '30h', action: 'restart', vm: '1' }].filter(() => days > 1.25),
});

/** The report's files, summary without its wall-clock time (the one thing a resumed run cannot share). */
function report(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'utf8');
    files[name] =
      name === 'summary.json'
        ? JSON.stringify({ ...JSON.parse(text), wallSeconds: undefined })
        : text.replace(/Computed in<\/[^>]+>\s*<[^>]+>[^<]*/g, '');
  }
  return files;
}

/** Starts the CLI and kills it (SIGKILL) as soon as `file` exists; resolves to how it ended. */
function killWhenWritten(args: string[], cwd: string, file: string): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: 'ignore' });
    const poll = setInterval(() => {
      if (existsSync(join(cwd, file))) child.kill('SIGKILL');
    }, 5);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve(signal ?? code);
    });
  });
}

describe('dynmem simulate --checkpoint', () => {
  it('killed part-way and run again, writes the report of the uninterrupted run, then removes the checkpoint', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'days.json'), JSON.stringify(scenario(3)));
    const straight = runCli(['simulate', 'days.json', '--out', 'straight', '--no-progress'], cwd);
    expect(straight.status).toBe(0);

    const args = ['simulate', 'days.json', '--out', 'resumed', '--no-progress', '--checkpoint', 'run.ckpt'];
    const ended = await killWhenWritten([...args, '--checkpoint-every', '2h'], cwd, 'run.ckpt');
    expect(ended).toBe('SIGKILL');
    expect(existsSync(join(cwd, 'resumed'))).toBe(false);
    const saved = JSON.parse(readFileSync(join(cwd, 'run.ckpt'), 'utf8'));
    expect(saved).toMatchObject({ format: 'dynmem-checkpoint', version: 1, kind: 'simulation' });
    expect(saved.timeSeconds % 7200).toBe(0);
    expect(saved.timeSeconds).toBeLessThan(3 * 86400);

    const resumed = runCli([...args, '--checkpoint-every', '2h'], cwd);
    expect(resumed.stderr).toContain(`dynmem: resuming from run.ckpt (${saved.timeSeconds} simulated seconds done)`);
    expect(resumed.status).toBe(0);
    expect(report(join(cwd, 'resumed'))).toEqual(report(join(cwd, 'straight')));
    expect(readdirSync(cwd).sort()).toEqual(['days.json', 'resumed', 'straight']);
  });

  it('refuses a checkpoint of another scenario, naming the file, and leaves it as it was', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'days.json'), JSON.stringify(scenario(2)));
    const args = ['simulate', 'days.json', '--no-progress', '--checkpoint', 'run.ckpt', '--out', 'out'];
    expect(await killWhenWritten(args, cwd, 'run.ckpt')).toBe('SIGKILL');
    const before = readFileSync(join(cwd, 'run.ckpt'), 'utf8');
    writeFileSync(join(cwd, 'days.json'), JSON.stringify({ ...scenario(2), hosts: [{ memoryMB: 132096 }] }));
    const refused = runCli(args, cwd);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^dynmem: run\.ckpt: Checkpoint: it was written by another scenario or on other traces/,
    );
    expect(readFileSync(join(cwd, 'run.ckpt'), 'utf8')).toBe(before);
    expect(existsSync(join(cwd, 'out'))).toBe(false);

    writeFileSync(join(cwd, 'run.ckpt'), before.slice(0, 100)); // cut short
    const cut = runCli(args, cwd);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/^dynmem: run\.ckpt:1:101: not valid JSON/);
  });

  it('takes --checkpoint and --checkpoint-every with simulate only', () => {
    expect(runCli(['--checkpoint', 'x']).stderr).toContain('--checkpoint only applies to simulate');
    expect(runCli(['simulate', 'a.json', '--checkpoint-every', '1h']).stderr).toContain(
      '--checkpoint-every needs --checkpoint FILE.',
    );
    expect(runCli(['simulate', 'a.json', '--checkpoint', 'c', '--checkpoint-every', 'soon']).stderr).toContain(
      "--checkpoint-every takes a duration such as 30m, 2h or 3600, not 'soon'.",
    );
  });
});
