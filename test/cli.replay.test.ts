// End to end: `dynmem replay SETTINGS.json COUNTERS.csv` on the hand-written pair of test/fixtures/cli (see its README).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePdhCsv } from 'dynmem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FIXTURES, type CliRun, csvRows, listOut, readOut, removeTempDirs, runCli, tempDir } from './cli-run.ts';

afterAll(removeTempDirs);
const VMS = ['web-01', 'sql-01', 'vdi-01'];
const SAMPLES = 15;

/** A fresh directory holding the fixtures named, so that the CLI is given paths relative to it. */
function withFixtures(...names: string[]): string {
  const dir = tempDir();
  for (const name of names) copyFileSync(join(CLI_FIXTURES, name), join(dir, name));
  return dir;
}

/** What compareAssigned computes, recomputed here from the recorded and simulated series. */
function expectedComparison(recorded: number[], simulated: number[]) {
  const errors = recorded.map((r, i) => Math.abs(simulated[i]! - r));
  const sorted = [...errors].sort((a, b) => a - b);
  return {
    samples: errors.length,
    meanAbsErrorMB: errors.reduce((s, e) => s + e, 0) / errors.length,
    p95AbsErrorMB: sorted[Math.ceil(0.95 * errors.length) - 1]!,
    within5Percent: errors.filter((e, i) => e <= 0.05 * recorded[i]!).length / errors.length,
  };
}

describe('dynmem replay get-vm.json counters.csv', () => {
  let run: CliRun;
  let summary: any;
  beforeAll(() => {
    run = runCli(
      ['replay', 'get-vm.json', 'counters.csv', '--out', 'rep', '--no-progress'],
      withFixtures('get-vm.json', 'counters.csv'),
    );
    summary = JSON.parse(readOut(run, 'rep', 'summary.json'));
  });

  it('exits 0 and prints the comparison line', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Replay of counters\.csv: 3 VMs on 1 host, 0\.2 h simulated \(wasm, /);
    expect(run.stdout).toMatch(
      /\n {2}vs Hyper-V recorded {6}mean \|error\| [\d,]+ MB, p95 [\d,]+ MB, [\d.]+ % of samples within 5 %\n/,
    );
    expect(listOut(run, 'rep')).toEqual(['report.html', 'summary.json', 'timeseries.csv', 'vm-timeseries.csv']);
  });

  it('replays one 32768 MB host (derived from Available Memory + Physical Memory) for 14 minutes', () => {
    expect(summary.scenario).toBe('Replay of counters.csv');
    expect(summary.vms).toBe(3);
    expect(summary.hosts).toBe(1);
    expect(summary.durationSeconds).toBe(14 * 60);
    expect(summary.memory.hostMemoryMB).toBe(32768);
    expect(summary.memory.reserveMB).toBe(2432);
    expect(summary.memory.staticMB).toBe(2048 + 4096 + 1024);
    expect(summary.startFailures).toEqual([]);
    const hostRows = csvRows(readOut(run, 'rep', 'timeseries.csv'))
      .slice(1)
      .filter((r) => r[1] === 'HV-LAB');
    expect(hostRows.map((r) => Number(r[0]))).toEqual(Array.from({ length: SAMPLES }, (_, k) => k * 60));
    // At 0 s the VMs hold what Hyper-V had given them (2048 + 4096 + 1024), already running.
    expect(hostRows[0]!.slice(2, 5)).toEqual(['7168', hostRows[0]![3], String(30336 - 7168)]);
    expect(hostRows[0]![8]).toBe('3');
  });

  it("takes each VM's demand as Current Pressure × Physical Memory / 100", () => {
    const rows = csvRows(readOut(run, 'rep', 'vm-timeseries.csv')).slice(1);
    const demand = (vm: string, t: number) => Number(rows.find((r) => r[1] === vm && r[0] === String(t))![3]);
    // 09:00: web-01 73 % of 2048, sql-01 83 % of 4096, vdi-01 68 % of 1024 (the CSV rounds to whole MB).
    expect(demand('web-01', 0)).toBe(Math.round(0.73 * 2048));
    expect(demand('sql-01', 0)).toBe(Math.round(0.83 * 4096));
    expect(demand('vdi-01', 0)).toBe(Math.round(0.68 * 1024));
    // 09:09: web-01 85 % of 2760.
    expect(demand('web-01', 540)).toBe(Math.round(0.85 * 2760));
  });

  it('summary.json has comparison.overall and comparison.perVm, matching the recorded and simulated series', () => {
    const { comparison } = summary;
    expect(Object.keys(comparison).sort()).toEqual(['overall', 'perVm']);
    expect(Object.keys(comparison.overall).sort()).toEqual([
      'meanAbsErrorMB',
      'p95AbsErrorMB',
      'samples',
      'within5Percent',
    ]);
    expect(comparison.perVm.map((c: { vm: string }) => c.vm)).toEqual(VMS);

    const table = parsePdhCsv(readFileSync(join(CLI_FIXTURES, 'counters.csv'), 'utf8'), 'counters.csv');
    const recorded = (vm: string) =>
      Array.from(table.columns.find((c) => c.instance === vm && c.counter === 'Physical Memory')!.values);
    const vmRows = csvRows(readOut(run, 'rep', 'vm-timeseries.csv')).slice(1);
    const simulated = (vm: string) => vmRows.filter((r) => r[1] === vm).map((r) => Number(r[2]));
    const allRecorded: number[] = [];
    const allSimulated: number[] = [];
    for (const vm of VMS) {
      expect(recorded(vm)).toHaveLength(SAMPLES);
      expect(simulated(vm)).toHaveLength(SAMPLES);
      const expected = expectedComparison(recorded(vm), simulated(vm));
      const got = comparison.perVm.find((c: { vm: string }) => c.vm === vm);
      expect(got.samples).toBe(SAMPLES);
      expect(got.meanAbsErrorMB).toBeCloseTo(expected.meanAbsErrorMB, 2);
      expect(got.p95AbsErrorMB).toBe(expected.p95AbsErrorMB);
      expect(got.within5Percent).toBeCloseTo(expected.within5Percent, 2);
      // Both engines start from Hyper-V's own assignment: the first sample agrees exactly.
      expect(simulated(vm)[0]).toBe(recorded(vm)[0]);
      allRecorded.push(...recorded(vm));
      allSimulated.push(...simulated(vm));
    }
    const overall = expectedComparison(allRecorded, allSimulated);
    expect(comparison.overall.samples).toBe(3 * SAMPLES);
    expect(comparison.overall.meanAbsErrorMB).toBeCloseTo(overall.meanAbsErrorMB, 2);
    expect(comparison.overall.p95AbsErrorMB).toBe(overall.p95AbsErrorMB);
    expect(comparison.overall.within5Percent).toBeCloseTo(overall.within5Percent, 2);
    // The fixture's Hyper-V follows demand with a 20 % buffer, one minute late: dynmem stays within a few hundred MB.
    expect(comparison.overall.meanAbsErrorMB).toBeGreaterThan(0);
    expect(comparison.overall.meanAbsErrorMB).toBeLessThan(250);
    expect(comparison.overall.p95AbsErrorMB).toBeLessThan(400);
    expect(comparison.overall.within5Percent).toBeGreaterThan(0.3);
    expect(comparison.overall.within5Percent).toBeLessThanOrEqual(1);
  });

  it('report.html shows the comparison section', () => {
    const html = readOut(run, 'rep', 'report.html');
    expect(html).toContain('<h2 id="comparison">dynmem vs Hyper-V recorded');
    for (const vm of VMS) expect(html).toContain(vm);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  });

  it("report.html charts simulated against recorded memory per VM, worst first, on the recording's clock", () => {
    const html = readOut(run, 'rep', 'report.html');
    // The counters were stamped 09:00 W. Europe Standard Time (bias −60): 08:00 UTC.
    expect(summary.startTime).toBe('2025-04-02T08:00:00.000Z');
    expect(html).toContain('All 3 VMs, largest mean |error| first.');
    const worst = [...summary.comparison.perVm]
      .sort((a: { meanAbsErrorMB: number }, b: { meanAbsErrorMB: number }) => b.meanAbsErrorMB - a.meanAbsErrorMB)
      .map((c: { vm: string }) => c.vm);
    const order = [1, 2, 3].map((k) => {
      const start = html.indexOf(`<svg id="chart-replay-${k}"`);
      const svg = html.slice(start, html.indexOf('</svg>', start));
      expect(svg).toContain('Recording time (W. Europe Standard Time, Apr 2, 2025)');
      expect(svg).toContain('>09:00<');
      expect([...svg.matchAll(/<path class="series"[^>]*><title>([^<]*)</g)].map((m) => m[1])).toEqual([
        'Recorded (Hyper-V)',
        'Simulated (dynmem)',
        'Demand',
      ]);
      return svg.match(/<title[^>]*>([^:]*):/)![1];
    });
    expect(order).toEqual(worst);
  });

  it('--json prints the summary with the comparison, and --engine js agrees', () => {
    const dir = withFixtures('get-vm.json', 'counters.csv');
    const wasm = runCli(['replay', 'get-vm.json', 'counters.csv', '--json'], dir);
    const js = runCli(['replay', 'get-vm.json', 'counters.csv', '--json', '--engine', 'js'], dir);
    expect(wasm.status).toBe(0);
    expect(js.status).toBe(0);
    expect(listOut(wasm)).toEqual(['counters.csv', 'get-vm.json']);
    const a = JSON.parse(wasm.stdout);
    const b = JSON.parse(js.stdout);
    expect(a.comparison).toEqual(summary.comparison);
    expect(b.engine).toBe('js');
    expect(b.comparison).toEqual(a.comparison);
  });

  it('takes files by absolute path from any directory', () => {
    const abs = runCli(['replay', join(CLI_FIXTURES, 'get-vm.json'), join(CLI_FIXTURES, 'counters.csv'), '--json']);
    expect(abs.status).toBe(0);
    expect(JSON.parse(abs.stdout).comparison).toEqual(summary.comparison);
  });
});

describe('dynmem replay: errors', () => {
  function expectDataError(r: CliRun, ...parts: string[]): void {
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    for (const part of parts) expect(r.stderr).toContain(part);
    expect(r.stderr).not.toContain('    at ');
  }

  it('a VM in the counters but not in the settings: exit 1 naming file, line and column', () => {
    const dir = withFixtures('get-vm.json', 'counters-unknown-vm.csv');
    const r = runCli(['replay', 'get-vm.json', 'counters-unknown-vm.csv'], dir);
    // ghost-01's first column is the 9th cell of the header (the time column is the 1st).
    expectDataError(r, 'counters-unknown-vm.csv', 'line 1', 'column 9', "VM 'ghost-01'", 'get-vm.json');
    expect(listOut({ ...r, cwd: dir })).toEqual(['counters-unknown-vm.csv', 'get-vm.json']);
  });

  it('counters without the PDH-CSV header line: exit 1', () => {
    const r = runCli(
      ['replay', 'get-vm.json', 'counters-missing-header.csv'],
      withFixtures('get-vm.json', 'counters-missing-header.csv'),
    );
    expectDataError(r, 'counters-missing-header.csv', 'line 1', 'column 1', 'missing PDH-CSV header', '(PDH-CSV 4.0)');
  });

  it('counters without balancer columns need --host-memory', () => {
    const dir = withFixtures('get-vm.json', 'counters-no-balancer.csv');
    const r = runCli(['replay', 'get-vm.json', 'counters-no-balancer.csv'], dir);
    expectDataError(r, 'counters-no-balancer.csv', 'Hyper-V Dynamic Memory Balancer', '--host-memory');
    const given = runCli(
      ['replay', 'get-vm.json', 'counters-no-balancer.csv', '--host-memory', '32768', '--json'],
      dir,
    );
    expect(given.status).toBe(0);
    const s = JSON.parse(given.stdout);
    expect(s.memory.hostMemoryMB).toBe(32768);
    expect(s.comparison.overall.samples).toBe(3 * SAMPLES);
  });

  it('a VM in the settings but without counters: exit 1 naming it', () => {
    const dir = withFixtures('counters.csv');
    const settings = JSON.parse(readFileSync(join(CLI_FIXTURES, 'get-vm.json'), 'utf8'));
    settings.push({ ...settings[0], Name: 'idle-01' });
    writeFileSync(join(dir, 'get-vm.json'), JSON.stringify(settings, null, 4));
    const r = runCli(['replay', 'get-vm.json', 'counters.csv'], dir);
    expectDataError(r, 'get-vm.json', "VM 'idle-01'", 'counters.csv');
  });

  it('settings in MB instead of bytes: refused as not aligned, naming the field', () => {
    const dir = withFixtures('counters.csv');
    const settings = JSON.parse(readFileSync(join(CLI_FIXTURES, 'get-vm.json'), 'utf8'));
    settings[1].MemoryMinimum = 2048;
    writeFileSync(join(dir, 'get-vm.json'), JSON.stringify(settings, null, 4));
    const r = runCli(['replay', 'get-vm.json', 'counters.csv'], dir);
    expectDataError(r, 'get-vm.json', "VM 'sql-01'", 'MemoryMinimum', 'aligned');
  });

  it('malformed settings JSON: exit 1 naming file, line and column', () => {
    const dir = withFixtures('counters.csv');
    writeFileSync(join(dir, 'get-vm.json'), '[\n    {\n        "Name":  "web-01",,\n    }\n]\n');
    const r = runCli(['replay', 'get-vm.json', 'counters.csv'], dir);
    expectDataError(r, 'get-vm.json', 'line 3', 'column 27', 'not valid JSON');
  });

  it('a counters file that does not exist: exit 1 naming it', () => {
    const dir = withFixtures('get-vm.json');
    const r = runCli(['replay', 'get-vm.json', 'nowhere.csv'], dir);
    expectDataError(r, join(dir, 'nowhere.csv'), 'cannot read');
  });
});

describe('dynmem replay with both PowerShell exports', () => {
  it('merges Get-VM and Get-VMMemory, so Buffer and Priority shape the replay', async () => {
    const dir = withFixtures('get-vm.json', 'get-vmmemory.json', 'counters.csv');
    const two = runCli(['replay', 'get-vm.json', 'counters.csv', '--json'], dir);
    const three = runCli(['replay', 'get-vm.json', 'get-vmmemory.json', 'counters.csv', '--json'], dir);
    expect(two.status).toBe(0);
    expect(three.status).toBe(0);
    const merged = JSON.parse(three.stdout);
    expect(merged.comparison.perVm.map((c: { vm: string }) => c.vm)).toEqual(VMS);
    expect(merged.comparison.overall.samples).toBe(VMS.length * SAMPLES);
    // the buffers differ from the default 20 % (sql-01 10 %, vdi-01 50 %): the assignments differ too
    expect(merged.memory.meanAssignedMB).not.toBe(JSON.parse(two.stdout).memory.meanAssignedMB);
  });

  it('refuses exports that disagree, naming both', () => {
    const dir = withFixtures('get-vm.json', 'counters.csv');
    const memory = JSON.parse(readFileSync(join(CLI_FIXTURES, 'get-vmmemory.json'), 'utf8'));
    memory[0].Startup = 4294967296;
    writeFileSync(join(dir, 'get-vmmemory.json'), JSON.stringify(memory));
    const run = runCli(['replay', 'get-vm.json', 'get-vmmemory.json', 'counters.csv'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/web-01/);
    expect(run.stderr).toMatch(/get-vmmemory\.json/);
  });
});
