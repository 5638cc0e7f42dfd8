// Time series sampled during a run: per host, the whole cluster, and (optionally) per VM.
import type { Cluster } from '../cluster/cluster.ts';
import { OFF, RUNNING } from '../host/fleet.ts';
import { poolPressures } from '../host/snapshot.ts';

export interface HostSeries {
  name: string;
  /** Σ physical memory given to VMs, MB. */
  assignedMB: number[];
  /** Σ demand of the VMs that are on, MB. */
  demandMB: number[];
  /** Available Memory, MB. */
  availableMB: number[];
  /** System Current Pressure. */
  pressure: number[];
  averagePressure: number[];
  /** Σ Smart Paging in use, MB. */
  smartPagingMB: number[];
  runningVms: number[];
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
  demandMB: [],
  availableMB: [],
  pressure: [],
  averagePressure: [],
  smartPagingMB: [],
  runningVms: [],
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

/** Each series' Smart Paging integral per host (MB·s) at its last sample: what the interval between samples held. */
const pagedAtLastSample = new WeakMap<SimulationSeries, { t: number; mbs: Float64Array }>();

/**
 * Append one sample of every series, reading the columns once. Smart Paging is sampled as the larger of the value
 * at the sample and the interval's mean (from the running MB·s integral), so that an episode shorter than the
 * sample interval still shows.
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
  // Each memory pool's VMs (a host's, or a NUMA node's) sit in one slot range once laid out: a pass over the
  // columns, no walk of the registry.
  fleet.layOut();
  const pools = fleet.hosts.map((record) => fleet.poolsOf(record.index));
  for (let host = 0; host < hostCount; host++) {
    for (const pool of pools[host]!) {
      for (let i = h.hostStart[pool]!; i < h.hostEnd[pool]!; i++) {
        const state = v.state[i]!;
        if (state === OFF) continue;
        assigned[host]! += v.assigned[i]!;
        paged[host]! += v.smartPaging[i]!;
        demand[host]! += v.demand[i]!;
        running[host]! += 1;
        if (state === RUNNING && v.dynamic[i] !== 0) {
          dmDemand[host]! += v.demand[i]!;
          dmMemory[host]! += v.assigned[i]! + v.smartPaging[i]!;
        }
      }
    }
  }
  const pagedMBs = Float64Array.from(pools, (own) => own.reduce((sum, pool) => sum + h.smartPagingMBs[pool]!, 0));
  const averagePressure = pools.map((own) =>
    own.length === 1 ? h.avgPressure[own[0]!]! : poolPressures(fleet, own).averagePressure,
  );
  const last = pagedAtLastSample.get(series);
  for (let host = 0; host < hostCount; host++) {
    const meanMB = last && t > last.t ? (pagedMBs[host]! - last.mbs[host]!) / (t - last.t) : 0;
    paged[host] = Math.max(paged[host]!, meanMB);
  }
  pagedAtLastSample.set(series, { t, mbs: pagedMBs });
  series.timeSeconds.push(t);
  const total = series.total;
  let totals = [0, 0, 0, 0, 0, 0, 0, 0];
  series.hosts.forEach((s, host) => {
    const available = fleet.availableOn(host, assigned[host]!);
    s.assignedMB.push(assigned[host]!);
    s.demandMB.push(demand[host]!);
    s.availableMB.push(available);
    s.pressure.push(dmMemory[host]! > 0 ? (100 * dmDemand[host]!) / dmMemory[host]! : 0);
    s.averagePressure.push(averagePressure[host]!);
    s.smartPagingMB.push(paged[host]!);
    s.runningVms.push(running[host]!);
    totals = [
      totals[0]! + assigned[host]!,
      totals[1]! + demand[host]!,
      totals[2]! + available,
      totals[3]! + dmDemand[host]!,
      totals[4]! + dmMemory[host]!,
      totals[5]! + paged[host]!,
      totals[6]! + running[host]!,
      totals[7]! + averagePressure[host]! * assigned[host]!,
    ];
  });
  total.assignedMB.push(totals[0]!);
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
}
