// The terminal summary names the scenario events a VM's state refused at run time, so a run that skipped some of
// its events does not read like one that ran them all.
import { simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../src/cli/format-summary.ts';

describe.each(['wasm', 'js'] as const)('formatSummary on %s', (engine) => {
  it('lists refused events with their time and the library message', async () => {
    const { summary } = await simulate({
      engine,
      duration: '1h',
      sampleInterval: '5m',
      hosts: [{ memoryMB: 16384, reserveMB: 0 }],
      vms: [{ name: 'v', startupMB: 1024, minimumMB: 512, maximumMB: 8192, demandMB: 1000 }],
      events: [
        { at: '20m', action: 'setMemory', vm: 'v', settings: { maximumMB: 2048 } }, // lowering a running maximum
        { at: '30m', action: 'stop', vm: 'v' },
        { at: '31m', action: 'stop', vm: 'v' }, // already off
      ],
    });
    const lines = formatSummary(summary).split('\n');
    const at = lines.findIndex((l) => l.trim().startsWith('events refused'));
    expect(lines[at]).toMatch(/events refused\s+2$/);
    expect(lines[at + 1]).toMatch(/^ {4}at 0\.3 h: setMemory v: .*maximumMB/);
    expect(lines[at + 2]).toBe(`    at 0.5 h: stop v: ${summary.eventErrors[1]!.message}`);
  });

  it('says nothing of refused events when there were none', async () => {
    const { summary } = await simulate({
      engine,
      duration: '10m',
      hosts: [{ memoryMB: 16384, reserveMB: 0 }],
      vms: [{ name: 'v', startupMB: 1024, demandMB: 1000 }],
    });
    expect(formatSummary(summary)).not.toMatch(/events refused/);
  });
});
