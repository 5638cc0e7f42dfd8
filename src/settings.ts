// VM memory settings: their defaults, the rules of the settings table, and the runtime-change rules.
import { DynamicMemoryError, shown } from './errors.ts';

/** A VM's memory settings, all amounts in MB. */
export interface VmSettings {
  /** Memory to boot; the whole size of a VM without Dynamic Memory. 32 ≤ x ≤ maximumMB, multiple of 2. */
  startupMB: number;
  dynamicMemory: boolean;
  /** Floor after boot. 32 ≤ x ≤ startupMB (with Dynamic Memory on), multiple of 2. */
  minimumMB: number;
  /** Ceiling. startupMB ≤ x ≤ the host's maxVmMemoryMB, multiple of 2. */
  maximumMB: number;
  /** Headroom over demand, 5…2000 %. */
  bufferPercent: number;
  /** Share under contention, 0…10000 (PowerShell -Priority × 100). */
  weight: number;
  /** Most memory the guest OS can use (caps the effective maximum); null when the guest sets no cap. */
  guestOsMaxMB: number | null;
  /** False during an OS install or upgrade or without Dynamic Memory components: the VM uses its startup RAM. */
  guestSupportsDynamicMemory: boolean;
  /** False for a guest kernel that cannot hot-add memory: it may balloon down and back, never above startupMB. */
  guestSupportsHotAdd: boolean;
  /** False for a guest that cannot resize its memory while running (static VMs on Windows Server 2016+). */
  guestSupportsRuntimeResize: boolean;
  /** VM generation, 1 or 2: the largest VM memory depends on it (Generation 2 only from 2016). Default 2. */
  generation: 1 | 2;
  /** Failover cluster group priority: 3000 High, 2000 Medium (default), 1000 Low, 0 No Auto Start. */
  clusterPriority: ClusterPriority;
  /** MB per second the guest's balloon driver gives back, capped by the host's rate; 0: a stuck driver that gives
   * nothing back; null (default): no limit of its own. Whole MB/s. */
  balloonDriverRateMBps: number | null;
  /** MB below which the balloon driver cannot take the VM (a multiple of 2); 0 (default): no limit. */
  balloonDriverLimitMB: number;
}

/** The cluster group priorities of Failover Clustering: High, Medium, Low and No Auto Start. */
export type ClusterPriority = 3000 | 2000 | 1000 | 0;
const CLUSTER_PRIORITIES: readonly number[] = [3000, 2000, 1000, 0];

/** The largest memory a VM of a generation may have on a host, MB. */
export type VmMemoryLimit = (generation: 1 | 2) => number;

/** What `addVm` takes: a name and any settings (the rest take their defaults). */
export interface VmConfig extends Partial<VmSettings> {
  name: string;
}

/** The default and largest maximum: 1 TB. */
export const DEFAULT_MAX_VM_MEMORY_MB = 1_048_576;

/** Every VM setting's name. */
export const SETTING_FIELDS: readonly (keyof VmSettings)[] = [
  'startupMB',
  'dynamicMemory',
  'minimumMB',
  'maximumMB',
  'bufferPercent',
  'weight',
  'guestOsMaxMB',
  'guestSupportsDynamicMemory',
  'guestSupportsHotAdd',
  'guestSupportsRuntimeResize',
  'generation',
  'clusterPriority',
  'balloonDriverRateMBps',
  'balloonDriverLimitMB',
];
const MEMORY_FIELDS = new Set<string>(['startupMB', 'minimumMB', 'maximumMB']);
/** Amounts of memory that must be multiples of 2 MB, like Hyper-V's own ("Memory values must be properly aligned"). */
const ALIGNED_FIELDS = new Set<string>([...MEMORY_FIELDS, 'guestOsMaxMB', 'balloonDriverLimitMB']);
const BOOLEAN_FIELDS = new Set<string>([
  'dynamicMemory',
  'guestSupportsDynamicMemory',
  'guestSupportsHotAdd',
  'guestSupportsRuntimeResize',
]);
/** Settings that only mean something with Dynamic Memory on (Set-VMMemory refuses them on a static VM). */
const DYNAMIC_ONLY_FIELDS = new Set<string>(['minimumMB', 'maximumMB', 'bufferPercent']);
/** They describe the guest (its balloon driver too) or the VM's cluster group, not its memory settings: they may
 * change at any time. */
const ANYTIME_FIELDS = new Set<string>([
  'guestOsMaxMB',
  'guestSupportsDynamicMemory',
  'guestSupportsHotAdd',
  'guestSupportsRuntimeResize',
  'clusterPriority',
  'balloonDriverRateMBps',
  'balloonDriverLimitMB',
]);

function invalid(vm: string, field: string, message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `VM '${vm}': ${message}`, { vm, field });
}

/** Checks one field's type and own range; rules between fields are checked by `checkRelations`. */
function checkField(vm: string, field: string, value: unknown): void {
  if (BOOLEAN_FIELDS.has(field)) {
    if (typeof value !== 'boolean') throw invalid(vm, field, `${field} must be true or false, not ${shown(value)}.`);
    return;
  }
  if (field === 'clusterPriority') {
    if (!CLUSTER_PRIORITIES.includes(value as number)) {
      throw invalid(
        vm,
        field,
        `clusterPriority must be 3000 (High), 2000 (Medium), 1000 (Low) or 0 (No Auto Start), not ${shown(value)}.`,
      );
    }
    return;
  }
  if (field === 'generation') {
    if (value !== 1 && value !== 2) throw invalid(vm, field, `generation must be 1 or 2, not ${shown(value)}.`);
    return;
  }
  if ((field === 'guestOsMaxMB' || field === 'balloonDriverRateMBps') && value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(vm, field, `${field} must be a finite number, not ${shown(value)}.`);
  }
  if (!Number.isInteger(value)) throw invalid(vm, field, `${field} must be a whole number, not ${value}.`);
  if (value < 0) throw invalid(vm, field, `${field} must not be negative (${value}).`);
  if (ALIGNED_FIELDS.has(field) && value % 2 !== 0) {
    throw new DynamicMemoryError(
      'NotAligned',
      `VM '${vm}': Memory values must be properly aligned: ${field} ${value} MB is not a multiple of 2 MB.`,
      { vm, field },
    );
  }
  if (MEMORY_FIELDS.has(field)) {
    if (value < 32) throw invalid(vm, field, `${field} ${value} MB is below the smallest allowed, 32 MB.`);
  } else if (field === 'bufferPercent') {
    if (value < 5 || value > 2000) throw invalid(vm, field, `bufferPercent must be between 5 and 2000, not ${value}.`);
  } else if (field === 'weight') {
    if (value > 10000) throw invalid(vm, field, `weight must be between 0 and 10000, not ${value}.`);
  } else if (field === 'guestOsMaxMB') {
    if (value < 32) throw invalid(vm, field, `guestOsMaxMB must be at least 32 MB, not ${value}.`);
  }
}

function checkRelations(vm: string, s: VmSettings, limit: VmMemoryLimit): void {
  const largest = limit(s.generation);
  for (const field of MEMORY_FIELDS) {
    const value = s[field as 'startupMB' | 'minimumMB' | 'maximumMB'];
    if (value > largest) {
      throw invalid(
        vm,
        field,
        `${field} ${value} MB is above the host's largest memory for a Generation ${s.generation} VM, ${largest} MB.`,
      );
    }
  }
  // A static VM keeps the minimum and maximum Hyper-V remembers for Dynamic Memory; they need not bracket its
  // startup RAM (Get-VM exports show static VMs with a minimum above startup).
  if (!s.dynamicMemory) return;
  if (s.minimumMB > s.startupMB) {
    throw invalid(vm, 'minimumMB', `minimumMB ${s.minimumMB} MB must not exceed startupMB ${s.startupMB} MB.`);
  }
  if (s.startupMB > s.maximumMB) {
    throw invalid(vm, 'maximumMB', `maximumMB ${s.maximumMB} MB must not be below startupMB ${s.startupMB} MB.`);
  }
}

function checkObject(vm: string, input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DynamicMemoryError('InvalidSetting', `VM '${vm}': ${what} must be an object, not ${shown(input)}.`, {
      vm,
    });
  }
  return input as Record<string, unknown>;
}

function checkKnown(vm: string, record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw invalid(vm, key, `unknown setting '${key}' (known: ${allowed.join(', ')}).`);
    }
  }
}

/**
 * The full settings of a new VM: defaults filled in, every rule checked.
 * @throws DynamicMemoryError naming the VM, the field and the rule.
 */
export function newVmSettings(config: unknown, limit: VmMemoryLimit, extraFields: readonly string[] = []): VmSettings {
  const record = checkObject('?', config, 'a VM');
  const name = record.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DynamicMemoryError('InvalidSetting', `A VM needs a non-empty string name, not ${shown(name)}.`, {
      field: 'name',
    });
  }
  checkKnown(name, record, ['name', ...SETTING_FIELDS, ...extraFields]);
  for (const field of SETTING_FIELDS) {
    if (record[field] !== undefined) checkField(name, field, record[field]);
  }
  const given = record as Partial<VmSettings>;
  const startupMB = given.startupMB ?? 512;
  const generation = given.generation ?? 2;
  const settings: VmSettings = {
    startupMB,
    dynamicMemory: given.dynamicMemory ?? true,
    minimumMB: given.minimumMB ?? Math.min(512, startupMB),
    maximumMB: given.maximumMB ?? Math.min(DEFAULT_MAX_VM_MEMORY_MB, limit(generation)),
    bufferPercent: given.bufferPercent ?? 20,
    weight: given.weight ?? 5000,
    guestOsMaxMB: given.guestOsMaxMB ?? null,
    guestSupportsDynamicMemory: given.guestSupportsDynamicMemory ?? true,
    guestSupportsHotAdd: given.guestSupportsHotAdd ?? true,
    guestSupportsRuntimeResize: given.guestSupportsRuntimeResize ?? true,
    generation,
    clusterPriority: given.clusterPriority ?? 2000,
    balloonDriverRateMBps: given.balloonDriverRateMBps ?? null,
    balloonDriverLimitMB: given.balloonDriverLimitMB ?? 0,
  };
  checkRelations(name, settings, limit);
  return settings;
}

/** What a settings change is checked against besides the settings themselves. */
export interface ChangeContext {
  /** The VM is on (starting or running). */
  running: boolean;
  limit: VmMemoryLimit;
  /** The host resizes running static-memory VMs (Windows Server 2016 and later); the name of its version. */
  runtimeResize: boolean;
  version: string;
}

/** Why a running static VM's startup RAM cannot change, or undefined when it can (2016+, Generation 2, a guest
 * that supports it). */
function staticResizeRefusal(current: VmSettings, context: ChangeContext): string | undefined {
  if (!context.runtimeResize) {
    return `Windows Server ${context.version} cannot resize a running VM without Dynamic Memory (2016 and later can)`;
  }
  if (current.generation !== 2) return 'only a Generation 2 VM can be resized while running';
  if (!current.guestSupportsRuntimeResize) return 'its guest does not support runtime memory resize';
  return undefined;
}

/**
 * The settings after a change, checked as a whole against the runtime rules: off, anything valid goes;
 * running with Dynamic Memory, only raise maximumMB, lower minimumMB, change bufferPercent and weight;
 * running without it, startupMB on a host that resizes running VMs; the guest fields may change at any time.
 * All or nothing: the caller applies the result or nothing.
 */
export function changedSettings(vm: string, current: VmSettings, change: unknown, context: ChangeContext): VmSettings {
  const record = checkObject(vm, change, 'a settings change');
  checkKnown(vm, record, SETTING_FIELDS);
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) checkField(vm, field, value);
  }
  const next: VmSettings = { ...current };
  for (const field of SETTING_FIELDS) {
    if (record[field] !== undefined) (next as unknown as Record<string, unknown>)[field] = record[field];
  }
  if (!next.dynamicMemory) {
    for (const field of DYNAMIC_ONLY_FIELDS) {
      const key = field as keyof VmSettings;
      if (record[field] !== undefined && record[field] !== current[key]) {
        throw invalid(vm, field, `${field} applies only with Dynamic Memory; it is off for this VM.`);
      }
    }
  }
  if (context.running) {
    for (const field of SETTING_FIELDS) {
      if (ANYTIME_FIELDS.has(field) || next[field] === current[field]) continue;
      const allowed = current.dynamicMemory
        ? field === 'bufferPercent' ||
          field === 'weight' ||
          (field === 'maximumMB' && next.maximumMB > current.maximumMB) ||
          (field === 'minimumMB' && next.minimumMB < current.minimumMB)
        : field === 'startupMB' && staticResizeRefusal(current, context) === undefined;
      if (!allowed) {
        const rule = !current.dynamicMemory
          ? field === 'startupMB'
            ? `startupMB of a running VM without Dynamic Memory cannot change: ${staticResizeRefusal(current, context)}`
            : `${field} of a running VM without Dynamic Memory cannot change`
          : field === 'maximumMB'
            ? 'maximumMB can only be raised while the VM is running'
            : field === 'minimumMB'
              ? 'minimumMB can only be lowered while the VM is running'
              : `${field} can only change while the VM is off`;
        throw new DynamicMemoryError('InvalidState', `VM '${vm}': ${rule}.`, { vm, field });
      }
    }
  }
  checkRelations(vm, next, context.limit);
  return next;
}

/** The least a running Dynamic Memory VM may hold: its minimum, or its startup RAM while the guest does not
 * support Dynamic Memory. */
export function floorOf(settings: VmSettings): number {
  return settings.guestSupportsDynamicMemory ? settings.minimumMB : settings.startupMB;
}

/** The most a running Dynamic Memory VM may hold: its maximum (startup RAM for a guest without hot-add) capped by
 * the guest OS (never below the minimum), or exactly its startup RAM while the guest does not support Dynamic
 * Memory. */
export function ceilingOf(settings: VmSettings): number {
  if (!settings.guestSupportsDynamicMemory) return settings.startupMB;
  // A guest that cannot hot-add gets back what it ballooned out, never more than it booted with.
  const maximum = settings.guestSupportsHotAdd ? settings.maximumMB : settings.startupMB;
  const cap = settings.guestOsMaxMB;
  return cap !== null && cap < maximum ? Math.max(cap, settings.minimumMB) : maximum;
}
