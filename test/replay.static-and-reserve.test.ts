// Replays of admins' exports: static-memory VMs (no "Hyper-V Dynamic Memory VM" counters) are accepted, hold their
// startup RAM and are listed in the summary; the host reserve is taken from the recording (memory − Available
// Memory − Σ Physical Memory at the first sample), never assumed from the 2008 R2 SP1 formula.
import { replayScenario, simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';

const MB = 1_048_576;
const getVm = JSON.stringify([
  {
    Name: 'web-01',
    DynamicMemoryEnabled: true,
    MemoryStartup: 2048 * MB,
    MemoryMinimum: 512 * MB,
    MemoryMaximum: 8192 * MB,
  },
  // static, with the minimum Hyper-V remembers above its startup RAM (as Get-VM exports show)
  {
    Name: 'tiny',
    DynamicMemoryEnabled: false,
    MemoryStartup: 256 * MB,
    MemoryMinimum: 512 * MB,
    MemoryMaximum: 1024 * MB,
  },
  {
    Name: 'sql-01',
    DynamicMemoryEnabled: false,
    MemoryStartup: 4096 * MB,
    MemoryMinimum: 512 * MB,
    MemoryMaximum: 1048576 * MB,
  },
]);

const vmPath = (counter: string) => `"\\\\HV1\\Hyper-V Dynamic Memory VM(web-01)\\${counter}"`;
const header = `"(PDH-CSV 4.0) (UTC)(0)",${vmPath('Physical Memory')},${vmPath('Current Pressure')},"\\\\HV1\\Hyper-V Dynamic Memory Balancer(System Balancer)\\Available Memory"`;
// A 16384 MB host whose reserve was 1000 MB: 16384 − 1000 − 2048 − 256 − 4096 = 8984 MB available at first.
// web-01's demand is 50 % of 2048 = 83.32 % of 1229 = 1024 MB throughout.
const counters = [
  header,
  '"04/02/2025 09:00:00.000","2048","50","8984"',
  '"04/02/2025 09:01:00.000","1229","83.32","9803"',
  '"04/02/2025 09:02:00.000","1229","83.32","9803"',
].join('\r\n');

describe.each(['wasm', 'js'] as const)('%s engine', (engine) => {
  it('takes the reserve from the recording and holds the static VMs at their startup RAM', async () => {
    const replay = replayScenario(getVm, counters, { hostMemoryMB: 16384 });
    expect(replay.scenario.hosts).toEqual([{ name: 'HV1', memoryMB: 16384, reserveMB: 1000 }]);
    expect([...replay.recorded.keys()]).toEqual(['web-01']); // static VMs have nothing recorded to compare
    const { summary, cluster } = await simulate({ ...replay.scenario, engine });
    expect(summary.memory.reserveMB).toBe(1000);
    expect(summary.staticVms).toEqual(['tiny', 'sql-01']);
    expect(summary.startFailures).toEqual([]);
    const tiny = cluster.vm('tiny');
    expect(tiny.state).toBe('Running');
    expect(tiny.assignedMB).toBe(256);
    expect(tiny.settings.minimumMB).toBe(512);
    expect(tiny.memoryStatus).toBe(''); // Get-VM shows no MemoryStatus for a static VM
    expect(cluster.vm('sql-01').assignedMB).toBe(4096);
    // demand 1024 MB + 20 % buffer (⌈204.8⌉) = 1229 MB
    expect(cluster.vm('web-01').assignedMB).toBe(1229);
    expect(cluster.vm('web-01').memoryStatus).toBe('Ok');
    expect(cluster.counters().availableMemoryMB).toBe(16384 - 1000 - 256 - 4096 - 1229);
  });

  it('without the host memory, guesses it from the formula but still takes the reserve from the first sample', () => {
    // The recording accounts for 8984 + 2048 + 256 + 4096 = 15384 MB at most. The smallest memory whose 'auto'
    // reserve leaves that much: 16820 − (384 + ⌈16820 / 16⌉ = 1436) = 15384.
    const replay = replayScenario(getVm, counters);
    expect(replay.scenario.hosts).toEqual([{ name: 'HV1', memoryMB: 16820, reserveMB: 1436 }]);
  });

  it('refuses a Dynamic Memory VM without counters, naming it', () => {
    const withoutCounters = getVm.replace('"web-01"', '"web-02"');
    expect(() => replayScenario(withoutCounters, counters, { hostMemoryMB: 16384 })).toThrow(
      /VM 'web-01' has counters but is not in settings\.json/,
    );
    const extra = JSON.stringify([
      ...JSON.parse(getVm),
      {
        Name: 'vdi-9',
        DynamicMemoryEnabled: true,
        MemoryStartup: 1024 * MB,
        MemoryMinimum: 512 * MB,
        MemoryMaximum: 2048 * MB,
      },
    ]);
    expect(() => replayScenario(extra, counters, { hostMemoryMB: 16384 })).toThrow(
      /VM 'vdi-9' has Dynamic Memory but no "Hyper-V Dynamic Memory VM" counters/,
    );
  });

  it('refuses a host memory smaller than the first sample accounts for', () => {
    expect(() => replayScenario(getVm, counters, { hostMemoryMB: 15000 })).toThrow(
      /accounts for 15384 MB .* more than the host's 15000 MB/,
    );
  });
});
