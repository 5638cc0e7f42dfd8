// The allocation policy of a host: Hyper-V Dynamic Memory (the default) or a peer hypervisor's rule, with the
// peer's own knobs and defaults (see README "Policies"): validation and defaults (the store writes the columns).
import { DynamicMemoryError, shown } from '../errors.ts';

export const POLICIES = ['hyperv', 'static', 'squeezed', 'qmemman', 'mom', 'proxmox', 'esx'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Knobs of the peer policies; each policy accepts its own and `intervalSeconds`. */
export interface PolicyOptions {
  /** Seconds between the policy's decisions (peers only): squeezed 10, qmemman 1, mom 10, proxmox 10, esx 60. */
  intervalSeconds?: number;
  /** squeezed: MB the host keeps free (1 MB emergency pool + 8 MB). Default 9. */
  slushMB?: number;
  /** qmemman: preferred memory = this × used. Default 1.3. */
  preferenceFactor?: number;
  /** qmemman: the least preferred memory, MB. Default 200. */
  minPreferredMB?: number;
  /** qmemman: a donor with less excess than this (MB) is left alone when memory is short. Default 10. */
  donorMinimumMB?: number;
  /** mom: host free fraction below which guests shrink. Default 0.20. */
  pressureThreshold?: number;
  /** mom: host free fraction at or below which guests are squeezed below their used memory. Default 0.05. */
  criticalThreshold?: number;
  /** mom: free fraction each guest keeps when the host is not short. Default 0.20. */
  minGuestFree?: number;
  /** mom: largest change of a guest's memory per interval, fraction. Default 0.05. */
  maxChange?: number;
  /** mom: smallest change acted on (dead-band), fraction. Default 0.0025. */
  minChange?: number;
  /** proxmox: the host memory use aimed at, percent. Default 80. */
  targetPercent?: number;
  /** proxmox: most a VM moves per cycle, MB. Default 100. */
  maxChangeMB?: number;
  /** proxmox: host dead-band, MB: nothing moves while the set-point is this close. Default 10. */
  deadbandMB?: number;
  /** esx: the idle memory tax τ, 0 ≤ τ < 1. Default 0.75. */
  idleTax?: number;
  /** esx: memory the host keeps free, MB, or 'auto' (899 MB for the first 28 GB plus 1 % of the rest). */
  minFreeMB?: 'auto' | number;
}

export interface ResolvedPolicy {
  name: PolicyName;
  /** The peer's decision interval, seconds (hyperv and static: every balancer tick). */
  intervalSeconds: number;
  /** The policy's knobs with their defaults filled in (minFreeMB in MB); none for hyperv and static. */
  options: Readonly<Partial<Record<Knob | 'minFreeMB', number>>>;
}

type Knob = Exclude<keyof PolicyOptions, 'intervalSeconds' | 'minFreeMB'>;

/** Each peer's knobs and defaults (the peer's own, see PEERS in README "Policies"). */
const KNOBS: Record<PolicyName, Partial<Record<Knob | 'intervalSeconds' | 'minFreeMB', number>>> = {
  hyperv: {},
  static: {},
  squeezed: { intervalSeconds: 10, slushMB: 9 },
  qmemman: { intervalSeconds: 1, preferenceFactor: 1.3, minPreferredMB: 200, donorMinimumMB: 10 },
  mom: {
    intervalSeconds: 10,
    pressureThreshold: 0.2,
    criticalThreshold: 0.05,
    minGuestFree: 0.2,
    maxChange: 0.05,
    minChange: 0.0025,
  },
  proxmox: { intervalSeconds: 10, targetPercent: 80, maxChangeMB: 100, deadbandMB: 10 },
  esx: { intervalSeconds: 60, idleTax: 0.75, minFreeMB: -1 },
};

/** What each knob accepts: [least, most, whole numbers only]. */
const RANGES: Record<Knob | 'intervalSeconds' | 'minFreeMB', [number, number, boolean]> = {
  intervalSeconds: [Number.MIN_VALUE, 86_400, false],
  slushMB: [0, Number.MAX_SAFE_INTEGER, true],
  preferenceFactor: [1, 10, false],
  minPreferredMB: [0, Number.MAX_SAFE_INTEGER, true],
  donorMinimumMB: [0, Number.MAX_SAFE_INTEGER, true],
  pressureThreshold: [0, 1, false],
  criticalThreshold: [0, 1, false],
  minGuestFree: [0, 1, false],
  maxChange: [0, 1, false],
  minChange: [0, 1, false],
  targetPercent: [1, 100, false],
  maxChangeMB: [1, Number.MAX_SAFE_INTEGER, true],
  deadbandMB: [0, Number.MAX_SAFE_INTEGER, true],
  idleTax: [0, 0.99, false],
  minFreeMB: [0, Number.MAX_SAFE_INTEGER, true],
};

/**
 * ESX's minFree, MB: 899 MB for the first 28 GB of host memory plus 1 % of the rest (vSphere 6); a host smaller
 * than 28 GB keeps the same share of its memory (899 / 28,672).
 * @example esxMinFreeMB(65536) // 899 + 369 = 1268
 */
export function esxMinFreeMB(memoryMB: number): number {
  const first = 28 * 1024;
  if (memoryMB <= first) return Math.ceil((899 * memoryMB) / first);
  return 899 + Math.ceil((memoryMB - first) / 100);
}

function bad(field: string, message: string, host: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `Host '${host}': ${message}`, { field, host });
}

/** Checks `policy` and `policyOptions` and fills in the peer's defaults. */
export function resolvePolicy(policy: unknown, options: unknown, memoryMB: number, host: string): ResolvedPolicy {
  const name = policy === undefined ? 'hyperv' : policy;
  if (typeof name !== 'string' || !(POLICIES as readonly string[]).includes(name)) {
    throw bad('policy', `policy must be one of ${POLICIES.join(', ')}, not ${shown(name)}.`, host);
  }
  const knobs = KNOBS[name as PolicyName];
  const allowed = Object.keys(knobs);
  const given = options === undefined ? {} : options;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw bad('policyOptions', 'policyOptions must be an object.', host);
  }
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(given)) {
    const field = `policyOptions.${key}`;
    if (!allowed.includes(key)) {
      const known = allowed.length ? `its options are ${allowed.join(', ')}` : 'it has no options';
      throw bad(field, `policy '${name}' has no option '${key}' (${known}).`, host);
    }
    if (key === 'minFreeMB' && value === 'auto') continue;
    const [least, most, whole] = RANGES[key as Knob];
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < least ||
      value > most ||
      (whole && !Number.isInteger(value))
    ) {
      const kind = whole ? 'a whole number' : 'a number';
      throw bad(
        field,
        `${field} must be ${kind} from ${least === Number.MIN_VALUE ? 'above 0' : least} to ${most}, not ${String(value)}.`,
        host,
      );
    }
    values[key] = value;
  }
  const merged = { ...knobs, ...values } as Record<string, number>;
  if (name === 'mom' && merged.criticalThreshold! >= merged.pressureThreshold!) {
    throw bad('policyOptions.criticalThreshold', 'mom criticalThreshold must be below pressureThreshold.', host);
  }
  if (merged.minFreeMB === -1) merged.minFreeMB = esxMinFreeMB(memoryMB);
  return {
    name: name as PolicyName,
    intervalSeconds: merged.intervalSeconds ?? 0,
    options: merged,
  };
}
