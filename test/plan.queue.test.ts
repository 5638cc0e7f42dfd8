// The queue path end to end: a real Redis server (Debian's redis-server, started here on a free port in a temporary
// folder), two `dynmem worker` processes, one killed in the middle of a run. The plan still completes, with results
// identical to a run on local threads, and the job the killed worker held was finished by the other one after its
// lock ran out (BullMQ's stalled-job check).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Plan, type PlanResult, plan } from 'dynmem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BITBRAINS_SAMPLE, CLI } from './cli-run.ts';

const REDIS = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A child's stdout as lines, with a way to wait for one that matches. */
function lines(child: ChildProcess) {
  const seen: string[] = [];
  const waiting: { test: RegExp; resolve: (line: string) => void }[] = [];
  let rest = '';
  const feed = (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      seen.push(line);
      for (const w of waiting.splice(0)) {
        if (w.test.test(line)) w.resolve(line);
        else waiting.push(w);
      }
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  return {
    seen,
    next: (test: RegExp) =>
      new Promise<string>((resolve) => {
        const found = seen.find((l) => test.test(l));
        if (found) resolve(found);
        else waiting.push({ test, resolve });
      }),
  };
}

let dir: string;
let redis: ChildProcess;
let url: string;
const children: ChildProcess[] = [];

function worker() {
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--workers', '1', '--lock', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return { child, out: lines(child) };
}

beforeAll(async () => {
  if (!REDIS) throw new Error('redis-server is missing: apt-get install -y redis-server (.ci/run does this).');
  dir = mkdtempSync(join(tmpdir(), 'dynmem-redis-'));
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn(
    REDIS,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await lines(redis).next(/Ready to accept connections/);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A density search on the bundled sample: about ten runs of a fifth of a second or so. */
const samplePlan: Plan = {
  name: 'queue',
  duration: '8h',
  host: { memoryMB: 32768 },
  profile: { traces: BITBRAINS_SAMPLE, template: { startupMB: 1024, minimumMB: 512 }, maximumFromProvisioned: true },
};

describe('plan on a BullMQ queue in Redis', () => {
  let local: PlanResult;

  it('completes with a worker killed mid-run, with the results of local threads', async () => {
    const first = worker();
    const second = worker();
    await first.out.next(/taking runs/);
    await second.out.next(/taking runs/);
    const planned = plan(samplePlan, { queue: url });
    // Kill the first worker as soon as it has a run in hand: its job stays locked until the lock (1 s) runs out.
    const started = await first.out.next(/^started /);
    first.child.kill('SIGKILL');
    const key = started.split(' ')[1]!;
    const viaQueue = await planned;
    local = await plan(samplePlan, { workers: 2 });
    expect(viaQueue).toEqual(local);
    expect(viaQueue.runs.length).toBeGreaterThanOrEqual(6);
    // The killed worker never finished its run; the other one did.
    expect(first.out.seen).not.toContain(`done ${key}`);
    expect(second.out.seen).toContain(`done ${key}`);

    // Results stay in Redis: the same plan again completes with no worker left, from the finished jobs.
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    expect(await plan(samplePlan, { queue: url })).toEqual(local);
  });

  it('the CLI writes the report of the results on the queue', async () => {
    const w = worker();
    await w.out.next(/taking runs/);
    const out = mkdtempSync(join(dir, 'cli-'));
    const file = join(out, 'plan.json');
    writeFileSync(file, JSON.stringify(samplePlan));
    const status = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'plan', file, '--no-progress', '--queue', url], {
        cwd: out,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      child.on('exit', resolve);
    });
    expect(status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'plan-report', 'plan.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(local)),
    );
    expect(readFileSync(join(out, 'plan-report', 'plan.html'), 'utf8')).toContain(local.headline);
    w.child.kill('SIGTERM');
  });
});
