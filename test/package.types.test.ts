// The published type declarations stand on their own: a user's TypeScript compiles against them with
// skipLibCheck off (no kernel-only types such as f64 or F64Column leak into the public API).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./fixtures/consumer/tsconfig.json', import.meta.url));

describe('package types', () => {
  it('type-check a consumer of dynmem and dynmem/node', () => {
    const run = spawnSync(process.execPath, [TSC, '-p', CONSUMER], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
