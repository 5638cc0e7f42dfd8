// Replaying what Hyper-V recorded: VM settings from PowerShell, demand from Performance Monitor counters,
// then how far dynmem's assigned memory is from Hyper-V's, per VM and host-wide.

import { autoReserveMB } from '../host/options.ts';
import { type ComparisonReport, compareAssigned } from '../interop/compare.ts';
import { InteropError } from '../interop/errors.ts';
import { hostCountersFromPdh, type PdhTable, parsePdhCsv, vmCountersFromPdh } from '../interop/pdh-csv.ts';
import { mergePowerShellExports, powerShellVmRecords } from '../interop/powershell.ts';
import type { Scenario, ScenarioVm } from './scenario.ts';
import type { SimulationResult } from './simulate.ts';

export interface ReplayOptions {
  settingsSource?: string;
  /** A second export, `Get-VMMemory -VMName * | ConvertTo-Json`, merged with the first (Get-VM) by VM name, so
   * Buffer and Priority come along. */
  memorySettingsText?: string;
  memorySettingsSource?: string;
  countersSource?: string;
  /** The host's memory, MB. Default: derived from the balancer's Available Memory plus the VMs' Physical Memory
   * (assuming the 'auto' reserve formula); the reserve itself is always taken from the recording. */
  hostMemoryMB?: number;
}

export interface Replay {
  scenario: Scenario;
  /** Recorded Physical Memory per VM, one value per sample (NaN where missing). */
  recorded: Map<string, Float64Array>;
  /** The recording's clock: its samples are stamped in this local time (the scenario's `startTime` is UTC). */
  clock: RecordingClock;
}

/** The time zone of a PDH-CSV recording, from its header: local time = UTC − `biasMinutes`. */
export interface RecordingClock {
  /** Windows time-zone name, e.g. 'W. Europe Standard Time'. */
  timeZone: string;
  biasMinutes: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 1;
}

/**
 * The host's memory and reserve as the recording shows them. Hyper-V computes its reserve dynamically (since
 * Windows Server 2012 R2) and publishes no formula, so the reserve is what the first sample leaves unexplained:
 * memory − Available Memory − Σ Physical Memory. Without `hostMemoryMB`, the memory itself must be guessed: the
 * smallest whose 'auto' reserve (the 2008 R2 SP1 formula) leaves room for the most the recording ever accounts for.
 */
function hostFromRecording(
  table: PdhTable,
  physicalTotal: Float64Array,
  countersSource: string,
  hostMemoryMB: number | undefined,
): { memoryMB: number; reserveMB: number } {
  const balancer = [...hostCountersFromPdh(table).values()][0];
  const pools: number[] = [];
  balancer?.availableMB.forEach((a, k) => {
    if (!Number.isNaN(a)) pools.push(a + physicalTotal[k]!);
  });
  if (pools.length === 0) {
    if (hostMemoryMB !== undefined) return { memoryMB: hostMemoryMB, reserveMB: autoReserveMB(hostMemoryMB) };
    throw new InteropError(
      countersSource,
      table.headerLine,
      1,
      'the counters have no "Hyper-V Dynamic Memory Balancer" columns to tell the host\'s memory: give it with --host-memory MB.',
    );
  }
  let memoryMB = hostMemoryMB;
  if (memoryMB === undefined) {
    const pool = Math.max(...pools);
    // memory − autoReserve(memory) ≥ pool, with the reserve 384 + memory/16.
    memoryMB = Math.ceil(((pool + 384) * 16) / 15 / 2) * 2;
    while (memoryMB - autoReserveMB(memoryMB) < pool) memoryMB += 2;
  }
  const reserveMB = Math.round(memoryMB - pools[0]!);
  if (reserveMB < 0) {
    throw new InteropError(
      countersSource,
      table.headerLine,
      1,
      `the first sample accounts for ${Math.round(pools[0]!)} MB (Available Memory + Σ Physical Memory), more than the host's ${memoryMB} MB.`,
    );
  }
  return { memoryMB, reserveMB };
}

/**
 * The scenario that replays a recording: one host, each VM already running at time 0 with the memory Hyper-V
 * had given it, its demand taken from the counters (Memory Demand, or Current Pressure × Physical Memory / 100).
 * @example const replay = replayScenario(getVmJson, typeperfCsv); const result = await simulate(replay.scenario);
 */
export function replayScenario(settingsText: string, countersText: string, options: ReplayOptions = {}): Replay {
  const countersSource = options.countersSource ?? 'counters.csv';
  const settingsSource = options.settingsSource ?? 'settings.json';
  const records =
    options.memorySettingsText === undefined
      ? powerShellVmRecords(settingsText, { source: settingsSource })
      : mergePowerShellExports(settingsText, options.memorySettingsText, {
          getVmSource: settingsSource,
          getVmMemorySource: options.memorySettingsSource ?? 'Get-VMMemory JSON',
        });
  const table = parsePdhCsv(countersText, countersSource);
  const counters = vmCountersFromPdh(table);
  const names = new Set(records.map((r) => r.config.name));
  for (const vm of counters.keys()) {
    if (names.has(vm)) continue;
    const index = table.columns.findIndex((c) => c.instance === vm);
    throw new InteropError(
      countersSource,
      table.headerLine,
      index + 2,
      `VM '${vm}' has counters but is not in ${settingsSource}.`,
    );
  }
  const rows = table.times.length;
  const interval = Math.max(1, Math.round(median(table.times.slice(1).map((t, i) => (t - table.times[i]!) / 1000))));
  const vms: ScenarioVm[] = [];
  const recorded = new Map<string, Float64Array>();
  const physicalTotal = new Float64Array(rows);
  for (const { config } of records) {
    const series = counters.get(config.name);
    if (!series) {
      // A static VM has no "Hyper-V Dynamic Memory VM" instance: it holds its startup RAM throughout.
      if (config.dynamicMemory === false) {
        physicalTotal.forEach((_, k) => {
          physicalTotal[k]! += config.startupMB ?? 512;
        });
        vms.push({ ...config, demandMB: 0 });
        continue;
      }
      throw new InteropError(
        settingsSource,
        1,
        1,
        `VM '${config.name}' has Dynamic Memory but no "Hyper-V Dynamic Memory VM" counters in ${countersSource}.`,
      );
    }
    const demand: [number, number][] = [];
    series.demandMB.forEach((d, k) => {
      if (!Number.isNaN(d)) demand.push([k * interval, Math.max(0, d)]);
    });
    const first = series.physicalMB.find((x) => !Number.isNaN(x));
    series.physicalMB.forEach((x, k) => {
      if (!Number.isNaN(x)) physicalTotal[k]! += x;
    });
    vms.push({
      ...config,
      ...(demand.length ? { demand } : { demandMB: 0 }),
      ...(first !== undefined ? { initialAssignedMB: Math.round(first) } : {}),
    });
    recorded.set(config.name, series.physicalMB);
  }
  const { memoryMB, reserveMB } = hostFromRecording(table, physicalTotal, countersSource, options.hostMemoryMB);
  return {
    scenario: {
      name: `Replay of ${countersSource}`,
      // The recording's own clock: reports date the run from its first sample, stamped in local time (+ bias = UTC).
      ...(rows ? { startTime: new Date(table.times[0]! + table.biasMinutes * 60_000).toISOString() } : {}),
      duration: Math.max(interval, (rows - 1) * interval),
      sampleInterval: interval,
      traceStep: interval,
      // The recording's samples are points of a demand Hyper-V saw change continuously: ramp between them, so
      // the run's demand at each sample time is the recorded one, as in the counters it is compared with.
      demandInterpolation: 'linear',
      hosts: [{ name: table.columns[0]?.machine || 'host', memoryMB, reserveMB }],
      vms,
      perVmSeries: true,
    },
    recorded,
    clock: { timeZone: table.timeZone, biasMinutes: table.biasMinutes },
  };
}

/**
 * How far the run's assigned memory is from what Hyper-V recorded, per VM and over all samples of all VMs.
 * @example
 * const replay = replayScenario(getVmJson, countersCsv);
 * const { overall } = compareReplay(replay, await simulate(replay.scenario));
 * overall.within5Percent; // share of samples within 5 % of Hyper-V's assigned memory
 */
export function compareReplay(replay: Replay, result: SimulationResult): ComparisonReport {
  const perVm: ComparisonReport['perVm'] = [];
  const allRecorded: number[] = [];
  const allSimulated: number[] = [];
  for (const [vm, recorded] of replay.recorded) {
    const simulated = result.series.vms.find((s) => s.name === vm)!.assignedMB.slice(0, recorded.length);
    const rec = Array.from(recorded).slice(0, simulated.length);
    perVm.push({ vm, ...compareAssigned(rec, simulated) });
    allRecorded.push(...rec);
    allSimulated.push(...simulated);
  }
  return { perVm, overall: compareAssigned(allRecorded, allSimulated) };
}
