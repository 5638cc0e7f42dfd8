// End to end: the built `dynmem` command run as a child process in a fresh directory (npm test builds dist first).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePdhCsv } from 'dynmem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BITBRAINS_SAMPLE,
  CLI,
  CLI_FIXTURES,
  type CliRun,
  csvRows,
  listOut,
  REPO,
  readOut,
  removeTempDirs,
  runCli,
  tempDir,
} from './cli-run.ts';

afterAll(removeTempDirs);
const TIMESERIES_HEADER =
  'time_s,host,assigned_mb,demand_mb,available_mb,pressure,average_pressure,smart_paging_mb,running_vms,' +
  'assigned_max_mb,assigned_min_mb,pressure_max,pressure_min,short_vms';
const VM_TIMESERIES_HEADER = 'time_s,vm,assigned_mb,demand_mb,pressure,smart_paging_mb';
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

// The default scenario: a 96 GB host (98304 MB), automatic reserve 384 + 98304/16 = 6528 MB, so 91776 MB for VMs;
// 88 active VMs of the bundled sample at 2048 MB startup each; a day sampled every minute.
const HOST_MB = 98304;
const RESERVE_MB = 6528;
const POOL_MB = HOST_MB - RESERVE_MB;
const SAMPLES = 86400 / 60 + 1;

/** The summary without the fields that differ between two runs of the same scenario. */
function comparable(summary: Record<string, unknown>): Record<string, unknown> {
  const { wallSeconds: _w, engine: _e, ...rest } = summary;
  return rest;
}

describe('dynmem with no arguments', () => {
  let run: CliRun;
  let summary: any;
  beforeAll(() => {
    run = runCli([]);
    summary = JSON.parse(readOut(run, 'dynmem-report', 'summary.json'));
  });

  it('exits 0, prints the summary and names the report files', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Pooled VDI host, Bitbrains GWA-T-12 sample: 88 VMs on 1 host, 24\.0 h simulated \(wasm, /,
    );
    expect(run.stdout).toContain('  start failures           ');
    // The sample holds 100 traces; the 12 idle ones are left out, and the output says which.
    expect(run.stdout).toContain('  traces                   100 files;');
    expect(run.stdout).toContain(
      '  idle traces left out     12 (demand 0 throughout): 38, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54\n',
    );
    expect(run.stdout).toMatch(/ {2}pressure {17}average \d+\.\d %, peak \d+\.\d %\n/);
    expect(run.stdout).toContain(
      '\nReport: dynmem-report/summary.json, dynmem-report/timeseries.csv, ' +
        'dynmem-report/vm-timeseries.csv, dynmem-report/report.html\n',
    );
  });

  it('writes summary.json, timeseries.csv, vm-timeseries.csv and report.html into ./dynmem-report', () => {
    expect(listOut(run)).toEqual(['dynmem-report']);
    expect(listOut(run, 'dynmem-report')).toEqual([
      'report.html',
      'summary.json',
      'timeseries.csv',
      'vm-timeseries.csv',
    ]);
  });

  it('summary.json holds numbers rounded to at most 3 decimals, no floating-point dust', () => {
    const text = readOut(run, 'dynmem-report', 'summary.json');
    expect(text).not.toMatch(/\de[-+]\d/);
    for (const [, decimals] of text.matchAll(/-?\d+\.(\d+)/g)) expect(decimals!.length).toBeLessThanOrEqual(3);
  });

  it('summary.json describes the default scenario with sane numbers', () => {
    expect(summary.scenario).toBe('Pooled VDI host, Bitbrains GWA-T-12 sample');
    expect(summary.engine).toBe('wasm');
    expect(summary.vms).toBe(88);
    expect(summary.hosts).toBe(1);
    expect(summary.durationSeconds).toBe(86400);
    const m = summary.memory;
    expect(m.hostMemoryMB).toBe(HOST_MB);
    expect(m.reserveMB).toBe(RESERVE_MB);
    expect(m.staticMB).toBe(88 * 2048);
    expect(m.savedMB).toBeCloseTo(m.staticMB - m.meanAssignedMB, 2); // each rounded to 3 decimals
    expect(m.savedPercent).toBeCloseTo((100 * m.savedMB) / m.staticMB, 2);
    expect(m.savedPercent).toBeGreaterThan(0);
    expect(m.savedPercent).toBeLessThan(100);
    expect(m.peakAssignedMB).toBeLessThanOrEqual(POOL_MB);
    expect(m.meanAssignedMB).toBeGreaterThan(m.meanDemandMB);
    expect(summary.pressure.average).toBeGreaterThan(0);
    expect(summary.pressure.peak).toBeGreaterThanOrEqual(summary.pressure.average);
    expect(Array.isArray(summary.startFailures)).toBe(true);
    expect(summary.failovers).toEqual([]);
    expect(summary.traces.files).toBe(100);
    expect(summary.smartPaging.mbSeconds).toBeGreaterThanOrEqual(0);
  });

  it('timeseries.csv has the documented header and one row per minute per host plus the total', () => {
    const text = readOut(run, 'dynmem-report', 'timeseries.csv');
    const [header, ...rows] = csvRows(text);
    expect(header!.join(',')).toBe(TIMESERIES_HEADER);
    expect(rows).toHaveLength(SAMPLES * 2);
    rows.forEach((row, i) => {
      expect(row).toHaveLength(14);
      expect(Number(row[0])).toBe(Math.floor(i / 2) * 60);
      expect(row[1]).toBe(i % 2 === 0 ? 'hv-01' : '*');
    });
    const host = rows.filter((r) => r[1] === 'hv-01');
    const total = rows.filter((r) => r[1] === '*');
    // One host: the total row repeats the host's row.
    total.forEach((row, k) => expect(row.slice(2)).toEqual(host[k]!.slice(2)));
    // Everything of the pool is either assigned or available, at every sample.
    for (const row of host) expect(Number(row[2]) + Number(row[4])).toBe(POOL_MB);
    // Starts spread over ten minutes: one VM at 0 s, all 88 running by the end.
    // At 0 s, before any tick, the ranges are the values (its 1,010 MB demand is below its 2,048 MB: none short);
    // the VM boots, so no Dynamic Memory VM is balanced yet: no pressure range (empty cells).
    expect(host[0]!.slice(2)).toEqual([
      '2048',
      host[0]![3],
      String(POOL_MB - 2048),
      '0',
      '0',
      '0',
      '1',
      '2048',
      '2048',
      '',
      '',
      '0',
    ]);
    expect(Number(host.at(-1)![8])).toBe(88);
    const meanAssigned = host.reduce((s, r) => s + Number(r[2]), 0) / host.length;
    expect(Math.abs(meanAssigned - summary.memory.meanAssignedMB) / summary.memory.meanAssignedMB).toBeLessThan(0.01);
    const peakPressure = Math.max(...host.map((r) => Number(r[5])));
    expect(peakPressure).toBeLessThanOrEqual(summary.pressure.peak + 1e-3);
    // The most of every interval, over the run: the summary's peak of any tick, which point samples can miss.
    expect(Math.max(...host.map((r) => Number(r[11])))).toBeCloseTo(summary.pressure.peak, 2);
  });

  it('vm-timeseries.csv has one row per minute per VM', () => {
    const [header, ...rows] = csvRows(readOut(run, 'dynmem-report', 'vm-timeseries.csv'));
    expect(header!.join(',')).toBe(VM_TIMESERIES_HEADER);
    expect(rows).toHaveLength(SAMPLES * 88);
    expect(new Set(rows.map((r) => r[1])).size).toBe(88);
  });

  it('report.html is one self-contained page with its four SVG charts', () => {
    const html = readOut(run, 'dynmem-report', 'report.html');
    expect(html.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Pooled VDI host, Bitbrains GWA-T-12 sample');
    for (const id of ['chart-assigned', 'chart-available', 'chart-pressure']) {
      expect(html).toMatch(new RegExp(`<svg[^>]*\\bid="${id}"`));
    }
    // The default run restarts VMs with memory to spare: no Smart Paging, so one line of text instead of a flat chart.
    expect(html).toContain('<p class="empty" id="chart-smart-paging-empty">No Smart Paging during the run.</p>');
    // Assigned memory, available memory, pressure, VMs short of memory (demand peaks above memory at midday).
    expect(html.match(/<svg\b/g)).toHaveLength(4);
    expect(html).toMatch(/<svg[^>]*\bid="chart-short"/);
    // The headline block comes first, in large type; the static baseline has bars of its own, not a chart line.
    expect(html.indexOf('class="headline"')).toBeLessThan(html.indexOf('<h2>Key figures</h2>'));
    expect(html).toMatch(/<span class="big">\d+\.\d GB<\/span><span class="what">memory saved against static memory/);
    expect(html).toContain('id="static-comparison"');
    expect(html).not.toContain('Static memory</title>');
    // The restarts at 12:00 are marked on the time axis, with a legend entry.
    expect(html).toMatch(/<line class="mark" data-kind="Restart"[^>]*><title>Restart: 1 at 12:00<\/title>/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
  });

  it('--json prints the same summary on stdout and nothing else, and writes no file', () => {
    const json = runCli(['--json']);
    expect(json.status).toBe(0);
    expect(json.stderr).toBe('');
    expect(json.stdout.startsWith('{')).toBe(true);
    expect(json.stdout.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.engine).toBe('wasm');
    expect(typeof parsed.wallSeconds).toBe('number');
    expect(comparable(parsed)).toEqual(comparable(summary));
    expect(listOut(json)).toEqual([]);
  });

  it('--engine js gives the same summary as wasm', () => {
    const js = runCli(['--engine', 'js', '--json', '--no-progress']);
    expect(js.status).toBe(0);
    const parsed = JSON.parse(js.stdout);
    expect(parsed.engine).toBe('js');
    expect(comparable(parsed)).toEqual(comparable(summary));
  });
});

describe('--json with --out', () => {
  it('writes the report and still prints only JSON', () => {
    const run = runCli(['--json', '--out', 'out/rep', '--engine=wasm']);
    expect(run.status).toBe(0);
    const parsed = JSON.parse(run.stdout);
    expect(parsed.vms).toBe(88);
    expect(listOut(run)).toEqual(['out']);
    expect(listOut(run, 'out', 'rep')).toEqual(['report.html', 'summary.json', 'timeseries.csv', 'vm-timeseries.csv']);
    expect(comparable(JSON.parse(readOut(run, 'out', 'rep', 'summary.json')))).toEqual(comparable(parsed));
  });
});

describe('--format pdh-csv', () => {
  let run: CliRun;
  beforeAll(() => {
    run = runCli(['--format', 'csv,pdh-csv', '-o', 'rep', '--no-progress']);
  });

  it('writes counters.csv (and only the formats asked for)', () => {
    expect(run.status).toBe(0);
    expect(listOut(run, 'rep')).toEqual(['counters.csv', 'timeseries.csv', 'vm-timeseries.csv']);
    const text = readOut(run, 'rep', 'counters.csv');
    expect(text.startsWith('"(PDH-CSV 4.0)')).toBe(true);
    expect(text).toContain('"\\\\hv-01\\Hyper-V Dynamic Memory Balancer(System Balancer)\\Available Memory"');
    expect(text).toContain('"\\\\hv-01\\Hyper-V Dynamic Memory VM(1)\\Physical Memory"');
  });

  it('reads back with parsePdhCsv to the numbers of timeseries.csv and vm-timeseries.csv', () => {
    const table = parsePdhCsv(readOut(run, 'rep', 'counters.csv'), 'counters.csv');
    expect(table.times).toHaveLength(SAMPLES);
    table.times.slice(1).forEach((t, i) => expect(t - table.times[i]!).toBe(60_000));
    const column = (instance: string, counter: string) => {
      const found = table.columns.filter(
        (c) => c.machine === 'hv-01' && c.instance === instance && c.counter === counter,
      );
      expect(found).toHaveLength(1);
      return Array.from(found[0]!.values);
    };
    const hostRows = csvRows(readOut(run, 'rep', 'timeseries.csv')).filter((r) => r[1] === 'hv-01');
    expect(column('System Balancer', 'Available Memory')).toEqual(hostRows.map((r) => Number(r[4])));
    const vmRows = csvRows(readOut(run, 'rep', 'vm-timeseries.csv')).filter((r) => r[1] === '1');
    expect(column('1', 'Physical Memory')).toEqual(vmRows.map((r) => Number(r[2])));
    // 88 VMs × 4 counters + the balancer's 3.
    expect(table.columns).toHaveLength(88 * 4 + 3);
  });

  it('--format pdh-csv alone writes counters.csv only', () => {
    const only = runCli(['--format', 'pdh-csv', '--out', 'rep', '--json']);
    expect(only.status).toBe(0);
    expect(listOut(only, 'rep')).toEqual(['counters.csv']);
    expect(JSON.parse(only.stdout).vms).toBe(88);
  });
});

describe('dynmem simulate SCENARIO', () => {
  /** The small scenario and three bundled traces in `<tmp>/scenarios/`, run from `<tmp>/work/`. */
  let run: CliRun;
  beforeAll(() => {
    const root = tempDir();
    mkdirSync(join(root, 'scenarios', 'traces'), { recursive: true });
    mkdirSync(join(root, 'work'));
    copyFileSync(join(CLI_FIXTURES, 'small-scenario.json'), join(root, 'scenarios', 'small-scenario.json'));
    for (const f of ['1.csv.gz', '2.csv.gz', '3.csv.gz'])
      copyFileSync(join(BITBRAINS_SAMPLE, f), join(root, 'scenarios', 'traces', f));
    run = runCli(['simulate', '../scenarios/small-scenario.json', '--out', 'rep', '--no-progress'], join(root, 'work'));
  });

  it('resolves the traces against the scenario file and the report against the working directory', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Small fleet: 4 VMs on 1 host, 2\.0 h simulated/);
    expect(listOut(run)).toEqual(['rep']);
    expect(listOut(run, 'rep')).toEqual(['report.html', 'summary.json', 'timeseries.csv', 'vm-timeseries.csv']);
    const summary = JSON.parse(readOut(run, 'rep', 'summary.json'));
    expect(summary.scenario).toBe('Small fleet');
    expect(summary.vms).toBe(4);
    expect(summary.durationSeconds).toBe(7200);
    expect(summary.traces.files).toBe(3);
    expect(summary.memory.hostMemoryMB).toBe(16384);
    expect(summary.memory.reserveMB).toBe(384 + 1024);
    expect(summary.memory.staticMB).toBe(4 * 1024);
    expect(summary.startFailures).toEqual([]);
  });

  it('samples every 5 minutes, fleet VMs named prefix + trace', () => {
    const rows = csvRows(readOut(run, 'rep', 'timeseries.csv')).slice(1);
    expect(rows).toHaveLength((7200 / 300 + 1) * 2);
    expect(rows.filter((r) => r[1] === 'hv-small').map((r) => Number(r[0]))).toEqual(
      Array.from({ length: 25 }, (_, k) => k * 300),
    );
    const vms = csvRows(readOut(run, 'rep', 'vm-timeseries.csv')).slice(1);
    // At 0 s, before any tick, each range is the value itself; VMs short are those whose demand is above their 1,024 MB.
    const shortAtStart = vms.filter((r) => r[0] === '0' && Number(r[3]) > Number(r[2])).length;
    expect(rows[0]).toEqual([
      '0',
      'hv-small',
      '4096',
      rows[0]![3],
      String(16384 - 1408 - 4096),
      '0',
      '0',
      '0',
      '4',
      '4096',
      '4096',
      '',
      '',
      String(shortAtStart),
    ]);
    expect([...new Set(vms.map((r) => r[1]))].sort()).toEqual(['bb-1', 'bb-2', 'bb-3', 'inline']);
  });

  it('follows the inline demand, held from each 300-s grid point to the next, with a 20 % buffer', () => {
    const inline = csvRows(readOut(run, 'rep', 'vm-timeseries.csv')).filter((r) => r[1] === 'inline');
    const at = (t: number) => inline.find((r) => r[0] === String(t))!;
    // A sample at t shows the demand the ticks up to t had: the one held since t − 300.
    expect(Number(at(0)[3])).toBe(600);
    expect(Number(at(1800)[3])).toBe(975); // 600 + 900 × 1500/3600
    expect(Number(at(3600)[3])).toBe(1425); // 600 + 900 × 3300/3600
    expect(Number(at(7200)[3])).toBe(858); // 1500 − 700 × 3300/3600 = 858.3
    expect(Number(at(0)[2])).toBe(1024); // startup memory
    expect(Number(at(3600)[2])).toBe(1710); // 1425 + 285
    expect(Number(at(7200)[2])).toBe(1030); // 858 + ceil(171.6)
  });

  it('takes an absolute scenario path from any directory', () => {
    const root = tempDir();
    mkdirSync(join(root, 'traces'));
    copyFileSync(join(CLI_FIXTURES, 'small-scenario.json'), join(root, 'scenario.json'));
    for (const f of ['1.csv.gz', '2.csv.gz', '3.csv.gz'])
      copyFileSync(join(BITBRAINS_SAMPLE, f), join(root, 'traces', f));
    const abs = runCli(['simulate', join(root, 'scenario.json'), '--json']);
    expect(abs.status).toBe(0);
    expect(comparable(JSON.parse(abs.stdout))).toEqual(comparable(JSON.parse(readOut(run, 'rep', 'summary.json'))));
    expect(listOut(abs)).toEqual([]);
  });
});

describe('scenario and data errors: exit 1, naming the field, file and line', () => {
  /** Writes `text` as `name` in a fresh directory and runs `dynmem simulate name` there. */
  function simulateText(name: string, text: string): CliRun {
    const dir = tempDir();
    writeFileSync(join(dir, name), text);
    return runCli(['simulate', name, '--no-progress'], dir);
  }
  const host = '"hosts": [{ "memoryMB": 8192 }]';

  function expectDataError(run: CliRun, ...parts: string[]): void {
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith('dynmem: ')).toBe(true);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    for (const part of parts) expect(run.stderr).toContain(part);
    expect(run.stderr).not.toContain('    at ');
    expect(listOut(run).filter((f) => f !== 'scenario.json' && f !== 'bad.json')).toEqual([]);
  }

  it('an unknown top-level field', () => {
    const run = simulateText(
      'scenario.json',
      `{ ${host}, "vms": [{ "name": "a", "demandMB": 100 }], "colour": "blue" }`,
    );
    expectDataError(run, 'dynmem: colour: unknown field (known: name, engine, threads, duration,');
  });

  it('an unknown VM setting', () => {
    const run = simulateText(
      'scenario.json',
      `{ ${host}, "vms": [{ "name": "a", "demandMB": 100, "minimumMb": 512 }] }`,
    );
    expectDataError(run, "vms[0].minimumMb: VM 'a': unknown field");
  });

  it('a minimum that is not a multiple of 2 MB', () => {
    const run = simulateText(
      'scenario.json',
      `{ ${host}, "vms": [{ "name": "a", "demandMB": 100, "minimumMB": 33 }] }`,
    );
    expectDataError(run, 'vms[0].minimumMB', 'aligned', '33');
  });

  it('an unaligned minimum in a fleet template', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'traces'));
    copyFileSync(join(BITBRAINS_SAMPLE, '1.csv.gz'), join(dir, 'traces', '1.csv.gz'));
    writeFileSync(
      join(dir, 'scenario.json'),
      `{ ${host}, "fleets": [{ "traces": "traces", "template": { "minimumMB": 33 } }] }`,
    );
    const run = runCli(['simulate', 'scenario.json'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('fleets[0]');
    expect(run.stderr).toContain('minimumMB');
    expect(run.stderr).toContain('aligned');
  });

  it('a host without room for its reserve', () => {
    const run = simulateText(
      'scenario.json',
      '{ "hosts": [{ "memoryMB": 256 }], "vms": [{ "name": "a", "demandMB": 100 }] }',
    );
    expectDataError(run, 'hosts[0].reserveMB');
  });

  it('a bad duration', () => {
    const run = simulateText(
      'scenario.json',
      `{ ${host}, "duration": "5x", "vms": [{ "name": "a", "demandMB": 100 }] }`,
    );
    expectDataError(run, 'duration: expected a duration', '"5x"');
  });

  it('an event naming a VM that does not exist', () => {
    const run = simulateText(
      'scenario.json',
      `{ ${host}, "vms": [{ "name": "a", "demandMB": 100 }], "events": [{ "at": "1h", "action": "stop", "vm": "zz" }] }`,
    );
    expectDataError(run, "events[0].vm: no VM is named 'zz'");
  });

  it('a trace file that does not exist, named as resolved against the scenario folder', () => {
    const run = simulateText('scenario.json', `{ ${host}, "vms": [{ "name": "a", "trace": "nope/missing.csv" }] }`);
    expectDataError(run, 'vms[0].trace', join(run.cwd, 'nope', 'missing.csv'));
  });

  it('a fleet folder that does not exist', () => {
    const run = simulateText('scenario.json', `{ ${host}, "fleets": [{ "traces": "no-such-folder" }] }`);
    expectDataError(run, 'fleets[0].traces', join(run.cwd, 'no-such-folder'));
  });

  it('malformed JSON: file:line:column of the bad character', () => {
    const run = simulateText('bad.json', '{\n  "hosts": [{ "memoryMB": 8192 }],\n  "vms": [ { "name": "a",, } ]\n}\n');
    expectDataError(run, `${join(run.cwd, 'bad.json')}:3:26: not valid JSON`);
  });

  it('JSON cut short: file:line:column of its end', () => {
    const run = simulateText('bad.json', '{\n  "hosts": [');
    expectDataError(run, `${join(run.cwd, 'bad.json')}:2:13: not valid JSON`);
  });

  it('JSON with a UTF-8 byte order mark is read', () => {
    const run = simulateText(
      'scenario.json',
      `\uFEFF{ ${host}, "duration": "1h", "vms": [{ "name": "a", "demandMB": 100 }] }`,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('a JSON array instead of a scenario', () => {
    const run = simulateText('scenario.json', '[1, 2]');
    expectDataError(run, 'a scenario must be a JSON object.');
  });

  it('a scenario file that does not exist', () => {
    const run = runCli(['simulate', 'missing.json']);
    expectDataError(run, `${join(run.cwd, 'missing.json')}: cannot read`);
  });

  it('an --out that is an existing file: one line, no stack trace', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'taken'), 'x');
    writeFileSync(
      join(dir, 'scenario.json'),
      `{ ${host}, "duration": "1h", "vms": [{ "name": "a", "demandMB": 100 }] }`,
    );
    const run = runCli(['simulate', 'scenario.json', '--out', 'taken', '--no-progress'], dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'dynmem: --out taken is a file, not a folder: name a new or existing folder for the report.\n',
    );
    expect(run.stderr).not.toContain('    at ');
  });
});

describe('usage errors: exit 2 with a hint', () => {
  const cases: [string[], string][] = [
    [['--bogus'], 'dynmem: unknown option --bogus.'],
    [['frob'], "dynmem: unknown command 'frob'."],
    [['simulate'], 'dynmem: simulate takes one scenario file: dynmem simulate scenario.json'],
    [['simulate', 'a.json', 'b.json'], 'dynmem: simulate takes one scenario file'],
    [['--engine', 'foo'], "dynmem: --engine must be wasm or js, not 'foo'."],
    [['--engine'], 'dynmem: --engine needs a value.'],
    [['--out'], 'dynmem: --out needs a value.'],
    [['--format', 'xml'], "dynmem: --format takes html, csv, json, pdh-csv, not 'xml'."],
    [
      ['replay', 'settings.json'],
      'dynmem: replay takes the settings and the counters: dynmem replay get-vm.json [get-vmmemory.json] counters.csv',
    ],
    [['replay', 'a', 'b', '--host-memory', '1.5'], 'dynmem: --host-memory takes a whole number of MB.'],
    [['simulate', 'a.json', '--host-memory', '4096'], 'dynmem: --host-memory only applies to replay'],
  ];
  it.each(cases)('%j', (args, message) => {
    const run = runCli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(message)).toBe(true);
    expect(run.stderr.endsWith("\nRun 'dynmem --help' for usage.\n")).toBe(true);
    expect(listOut(run)).toEqual([]);
  });
});

describe('--help and --version', () => {
  it.each([['--help'], ['-h'], ['help'], ['simulate', '--help']])('%s prints the usage and exits 0', (...args) => {
    const run = runCli(args);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith('dynmem: Hyper-V Dynamic Memory, computed and simulated\n\nUsage:\n')).toBe(true);
    for (const text of [
      'dynmem simulate SCENARIO.json',
      'dynmem replay GET-VM.json [GET-VMMEMORY.json] COUNTERS.csv',
      '--json',
      '--format LIST',
      '--engine wasm|js',
      '--host-memory MB',
      '--no-progress',
      'Exit codes: 0 ok, 1 ',
    ]) {
      expect(run.stdout).toContain(text);
    }
    expect(listOut(run)).toEqual([]);
  });

  it.each([['--version'], ['-v']])("%s prints package.json's version", (flag) => {
    const run = runCli([flag]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${PACKAGE.version}\n`);
    expect(run.stdout).toBe('0.1.0\n');
  });
});

describe('as an installed command', () => {
  it("package.json's bin is the built CLI, with a node shebang", () => {
    expect(PACKAGE.bin).toEqual({ dynmem: './dist/src/cli/main.js' });
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('runs through a symlink, as node_modules/.bin/dynmem is', () => {
    const dir = tempDir();
    symlinkSync(CLI, join(dir, 'dynmem'));
    const run = spawnSync(process.execPath, [join(dir, 'dynmem'), '--version'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${PACKAGE.version}\n`);
  });

  it('stops quietly when its output pipe is closed early (dynmem | head)', () => {
    const dir = tempDir();
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" --no-progress | true`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(existsSync(join(dir, 'dynmem-report', 'report.html'))).toBe(true);
  });
});
