// Qubes qmemman (README "Policies"): pref = max(min(⌈1.3 × used⌉, max), 200 MiB); with memory to spare each VM
// gets pref plus a share of 0.999 × (free − Σ need) in proportion to pref (capped at max, the rest shared again);
// when short, donors go down to pref and acceptors share what that frees in proportion to pref. Every second.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';
import { refused } from './refusal.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const surplusHost = () =>
    policyHost({ memoryMB: 8192, reserveMB: 1024, policy: 'qmemman', engine }, [
      { name: 'a', startupMB: 1024, minimumMB: 128, maximumMB: 4096, demandMB: 100 },
      { name: 'b', startupMB: 1024, minimumMB: 256, maximumMB: 4096, demandMB: 1000 },
    ]);

  it('shares a surplus in proportion to preference (200 MiB at least), capping at max and sharing again', async () => {
    const host = await surplusHost();
    host.advance(1);
    // pref a = max(130, 200) = 200, b = 1,300; free 5,120, Σ need = 1,500 − 2,048: available 5,668 × 0.999
    // = 5,662.332; b: 1,300 + 4,907 > 4,096: capped (takes 2,796); a: 200 + ⌊5,662.332 − 2,796⌋ = 3,066
    expect(held(host)).toEqual({ a: 3066, b: 4096 });
  });

  const shortHost = (policyOptions = {}) =>
    policyHost({ memoryMB: 7168, policy: 'qmemman', policyOptions, engine }, [
      { name: 'a', startupMB: 4096, minimumMB: 128, maximumMB: 4096, demandMB: 100 },
      { name: 'b', startupMB: 1536, minimumMB: 256, maximumMB: 4096, demandMB: 3000 },
      { name: 'c', startupMB: 1536, minimumMB: 256, maximumMB: 4096, demandMB: 3000 },
    ]);

  it('when short, the donor gives down to its preference and the acceptors share it by preference', async () => {
    const host = await shortHost();
    host.advance(1);
    // prefs 200, 3,900, 3,900: Σ 8,000 > 7,168. a gives 3,896; b and c get ⌊3,896 × 3,900 / 7,800⌋ = 1,948 each
    expect(held(host)).toEqual({ a: 200, b: 3484, c: 3484 });
    expect(host.counters().memoryRemoveOperations).toBe(1);
    expect(host.counters().memoryAddOperations).toBe(2);
  });

  it('a donor with less excess than donorMinimumMB is left alone', async () => {
    const host = await shortHost({ donorMinimumMB: 4000 });
    host.advance(1);
    expect(held(host)).toEqual({ a: 4096, b: 1536, c: 1536 });
  });

  it('a start is paid for by the donors in proportion to their excess (× 1.05), and fails when they have too little', async () => {
    const host = await surplusHost();
    host.advance(1); // a 3,066 (pref 200), b 4,096 (pref 1,300), 6 MB free
    host.addVm({ name: 'c', startupMB: 2048, minimumMB: 512, maximumMB: 4096 });
    host.start('c');
    // 2,042 MB wanted of 2,866 + 2,796 = 5,662 excess: a gives ⌈2,866 × 2,042 / 5,662 × 1.05⌉ = 1,086, b 1,059
    expect(held(host)).toEqual({ a: 1980, b: 3037, c: 2048 });
    host.addVm({ name: 'd', startupMB: 4096, minimumMB: 512, maximumMB: 4096 });
    // 101 MB free + excess (1,780 + 1,737): 3,618 < 4,096
    refused(host, () => host.start('d'), 'OutOfMemory');
  });
});
