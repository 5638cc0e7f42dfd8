// Time series as CSV (RFC 4180): one long ("tidy") table per series kind, so a spreadsheet or pandas can pivot or
// filter by host without knowing the number of hosts in advance. Browser-safe: strings in, a string out.
import type { HostSeries, SimulationSeries } from '../sim/series.ts';

/** Host name used for the rows that hold the sum over all hosts. */
export const TOTAL_HOST = '*';

// RFC 4180 ends every record, the last one included, with CRLF; Excel and every CSV reader accept it.
const EOL = '\r\n';

/**
 * One CSV cell for a number: integers as they are, anything else rounded to 3 decimals (MB and pressure need no more,
 * and it keeps the file small). NaN and ±Infinity become an empty cell, which readers take as "missing".
 * @example
 * csvNumber(2048);     // "2048"
 * csvNumber(2/3);      // "0.667"
 * csvNumber(NaN);      // ""
 */
export function csvNumber(x: number): string {
  if (!Number.isFinite(x)) return '';
  if (Number.isInteger(x)) return Object.is(x, -0) ? '0' : String(x);
  // Round the magnitude so that −0.0005 and 0.0005 round alike, then drop a "−0".
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 1000)) / 1000;
  return r === 0 ? '0' : String(r);
}

/**
 * One CSV cell for text: quoted (with quotes doubled) only when it holds a comma, quote or line break, per RFC 4180.
 * @example
 * csvText('web-1');      // "web-1"
 * csvText('a,"b"');      // "\"a,\"\"b\"\"\""
 */
export function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function hostRow(time: number, name: string, s: Omit<HostSeries, 'name'>, i: number): string {
  return [
    csvNumber(time),
    csvText(name),
    csvNumber(s.assignedMB[i]!),
    csvNumber(s.demandMB[i]!),
    csvNumber(s.availableMB[i]!),
    csvNumber(s.pressure[i]!),
    csvNumber(s.averagePressure[i]!),
    csvNumber(s.smartPagingMB[i]!),
    csvNumber(s.runningVms[i]!),
    csvNumber(s.assignedMaxMB[i]!),
    csvNumber(s.assignedMinMB[i]!),
    csvNumber(s.pressureMax[i]!),
    csvNumber(s.pressureMin[i]!),
    csvNumber(s.shortVms[i]!),
  ].join(',');
}

/**
 * Host and cluster time series as CSV: for every sample, one row per host and then one row with host `*` holding the
 * sum over the hosts (its pressure is the cluster's, not a sum). Columns:
 * `time_s,host,assigned_mb,demand_mb,available_mb,pressure,average_pressure,smart_paging_mb,running_vms,
 * assigned_max_mb,assigned_min_mb,pressure_max,pressure_min,short_vms`; Smart Paging and the last five are the most
 * (least) any tick reached since the sample before (see `HostSeries`).
 * Records end with CRLF.
 * @example
 * const { series } = await simulate(scenario);
 * writeFileSync('series.csv', timeSeriesCsv(series));
 * // time_s,host,assigned_mb,...
 * // 0,host-1,4096,3500,258048,85.449,80,0,2
 * // 0,*,4096,3500,258048,85.449,80,0,2
 */
export function timeSeriesCsv(series: SimulationSeries): string {
  const out: string[] = [
    'time_s,host,assigned_mb,demand_mb,available_mb,pressure,average_pressure,smart_paging_mb,running_vms,assigned_max_mb,assigned_min_mb,pressure_max,pressure_min,short_vms',
  ];
  series.timeSeconds.forEach((t, i) => {
    for (const host of series.hosts) out.push(hostRow(t, host.name, host, i));
    out.push(hostRow(t, TOTAL_HOST, series.total, i));
  });
  return out.join(EOL) + EOL;
}

/**
 * Per-VM time series as CSV, one row per sample per VM: `time_s,vm,assigned_mb,demand_mb,pressure,smart_paging_mb`.
 * Returns the empty string when the run kept no per-VM series (large fleets), so a caller can skip writing the file.
 * @example
 * const csv = vmSeriesCsv(series);
 * if (csv) writeFileSync('vms.csv', csv);
 */
export function vmSeriesCsv(series: SimulationSeries): string {
  if (series.vms.length === 0) return '';
  const out: string[] = ['time_s,vm,assigned_mb,demand_mb,pressure,smart_paging_mb'];
  // Quote each name once rather than once per sample: there may be 200 VMs × 86,400 samples.
  const names = series.vms.map((vm) => csvText(vm.name));
  series.timeSeconds.forEach((t, i) => {
    const time = csvNumber(t);
    series.vms.forEach((vm, k) => {
      out.push(
        `${time},${names[k]},${csvNumber(vm.assignedMB[i]!)},${csvNumber(vm.demandMB[i]!)},${csvNumber(vm.pressure[i]!)},${csvNumber(vm.smartPagingMB[i]!)}`,
      );
    });
  });
  return out.join(EOL) + EOL;
}
