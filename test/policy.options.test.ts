// The host options `policy` and `policyOptions`: names, defaults and refusals (README "Policies").
import { createCluster, createHost, DynamicMemoryError, esxMinFreeMB, POLICIES } from 'dynmem';
import { describe, expect, it } from 'vitest';

describe('policy option', () => {
  it('defaults to hyperv and accepts every peer', async () => {
    expect((await createHost({ memoryMB: 8192 })).policy).toBe('hyperv');
    expect(POLICIES).toEqual(['hyperv', 'static', 'squeezed', 'qmemman', 'mom', 'proxmox', 'esx']);
    for (const policy of POLICIES) expect((await createHost({ memoryMB: 8192, policy })).policy).toBe(policy);
  });

  it('refuses an unknown policy, naming the field and the allowed values', async () => {
    const error = await createHost({ memoryMB: 8192, policy: 'kvm' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamicMemoryError);
    const e = error as DynamicMemoryError;
    expect(e.code).toBe('InvalidSetting');
    expect(e.field).toBe('policy');
    expect(e.message).toContain('hyperv, static, squeezed, qmemman, mom, proxmox, esx');
    expect(e.message).toContain('"kvm"');
  });

  it.each([
    ['squeezed', { preferenceFactor: 1.5 }, 'policyOptions.preferenceFactor', 'slushMB'],
    ['hyperv', { intervalSeconds: 5 }, 'policyOptions.intervalSeconds', 'no options'],
    ['static', { slushMB: 9 }, 'policyOptions.slushMB', 'no options'],
    ['esx', { idleTax: 1 }, 'policyOptions.idleTax', '0 to 0.99'],
    ['esx', { minFreeMB: 10.5 }, 'policyOptions.minFreeMB', 'whole number'],
    ['proxmox', { maxChangeMB: 0 }, 'policyOptions.maxChangeMB', '1 to'],
    ['qmemman', { intervalSeconds: 0 }, 'policyOptions.intervalSeconds', 'above 0'],
    ['mom', { criticalThreshold: 0.3 }, 'policyOptions.criticalThreshold', 'below pressureThreshold'],
    ['mom', { minChange: Number.NaN }, 'policyOptions.minChange', 'NaN'],
  ] as const)('%s refuses policyOptions %j', async (policy, policyOptions, field, says) => {
    const error = await createHost({ memoryMB: 8192, policy, policyOptions: policyOptions as never }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DynamicMemoryError);
    expect((error as DynamicMemoryError).field).toBe(field);
    expect((error as DynamicMemoryError).message).toContain(says);
  });

  it('refuses a policyOptions that is not an object', async () => {
    await expect(createHost({ memoryMB: 8192, policy: 'mom', policyOptions: 3 as never })).rejects.toThrow(
      'policyOptions must be an object',
    );
  });

  it("computes ESX's minFree: 899 MB for the first 28 GB plus 1 % of the rest (the same share below 28 GB)", () => {
    expect(esxMinFreeMB(28672)).toBe(899);
    expect(esxMinFreeMB(65536)).toBe(899 + 369);
    expect(esxMinFreeMB(14336)).toBe(450);
  });

  it('gives each host of a cluster its own policy', async () => {
    const cluster = await createCluster({
      hosts: [
        { name: 'n1', memoryMB: 16384, policy: 'static' },
        { name: 'n2', memoryMB: 16384, policy: 'esx', policyOptions: { idleTax: 0 } },
      ],
    });
    expect(cluster.host('n1').policy).toBe('static');
    expect(cluster.host('n2').policy).toBe('esx');
  });
});
