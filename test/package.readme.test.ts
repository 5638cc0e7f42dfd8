// The README's snippets, run as they stand from a fresh project that installs the packed package (npm pack, then
// npm install of the tarball; dependencies from npm's cache when it has them).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './cli-run.ts';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The first ```ts block after a heading line of the README. */
function snippet(heading: string): string {
  const from = README.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`README has no heading '${heading}'`);
  const match = /```ts\n([\s\S]*?)```/.exec(README.slice(from));
  if (!match) throw new Error(`no ts block under '${heading}'`);
  return match[1]!;
}

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'dynmem-user-'));
  // The build is fresh (npm test builds first): pack it without building again.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], {
    cwd: REPO,
    encoding: 'utf8',
  }).trim();
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `./${packed.split('\n').pop()}`],
    { cwd: project, encoding: 'utf8' },
  );
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

function runSnippet(heading: string): string {
  const file = join(project, `${heading.replace(/\W+/g, '-')}.mjs`);
  writeFileSync(file, snippet(heading));
  const run = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe("the README's snippets, from a project that installed the package", () => {
  it('"Use it" prints the assignment, the available memory and a refusal', () => {
    // 1,000 MB demand + 20 % buffer; 65,536 − 4,480 reserve (384 + 64 per GB) − 1,200.
    expect(runSnippet('## Use it')).toBe('1200\n59856\nInvalidState startupMB\n');
  });

  it('"Checkpoint and resume" restores a booting host on the other engine; both end alike', () => {
    expect(runSnippet('### Checkpoint and resume')).toBe('1200 1200\n');
  });

  it('"Plan capacity" plans on the bundled sample with worker threads from the installed package', () => {
    const [headline, ...runs] = runSnippet('## Plan capacity').trim().split('\n');
    expect(headline).toMatch(
      /^32 GB host, profile bitbrains-sample: \d+ VMs with Dynamic Memory, \d+ with static memory/,
    );
    expect(runs.length).toBeGreaterThan(3);
    expect(runs.some((r) => / ok$/.test(r)) && runs.some((r) => !/ ok$/.test(r))).toBe(true);
  });

  it('"Simulate" runs the bundled sample through dynmem/sample', () => {
    expect(runSnippet('## Simulate')).toMatch(/^88 VMs, \d+\.\d % memory saved, 289 samples\n$/);
  });
});
