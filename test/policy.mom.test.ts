// oVirt MoM (README "Policies"), every 10 s. Host free f = free / host memory. f < 20 %: each guest shrinks to
// max(max(min, used + g × cur), 0.95 × cur) with g = 0.20 × f / 0.20 (f − 0.05 once f ≤ 5 %); otherwise it grows
// to min(max(1.05 × cur, max(min, used + 0.20 × cur)), max). A change of 0.25 % of cur or less is not made.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const vm = (name: string, startupMB: number, demandMB: number) => ({
    name,
    startupMB,
    minimumMB: 1000,
    maximumMB: 8000,
    demandMB,
  });

  it('grows a guest by 5 % an interval while the host has 20 % free or more', async () => {
    const host = await policyHost({ memoryMB: 20000, policy: 'mom', engine }, [vm('a', 4000, 1000)]);
    host.advance(9);
    expect(held(host)).toEqual({ a: 4000 });
    host.advance(1);
    expect(held(host)).toEqual({ a: 4200 });
    host.advance(10);
    expect(held(host)).toEqual({ a: 4410 });
  });

  it('under pressure shrinks by at most 5 %, keeps the scaled guest free memory, and ignores changes within the dead-band', async () => {
    const host = await policyHost({ memoryMB: 18000, policy: 'mom', engine }, [
      vm('a', 4000, 1000),
      vm('b', 4400, 4000),
      vm('c', 4000, 3640),
      vm('d', 4000, 3600),
    ]);
    host.advance(10);
    // free 1,600 of 18,000 = 8.9 % < 20 %: guests keep g = 8.9 % free
    // a: max(1,000 + 356, 3,800) = 3,800 (the 5 % step); b: 4,000 + 391 = 4,391, 9 MB under 4,400 ≤ 11 (0.25 %): kept
    // c: 3,640 + 356 = 3,996, 4 MB ≤ 10: kept; d: 3,600 + 356 = 3,955.6 → 3,956
    expect(held(host)).toEqual({ a: 3800, b: 4400, c: 4000, d: 3956 });
  });

  it('at 5 % host free or less a guest is squeezed below what it uses', async () => {
    const host = await policyHost({ memoryMB: 10000, policy: 'mom', engine }, [
      vm('a', 4800, 4700),
      vm('b', 4800, 1000),
    ]);
    host.advance(10);
    // free 4 %: g = 4 % − 5 % = −1 %: a: 4,700 − 48 = 4,652 (under its 4,700 MB); b: the 5 % step, 4,560
    expect(held(host)).toEqual({ a: 4652, b: 4560 });
    expect(host.vm('a').pressure).toBeGreaterThan(100);
  });

  it('takes its thresholds and step from policyOptions', async () => {
    const host = await policyHost(
      { memoryMB: 20000, policy: 'mom', policyOptions: { maxChange: 0.1, intervalSeconds: 5 }, engine },
      [vm('a', 4000, 1000)],
    );
    host.advance(5);
    expect(held(host)).toEqual({ a: 4400 });
  });
});
