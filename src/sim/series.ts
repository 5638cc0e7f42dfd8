// Time series sampled during a run: per host, the whole cluster, and (optionally) per VM.
import type { Cluster } from '../cluster/cluster.ts';
import { OFF, RUNNING } from '../host/fleet.ts';
import { poolPressures } from '../host/snapshot.ts';

/**
 * A host's series, one value per sample. Most are the value at the sample; those named for a maximum or a minimum,
 * and Smart Paging, hold the most (least) any balancer tick reached since the sample before, so that an episode
 * shorter than the sample interval still shows. In `total`, those are Σ over hosts (pressure: over all hosts) of
 * each host's extreme: hosts reach them at different ticks, so a total's extremes bound the cluster's own.
 */
export interface HostSeries {
  name: string;
  /** Σ physical memory given to VMs, MB. */
  assignedMB: number[];
  /** The most and the least Σ physical memory given to VMs at any tick since the sample before, MB. */
  assignedMaxMB: number[];
  assignedMinMB: number[];
  /** Σ demand of the VMs that are on, MB. */
  demandMB: number[];
  /** Available Memory, MB. */
  availableMB: number[];
  /** System Current Pressure. */
  pressure: number[];
  /** The highest and the lowest System Current Pressure at any tick since the sample before (total: of any host);
   * NaN where no Dynamic Memory VM ran (no pressure to speak of). */
  pressureMax: number[];
  pressureMin: number[];
  averagePressure: number[];
  /** Σ Smart Paging in use, MB: the most at any tick since the sample before. */
  smartPagingMB: number[];
  runningVms: number[];
  /** VMs whose demand was above their memory: the most at any tick since the sample before. */
  shortVms: number[];
}

export interface VmSeries {
  name: string;
  assignedMB: number[];
  demandMB: number[];
  pressure: number[];
  smartPagingMB: number[];
}

export interface SimulationSeries {
  /** Sample times, simulated seconds. */
  timeSeconds: number[];
  hosts: HostSeries[];
  /** Σ over the hosts (pressure: Σ demand / Σ memory of all running Dynamic Memory VMs). */
  total: Omit<HostSeries, 'name'>;
  vms: VmSeries[];
}

const emptyHost = (name: string): HostSeries => ({
  name,
  assignedMB: [],
  assignedMaxMB: [],
  assignedMinMB: [],
  demandMB: [],
  availableMB: [],
  pressure: [],
  pressureMax: [],
  pressureMin: [],
  averagePressure: [],
  smartPagingMB: [],
  runningVms: [],
  shortVms: [],
});

export function newSeries(cluster: Cluster, vmNames: string[]): SimulationSeries {
  const { name: _, ...total } = emptyHost('');
  return {
    timeSeconds: [],
    hosts: cluster.hosts().map((h) => emptyHost(h.name)),
    total,
    vms: vmNames.map((name) => ({ name, assignedMB: [], demandMB: [], pressure: [], smartPagingMB: [] })),
  };
}

/** The greater (`sign` 1) or lesser (−1) of a tick's extreme and the value at the sample (NaN: none); either alone
 * when the other is missing (no tick since the last sample leaves the extreme at its reset, ∓Infinity). */
const extreme = (tick: number, now: number, sign: 1 | -1): number =>
  !Number.isFinite(tick) ? now : Number.isNaN(now) || sign * tick > sign * now ? tick : now;

/**
 * Append one sample of every series, reading the columns once, then start the next interval's extremes. The
 * kernel keeps each host's extremes per tick (a few compares per host, none per VM), so a sample every five
 * minutes still shows a 30-second peak.
 */
export function takeSample(series: SimulationSeries, cluster: Cluster, t: number): void {
  const fleet = cluster.fleet;
  const v = fleet.store.vms;
  const h = fleet.store.hosts;
  const hostCount = fleet.hosts.length;
  const assigned = new Float64Array(hostCount);
  const demand = new Float64Array(hostCount);
  const paged = new Float64Array(hostCount);
  const running = new Float64Array(hostCount);
  const dmDemand = new Float64Array(hostCount);
  const dmMemory = new Float64Array(hostCount);
  const shortNow = new Float64Array(hostCount);
  // Each memory pool's VMs (a host's, or a NUMA node's) sit in one slot range once laid out: a pass over the
  // columns, no walk of the registry.
  fleet.layOut();
  const pools = fleet.hosts.map((record) => fleet.poolsOf(record.index));
  const { state, assigned: held, smartPaging, demand: vmDemand, dynamic } = v; // (locals: read once, not per VM)
  for (let host = 0; host < hostCount; host++) {
    for (const pool of pools[host]!) {
      const end = h.hostEnd[pool]!;
      for (let i = h.hostStart[pool]!; i < end; i++) {
        const vmState = state[i]!;
        if (vmState === OFF) continue;
        const memory = held[i]! + smartPaging[i]!;
        const d = vmDemand[i]!;
        assigned[host]! += held[i]!;
        paged[host]! += smartPaging[i]!;
        demand[host]! += d;
        running[host]! += 1;
        if (d > memory) shortNow[host]! += 1;
        if (vmState === RUNNING && dynamic[i] !== 0) {
          dmDemand[host]! += d;
          dmMemory[host]! += memory;
        }
      }
    }
  }
  const averagePressure = pools.map((own) =>
    own.length === 1 ? h.avgPressure[own[0]!]! : poolPressures(fleet, own).averagePressure,
  );
  series.timeSeconds.push(t);
  const total = series.total;
  let totals = [0, 0, 0, 0, 0, 0, 0, 0];
  let assignedMax = 0;
  let assignedMin = 0;
  let pressureMax = -Infinity;
  let pressureMin = Infinity;
  let shortVms = 0;
  series.hosts.forEach((s, host) => {
    const own = pools[host]!;
    // A host's extremes from its pools' (one, or one per NUMA node balancing on its own): memory, Smart Paging and
    // VMs short add up (nodes peak at different ticks: a bound), pressure ranges over the nodes.
    const spanSum = (column: Float64Array) => own.reduce((acc, pool) => acc + column[pool]!, 0);
    const spanMax = (column: Float64Array) => own.reduce((acc, pool) => Math.max(acc, column[pool]!), -Infinity);
    const spanMin = (column: Float64Array) => own.reduce((acc, pool) => Math.min(acc, column[pool]!), Infinity);
    const available = fleet.availableOn(host, assigned[host]!);
    const pressure = dmMemory[host]! > 0 ? (100 * dmDemand[host]!) / dmMemory[host]! : 0;
    const up = !fleet.hosts[host]!.failed;
    s.assignedMB.push(assigned[host]!);
    s.assignedMaxMB.push(extreme(spanSum(h.spanMaxHeld), assigned[host]!, 1));
    s.assignedMinMB.push(extreme(spanSum(h.spanMinHeld), assigned[host]!, -1));
    s.demandMB.push(demand[host]!);
    s.availableMB.push(available);
    s.pressure.push(pressure);
    // A failed host, or one without a running Dynamic Memory VM, has no pressure to range over.
    const pressureNow = dmMemory[host]! > 0 ? pressure : NaN;
    s.pressureMax.push(up ? extreme(spanMax(h.spanMaxPressure), pressureNow, 1) : NaN);
    s.pressureMin.push(up ? extreme(spanMin(h.spanMinPressure), pressureNow, -1) : NaN);
    // Before its first tick a host has no moving average yet: Hyper-V's starts at the first pressure it sees.
    s.averagePressure.push(h.elapsed[own[0]!]! > 0 ? averagePressure[host]! : pressure);
    s.smartPagingMB.push(extreme(spanSum(h.spanMaxPaged), paged[host]!, 1));
    s.runningVms.push(running[host]!);
    s.shortVms.push(extreme(spanSum(h.spanMaxShort), shortNow[host]!, 1));
    assignedMax += s.assignedMaxMB[s.assignedMaxMB.length - 1]!;
    assignedMin += s.assignedMinMB[s.assignedMinMB.length - 1]!;
    shortVms += s.shortVms[s.shortVms.length - 1]!;
    if (!Number.isNaN(s.pressureMax[s.pressureMax.length - 1]!)) {
      pressureMax = Math.max(pressureMax, s.pressureMax[s.pressureMax.length - 1]!);
      pressureMin = Math.min(pressureMin, s.pressureMin[s.pressureMin.length - 1]!);
    }
    totals = [
      totals[0]! + assigned[host]!,
      totals[1]! + demand[host]!,
      totals[2]! + available,
      totals[3]! + dmDemand[host]!,
      totals[4]! + dmMemory[host]!,
      totals[5]! + s.smartPagingMB[s.smartPagingMB.length - 1]!,
      totals[6]! + running[host]!,
      totals[7]! + s.averagePressure[s.averagePressure.length - 1]! * assigned[host]!,
    ];
  });
  total.assignedMB.push(totals[0]!);
  total.assignedMaxMB.push(assignedMax);
  total.assignedMinMB.push(assignedMin);
  total.pressureMax.push(pressureMax >= pressureMin ? pressureMax : NaN);
  total.pressureMin.push(pressureMax >= pressureMin ? pressureMin : NaN);
  total.shortVms.push(shortVms);
  total.demandMB.push(totals[1]!);
  total.availableMB.push(totals[2]!);
  total.pressure.push(totals[4]! > 0 ? (100 * totals[3]!) / totals[4]! : 0);
  total.averagePressure.push(totals[0]! > 0 ? totals[7]! / totals[0]! : 0);
  total.smartPagingMB.push(totals[5]!);
  total.runningVms.push(totals[6]!);
  for (const s of series.vms) {
    const i = fleet.vm(s.name).slot;
    const on = v.state[i] !== OFF;
    s.assignedMB.push(v.assigned[i]!);
    s.demandMB.push(on ? v.demand[i]! : 0);
    s.pressure.push(on ? v.pressure[i]! : 0);
    s.smartPagingMB.push(v.smartPaging[i]!);
  }
  fleet.store.resetSpanExtremes(fleet.poolTotal);
}
