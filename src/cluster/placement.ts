// Where a VM starts in a cluster: the live host with the most available memory that can take it (on one NUMA node
// where the host's nodes balance on their own).
import { outOfMemory } from '../errors.ts';
import type { Fleet, VmRecord } from '../host/fleet.ts';
import { canStart, startVm } from '../host/lifecycle.ts';
import { vmMemoryLimit } from '../host/versions.ts';

/** Live hosts, most available memory first (ties: the order the hosts were given). */
export function hostsByAvailableMemory(fleet: Fleet): number[] {
  const live = fleet.hosts.filter((h) => !h.failed).map((h) => ({ index: h.index, free: fleet.availableOn(h.index) }));
  live.sort((a, b) => b.free - a.free || a.index - b.index);
  return live.map((h) => h.index);
}

/**
 * Start a VM on the live host with the most available memory where it can start (free memory, then what the VMs
 * of lower or equal weight can balloon out within the host's start timeout, as a start from off: never Smart
 * Paging). Throws OutOfMemory, leaving the VM off and where it was, if there is none. A start that then times
 * out puts the VM back where it was.
 */
export function placeAndStart(fleet: Fleet, record: VmRecord): number {
  const best = fleet.roomiestHost();
  const { startupMB, generation } = record.settings;
  if (
    best >= 0 &&
    fleet.largestAvailablePool(best) >= startupMB &&
    startupMB <= vmMemoryLimit(fleet.hosts[best]!.options)(generation)
  ) {
    // The common case, without sorting the hosts: the first host of the order below takes it from free memory.
    fleet.moveVm(record, best);
    startVm(fleet, record);
    return best;
  }
  const home = record.host;
  for (const host of hostsByAvailableMemory(fleet)) {
    if (record.settings.startupMB > vmMemoryLimit(fleet.hosts[host]!.options)(record.settings.generation)) continue;
    fleet.moveVm(record, host);
    if (canStart(fleet, record)) {
      startVm(fleet, record, home);
      return host;
    }
  }
  fleet.moveVm(record, home);
  throw outOfMemory(record.name, record.settings.startupMB);
}
