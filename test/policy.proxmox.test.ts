// Proxmox VE auto-ballooning (README "Policies"), every 10 s: goal = 80 % of host memory − used (the host's
// reserve and every VM's memory); nothing while |goal| ≤ 10 MB; else the memory above the balloon minimums plus
// the goal is water-filled by shares (weight / 5), each VM moving at most 100 MB toward its share per cycle.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const vm = (name: string, weight = 5000) => ({ name, startupMB: 2000, minimumMB: 1000, maximumMB: 6000, weight });

  it('grows toward the set-point by at most 100 MB per VM per cycle', async () => {
    const host = await policyHost({ memoryMB: 10000, policy: 'proxmox', engine }, [vm('a'), vm('b')]);
    host.advance(10);
    // goal = 8,000 − 4,000 = 4,000: pool = 2,000 + 4,000 shared evenly: each wants 4,000, moves +100
    expect(held(host)).toEqual({ a: 2100, b: 2100 });
    host.advance(10);
    expect(held(host)).toEqual({ a: 2200, b: 2200 });
  });

  it('shares by shares, clamped at max; a VM already at its share does not move; shares 0 is not ballooned', async () => {
    const host = await policyHost({ memoryMB: 10000, policy: 'proxmox', engine }, [
      vm('a', 10000),
      vm('b', 2500),
      vm('c', 0),
    ]);
    host.advance(10);
    // used 6,000, goal 2,000: pool 2,000 + 2,000 over shares 2,000 : 500: a 1,000 + 3,200, b 1,000 + 800
    expect(held(host)).toEqual({ a: 2100, b: 1900, c: 2000 });
  });

  it('shrinks by at most 100 MB when the host is above the set-point, and whole MB go in VM order', async () => {
    const host = await policyHost({ memoryMB: 5000, reserveMB: 500, policy: 'proxmox', engine }, [vm('a'), vm('b')]);
    host.advance(10); // goal = 4,000 − 4,500 = −500: each wants 1,000 + 750
    expect(held(host)).toEqual({ a: 1900, b: 1900 });
    const odd = await policyHost({ memoryMB: 5100, reserveMB: 1011, policy: 'proxmox', engine }, [vm('a'), vm('b')]);
    odd.advance(10); // goal = 4,080 − 5,011 = −931: pool 2,000 − 931 = 1,069: a 1,000 + 535, b 1,000 + 534
    expect(held(odd)).toEqual({ a: 1900, b: 1900 });
    odd.advance(40); // the pool stays 1,069 as they shrink; the last step is 65 MB
    expect(held(odd)).toEqual({ a: 1535, b: 1534 });
    odd.advance(10); // goal = 4,080 − 4,080 = 0: within the dead-band
    expect(held(odd)).toEqual({ a: 1535, b: 1534 });
  });

  it('does nothing within the 10 MB dead-band', async () => {
    const host = await policyHost({ memoryMB: 5000, reserveMB: 10, policy: 'proxmox', engine }, [vm('a'), vm('b')]);
    host.advance(60);
    expect(held(host)).toEqual({ a: 2000, b: 2000 });
    expect(host.counters().memoryRemoveOperations).toBe(0);
  });
});
