// A fleet's whole state as plain data, and a new fleet made from it: the registry (hosts, VMs, rows) and every
// engine column by the column lists, so a column added to the kernel is saved and restored without a change here.
import { HOST_COLUMNS, SAVED_VM_COLUMNS } from '../engine/columns.ts';
import type { EngineKind } from '../engine/engine.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { createFleet } from '../host/create.ts';
import type { BalancerOptions, Fleet, RowLayout, VmRecord } from '../host/fleet.ts';
import { type ResolvedHostOptions, resolveHostOptions } from '../host/options.ts';
import { newVmSettings, SETTING_FIELDS, type VmSettings } from '../settings.ts';
import { badCheckpoint, flag, list, object, type RestoreOptions, wholeIn } from './format.ts';

const BALANCER_FIELDS: readonly (keyof BalancerOptions)[] = [
  'balancerIntervalSeconds',
  'bootSeconds',
  'pressureWindowSeconds',
];

export interface FleetState {
  balancer: BalancerOptions;
  ticks: number;
  hosts: { options: ResolvedHostOptions; failed: boolean; members: string[] }[];
  /** In the order they were added; `node`: the NUMA node of a VM on a host whose nodes balance on their own. */
  vms: { name: string; slot: number; host: number; node: number; settings: VmSettings }[];
  rows: RowLayout;
  /** Starts waiting for their memory, in the order they began, each with the host it goes back to on a timeout. */
  gathering: { vm: string; home: number }[];
  /** Each engine column's rows in use, by column name (typed by name where read: see `columnsOf`). */
  columns: { vms: Record<string, ArrayLike<number>>; hosts: Record<string, ArrayLike<number>> };
}

/** The fleet's state (numbers as they are: the checkpoint envelope encodes them). */
export function saveFleet(fleet: Fleet): FleetState {
  const rows = fleet.rowLayout;
  const v = fleet.store.vms;
  const h = fleet.store.hosts;
  // copies of the rows in use (the envelope turns them into arrays)
  const columns = <Name extends string>(
    names: readonly Name[],
    store: Record<Name, Readonly<Float64Array>>,
    n: number,
  ) => Object.fromEntries(names.map((name) => [name, store[name].slice(0, n)])) as unknown as Record<Name, number[]>;
  return {
    balancer: { ...fleet.balancer },
    ticks: fleet.ticks,
    hosts: fleet.hosts.map((host) => ({
      options: structuredClone(host.options),
      failed: host.failed,
      members: [...host.members].map((record) => record.name),
    })),
    vms: [...fleet.allVms()].map(({ name, slot, host, node, settings }) => ({
      name,
      slot,
      host,
      node,
      settings: { ...settings },
    })),
    rows,
    gathering: [...fleet.gathering].map(([record, home]) => ({ vm: record.name, home })),
    // the host columns hold the kernel's memory pools: a host's, or each of its NUMA nodes'
    columns: { vms: columns(SAVED_VM_COLUMNS, v, rows.rows), hosts: columns(HOST_COLUMNS, h, fleet.poolTotal) },
  };
}

// ---- restoring ---------------------------------------------------------------------------------------------

/** A library refusal of a saved setting, as a refusal of the checkpoint naming where the setting is. */
function checked<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DynamicMemoryError)) throw error;
    throw badCheckpoint(error.field ? `${field}.${error.field}` : field, error.message);
  }
}

/** The host options a user would give to get `saved`, checked by the same rules as createHost's. */
function hostOptions(saved: unknown, field: string): ResolvedHostOptions {
  const o = object(saved, field) as unknown as ResolvedHostOptions;
  const policy = object(o.policy, `${field}.policy`) as unknown as ResolvedHostOptions['policy'];
  const peer = policy.name !== 'hyperv' && policy.name !== 'static';
  const resolved = checked(field, () =>
    resolveHostOptions({
      name: o.name,
      memoryMB: o.memoryMB,
      reserveMB: o.reserveSetting,
      failoverCluster: o.failoverCluster,
      rootMemoryReserved: o.rootMemoryReserved,
      version: o.version,
      maxVmMemoryMB: o.maxVmMemoryMB,
      balloonRateMBps: o.balloonRateMBps,
      hysteresisMB: o.hysteresisMB,
      startTimeoutSeconds: o.startTimeoutSeconds,
      numaNodes: o.numa?.nodesMB,
      numaSpanning: o.numa?.spanning,
      policy: policy.name,
      ...(peer ? { policyOptions: policy.options } : {}),
    }),
  );
  if (JSON.stringify(resolved) !== JSON.stringify(saved)) {
    throw badCheckpoint(field, `${field} are not options this release resolves to (reserve or policy differ).`);
  }
  return resolved;
}

/** How many memory pools the kernel balances for a host: one, or one per NUMA node balancing on its own. */
function poolsOf(options: ResolvedHostOptions): number {
  return options.numa.perNode ? options.numa.nodesMB.length : 1;
}

/** A VM's saved settings, checked by the rules of addVm (every field present; no host limit: it was placed). */
function vmSettings(saved: unknown, name: string, field: string): VmSettings {
  const given = object(saved, field);
  const missing = SETTING_FIELDS.find((key) => !(key in given));
  if (missing !== undefined) throw badCheckpoint(`${field}.${missing}`, `${field}.${missing} is missing.`);
  return checked(field, () => newVmSettings({ ...given, name }, () => Infinity));
}

function columnsOf<Name extends string>(value: unknown, names: readonly Name[], rows: number, field: string) {
  const given = object(value, field);
  const unknown = Object.keys(given).find((key) => !(names as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw badCheckpoint(`${field}.${unknown}`, `column ${shown(unknown)} is not one of this release's columns.`);
  }
  const out = {} as Record<Name, number[]>;
  for (const name of names) {
    if (given[name] === undefined) {
      throw badCheckpoint(`${field}.${name}`, `column ${name} is missing: written by a release with other columns.`);
    }
    const column = list(given[name], `${field}.${name}`);
    if (column.length !== rows || column.some((x) => typeof x !== 'number')) {
      throw badCheckpoint(`${field}.${name}`, `column ${name} must hold ${rows} number${rows === 1 ? '' : 's'}.`);
    }
    out[name] = column as number[];
  }
  return out;
}

/** A new fleet in exactly the saved state. @throws DynamicMemoryError 'InvalidCheckpoint' naming the field. */
export async function restoreFleet(input: unknown, options: RestoreOptions, field = 'state.fleet'): Promise<Fleet> {
  const s = object(input, field);
  const restore = object(options ?? {}, 'options');
  for (const key of Object.keys(restore)) {
    if (key !== 'engine' && key !== 'wasm' && key !== 'threads') {
      throw new DynamicMemoryError(
        'InvalidSetting',
        `restore: unknown option ${shown(key)} (known: engine, wasm, threads).`,
        {
          field: key,
        },
      );
    }
  }
  const savedBalancer = object(s.balancer, `${field}.balancer`);
  const balancer = Object.fromEntries(
    BALANCER_FIELDS.map((key) => {
      const value = savedBalancer[key];
      if (typeof value !== 'number') throw badCheckpoint(`${field}.balancer.${key}`, `${key} must be a number.`);
      return [key, value];
    }),
  ) as unknown as BalancerOptions;
  const hostsIn = list(s.hosts, `${field}.hosts`);
  if (hostsIn.length === 0) throw badCheckpoint(`${field}.hosts`, `${field}.hosts is empty.`);
  const hosts = hostsIn.map((h, i) => {
    const at = `${field}.hosts[${i}]`;
    const host = object(h, at);
    return {
      options: hostOptions(host.options, `${at}.options`),
      failed: flag(host.failed, `${at}.failed`),
      members: list(host.members, `${at}.members`),
    };
  });
  const rowsIn = object(s.rows, `${field}.rows`);
  const rows: RowLayout = {
    rows: wholeIn(rowsIn.rows, `${field}.rows.rows`, 0, 2 ** 31 - 1),
    freeRows: list(rowsIn.freeRows, `${field}.rows.freeRows`) as number[],
    layoutDirty: flag(rowsIn.layoutDirty, `${field}.rows.layoutDirty`),
  };
  const taken = new Set<number>();
  const records = list(s.vms, `${field}.vms`).map((vm, i): VmRecord => {
    const at = `${field}.vms[${i}]`;
    const o = object(vm, at);
    if (typeof o.name !== 'string') throw badCheckpoint(`${at}.name`, `${at}.name must be a string.`);
    const slot = wholeIn(o.slot, `${at}.slot`, 0, rows.rows - 1);
    if (taken.has(slot)) throw badCheckpoint(`${at}.slot`, `row ${slot} holds two VMs.`);
    taken.add(slot);
    const host = wholeIn(o.host, `${at}.host`, -1, hosts.length - 1);
    const node = wholeIn(o.node, `${at}.node`, 0, host < 0 ? 0 : poolsOf(hosts[host]!.options) - 1);
    return { name: o.name, slot, host, node, settings: vmSettings(o.settings, o.name, `${at}.settings`) };
  });
  rows.freeRows.forEach((row, i) => {
    wholeIn(row, `${field}.rows.freeRows[${i}]`, 0, rows.rows - 1);
    if (taken.has(row)) throw badCheckpoint(`${field}.rows.freeRows[${i}]`, `row ${row} is both free and taken.`);
  });
  const byName = new Map(records.map((record) => [record.name, record]));
  if (byName.size !== records.length) throw badCheckpoint(`${field}.vms`, 'two VMs have the same name.');
  const members = hosts.map((host, h) =>
    host.members.map((name, k) => {
      const record = byName.get(name as string);
      if (record?.host !== h) {
        throw badCheckpoint(`${field}.hosts[${h}].members[${k}]`, `${shown(name)} is not a VM of this host.`);
      }
      return record;
    }),
  );
  const columns = object(s.columns, `${field}.columns`);
  const vmColumns = columnsOf(columns.vms, SAVED_VM_COLUMNS, rows.rows, `${field}.columns.vms`);
  const pools = hosts.reduce((sum, host) => sum + poolsOf(host.options), 0);
  const hostColumns = columnsOf(columns.hosts, HOST_COLUMNS, pools, `${field}.columns.hosts`);
  const ticks = wholeIn(s.ticks, `${field}.ticks`, 0, Number.MAX_SAFE_INTEGER);
  const gathering = list(s.gathering, `${field}.gathering`).map((entry, k) => {
    const at = `${field}.gathering[${k}]`;
    const o = object(entry, at);
    const record = byName.get(o.vm as string);
    if (record === undefined || record.host < 0) throw badCheckpoint(`${at}.vm`, `${shown(o.vm)} is not a placed VM.`);
    return [record, wholeIn(o.home, `${at}.home`, -1, hosts.length - 1)] as const;
  });

  let fleet: Fleet;
  try {
    fleet = await createFleet({
      ...(restore.engine !== undefined ? { engine: restore.engine as EngineKind } : {}),
      ...(restore.wasm !== undefined ? { wasm: restore.wasm as RestoreOptions['wasm'] } : {}),
      ...(restore.threads !== undefined ? { threads: restore.threads as number } : {}),
      ...balancer,
    });
  } catch (error) {
    // engine, wasm and threads are the caller's options, refused as createHost refuses them
    const callers = ['engine', 'wasm', 'threads'];
    if (!(error instanceof DynamicMemoryError) || callers.includes(error.field ?? '')) throw error;
    throw badCheckpoint(`${field}.balancer.${error.field}`, error.message);
  }
  for (const host of hosts) fleet.addHost(host.options).failed = host.failed;
  fleet.restoreVms(records, members, rows);
  fleet.store.restoreColumns(vmColumns, hostColumns);
  fleet.columnsReplaced();
  fleet.ticks = ticks;
  for (const [record, home] of gathering) fleet.gathering.set(record, home);
  return fleet;
}
