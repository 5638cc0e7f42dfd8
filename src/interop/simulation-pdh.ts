// A simulation's counters as PDH-CSV files, one per host, with Hyper-V's counter paths, so a run opens in
// Performance Monitor (relog) and in any tool that reads typeperf output.
import type { SimulationSeries } from '../sim/series.ts';
import type { SimulationSummary } from '../sim/summary.ts';
import {
  DYNMEM_DEMAND_COUNTER,
  HYPERV_BALANCER_COUNTERS,
  HYPERV_BALANCER_INSTANCE,
  HYPERV_BALANCER_OBJECT,
  HYPERV_VM_COUNTERS,
  HYPERV_VM_OBJECT,
} from './counter-names.ts';
import { type PdhSeriesInput, writePdhCsv } from './pdh-write.ts';

/**
 * One PDH-CSV text per host: its balancer counters, and the per-VM counters of the VMs sampled (when the run
 * kept per-VM series; a VM is written under the host it ended on).
 * @example for (const { host, csv } of simulationPdhCsv(result.summary, result.series, vmHosts)) write(`${host}.csv`, csv);
 */
export function simulationPdhCsv(
  summary: SimulationSummary,
  series: SimulationSeries,
  vmHost: (vm: string) => string | null,
): { host: string; csv: string }[] {
  const interval = series.timeSeconds.length > 1 ? series.timeSeconds[1]! - series.timeSeconds[0]! : 1;
  // Only the regular samples: a last, shorter step (duration not a multiple of the interval) is left out.
  const count = series.timeSeconds.filter((t, i) => t === i * interval).length;
  const cut = (values: number[]) => values.slice(0, count);
  return series.hosts.map((host) => {
    const columns: PdhSeriesInput[] = [
      {
        object: HYPERV_BALANCER_OBJECT,
        instance: HYPERV_BALANCER_INSTANCE,
        counter: HYPERV_BALANCER_COUNTERS.availableMemory,
        values: cut(host.availableMB),
      },
      {
        object: HYPERV_BALANCER_OBJECT,
        instance: HYPERV_BALANCER_INSTANCE,
        counter: HYPERV_BALANCER_COUNTERS.averagePressure,
        values: cut(host.averagePressure),
      },
      {
        object: HYPERV_BALANCER_OBJECT,
        instance: HYPERV_BALANCER_INSTANCE,
        counter: HYPERV_BALANCER_COUNTERS.systemCurrentPressure,
        values: cut(host.pressure),
      },
    ];
    for (const vm of series.vms) {
      if (vmHost(vm.name) !== host.name) continue;
      columns.push(
        {
          object: HYPERV_VM_OBJECT,
          instance: vm.name,
          counter: HYPERV_VM_COUNTERS.physicalMemory,
          values: cut(vm.assignedMB),
        },
        {
          object: HYPERV_VM_OBJECT,
          instance: vm.name,
          counter: HYPERV_VM_COUNTERS.currentPressure,
          values: cut(vm.pressure),
        },
        {
          object: HYPERV_VM_OBJECT,
          instance: vm.name,
          counter: HYPERV_VM_COUNTERS.smartPagingWorkingSetSize,
          values: cut(vm.smartPagingMB),
        },
        { object: HYPERV_VM_OBJECT, instance: vm.name, counter: DYNMEM_DEMAND_COUNTER, values: cut(vm.demandMB) },
      );
    }
    const csv = writePdhCsv({
      machine: host.name,
      startTime: Date.parse(summary.startTime),
      intervalSeconds: interval,
      series: columns,
    });
    return { host: host.name, csv };
  });
}
