import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DynamicMemoryError } from '../src/errors.ts';
import {
  InteropError,
  mergePowerShellExports,
  powerShellVmRecords,
  vmsFromPowerShellJson,
} from '../src/interop/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/interop/${name}`, import.meta.url), 'utf8');
const MB = 1_048_576;

/** The error a call throws, so that several of its fields can be checked. */
function thrown(fn: () => unknown): DynamicMemoryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DynamicMemoryError) return e;
    throw e;
  }
  throw new Error('expected a DynamicMemoryError');
}

describe('Get-VM JSON', () => {
  it('reads settings in MB and the recorded assigned/demand', () => {
    const records = powerShellVmRecords(fixture('get-vm.json'), { source: 'get-vm.json' });
    expect(records).toEqual([
      {
        config: { name: 'web-01', dynamicMemory: true, startupMB: 2048, minimumMB: 512, maximumMB: 8192 },
        assignedMB: 1536,
        demandMB: 1228,
      },
      // Static: the remembered minimum is kept (Get-VM shows it); the remembered maximum is not carried over.
      {
        config: { name: 'sql-01', dynamicMemory: false, startupMB: 16384, minimumMB: 512 },
        assignedMB: 16384,
        demandMB: 0,
      },
      {
        config: { name: 'vdi-07', dynamicMemory: true, startupMB: 1024, minimumMB: 256, maximumMB: 4096 },
        assignedMB: 0,
        demandMB: 0,
      },
    ]);
  });

  it('a static VM may keep a minimum above its startup RAM (Hyper-V remembers it for Dynamic Memory)', () => {
    const text = JSON.stringify({
      Name: 'tiny',
      DynamicMemoryEnabled: false,
      MemoryStartup: 256 * MB,
      MemoryMinimum: 512 * MB,
      MemoryMaximum: 1024 * MB,
    });
    expect(vmsFromPowerShellJson(text)).toEqual([
      { name: 'tiny', dynamicMemory: false, startupMB: 256, minimumMB: 512 },
    ]);
    // With Dynamic Memory on, the same numbers break the minimum ≤ startup rule.
    const dynamic = text.replace('"DynamicMemoryEnabled":false', '"DynamicMemoryEnabled":true');
    expect(() => vmsFromPowerShellJson(dynamic)).toThrow(/MemoryMinimum 512 MB must not exceed MemoryStartup 256 MB/);
  });

  it('vmsFromPowerShellJson gives just the configs', () => {
    expect(vmsFromPowerShellJson(fixture('get-vm.json')).map((c) => c.name)).toEqual(['web-01', 'sql-01', 'vdi-07']);
  });

  it('reads a single object (ConvertTo-Json of one VM) despite its UTF-8 BOM', () => {
    const text = fixture('get-vm-single.json');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(powerShellVmRecords(text)).toEqual([
      {
        config: { name: 'build-agent', dynamicMemory: true, startupMB: 4096, minimumMB: 1024, maximumMB: 16384 },
        assignedMB: 3072,
        demandMB: 2500,
      },
    ]);
  });

  it('takes an empty export (no VMs: ConvertTo-Json prints nothing) as no VMs', () => {
    expect(vmsFromPowerShellJson('')).toEqual([]);
    expect(vmsFromPowerShellJson('\ufeff\r\n')).toEqual([]);
  });
});

describe('Get-VMMemory JSON', () => {
  it('reads VMName, amounts, Buffer and Priority (weight = Priority × 100), ignoring the other fields', () => {
    expect(vmsFromPowerShellJson(fixture('get-vmmemory.json'))).toEqual([
      {
        name: 'web-01',
        dynamicMemory: true,
        startupMB: 2048,
        minimumMB: 512,
        maximumMB: 8192,
        bufferPercent: 20,
        weight: 5000,
      },
      { name: 'sql-01', dynamicMemory: false, startupMB: 16384, minimumMB: 512, weight: 8000 },
      {
        name: 'vdi-07',
        dynamicMemory: true,
        startupMB: 1024,
        minimumMB: 256,
        maximumMB: 4096,
        bufferPercent: 50,
        weight: 3000,
      },
    ]);
  });
});

describe('mergePowerShellExports', () => {
  it('combines Get-VM with Buffer/Priority from Get-VMMemory by VM name', () => {
    const merged = mergePowerShellExports(fixture('get-vm.json'), fixture('get-vmmemory.json'));
    expect(merged[0]).toEqual({
      config: {
        name: 'web-01',
        dynamicMemory: true,
        startupMB: 2048,
        minimumMB: 512,
        maximumMB: 8192,
        bufferPercent: 20,
        weight: 5000,
      },
      assignedMB: 1536,
      demandMB: 1228,
    });
    expect(merged.map((r) => [r.config.name, r.config.weight, r.config.bufferPercent])).toEqual([
      ['web-01', 5000, 20],
      ['sql-01', 8000, undefined],
      ['vdi-07', 3000, 50],
    ]);
  });

  it('keeps a VM found in only one export', () => {
    const memOnly = JSON.stringify({ VMName: 'extra', Startup: 1024 * MB, Buffer: 10, Priority: 100 });
    const merged = mergePowerShellExports(fixture('get-vm-single.json'), memOnly);
    expect(merged.map((r) => r.config)).toEqual([
      { name: 'build-agent', dynamicMemory: true, startupMB: 4096, minimumMB: 1024, maximumMB: 16384 },
      { name: 'extra', startupMB: 1024, bufferPercent: 10, weight: 10000 },
    ]);
  });

  it('refuses exports that disagree, naming both fields', () => {
    const vm = JSON.stringify({ Name: 'a', MemoryStartup: 2048 * MB });
    const mem = JSON.stringify({ VMName: 'a', Startup: 4096 * MB });
    const e = thrown(() => mergePowerShellExports(vm, mem));
    expect(e.code).toBe('InvalidSetting');
    expect(e.vm).toBe('a');
    expect(e.field).toBe('MemoryStartup');
    expect(e.message).toMatch(/MemoryStartup.*Startup/);
  });
});

describe('refusals', () => {
  it('refuses 1,000,000,000 bytes (not a whole MB) as NotAligned, naming VM and field, never rounding', () => {
    const text = JSON.stringify([
      {
        Name: 'odd',
        DynamicMemoryEnabled: true,
        MemoryStartup: 2048 * MB,
        MemoryMinimum: 1_000_000_000,
        MemoryMaximum: 4096 * MB,
      },
    ]);
    const e = thrown(() => vmsFromPowerShellJson(text, { source: 'export.json' }));
    expect(e.code).toBe('NotAligned');
    expect(e.vm).toBe('odd');
    expect(e.field).toBe('MemoryMinimum');
    expect(e.message).toContain('Memory values must be properly aligned');
    expect(e.message).toContain("'odd'");
    expect(e.message).toContain('MemoryMinimum');
    expect(e.message).toContain('export.json');
  });

  it('refuses a whole but odd number of MB as NotAligned', () => {
    const e = thrown(() => vmsFromPowerShellJson(JSON.stringify({ VMName: 'v', Startup: 1025 * MB })));
    expect([e.code, e.field]).toEqual(['NotAligned', 'Startup']);
    expect(e.message).toContain('Memory values must be properly aligned');
  });

  it('rethrows a settings rule with the JSON field and the VM', () => {
    // Minimum above startup: newVmSettings refuses minimumMB; the error must say MemoryMinimum.
    const e = thrown(() =>
      vmsFromPowerShellJson(
        JSON.stringify({
          Name: 'vm-x',
          DynamicMemoryEnabled: true,
          MemoryStartup: 1024 * MB,
          MemoryMinimum: 2048 * MB,
          MemoryMaximum: 4096 * MB,
        }),
      ),
    );
    expect(e.code).toBe('InvalidSetting');
    expect(e.vm).toBe('vm-x');
    expect(e.field).toBe('MemoryMinimum');
    expect(e.message).toMatch(/vm-x.*MemoryMinimum/);
  });

  it('checks maximum against the host maxVmMemoryMB option', () => {
    const text = JSON.stringify({ Name: 'big', MemoryStartup: 2048 * MB, MemoryMaximum: 65536 * MB });
    expect(vmsFromPowerShellJson(text)).toHaveLength(1);
    const e = thrown(() => vmsFromPowerShellJson(text, { maxVmMemoryMB: 32768 }));
    expect([e.code, e.vm, e.field]).toEqual(['InvalidSetting', 'big', 'MemoryMaximum']);
  });

  it('names Buffer and Priority of Get-VMMemory', () => {
    const buffer = thrown(() => vmsFromPowerShellJson(JSON.stringify({ VMName: 'b', Startup: 1024 * MB, Buffer: 3 })));
    expect([buffer.code, buffer.vm, buffer.field]).toEqual(['InvalidSetting', 'b', 'Buffer']);
    expect(buffer.message).toContain('Buffer');
    const priority = thrown(() =>
      vmsFromPowerShellJson(JSON.stringify({ VMName: 'p', Startup: 1024 * MB, Priority: 101 })),
    );
    expect([priority.code, priority.vm, priority.field]).toEqual(['InvalidSetting', 'p', 'Priority']);
  });

  it('refuses a non-boolean DynamicMemoryEnabled and a non-number amount, naming the field', () => {
    const dyn = thrown(() => vmsFromPowerShellJson(JSON.stringify({ Name: 'd', DynamicMemoryEnabled: 'yes' })));
    expect([dyn.code, dyn.field]).toEqual(['InvalidSetting', 'DynamicMemoryEnabled']);
    const amount = thrown(() => vmsFromPowerShellJson(JSON.stringify({ Name: 'n', MemoryStartup: '2GB' })));
    expect([amount.code, amount.vm, amount.field]).toEqual(['InvalidSetting', 'n', 'MemoryStartup']);
  });

  it('refuses duplicate names and records without a name', () => {
    const dup = thrown(() => vmsFromPowerShellJson(JSON.stringify([{ Name: 'a' }, { Name: 'a' }])));
    expect([dup.code, dup.vm]).toEqual(['DuplicateVm', 'a']);
    const noName = thrown(() => vmsFromPowerShellJson(JSON.stringify([{ MemoryStartup: 1024 * MB }])));
    expect(noName.field).toBe('Name');
  });

  it('reports malformed JSON with the source and position', () => {
    const bad = '[\r\n    {\r\n        "Name":  "a",\r\n    }\r\n]';
    let error: unknown;
    try {
      vmsFromPowerShellJson(bad, { source: 'broken.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InteropError);
    const e = error as InteropError;
    expect(e.file).toBe('broken.json');
    expect(e.message).toContain('broken.json');
    expect(e.message).toContain('not valid JSON');
    expect(e.line).toBe(4);
  });
});
