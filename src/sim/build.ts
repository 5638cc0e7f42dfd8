// Building a scenario's cluster: hosts, VMs one by one and fleets of VMs from trace folders.

import { type Cluster, createCluster } from '../cluster/cluster.ts';
import { DynamicMemoryError } from '../errors.ts';
import { resolveHostOptions } from '../host/options.ts';
import type { VmConfig } from '../settings.ts';
import { TraceError } from '../traces/errors.ts';
import type { DemandTrace, TraceRepairs } from '../traces/types.ts';
import { constantCurve, type DemandCurve, inlineCurve, traceCurve } from './demand-curve.ts';
import { parseDuration, type Scenario, ScenarioError, type ScenarioVm } from './scenario.ts';
import type { TraceLoader } from './trace-loader.ts';

/** A VM of the run, with where its demand comes from. */
export interface SimVm {
  name: string;
  curve: DemandCurve;
  /** Memory a static configuration would give it, MB. */
  staticMB: number;
  /** When the VM starts (seconds), or undefined to leave it off. */
  startAt?: number;
  initialAssignedMB?: number;
}

export interface TraceFileReport {
  file: string;
  repairs: TraceRepairs;
}

export interface BuiltScenario {
  cluster: Cluster;
  vms: SimVm[];
  traceFiles: TraceFileReport[];
  /** Wall-clock time of simulated time 0: the earliest trace's first sample (Unix seconds), if any trace. */
  startTime?: number;
  /** Traces a fleet left out because their demand is zero throughout (`skipIdle`), by trace VM name. */
  idleTraces: string[];
  /** Things the run did that the scenario did not spell out, in words (e.g. maximums raised to startup RAM). */
  warnings: string[];
}

/** Rethrow a library refusal as a scenario error naming the field's path (`path` maps the refused field). */
function at<T>(path: string | ((field: string | undefined) => string), build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof DynamicMemoryError) {
      const where = typeof path === 'string' ? (error.field ? `${path}.${error.field}` : path) : path(error.field);
      throw new ScenarioError(where, error.message);
    }
    throw error;
  }
}

async function readAll(
  loader: TraceLoader,
  file: string,
  path: string,
  cache: Map<string, DemandTrace[]>,
): Promise<DemandTrace[]> {
  const cached = cache.get(file);
  if (cached) return cached;
  try {
    const traces = await loader.read(file);
    cache.set(file, traces);
    return traces;
  } catch (error) {
    if (error instanceof TraceError) {
      throw new ScenarioError(path, error.message, { file: error.file, line: error.line });
    }
    throw new ScenarioError(path, (error as Error).message, { file });
  }
}

const isIdle = (trace: DemandTrace) => trace.demandMB.every((x) => x === 0);

/** Names for a message: the first ten, then how many more. */
const listed = (names: string[]) =>
  names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');

export async function buildScenario(scenario: Scenario, loader: TraceLoader): Promise<BuiltScenario> {
  const clustered = scenario.hosts.length > 1;
  const hosts = scenario.hosts.map((h, i) => {
    const host = { failoverCluster: clustered, ...h, name: h.name ?? (clustered ? `host-${i + 1}` : 'host') };
    at(`hosts[${i}]`, () => resolveHostOptions(host));
    if (scenario.hosts.slice(0, i).some((other, j) => (other.name ?? `host-${j + 1}`) === host.name)) {
      throw new ScenarioError(`hosts[${i}].name`, `two hosts are named '${host.name}'.`);
    }
    return host;
  });
  const cluster = await createCluster({
    hosts,
    ...(scenario.engine ? { engine: scenario.engine } : {}),
    ...(scenario.threads !== undefined ? { threads: scenario.threads } : {}),
    ...(scenario.balancerIntervalSeconds !== undefined
      ? { balancerIntervalSeconds: scenario.balancerIntervalSeconds }
      : {}),
    ...(scenario.bootSeconds !== undefined ? { bootSeconds: scenario.bootSeconds } : {}),
    ...(scenario.pressureWindowSeconds !== undefined ? { pressureWindowSeconds: scenario.pressureWindowSeconds } : {}),
    ...(scenario.failback !== undefined ? { failback: scenario.failback } : {}),
    ...(scenario.autoBalancer !== undefined ? { autoBalancer: scenario.autoBalancer } : {}),
    ...(scenario.migrationBandwidthMBps !== undefined
      ? { migrationBandwidthMBps: scenario.migrationBandwidthMBps }
      : {}),
  }).catch((error: unknown) => {
    if (error instanceof DynamicMemoryError) throw new ScenarioError(error.field ?? '', error.message);
    throw error;
  });
  const hostNames = cluster.hosts().map((h) => h.name);
  const hostsByName = new Map(cluster.hosts().map((h) => [h.name, h]));
  const soleHost = clustered ? undefined : hostNames[0];
  const cache = new Map<string, DemandTrace[]>();
  const vms: SimVm[] = [];
  const idleTraces: string[] = [];
  const warnings: string[] = [];

  const add = (
    path: string | ((field: string | undefined) => string),
    hostPath: string,
    config: VmConfig,
    host: string | undefined,
  ) =>
    at(path, () => {
      if (host === undefined) return cluster.addVm(config);
      const member = hostsByName.get(host);
      if (!member) throw new ScenarioError(hostPath, `no host is named '${host}' (hosts: ${hostNames.join(', ')}).`);
      return member.addVm(config);
    });

  for (const [i, vm] of (scenario.vms ?? []).entries()) {
    const path = `vms[${i}]`;
    const {
      host,
      start,
      startAt,
      staticMB,
      demandMB,
      trace,
      traceVm,
      demand,
      traceOffset,
      initialAssignedMB,
      ...config
    } = vm as ScenarioVm;
    let curve = constantCurve(0);
    let provisioned: number | undefined;
    if (demandMB !== undefined) {
      if (!(Number.isFinite(demandMB) && demandMB >= 0))
        throw new ScenarioError(`${path}.demandMB`, 'expected MB ≥ 0.');
      curve = constantCurve(demandMB);
    } else if (demand !== undefined) {
      curve = inlineCurve(demand);
    } else if (trace !== undefined) {
      const traces = await readAll(loader, trace, `${path}.trace`, cache);
      const wanted = traceVm ?? (traces.length === 1 ? traces[0]!.vm : vm.name);
      const found = traces.find((t) => t.vm === wanted);
      if (!found)
        throw new ScenarioError(
          `${path}.traceVm`,
          `${trace} has no VM '${wanted}' (it has ${traces.map((t) => t.vm).join(', ')}).`,
        );
      curve = traceCurve(found, traceOffset === undefined ? 0 : parseDuration(traceOffset, `${path}.traceOffset`));
      provisioned = found.provisionedMB;
    }
    add(path, `${path}.host`, config, host ?? soleHost);
    vms.push({
      name: vm.name,
      curve,
      staticMB: staticMB ?? provisioned ?? config.startupMB ?? 512,
      ...(start === false ? {} : { startAt: startAt === undefined ? 0 : parseDuration(startAt, `${path}.startAt`) }),
      ...(initialAssignedMB !== undefined ? { initialAssignedMB } : {}),
    });
  }

  for (const [i, fleet] of (scenario.fleets ?? []).entries()) {
    const path = `fleets[${i}]`;
    let files: string[];
    try {
      files = await loader.list(fleet.traces);
    } catch (error) {
      throw new ScenarioError(`${path}.traces`, (error as Error).message, { file: fleet.traces });
    }
    // read side by side (a hundred files waited for one by one leave the process idle), refused in file order
    const fresh = new Set(files.filter((file) => !cache.has(file)));
    const read = await Promise.allSettled(files.map((file) => readAll(loader, file, `${path}.traces`, cache)));
    const refused = read.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    // the cache lists files in the order they were first asked for (the summary's trace list), not as reads ended
    for (const file of fresh) {
      const traces = cache.get(file)!;
      cache.delete(file);
      cache.set(file, traces);
    }
    const traces = read.flatMap((r) => (r as PromiseFulfilledResult<DemandTrace[]>).value);
    const usable = fleet.skipIdle === false ? traces : traces.filter((t) => !isIdle(t));
    if (usable.length < traces.length) idleTraces.push(...traces.filter(isIdle).map((t) => t.vm));
    if (usable.length === 0) throw new ScenarioError(`${path}.traces`, `no usable traces in ${fleet.traces}.`);
    const count = fleet.count ?? usable.length;
    const shift = fleet.copyShift === undefined ? 3600 : parseDuration(fleet.copyShift, `${path}.copyShift`);
    const template = fleet.template ?? {};
    const spread = fleet.startSpread === undefined ? 0 : parseDuration(fleet.startSpread, `${path}.startSpread`);
    const raised: string[] = [];
    for (let k = 0; k < count; k++) {
      const trace = usable[k % usable.length]!;
      const copy = Math.floor(k / usable.length);
      const name = `${fleet.prefix ?? ''}${trace.vm}${copy > 0 ? `#${copy}` : ''}`;
      const config: VmConfig = { ...template, name };
      if (fleet.startupFromProvisioned && trace.provisionedMB !== undefined) config.startupMB = trace.provisionedMB;
      if (fleet.maximumFromProvisioned && trace.provisionedMB !== undefined) {
        // A maximum below startup RAM is refused by Hyper-V: such a VM keeps startup RAM as its maximum, and says so.
        config.maximumMB = Math.max(trace.provisionedMB, config.startupMB ?? 512);
        if (config.maximumMB > trace.provisionedMB) raised.push(name);
      }
      const host = fleet.hosts ? fleet.hosts[k % fleet.hosts.length] : soleHost;
      // A refused setting comes from the template (or from the provisioned memory); the message names the VM.
      const fieldPath = (field: string | undefined) =>
        field === 'maximumMB' && fleet.maximumFromProvisioned
          ? `${path}.maximumFromProvisioned`
          : field === 'startupMB' && fleet.startupFromProvisioned
            ? `${path}.startupFromProvisioned`
            : field === 'name'
              ? `${path}.prefix`
              : field
                ? `${path}.template.${field}`
                : path;
      add(fieldPath, `${path}.hosts`, config, host);
      vms.push({
        name,
        curve: traceCurve(trace, copy * shift),
        staticMB: (fleet.maximumFromProvisioned ? trace.provisionedMB : undefined) ?? config.startupMB ?? 512,
        ...(fleet.start === false ? {} : { startAt: Math.floor((k * spread) / count) }),
      });
    }
    if (raised.length) {
      warnings.push(
        `${path}.maximumFromProvisioned: ${raised.length} VM${raised.length === 1 ? '' : 's'} provisioned with less ` +
          `than startupMB (${template.startupMB ?? 512} MB) got startupMB as maximum: ${listed(raised)}.`,
      );
    }
  }
  if (vms.length === 0) throw new ScenarioError('vms', 'the scenario has no VMs (give vms or fleets).');

  // Reports name a fleet's files by their folder and file name only, never by a machine's absolute path.
  const label = (file: string) => file.split(/[\\/]/).filter(Boolean).slice(-2).join('/');
  const traceFiles = [...cache.entries()].flatMap(([file, traces]) =>
    traces.map((t) => ({
      file: traces.length > 1 ? `${label(file)} (${t.vm})` : label(file),
      repairs: t.repairs,
    })),
  );
  const starts = [...cache.values()].flat().map((t) => t.startTime);
  return {
    cluster,
    vms,
    traceFiles,
    idleTraces,
    warnings,
    ...(starts.length ? { startTime: Math.min(...starts) } : {}),
  };
}
