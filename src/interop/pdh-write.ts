// Writes counter series as PDH-CSV, the layout typeperf, relog and Performance Monitor write (`-f CSV`), so that a
// simulation can be opened in Performance Monitor or Excel next to a real capture, and read back by parsePdhCsv.
//
// Layout: header cell `(PDH-CSV 4.0) (<time zone>)(<bias minutes>)`, then one `\\MACHINE\Object(Instance)\Counter`
// per column (the names in counter-names.ts); every cell double-quoted; timestamps `MM/DD/YYYY HH:MM:SS.mmm` in the
// machine's local time.
// Browser-safe: returns text.
import { DynamicMemoryError } from '../errors.ts';
import { knownCountersOf } from './counter-names.ts';

/** One column to write. */
export interface PdhSeriesInput {
  object: string;
  /** null for an object without instances. */
  instance: string | null;
  counter: string;
  /** One value per sample; NaN writes a blank cell (a missing sample). */
  values: ArrayLike<number>;
}

export interface PdhWriteInput {
  machine: string;
  /** Time of the first sample, ms since the epoch, written as the machine's local wall-clock time (its UTC fields). */
  startTime: number;
  intervalSeconds: number;
  /** Windows time zone name in the header; 'Coordinated Universal Time' by default. */
  timeZone?: string;
  /** Windows bias (UTC = local + bias) in minutes; 0 by default. */
  biasMinutes?: number;
  series: PdhSeriesInput[];
}

function bad(field: string, message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidArgument', `writePdhCsv: ${message}`, { field });
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A PDH-CSV timestamp, `MM/DD/YYYY HH:MM:SS.mmm`, from the UTC fields of `ms` (PDH writes local time without zone).
 * @example
 * formatPdhTimestamp(Date.UTC(2025, 2, 14, 10, 0, 0, 125)); // '03/14/2025 10:00:00.125'
 */
export function formatPdhTimestamp(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 1000 || year > 9999) {
    throw bad('startTime', `time ${ms} is not a date with a 4-digit year.`);
  }
  const millis = d.getUTCMilliseconds();
  return (
    `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${year} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:` +
    `${two(d.getUTCSeconds())}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`
  );
}

/**
 * A full counter path, `\\MACHINE\Object(Instance)\Counter` (`\\MACHINE\Object\Counter` without an instance).
 * @example
 * counterPath('HV01', HYPERV_VM_OBJECT, 'web-01', 'Physical Memory'); // '\\\\HV01\\Hyper-V Dynamic Memory VM(web-01)\\Physical Memory'
 */
export function counterPath(machine: string, object: string, instance: string | null, counter: string): string {
  return `\\\\${machine}\\${object}${instance === null ? '' : `(${instance})`}\\${counter}`;
}

/** A cell as PDH writes it: always quoted, a quote doubled. */
function cell(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function checkName(field: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw bad(field, `${field} must be a non-empty string, not ${JSON.stringify(value)}.`);
  }
  // A backslash would end the path element early; a line break would end the row.
  if (/[\\\r\n]/.test(value))
    throw bad(field, `${field} ${JSON.stringify(value)} must not contain a backslash or line break.`);
  return value;
}

/**
 * Counter series as a PDH-CSV file in typeperf's layout: CRLF after every line, every cell quoted, a blank cell
 * (`" "`) for a missing sample (NaN). Numbers are written in the shortest form that reads back to the same double,
 * so `parsePdhCsv(writePdhCsv(x))` returns exactly the values written; sample times are rounded to whole ms.
 * @example
 * const csv = writePdhCsv({ machine: 'HV01', startTime: Date.UTC(2025, 0, 1), intervalSeconds: 1, series: [
 *   { object: HYPERV_VM_OBJECT, instance: 'web-01', counter: HYPERV_VM_COUNTERS.physicalMemory, values: [2048, 2050] },
 * ] });
 */
export function writePdhCsv(input: PdhWriteInput): string {
  const machine = checkName('machine', input.machine);
  const { startTime, intervalSeconds } = input;
  if (typeof startTime !== 'number' || !Number.isFinite(startTime))
    throw bad('startTime', `startTime must be a finite number of ms, not ${startTime}.`);
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
    throw bad('intervalSeconds', `intervalSeconds must be a positive number, not ${intervalSeconds}.`);
  }
  const timeZone = input.timeZone ?? 'Coordinated Universal Time';
  if (typeof timeZone !== 'string' || /["\r\n]/.test(timeZone))
    throw bad('timeZone', `timeZone ${JSON.stringify(timeZone)} is not a plain name.`);
  const bias = input.biasMinutes ?? 0;
  if (!Number.isInteger(bias)) throw bad('biasMinutes', `biasMinutes must be a whole number of minutes, not ${bias}.`);
  if (!Array.isArray(input.series)) throw bad('series', 'series must be an array.');

  const header = [cell(`(PDH-CSV 4.0) (${timeZone})(${bias})`)];
  const seen = new Set<string>();
  let samples = -1;
  for (const [i, s] of input.series.entries()) {
    const object = checkName(`series[${i}].object`, s.object);
    const counter = checkName(`series[${i}].counter`, s.counter);
    if (s.instance !== null) checkName(`series[${i}].instance`, s.instance);
    const known = knownCountersOf(object);
    if (known !== null && !known.some((k) => k.toLowerCase() === counter.toLowerCase())) {
      throw bad(`series[${i}].counter`, `'${counter}' is not a counter of '${object}' (known: ${known.join(', ')}).`);
    }
    const path = counterPath(machine, object, s.instance, counter);
    if (seen.has(path.toLowerCase())) throw bad(`series[${i}]`, `${path} is written twice.`);
    seen.add(path.toLowerCase());
    if (samples < 0) samples = s.values.length;
    else if (s.values.length !== samples) {
      throw bad(
        `series[${i}].values`,
        `every series needs the same number of samples: ${path} has ${s.values.length}, ` + `the first has ${samples}.`,
      );
    }
    header.push(cell(path));
  }
  if (samples < 0) samples = 0;

  const lines = [header.join(',')];
  const stepMs = intervalSeconds * 1000;
  for (let t = 0; t < samples; t++) {
    // Multiply rather than accumulate, so long series do not drift by rounding.
    const row = [cell(formatPdhTimestamp(Math.round(startTime + t * stepMs)))];
    for (const [i, s] of input.series.entries()) {
      const v = s.values[t];
      if (typeof v !== 'number') throw bad(`series[${i}].values`, `sample ${t} is ${JSON.stringify(v)}, not a number.`);
      if (Number.isNaN(v)) {
        row.push('" "');
        continue;
      }
      if (!Number.isFinite(v)) throw bad(`series[${i}].values`, `sample ${t} is ${v}; PDH-CSV has no infinities.`);
      row.push(cell(String(v === 0 ? 0 : v)));
    }
    lines.push(row.join(','));
  }
  return lines.map((l) => `${l}\r\n`).join('');
}
