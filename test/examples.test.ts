// The examples in examples/node run as a user runs them (node, importing 'dynmem' by its package name) and print
// what their comments promise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const examples = fileURLToPath(new URL('../examples/node/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'dynmem-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(file: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [join(examples, file), ...args], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('examples/node', () => {
  it('host.mjs: demand plus its 20 % buffer, the available memory, a start refused', () => {
    expect(run('host.mjs').split('\n')).toEqual([
      'web: 1200 MB assigned for 1000 MB of demand (Ok)',
      'db: 7200 MB assigned for 6000 MB of demand (Ok)',
      // 16,384 − the automatic reserve (384 + 64 × 16 = 1,408) − 1,200 − 7,200
      'available: 6576 MB',
      'start refused: OutOfMemory (0x8007000e)',
      '',
    ]);
  });

  it('simulate.mjs: the bundled sample for six hours, and its report', () => {
    const lines = run('simulate.mjs', out).split('\n');
    expect(lines[0]).toMatch(/^88 VMs, \d+\.\d % of memory saved against static memory$/);
    expect(lines[2]).toBe(`wrote 4 files to ${out}`);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'summary.json', 'timeseries.csv', 'vm-timeseries.csv']);
  });
});
