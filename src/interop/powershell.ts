// VM settings read from PowerShell's JSON exports of Hyper-V: `Get-VM` and `Get-VMMemory` piped to `ConvertTo-Json`.
//
// Sources for the layouts (see also test/fixtures/interop/README.md):
// - Get-VM / Get-VMMemory / Set-VMMemory, https://learn.microsoft.com/powershell/module/hyper-v/ : memory amounts are
//   Int64 BYTES (-StartupBytes, -MinimumBytes, -MaximumBytes), -Buffer is a percentage (5…2000), -Priority 0…100.
// - A Get-VMMemory object also carries `Name` = "Memory" (the device), so its VM is in `VMName`; a Get-VM object's VM
//   is `Name`. Windows PowerShell 5.1 prints ConvertTo-Json with 4-space indentation and `":  "`, a lone object
//   without brackets, and nothing at all for an empty pipeline; `Out-File -Encoding utf8` adds a UTF-8 BOM.
// Browser-safe: takes text, returns data.
import { stripBom } from '../csv.ts';
import { DynamicMemoryError } from '../errors.ts';
import { DEFAULT_HYPERV_VERSION, VERSION_RULES } from '../host/versions.ts';
import { newVmSettings, type VmConfig, type VmMemoryLimit } from '../settings.ts';
import { checkText, InteropError } from './errors.ts';

/** Options of the PowerShell readers. */
export interface PowerShellImportOptions {
  /** Named in every error (a file name, say); 'PowerShell JSON' when not given. */
  source?: string;
  /** The host's largest VM memory, checked like `addVm` does; by default the newest version's limits per
   * generation (1 TB for Generation 1, 240 TB for Generation 2). */
  maxVmMemoryMB?: number;
}

/** One VM of an export: its settings, plus what Hyper-V recorded it had and wanted at export time (MB). */
export interface PowerShellVmRecord {
  config: VmConfig;
  /** Get-VM `MemoryAssigned` in MB (0 for a VM that is off). */
  assignedMB?: number;
  /** Get-VM `MemoryDemand` in MB. */
  demandMB?: number;
}

/** Options of `mergePowerShellExports`: one source name per export. */
export interface PowerShellMergeOptions {
  getVmSource?: string;
  getVmMemorySource?: string;
  maxVmMemoryMB?: number;
}

const MIB = 1_048_576;
const DEFAULT_SOURCE = 'PowerShell JSON';

type SettingKey = 'dynamicMemory' | 'startupMB' | 'minimumMB' | 'maximumMB' | 'bufferPercent' | 'weight';

/** A value taken from the JSON, with the JSON field it came from (errors name that, not our setting name). */
interface Taken<T> {
  value: T;
  field: string;
  source: string;
}

/** One record of either export, reduced to what dynmem uses; nothing checked across fields yet. */
interface RawVm {
  name: string;
  nameField: string;
  source: string;
  /** Memory amounts stay in bytes here so that a merge can compare them exactly. */
  settings: Partial<Record<SettingKey, Taken<unknown>>>;
  assignedMB?: number;
  demandMB?: number;
}

/** JSON field → setting, per export. Get-VM has no Buffer or Priority: those come only from Get-VMMemory. */
const GET_VM_FIELDS: readonly [string, SettingKey][] = [
  ['DynamicMemoryEnabled', 'dynamicMemory'],
  ['MemoryStartup', 'startupMB'],
  ['MemoryMinimum', 'minimumMB'],
  ['MemoryMaximum', 'maximumMB'],
];
const GET_VMMEMORY_FIELDS: readonly [string, SettingKey][] = [
  ['DynamicMemoryEnabled', 'dynamicMemory'],
  ['Startup', 'startupMB'],
  ['Minimum', 'minimumMB'],
  ['Maximum', 'maximumMB'],
  ['Buffer', 'bufferPercent'],
  ['Priority', 'weight'],
];
const BYTE_SETTINGS = new Set<SettingKey>(['startupMB', 'minimumMB', 'maximumMB']);
/** Settings that only apply with Dynamic Memory on (Set-VMMemory refuses them on a static VM). */
const DYNAMIC_ONLY = new Set<SettingKey>(['minimumMB', 'maximumMB', 'bufferPercent']);

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function invalid(source: string, vm: string, field: string, message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `${source}: VM '${vm}', ${field}: ${message}`, { vm, field });
}

/** 1-based line and column of a character offset, for a JSON syntax error. */
function lineColumn(text: string, offset: number): [number, number] {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return [line, offset - start + 1];
}

/**
 * The records of an export as a list. ConvertTo-Json prints a single VM as a bare object and an empty pipeline as
 * nothing, so both are accepted; a BOM is dropped because Windows PowerShell writes one with `-Encoding utf8`.
 */
function jsonRecords(text: string, source: string): unknown[] {
  const body = stripBom(text);
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8 says "... (line L column C)" or "... at position N"; either way point at the spot when we can.
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const [line, column] = lc ? [Number(lc[1]), Number(lc[2])] : pos ? lineColumn(body, Number(pos[1])) : [1, 1];
    throw new InteropError(source, line, column, `not valid JSON (${message}); expected the output of ConvertTo-Json.`);
  }
  if (parsed === null) return [];
  return Array.isArray(parsed) ? parsed : [parsed];
}

function bytesField(source: string, vm: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(source, vm, field, `must be a number of bytes, not ${show(value)}.`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalid(source, vm, field, `must be a whole, non-negative number of bytes, not ${value}.`);
  }
  return value;
}

/** Observations (assigned, demand) are not settings: any whole or fractional MB is taken as recorded. */
function observedMB(source: string, vm: string, field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return bytesField(source, vm, field, value) / MIB;
}

function rawVm(record: unknown, index: number, source: string): RawVm {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `${source}: record ${index + 1} must be an object of Get-VM or Get-VMMemory, not ${show(record)}.`,
    );
  }
  const r = record as Record<string, unknown>;
  // Get-VMMemory's `Name` is the device ("Memory"): tell the exports apart by their memory fields.
  const isGetVm =
    GET_VM_FIELDS.some(([f]) => f !== 'DynamicMemoryEnabled' && f in r) || 'MemoryAssigned' in r || 'MemoryDemand' in r;
  const isGetVmMemory = !isGetVm && GET_VMMEMORY_FIELDS.some(([f]) => f !== 'DynamicMemoryEnabled' && f in r);
  const nameField = isGetVmMemory || (!('Name' in r) && 'VMName' in r) ? 'VMName' : 'Name';
  const name = r[nameField];
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `${source}: record ${index + 1} needs a VM name in ${nameField}, not ${show(name)}.`,
      { field: nameField },
    );
  }
  const raw: RawVm = { name, nameField, source, settings: {} };
  for (const [field, key] of isGetVmMemory ? GET_VMMEMORY_FIELDS : GET_VM_FIELDS) {
    const value = r[field];
    // null is what ConvertTo-Json writes for an unset property: treat it as absent, never as 0.
    if (value === undefined || value === null) continue;
    raw.settings[key] = {
      value: BYTE_SETTINGS.has(key) ? bytesField(source, name, field, value) : value,
      field,
      source,
    };
  }
  if (isGetVm) {
    const assignedMB = observedMB(source, name, 'MemoryAssigned', r.MemoryAssigned);
    const demandMB = observedMB(source, name, 'MemoryDemand', r.MemoryDemand);
    if (assignedMB !== undefined) raw.assignedMB = assignedMB;
    if (demandMB !== undefined) raw.demandMB = demandMB;
  }
  return raw;
}

function rawVms(text: string, source: string): RawVm[] {
  const seen = new Set<string>();
  return jsonRecords(checkText(text, source), source).map((record, i) => {
    const raw = rawVm(record, i, source);
    // Hyper-V lets two VMs share a name (they differ by VMId); dynmem keys VMs by name, so it cannot take both.
    if (seen.has(raw.name)) {
      throw new DynamicMemoryError(
        'DuplicateVm',
        `${source}: VM '${raw.name}' appears twice; rename one (dynmem identifies VMs by name).`,
        { vm: raw.name, field: raw.nameField },
      );
    }
    seen.add(raw.name);
    return raw;
  });
}

/** Bytes to MB, refusing what Hyper-V refuses; never rounded. */
function alignedMB(raw: RawVm, taken: Taken<unknown>): number {
  const bytes = taken.value as number;
  if (bytes % (2 * MIB) !== 0) {
    const why = bytes % MIB !== 0 ? 'is not a whole number of MB' : `is ${bytes / MIB} MB, not a multiple of 2 MB`;
    throw new DynamicMemoryError(
      'NotAligned',
      `${taken.source}: VM '${raw.name}', ${taken.field}: Memory values must be properly aligned: ${bytes} bytes ${why}.`,
      { vm: raw.name, field: taken.field },
    );
  }
  return bytes / MIB;
}

/** The checked record: a VmConfig that `newVmSettings` accepts, or a DynamicMemoryError naming the JSON field. */
function toRecord(raw: RawVm, maxVmMemoryMB: VmMemoryLimit): PowerShellVmRecord {
  const config: VmConfig = { name: raw.name };
  const fieldOf = new Map<string, string>([['name', raw.nameField]]);
  const isStatic = raw.settings.dynamicMemory?.value === false;
  for (const [key, taken] of Object.entries(raw.settings) as [SettingKey, Taken<unknown>][]) {
    fieldOf.set(key, taken.field);
    let value: unknown = taken.value;
    if (BYTE_SETTINGS.has(key)) value = alignedMB(raw, taken);
    if (key === 'weight') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
        throw new DynamicMemoryError(
          'InvalidSetting',
          `${taken.source}: VM '${raw.name}', ${taken.field}: memory priority must be a whole number 0…100, not ${show(value)}.`,
          { vm: raw.name, field: taken.field },
        );
      }
      value = value * 100;
    }
    // A static VM still reports the minimum, maximum and buffer Hyper-V remembers for when Dynamic Memory is turned
    // on. The minimum is kept (it may exceed startup: a 256 MB static VM keeps a 512 MB minimum, which dynmem
    // allows without Dynamic Memory); the maximum and buffer are checked for alignment above but not carried over.
    if (isStatic && DYNAMIC_ONLY.has(key) && key !== 'minimumMB') continue;
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  try {
    newVmSettings(config, maxVmMemoryMB);
  } catch (e) {
    if (!(e instanceof DynamicMemoryError)) throw e;
    const field = (e.field !== undefined ? fieldOf.get(e.field) : undefined) ?? e.field;
    // Speak the export's language: "MemoryMinimum 2048 MB must not exceed MemoryStartup 1024 MB".
    let detail = e.message.replace(`VM '${raw.name}': `, '');
    for (const [setting, jsonField] of fieldOf) {
      if (setting !== 'name') detail = detail.replace(new RegExp(`\\b${setting}\\b`, 'g'), jsonField);
    }
    const source = (e.field !== undefined ? raw.settings[e.field as SettingKey]?.source : undefined) ?? raw.source;
    throw new DynamicMemoryError(e.code, `${source}: VM '${raw.name}', ${field ?? 'settings'}: ${detail}`, {
      vm: raw.name,
      ...(field !== undefined ? { field } : {}),
    });
  }
  const record: PowerShellVmRecord = { config };
  if (raw.assignedMB !== undefined) record.assignedMB = raw.assignedMB;
  if (raw.demandMB !== undefined) record.demandMB = raw.demandMB;
  return record;
}

function maxOf(options: { maxVmMemoryMB?: number }): VmMemoryLimit {
  const newest = VERSION_RULES[DEFAULT_HYPERV_VERSION].maxVmMemoryMB;
  return (generation) => Math.min(options.maxVmMemoryMB ?? Infinity, newest[generation]);
}

/**
 * Reads `Get-VM | Select-Object Name, DynamicMemoryEnabled, MemoryStartup, MemoryMinimum, MemoryMaximum,
 * MemoryAssigned, MemoryDemand | ConvertTo-Json` or `Get-VMMemory -VMName * | ConvertTo-Json` (told apart per record).
 * Other PowerShell fields are ignored. Each config passes `newVmSettings`; every refusal is a DynamicMemoryError naming
 * the source, the VM and the JSON field (`NotAligned` for bytes that are not a multiple of 2 MB, never rounded).
 * @example
 * const records = powerShellVmRecords(await file.text(), { source: 'get-vm.json' });
 * for (const r of records) { host.addVm(r.config); if (r.demandMB !== undefined) host.setDemand(r.config.name, r.demandMB); }
 */
export function powerShellVmRecords(text: string, options: PowerShellImportOptions = {}): PowerShellVmRecord[] {
  const source = options.source ?? DEFAULT_SOURCE;
  const max = maxOf(options);
  return rawVms(text, source).map((raw) => toRecord(raw, max));
}

/**
 * The VM configs of a Get-VM or Get-VMMemory JSON export, ready for `host.addVm`.
 * @example
 * for (const config of vmsFromPowerShellJson(text, { source: 'get-vmmemory.json' })) host.addVm(config);
 */
export function vmsFromPowerShellJson(text: string, options: PowerShellImportOptions = {}): VmConfig[] {
  return powerShellVmRecords(text, options).map((r) => r.config);
}

/**
 * Both exports combined by VM name: amounts and MemoryAssigned/MemoryDemand from Get-VM, Buffer and Priority from
 * Get-VMMemory. A VM in only one export is taken as it is. Where both give a setting they must agree, or the exports
 * were taken at different times and the merge is refused (naming both fields) rather than guessing which is current.
 * @example
 * const records = mergePowerShellExports(getVmText, getVmMemoryText);
 */
export function mergePowerShellExports(
  getVm: string,
  getVmMemory: string,
  options: PowerShellMergeOptions = {},
): PowerShellVmRecord[] {
  const vmSource = options.getVmSource ?? 'Get-VM JSON';
  const memSource = options.getVmMemorySource ?? 'Get-VMMemory JSON';
  const left = rawVms(getVm, vmSource);
  const right = new Map(rawVms(getVmMemory, memSource).map((r) => [r.name, r]));
  const merged: RawVm[] = [];
  for (const a of left) {
    const b = right.get(a.name);
    right.delete(a.name);
    if (b === undefined) {
      merged.push(a);
      continue;
    }
    const settings = { ...a.settings };
    for (const [key, taken] of Object.entries(b.settings) as [SettingKey, Taken<unknown>][]) {
      const mine = settings[key];
      if (mine === undefined) {
        settings[key] = taken;
        continue;
      }
      if (mine.value !== taken.value) {
        const shown = (v: unknown) => (BYTE_SETTINGS.has(key) ? `${(v as number) / MIB} MB` : show(v));
        throw new DynamicMemoryError(
          'InvalidSetting',
          `VM '${a.name}': ${vmSource} has ${mine.field} ${shown(mine.value)} but ${memSource} has ${taken.field} ` +
            `${shown(taken.value)}; export both at the same time.`,
          { vm: a.name, field: mine.field },
        );
      }
    }
    merged.push({ ...a, settings });
  }
  merged.push(...right.values());
  const max = maxOf(options);
  return merged.map((raw) => toRecord(raw, max));
}
