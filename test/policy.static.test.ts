// static (README "Policies"): every running VM holds its startup memory, and a VM starts only if its whole
// startup memory is free: nothing is reclaimed from the others.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';
import { refused } from './refusal.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const vm = (name: string) => ({ name, startupMB: 2048, minimumMB: 512, maximumMB: 8192, demandMB: 100 });

  it('every VM holds its startup memory, whatever its demand', async () => {
    const host = await policyHost({ memoryMB: 8192, reserveMB: 1024, policy: 'static', engine }, [
      vm('a'),
      vm('b'),
      vm('c'),
    ]);
    host.setDemand('c', 6000);
    host.advance(120);
    expect(held(host)).toEqual({ a: 2048, b: 2048, c: 2048 });
    expect(host.vm('c').pressure).toBeCloseTo(292.97, 2);
    expect(host.counters().memoryAddOperations + host.counters().memoryRemoveOperations).toBe(0);
  });

  it('no overcommit: a start fails when its startup memory is not free, where Hyper-V would reclaim', async () => {
    for (const policy of ['static', 'hyperv'] as const) {
      const host = await policyHost({ memoryMB: 8192, reserveMB: 1024, policy, engine }, [vm('a'), vm('b'), vm('c')]);
      host.advance(60);
      host.addVm({ name: 'd', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
      if (policy === 'static') refused(host, () => host.start('d'), 'OutOfMemory');
      else host.start('d');
    }
  });
});
