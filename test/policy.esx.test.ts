// VMware ESX (README "Policies"), every 60 s: a VM gets the pages it touches (its demand) while memory is free;
// when the host would keep less than minFree, memory is revoked from the VMs with the lowest
// ρ = S / (P × (f + k (1 − f))), k = 1 / (1 − τ), f = min(1, demand / P), until minFree is free again.
import { describe, expect, it } from 'vitest';
import { ENGINES, held, policyHost } from './policy-host.ts';

describe.each(ENGINES)('%s engine', (engine) => {
  const vm = (name: string, demandMB: number, weight = 5000) => ({
    name,
    startupMB: 4000,
    minimumMB: 1000,
    maximumMB: 8000,
    demandMB,
    weight,
  });
  const contended = (idleTax: number, weights: [number, number] = [5000, 5000]) =>
    policyHost({ memoryMB: 9000, policy: 'esx', policyOptions: { idleTax, minFreeMB: 3000 }, engine }, [
      vm('idle', 1000, weights[0]),
      vm('busy', 4000, weights[1]),
    ]);

  it('τ = 0 is pure shares: equal shares keep equal memory, whatever each uses', async () => {
    const host = await contended(0);
    host.advance(59);
    expect(held(host)).toEqual({ idle: 4000, busy: 4000 });
    host.advance(1); // 6,000 MB to keep: ρ = S / P equal at 3,000 each
    expect(held(host)).toEqual({ idle: 3000, busy: 3000 });
  });

  it('τ = 0.75 taxes idle memory: the idle VM has the lowest ρ and is revoked first', async () => {
    const host = await contended(0.75);
    host.advance(60);
    // k = 4: idle ρ = S / (4P − 3,000), busy ρ = S / 4,000: revoking idle alone to 2,000 levels them out
    expect(held(host)).toEqual({ idle: 2000, busy: 4000 });
  });

  it('shares order the revocation at τ = 0: twice the shares, twice the memory', async () => {
    const host = await contended(0, [2500, 5000]);
    host.advance(60);
    expect(held(host)).toEqual({ idle: 2000, busy: 4000 });
  });

  it('with memory free nothing is revoked: an idle VM keeps its pages and a busy one gets what it touches', async () => {
    const host = await policyHost({ memoryMB: 65536, policy: 'esx', engine }, [vm('idle', 1000), vm('busy', 6000)]);
    host.advance(60);
    expect(held(host)).toEqual({ idle: 4000, busy: 6000 });
    expect(host.counters().availableMemoryMB).toBe(65536 - 10000);
  });
});
