// Host options: validation, defaults, and the automatic host reserve.
import { DynamicMemoryError, shown } from '../errors.ts';
import { type NumaLayout, resolveNuma } from './numa.ts';
import { type PolicyName, type PolicyOptions, type ResolvedPolicy, resolvePolicy } from './policy.ts';
import { DEFAULT_HYPERV_VERSION, HYPERV_VERSIONS, type HyperVVersion, VERSION_RULES } from './versions.ts';

export interface HostOptions {
  /** Physical memory of the host, MB. */
  memoryMB: number;
  /** Memory kept for the host OS: 'auto' (default) or MB. */
  reserveMB?: 'auto' | number;
  /** A member of a failover cluster. Default false (true for `createCluster` members). */
  failoverCluster?: boolean;
  /** A failover-cluster member's 'auto' reserve also keeps the cluster's RootMemoryReserved (512 MB), as Windows
   * Server 2008 R2 did; unsupported since, so off by default. */
  rootMemoryReserved?: boolean;
  /** Windows Server version of Hyper-V: '2012R2', '2016', '2019', '2022' or '2025' (default, the newest). */
  version?: HyperVVersion;
  /** Largest memory a VM may be given, MB. Default: the version's limit for a Generation 2 VM (1 TB on 2012 R2,
   * 12 TB on 2016/2019, 240 TB on 2022/2025); Generation 1 VMs are held to 1 TB on every version. */
  maxVmMemoryMB?: number;
  /** MB a VM can give back by ballooning per second. Default 128. */
  balloonRateMBps?: number;
  /** MB within which a VM's memory is left at its goal instead of being adjusted. Default 0 (every difference
   * is acted on, so assignments are exactly the balancer's). */
  hysteresisMB?: number;
  /** Seconds a start may wait for memory ballooned out of other VMs before it fails with OutOfMemory. Default 30
   * (Microsoft's Dynamic Memory test notes: "There is a 30 second timeout"). */
  startTimeoutSeconds?: number;
  /** Name of the host (used in clusters and errors). Default 'host'. */
  name?: string;
  /** The allocation policy: 'hyperv' (default, Dynamic Memory), 'static', or a peer hypervisor's rule:
   * 'squeezed' (Xen), 'qmemman' (Qubes), 'mom' (oVirt), 'proxmox', 'esx' (VMware). See README "Policies". */
  policy?: PolicyName;
  /** The peer policy's knobs (each has the peer's default). */
  policyOptions?: PolicyOptions;
  /** NUMA nodes: a count splitting the memory evenly, or each node's size in MB (adding up to memoryMB).
   * Default: one node. */
  numaNodes?: number | number[];
  /** NUMA spanning (default true, as Hyper-V): VMs take memory from every node, one pool. Off: every VM lives on
   * one node, placed at start, and each node balances on its own. */
  numaSpanning?: boolean;
}

export interface ResolvedHostOptions {
  name: string;
  memoryMB: number;
  reserveMB: number;
  reserveSetting: 'auto' | number;
  failoverCluster: boolean;
  rootMemoryReserved: boolean;
  version: HyperVVersion;
  maxVmMemoryMB: number;
  balloonRateMBps: number;
  hysteresisMB: number;
  startTimeoutSeconds: number;
  policy: ResolvedPolicy;
  numa: NumaLayout;
}

const HOST_FIELDS = [
  'memoryMB',
  'reserveMB',
  'failoverCluster',
  'rootMemoryReserved',
  'version',
  'maxVmMemoryMB',
  'balloonRateMBps',
  'hysteresisMB',
  'startTimeoutSeconds',
  'name',
  'policy',
  'policyOptions',
  'numaNodes',
  'numaSpanning',
];

/** How long a start waits for memory by default, seconds (Microsoft's Dynamic Memory test notes). */
export const DEFAULT_START_TIMEOUT_SECONDS = 30;

/** The cluster's RootMemoryReserved default on Windows Server 2008 R2 (512 MB), kept with `rootMemoryReserved`. */
export const CLUSTER_RESERVE_MB = 512;

/**
 * The automatic host reserve, MB: 384 MB + 64 MB per GB of host memory, the MemoryReserve default of Windows
 * Server 2008 R2 SP1 as third parties published it. Microsoft publishes no formula: since Windows Server 2012 R2
 * the host computes its reserve dynamically, so this is an approximation (a replay takes the reserve from the
 * recording instead). `rootMemoryReserved` adds the cluster's 512 MB RootMemoryReserved of 2008 R2.
 * @example autoReserveMB(65536) // 4480
 */
export function autoReserveMB(memoryMB: number, rootMemoryReserved = false): number {
  if (typeof memoryMB !== 'number' || !Number.isSafeInteger(memoryMB) || memoryMB < 0)
    throw bad('memoryMB', `memoryMB must be a whole number of MB, not ${shown(memoryMB)}.`);
  if (typeof rootMemoryReserved !== 'boolean')
    throw bad('rootMemoryReserved', 'rootMemoryReserved must be true or false.');
  const base = 384 + Math.ceil((64 * memoryMB) / 1024);
  return base + (rootMemoryReserved ? CLUSTER_RESERVE_MB : 0);
}

function bad(field: string, message: string, host?: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `Host${host ? ` '${host}'` : ''}: ${message}`, {
    field,
    ...(host === undefined ? {} : { host }),
  });
}

function wholeMB(value: unknown, field: string, host: string | undefined, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw bad(field, `${field} must be a whole number of MB of at least ${min}, not ${shown(value)}.`, host);
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
  if (typeof name !== 'string' || name.trim() === '')
    throw bad('name', `name must be a string with more than blanks, not ${shown(name)}.`);
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
  if (o.rootMemoryReserved !== undefined && typeof o.rootMemoryReserved !== 'boolean') {
    throw bad('rootMemoryReserved', 'rootMemoryReserved must be true or false.', name);
  }
  const rootMemoryReserved = o.rootMemoryReserved === true;
  if (rootMemoryReserved && !failoverCluster) {
    throw bad('rootMemoryReserved', 'rootMemoryReserved applies only to a failover-cluster member.', name);
  }
  const reserveSetting = o.reserveMB === undefined ? 'auto' : o.reserveMB;
  let reserveMB: number;
  if (reserveSetting === 'auto') reserveMB = autoReserveMB(memoryMB, rootMemoryReserved);
  else reserveMB = wholeMB(reserveSetting, 'reserveMB', name, 0);
  if (reserveMB >= memoryMB) {
    throw bad('reserveMB', `the host reserve (${reserveMB} MB) leaves nothing of ${memoryMB} MB for VMs.`, name);
  }
  const version = o.version === undefined ? DEFAULT_HYPERV_VERSION : o.version;
  if (!HYPERV_VERSIONS.includes(version as HyperVVersion)) {
    throw bad('version', `version must be one of ${HYPERV_VERSIONS.join(', ')}, not ${shown(version)}.`, name);
  }
  const versionLimit = VERSION_RULES[version as HyperVVersion].maxVmMemoryMB[2];
  const maxVmMemoryMB =
    o.maxVmMemoryMB === undefined ? versionLimit : wholeMB(o.maxVmMemoryMB, 'maxVmMemoryMB', name, 32);
  if (maxVmMemoryMB % 2 !== 0) {
    throw new DynamicMemoryError(
      'NotAligned',
      `Host '${name}': Memory values must be properly aligned: maxVmMemoryMB ${maxVmMemoryMB} MB is not a multiple of 2 MB.`,
      { field: 'maxVmMemoryMB', host: name },
    );
  }
  if (maxVmMemoryMB > versionLimit) {
    throw bad(
      'maxVmMemoryMB',
      `maxVmMemoryMB ${maxVmMemoryMB} MB is above the ${versionLimit} MB that Windows Server ${version} allows a VM.`,
      name,
    );
  }
  const balloonRateMBps =
    o.balloonRateMBps === undefined ? 128 : wholeMB(o.balloonRateMBps, 'balloonRateMBps', name, 1);
  const hysteresisMB = o.hysteresisMB === undefined ? 0 : wholeMB(o.hysteresisMB, 'hysteresisMB', name, 0);
  const startTimeoutSeconds = o.startTimeoutSeconds ?? DEFAULT_START_TIMEOUT_SECONDS;
  if (typeof startTimeoutSeconds !== 'number' || !Number.isFinite(startTimeoutSeconds) || startTimeoutSeconds <= 0) {
    throw bad(
      'startTimeoutSeconds',
      `startTimeoutSeconds must be a number of seconds above 0, not ${shown(startTimeoutSeconds)}.`,
      name,
    );
  }
  const policy = resolvePolicy(o.policy, o.policyOptions, memoryMB, name);
  const numa = resolveNuma(o.numaNodes, o.numaSpanning, memoryMB, reserveMB, name);
  return {
    name,
    memoryMB,
    reserveMB,
    reserveSetting: reserveSetting as 'auto' | number,
    failoverCluster,
    rootMemoryReserved,
    version: version as HyperVVersion,
    maxVmMemoryMB,
    balloonRateMBps,
    hysteresisMB,
    startTimeoutSeconds,
    policy,
    numa,
  };
}
