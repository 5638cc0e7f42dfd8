// Xen squeezed (README "Policies"): one fraction γ of every domain's [dynamic-min, dynamic-max] range so that
// the host keeps its slush (9 MB) free; free before allocate; a decision every 10 s. Hand-computed from
// surplus = host free + Σ (actual − dmin) − slush, γ = surplus / Σ (dmax − dmin), target = dmin + ⌊γ (dmax − dmin)⌋.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const twoDomains = () =>
    policyHost({ memoryMB: 8192, reserveMB: 1024, policy: 'squeezed', engine }, [
      { name: 'a', startupMB: 2048, minimumMB: 1024, maximumMB: 4096 },
      { name: 'b', startupMB: 2048, minimumMB: 512, maximumMB: 8192 },
    ]);

  it('γ on two domains: every domain gets the same fraction of its range, the host keeps its slush', async () => {
    const host = await twoDomains();
    host.advance(9); // between decisions every domain keeps what it holds
    expect(held(host)).toEqual({ a: 2048, b: 2048 });
    host.advance(1);
    // free 7,168 − 4,096 = 3,072; surplus = 3,072 + (1,024 + 1,536) − 9 = 5,623; Σ range = 3,072 + 7,680 = 10,752
    // a: 1,024 + ⌊3,072 × 5,623 / 10,752⌋ = 1,024 + 1,606; b: 512 + ⌊7,680 × 5,623 / 10,752⌋ = 512 + 4,016
    expect(held(host)).toEqual({ a: 2630, b: 4528 });
    expect(host.counters().availableMemoryMB).toBe(10); // ≥ the 9 MB slush (whole MB round down)
  });

  it('two phases: when a domain must shrink only the shrinking target is issued; growing waits', async () => {
    const host = await twoDomains();
    host.advance(10);
    host.addVm({ name: 'c', startupMB: 1024, minimumMB: 512, maximumMB: 2048 });
    host.start('c'); // 10 MB free: 1,014 MB reclaimed from b (equal weights: the most spare first)
    expect(held(host)).toEqual({ a: 2630, b: 3514, c: 1024 });
    host.advance(10);
    // surplus = 0 + (1,606 + 3,002 + 512) − 9 = 5,111; Σ range = 12,288: targets a 2,301, b 3,706, c 1,150:
    // a shrinks; b and c wait
    expect(held(host)).toEqual({ a: 2301, b: 3514, c: 1024 });
    host.advance(10);
    expect(held(host)).toEqual({ a: 2301, b: 3706, c: 1150 });
  });

  it('with plenty of memory every domain sits at its dynamic-max, when short at its dynamic-min', async () => {
    const roomy = await policyHost({ memoryMB: 65536, policy: 'squeezed', engine }, [
      { name: 'a', startupMB: 2048, minimumMB: 1024, maximumMB: 4096 },
    ]);
    roomy.advance(10);
    expect(held(roomy)).toEqual({ a: 4096 });
    // Σ dynamic-min + slush = 3,081: b's start reclaims a (running since the first tick) down to 1,033
    const tight = await policyHost({ memoryMB: 3081, policy: 'squeezed', engine }, [
      { name: 'a', startupMB: 2048, minimumMB: 1024, maximumMB: 4096 },
    ]);
    tight.advance(1);
    tight.addVm({ name: 'b', startupMB: 2048, minimumMB: 2048, maximumMB: 4096 });
    tight.start('b');
    expect(held(tight)).toEqual({ a: 1033, b: 2048 });
    tight.advance(9); // surplus = 1,033 − 1,033 + 9 − 9 = 0: γ = 0
    expect(held(tight)).toEqual({ a: 1024, b: 2048 });
  });

  it('takes its interval and slush from policyOptions', async () => {
    const host = await policyHost(
      {
        memoryMB: 8192,
        reserveMB: 1024,
        policy: 'squeezed',
        policyOptions: { intervalSeconds: 2, slushMB: 1033 },
        engine,
      },
      [
        { name: 'a', startupMB: 2048, minimumMB: 1024, maximumMB: 4096 },
        { name: 'b', startupMB: 2048, minimumMB: 512, maximumMB: 8192 },
      ],
    );
    host.advance(2);
    // surplus = 3,072 + 2,560 − 1,033 = 4,599; a 1,024 + ⌊3,072 × 4,599 / 10,752⌋, b 512 + ⌊7,680 × 4,599 / 10,752⌋
    expect(held(host)).toEqual({ a: 1024 + 1314, b: 512 + 3285 });
  });

  it('moves toward a decision at the balloon rate, and keeps heading for it between decisions', async () => {
    // the two-phase case above, at the default balloon rate
    const slow = await policyHost(
      { memoryMB: 8192, reserveMB: 1024, policy: 'squeezed', balloonRateMBps: 128, engine },
      [
        { name: 'a', startupMB: 2048, minimumMB: 1024, maximumMB: 4096 },
        { name: 'b', startupMB: 2048, minimumMB: 512, maximumMB: 8192 },
      ],
    );
    slow.advance(10);
    slow.addVm({ name: 'c', startupMB: 1024, minimumMB: 512, maximumMB: 2048 });
    slow.start('c');
    slow.advance(10); // the decision at 20 s: a → 2,301 (329 MB), 128 MB a second
    expect(held(slow)).toEqual({ a: 2502, b: 3514, c: 1024 });
    slow.advance(2); // no decision at 21 or 22 s: a keeps heading for it
    expect(held(slow)).toEqual({ a: 2301, b: 3514, c: 1024 });
  });
});
