// Reads PDH-CSV, the counter-log layout written by typeperf (`-f CSV`), relog (`-f csv`), logman and Performance
// Monitor, and picks out the Hyper-V Dynamic Memory series in it.
//
// Layout (sources in test/fixtures/interop/README.md): the first line is the header, whose first cell is
// `(PDH-CSV 4.0) (<Windows time zone name>)(<bias in minutes>)` and whose other cells are counter paths
// `\\MACHINE\Object(Instance)\Counter`; then one line per sample, the first cell its local time
// `MM/DD/YYYY HH:MM:SS.mmm`, every cell double-quoted; a counter without a value for a sample gets a blank cell (`" "`).
// The time zone is only in the header, so times are kept as written (local wall-clock time stored as if UTC):
// around a daylight-saving change they can repeat or jump, and are not reordered here.
// Browser-safe: takes text, returns data.
import { parseDecimal, splitCsvRow, splitLines } from '../csv.ts';
import {
  DYNMEM_DEMAND_COUNTER,
  HYPERV_BALANCER_COUNTERS,
  HYPERV_BALANCER_OBJECT,
  HYPERV_VM_COUNTERS,
  HYPERV_VM_OBJECT,
  knownCountersOf,
} from './counter-names.ts';
import { checkText, InteropError } from './errors.ts';

/** One counter column of a PDH-CSV file. */
export interface PdhColumn {
  /** The header cell as written. */
  path: string;
  /** Without the leading `\\`; '' when the path names no machine. */
  machine: string;
  object: string;
  /** null for an object without instances (`\\HOST\Memory\Available MBytes`). */
  instance: string | null;
  counter: string;
  /** One value per row; NaN where the cell is blank (a missing sample). */
  values: Float64Array;
}

/** A parsed PDH-CSV file. */
export interface PdhTable {
  /** The name given to parsePdhCsv, used in later errors. */
  source: string;
  /** 1-based line of the header (after any leading blank lines), for errors about a column. */
  headerLine: number;
  /** Windows time zone name from the header, e.g. 'Pacific Standard Time'. */
  timeZone: string;
  /** Windows bias from the header: UTC = local time + bias (minutes). */
  biasMinutes: number;
  /** ms since the epoch of each row's time as written (local time, treated as UTC). */
  times: number[];
  columns: PdhColumn[];
}

const HEADER = /^\(PDH-CSV 4\.0\)\s*\((.*)\)\s*\(([+-]?\d+)\)\s*$/;
const TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/**
 * The parts of a counter path, or null when it is not one. The machine ends at the first backslash after `\\`, the
 * counter starts after the last backslash, and the instance is everything between the first `(` after the object
 * and the final `)`: VM names may themselves contain parentheses, commas or `#`.
 * @example
 * parseCounterPath('\\\\HV01\\Hyper-V Dynamic Memory VM(web (old))\\Physical Memory');
 * // { machine: 'HV01', object: 'Hyper-V Dynamic Memory VM', instance: 'web (old)', counter: 'Physical Memory' }
 */
export function parseCounterPath(path: string): Omit<PdhColumn, 'path' | 'values'> | null {
  let rest: string;
  let machine = '';
  if (path.startsWith('\\\\')) {
    const end = path.indexOf('\\', 2);
    if (end < 0) return null;
    machine = path.slice(2, end);
    rest = path.slice(end + 1);
  } else if (path.startsWith('\\')) {
    rest = path.slice(1);
  } else {
    return null;
  }
  const last = rest.lastIndexOf('\\');
  if (last <= 0 || last === rest.length - 1) return null;
  const objectPart = rest.slice(0, last);
  const counter = rest.slice(last + 1);
  const open = objectPart.indexOf('(');
  if (open < 0) return { machine, object: objectPart, instance: null, counter };
  if (!objectPart.endsWith(')') || open === 0) return null;
  return { machine, object: objectPart.slice(0, open), instance: objectPart.slice(open + 1, -1), counter };
}

/** The cells of one line, every problem an InteropError at that line and cell. */
function splitRow(line: string, file: string, lineNo: number): string[] {
  return splitCsvRow(line, ',', (column, problem) => {
    throw new InteropError(file, lineNo, column, problem);
  });
}

function parseTime(text: string, file: string, lineNo: number): number {
  const m = TIMESTAMP.exec(text.trim());
  if (m !== null) {
    const [month, day, year, hour, minute, second] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
    const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    const d = new Date(ms);
    // Date.UTC rolls 02/30 over to March: a field out of range shows as a different date coming back.
    if (d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60) return ms;
  }
  throw new InteropError(
    file,
    lineNo,
    1,
    `bad timestamp ${JSON.stringify(text)}; expected MM/DD/YYYY HH:MM:SS.mmm (en-US, as typeperf writes it).`,
  );
}

/**
 * Parses a PDH-CSV file. Blank lines are skipped (typeperf's console output starts with one); a UTF-8 BOM is dropped.
 * Columns of "Hyper-V Dynamic Memory VM" and "Hyper-V Dynamic Memory Balancer" must name known counters; other
 * objects are kept as they are. Every problem is an InteropError with the file, line and column (the CSV field number).
 * @example
 * const table = parsePdhCsv(await file.text(), file.name);
 * const vms = vmCountersFromPdh(table);
 */
export function parsePdhCsv(text: string, source = 'PDH-CSV'): PdhTable {
  const lines = splitLines(checkText(text, source));
  let index = 0;
  while (index < lines.length && lines[index]!.trim() === '') index++;
  if (index === lines.length) throw new InteropError(source, 1, 1, 'empty file: no PDH-CSV header.');

  const headerLine = index + 1;
  const header = splitRow(lines[index]!, source, headerLine);
  const h = HEADER.exec(header[0]!);
  if (h === null) {
    throw new InteropError(
      source,
      headerLine,
      1,
      `missing PDH-CSV header: the first cell must be "(PDH-CSV 4.0) (<time zone>)(<bias>)", not ${JSON.stringify(header[0]!.slice(0, 80))}.`,
    );
  }
  const maxRows = lines.length - index - 1;
  const columns: PdhColumn[] = [];
  const seen = new Map<string, number>();
  for (let j = 1; j < header.length; j++) {
    const path = header[j]!;
    const parts = parseCounterPath(path);
    if (parts === null) {
      throw new InteropError(
        source,
        headerLine,
        j + 1,
        `${JSON.stringify(path)} is not a counter path \\\\MACHINE\\Object(Instance)\\Counter.`,
      );
    }
    const known = knownCountersOf(parts.object);
    if (known !== null && !known.some((k) => k.toLowerCase() === parts.counter.toLowerCase())) {
      throw new InteropError(
        source,
        headerLine,
        j + 1,
        `unknown counter '${parts.counter}' of '${parts.object}' (known: ${known.join(', ')}).`,
      );
    }
    const key = path.toLowerCase();
    const before = seen.get(key);
    if (before !== undefined)
      throw new InteropError(source, headerLine, j + 1, `counter ${path} repeats column ${before}.`);
    seen.set(key, j + 1);
    columns.push({ path, ...parts, values: new Float64Array(maxRows) });
  }

  const times: number[] = [];
  for (let l = index + 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const lineNo = l + 1;
    const cells = splitRow(line, source, lineNo);
    if (cells.length !== header.length) {
      const column = Math.min(cells.length, header.length) + 1;
      throw new InteropError(
        source,
        lineNo,
        column,
        `ragged row: ${cells.length} cells where the header has ${header.length}.`,
      );
    }
    const row = times.length;
    times.push(parseTime(cells[0]!, source, lineNo));
    for (let j = 1; j < cells.length; j++) {
      const raw = cells[j]!.trim();
      const value = raw === '' ? NaN : parseDecimal(raw);
      if (raw !== '' && Number.isNaN(value)) {
        throw new InteropError(source, lineNo, j + 1, `${JSON.stringify(cells[j])} is not a number.`);
      }
      columns[j - 1]!.values[row] = value;
    }
  }
  for (const c of columns) c.values = c.values.slice(0, times.length);
  return { source, headerLine, timeZone: h[1]!, biasMinutes: Number(h[2]), times, columns };
}

/** The series of one VM. Every array has one value per table row; NaN where the file has no value. */
export interface PdhVmSeries {
  /** The machine of the VM's columns. */
  machine: string;
  physicalMB: Float64Array;
  /** Current Pressure, percent. */
  pressure: Float64Array;
  /** The Memory Demand column where the file has one, else Current Pressure × Physical Memory / 100. */
  demandMB: Float64Array;
  /** True when demandMB was derived from pressure (Hyper-V rounds pressure to a whole percent: ±0.5 % of assigned). */
  demandDerived: boolean;
  averagePressure: Float64Array;
  minimumPressure: Float64Array;
  maximumPressure: Float64Array;
  guestVisibleMB: Float64Array;
  guestAvailableMB: Float64Array;
  addedMB: Float64Array;
  removedMB: Float64Array;
  addOperations: Float64Array;
  removeOperations: Float64Array;
  smartPagingMB: Float64Array;
}

/** The series of one Dynamic Memory balancer (the host's is 'System Balancer'). */
export interface PdhHostSeries {
  machine: string;
  availableMB: Float64Array;
  availableForBalancingMB: Float64Array;
  averagePressure: Float64Array;
  systemCurrentPressure: Float64Array;
  addedMB: Float64Array;
  removedMB: Float64Array;
  addOperations: Float64Array;
  removeOperations: Float64Array;
}

type VmKey = Exclude<keyof PdhVmSeries, 'machine' | 'demandDerived'>;
type HostKey = Exclude<keyof PdhHostSeries, 'machine'>;

const VM_KEYS: Record<string, VmKey> = {
  [HYPERV_VM_COUNTERS.physicalMemory.toLowerCase()]: 'physicalMB',
  [HYPERV_VM_COUNTERS.currentPressure.toLowerCase()]: 'pressure',
  [DYNMEM_DEMAND_COUNTER.toLowerCase()]: 'demandMB',
  [HYPERV_VM_COUNTERS.averagePressure.toLowerCase()]: 'averagePressure',
  [HYPERV_VM_COUNTERS.minimumPressure.toLowerCase()]: 'minimumPressure',
  [HYPERV_VM_COUNTERS.maximumPressure.toLowerCase()]: 'maximumPressure',
  [HYPERV_VM_COUNTERS.guestVisiblePhysicalMemory.toLowerCase()]: 'guestVisibleMB',
  [HYPERV_VM_COUNTERS.guestAvailableMemory.toLowerCase()]: 'guestAvailableMB',
  [HYPERV_VM_COUNTERS.addedMemory.toLowerCase()]: 'addedMB',
  [HYPERV_VM_COUNTERS.removedMemory.toLowerCase()]: 'removedMB',
  [HYPERV_VM_COUNTERS.memoryAddOperations.toLowerCase()]: 'addOperations',
  [HYPERV_VM_COUNTERS.memoryRemoveOperations.toLowerCase()]: 'removeOperations',
  [HYPERV_VM_COUNTERS.smartPagingWorkingSetSize.toLowerCase()]: 'smartPagingMB',
};

const HOST_KEYS: Record<string, HostKey> = {
  [HYPERV_BALANCER_COUNTERS.availableMemory.toLowerCase()]: 'availableMB',
  [HYPERV_BALANCER_COUNTERS.availableMemoryForBalancing.toLowerCase()]: 'availableForBalancingMB',
  [HYPERV_BALANCER_COUNTERS.averagePressure.toLowerCase()]: 'averagePressure',
  [HYPERV_BALANCER_COUNTERS.systemCurrentPressure.toLowerCase()]: 'systemCurrentPressure',
  [HYPERV_BALANCER_COUNTERS.addedMemory.toLowerCase()]: 'addedMB',
  [HYPERV_BALANCER_COUNTERS.removedMemory.toLowerCase()]: 'removedMB',
  [HYPERV_BALANCER_COUNTERS.memoryAddOperations.toLowerCase()]: 'addOperations',
  [HYPERV_BALANCER_COUNTERS.memoryRemoveOperations.toLowerCase()]: 'removeOperations',
};

/** One instance's columns of an object: its machine, its series and which of them the file really has. */
interface InstanceColumns<K extends string> {
  machine: string;
  series: Record<K, Float64Array>;
  present: Set<K>;
}

/** Groups one object's columns by instance; the same instance on two machines is refused (split the file per host). */
function byInstance<K extends string>(
  table: PdhTable,
  object: string,
  keys: Record<string, K>,
  allKeys: readonly K[],
): Map<string, InstanceColumns<K>> {
  const rows = table.times.length;
  const out = new Map<string, InstanceColumns<K>>();
  table.columns.forEach((c, j) => {
    if (c.object.toLowerCase() !== object.toLowerCase()) return;
    const key = keys[c.counter.toLowerCase()];
    if (key === undefined) return; // parsePdhCsv already refused unknown counters; a hand-made table may differ
    const name = c.instance ?? '';
    let entry = out.get(name);
    if (entry === undefined) {
      const series = {} as Record<K, Float64Array>;
      for (const k of allKeys) series[k] = new Float64Array(rows).fill(NaN);
      entry = { machine: c.machine, series, present: new Set() };
      out.set(name, entry);
    } else if (entry.machine.toLowerCase() !== c.machine.toLowerCase()) {
      throw new InteropError(
        table.source,
        table.headerLine,
        j + 2,
        `instance '${name}' of '${object}' appears on machines '${entry.machine}' and '${c.machine}'; read one host per table.`,
      );
    }
    entry.series[key] = c.values;
    entry.present.add(key);
  });
  return out;
}

/**
 * The "Hyper-V Dynamic Memory VM" series of a table, by VM name (the counter instance). Counters a file does not
 * have come back as NaN arrays; without a Memory Demand column, demand is derived as pressure × physical / 100.
 * @example
 * const web = vmCountersFromPdh(parsePdhCsv(text, 'counters.csv')).get('web-01');
 * web?.physicalMB[0]; // MB assigned at the first sample
 */
export function vmCountersFromPdh(table: PdhTable): Map<string, PdhVmSeries> {
  const rows = table.times.length;
  const out = new Map<string, PdhVmSeries>();
  for (const [name, g] of byInstance(table, HYPERV_VM_OBJECT, VM_KEYS, Object.values(VM_KEYS))) {
    const derived = !g.present.has('demandMB');
    const s = g.series;
    if (derived) {
      const demand = new Float64Array(rows);
      for (let i = 0; i < rows; i++) demand[i] = (s.pressure[i]! * s.physicalMB[i]!) / 100;
      s.demandMB = demand;
    }
    out.set(name, { machine: g.machine, ...s, demandDerived: derived });
  }
  return out;
}

/**
 * The "Hyper-V Dynamic Memory Balancer" series of a table, by balancer instance ('System Balancer' for the host).
 * Counters a file does not have come back as NaN arrays.
 * @example
 * const host = hostCountersFromPdh(table).get(HYPERV_BALANCER_INSTANCE);
 * host?.availableMB; // MB the balancer could still hand out, per sample
 */
export function hostCountersFromPdh(table: PdhTable): Map<string, PdhHostSeries> {
  const out = new Map<string, PdhHostSeries>();
  for (const [name, g] of byInstance(table, HYPERV_BALANCER_OBJECT, HOST_KEYS, Object.values(HOST_KEYS))) {
    out.set(name, { machine: g.machine, ...g.series });
  }
  return out;
}
