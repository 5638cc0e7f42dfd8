// Per-VM balloon driver limits in the kernel: the columns `balloonRate` (MB/s the VM's driver gives back, capped
// by the host's rate; 0: stuck) and `balloonLimit` (MB below which the driver cannot take memory; 0: no limit).
import { createHost, type Host } from 'dynmem';
import { describe, expect, it } from 'vitest';

/** A VM booted (bootSeconds 0) holding 4,096 MB startup RAM, demand 1,000 MB: its target is 1,200 MB. */
async function bootedVm(engine: 'wasm' | 'js', driver: { rate?: number; limit?: number }): Promise<Host> {
  const host = await createHost({ memoryMB: 16384, reserveMB: 1024, balloonRateMBps: 128, bootSeconds: 0, engine });
  host.addVm({ name: 'a', startupMB: 4096, minimumMB: 512, maximumMB: 8192 });
  host.start('a');
  host.setDemand('a', 1000);
  const fleet = (host as any).fleet;
  const slot = fleet.vm('a').slot;
  fleet.store.setBalloonDriver(slot, {
    ...(driver.rate !== undefined ? { rateMBps: driver.rate } : {}),
    ...(driver.limit !== undefined ? { limitMB: driver.limit } : {}),
  });
  return host;
}

describe.each(['wasm', 'js'] as const)('balloon driver limits (%s engine)', (engine) => {
  it('by default the host rate applies: 128 MB a tick', async () => {
    const host = await bootedVm(engine, {});
    host.advance(2);
    expect(host.vm('a').assignedMB).toBe(4096 - 2 * 128);
  });

  it('a slow driver gives back only its own rate', async () => {
    const host = await bootedVm(engine, { rate: 10 });
    host.advance(3);
    expect(host.vm('a').assignedMB).toBe(4096 - 3 * 10);
    expect(host.vm('a').memoryRemoveOperations).toBe(3);
    expect(host.vm('a').removedMemoryMB).toBe(30);
  });

  it('a driver faster than the host is held to the host rate', async () => {
    const host = await bootedVm(engine, { rate: 1000 });
    host.advance(1);
    expect(host.vm('a').assignedMB).toBe(4096 - 128);
  });

  it('a stuck driver (rate 0) gives nothing back and counts no removal', async () => {
    const host = await bootedVm(engine, { rate: 0 });
    host.advance(30);
    expect(host.vm('a').assignedMB).toBe(4096);
    expect(host.vm('a').memoryRemoveOperations).toBe(0);
  });

  it('a driver with a limit stops there, above the goal', async () => {
    const host = await bootedVm(engine, { limit: 3000 });
    host.advance(8); // 4,096 − 8 × 128 = 3,072
    expect(host.vm('a').assignedMB).toBe(3072);
    host.advance(30);
    expect(host.vm('a').assignedMB).toBe(3000);
    expect(host.vm('a').removedMemoryMB).toBe(1096);
  });

  it('still lets memory be added to a VM at its limit', async () => {
    const host = await bootedVm(engine, { limit: 3000 });
    host.advance(60);
    host.setDemand('a', 4000); // target 4,800
    host.advance(1);
    expect(host.vm('a').assignedMB).toBe(4800);
  });
});
