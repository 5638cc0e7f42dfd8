// Host options: validation, defaults, and the automatic host reserve.
import { DynamicMemoryError } from '../errors.ts';
import { DEFAULT_MAX_VM_MEMORY_MB } from '../settings.ts';

export interface HostOptions {
  /** Physical memory of the host, MB. */
  memoryMB: number;
  /** Memory kept for the host OS: 'auto' (default) or MB. */
  reserveMB?: 'auto' | number;
  /** A member of a failover cluster reserves more for cluster services. Default false. */
  failoverCluster?: boolean;
  /** Largest memory a VM may be given, MB. Default 1 TB (1,048,576). */
  maxVmMemoryMB?: number;
  /** MB a VM can give back by ballooning per second. Default 128. */
  balloonRateMBps?: number;
  /** MB within which a VM's memory is left at its goal instead of being adjusted. Default 0 (every difference
   * is acted on, so assignments are exactly the balancer's). */
  hysteresisMB?: number;
  /** Name of the host (used in clusters and errors). Default 'host'. */
  name?: string;
}

export interface ResolvedHostOptions {
  name: string;
  memoryMB: number;
  reserveMB: number;
  reserveSetting: 'auto' | number;
  failoverCluster: boolean;
  maxVmMemoryMB: number;
  balloonRateMBps: number;
  hysteresisMB: number;
}

const HOST_FIELDS = [
  'memoryMB',
  'reserveMB',
  'failoverCluster',
  'maxVmMemoryMB',
  'balloonRateMBps',
  'hysteresisMB',
  'name',
];

/** Extra reserve of a failover-cluster member: the cluster's RootMemoryReserved default (512 MB). */
export const CLUSTER_RESERVE_MB = 512;

/**
 * The automatic host reserve, MB: 384 MB + 64 MB per GB of host memory, the default MemoryReserve that
 * Windows Server 2008 R2 SP1 computes (the last version for which the formula was published; Microsoft
 * documents none for later versions), plus CLUSTER_RESERVE_MB on a failover-cluster member.
 * @example autoReserveMB(65536, false) // 4480
 */
export function autoReserveMB(memoryMB: number, failoverCluster: boolean): number {
  const base = 384 + Math.ceil((64 * memoryMB) / 1024);
  return base + (failoverCluster ? CLUSTER_RESERVE_MB : 0);
}

function bad(field: string, message: string, host?: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `Host${host ? ` '${host}'` : ''}: ${message}`, {
    field,
    ...(host === undefined ? {} : { host }),
  });
}

function wholeMB(value: unknown, field: string, host: string | undefined, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw bad(field, `${field} must be a whole number of MB of at least ${min}, not ${String(value)}.`, host);
  }
  return value;
}

/** Checks host options and fills in defaults. Extra field names (engine options) may be allowed by the caller. */
export function resolveHostOptions(
  input: unknown,
  allowed: readonly string[] = [],
  defaultName = 'host',
): ResolvedHostOptions {
  if (typeof input !== 'object' || input === null) throw bad('memoryMB', 'options must be an object with memoryMB.');
  const o = input as Record<string, unknown>;
  const name = o.name === undefined ? defaultName : o.name;
  if (typeof name !== 'string' || name === '')
    throw bad('name', `name must be a non-empty string, not ${String(name)}.`);
  for (const key of Object.keys(o)) {
    if (!HOST_FIELDS.includes(key) && !allowed.includes(key)) {
      throw bad(key, `unknown option '${key}' (known: ${[...HOST_FIELDS, ...allowed].join(', ')}).`, name);
    }
  }
  const memoryMB = wholeMB(o.memoryMB, 'memoryMB', name, 64);
  if (o.failoverCluster !== undefined && typeof o.failoverCluster !== 'boolean') {
    throw bad('failoverCluster', 'failoverCluster must be true or false.', name);
  }
  const failoverCluster = o.failoverCluster === true;
  const reserveSetting = o.reserveMB ?? 'auto';
  let reserveMB: number;
  if (reserveSetting === 'auto') reserveMB = autoReserveMB(memoryMB, failoverCluster);
  else reserveMB = wholeMB(reserveSetting, 'reserveMB', name, 0);
  if (reserveMB >= memoryMB) {
    throw bad('reserveMB', `the host reserve (${reserveMB} MB) leaves nothing of ${memoryMB} MB for VMs.`, name);
  }
  const maxVmMemoryMB =
    o.maxVmMemoryMB === undefined ? DEFAULT_MAX_VM_MEMORY_MB : wholeMB(o.maxVmMemoryMB, 'maxVmMemoryMB', name, 32);
  const balloonRateMBps =
    o.balloonRateMBps === undefined ? 128 : wholeMB(o.balloonRateMBps, 'balloonRateMBps', name, 1);
  const hysteresisMB = o.hysteresisMB === undefined ? 0 : wholeMB(o.hysteresisMB, 'hysteresisMB', name, 0);
  return {
    name,
    memoryMB,
    reserveMB,
    reserveSetting: reserveSetting as 'auto' | number,
    failoverCluster,
    maxVmMemoryMB,
    balloonRateMBps,
    hysteresisMB,
  };
}
