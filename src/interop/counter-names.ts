// The names of Hyper-V's Dynamic Memory performance counters, in one place for the PDH-CSV reader and writer.
//
// Sources (see test/fixtures/interop/README.md): the objects "Hyper-V Dynamic Memory VM" (one instance per VM,
// named after it) and "Hyper-V Dynamic Memory Balancer", introduced with Windows Server 2008 R2 SP1 (Microsoft's
// Virtual PC Guy blog, "Looking at Dynamic Memory Performance Counters", 2010); counter lists as read by
// prometheus-community/windows_exporter (internal/collector/hyperv) and Hyper-V monitoring scripts; the host-wide
// balancer instance is "System Balancer" (`\Hyper-V Dynamic Memory Balancer(System Balancer)\Available Memory`).

/** Per-VM Dynamic Memory counters (one instance per VM). */
export const HYPERV_VM_OBJECT = 'Hyper-V Dynamic Memory VM';
/** Host-wide Dynamic Memory counters. */
export const HYPERV_BALANCER_OBJECT = 'Hyper-V Dynamic Memory Balancer';
/** The balancer instance for the whole host. */
export const HYPERV_BALANCER_INSTANCE = 'System Balancer';

/** Counters of "Hyper-V Dynamic Memory VM"; memory amounts in MB, pressures in percent. */
export const HYPERV_VM_COUNTERS = {
  physicalMemory: 'Physical Memory',
  currentPressure: 'Current Pressure',
  averagePressure: 'Average Pressure',
  minimumPressure: 'Minimum Pressure',
  maximumPressure: 'Maximum Pressure',
  guestVisiblePhysicalMemory: 'Guest Visible Physical Memory',
  addedMemory: 'Added Memory',
  removedMemory: 'Removed Memory',
  memoryAddOperations: 'Memory Add Operations',
  memoryRemoveOperations: 'Memory Remove Operations',
  smartPagingWorkingSetSize: 'Smart Paging Working Set Size',
  /** Only on Windows Server 2022 (build 20348) and later. */
  guestAvailableMemory: 'Guest Available Memory',
} as const;

/**
 * dynmem's own per-VM counter for the demand it simulates. Hyper-V publishes demand only through Get-VM's
 * MemoryDemand, not as a counter, so a real capture never has this column; readers then derive demand from
 * Current Pressure × Physical Memory / 100.
 */
export const DYNMEM_DEMAND_COUNTER = 'Memory Demand';

/** Counters of "Hyper-V Dynamic Memory Balancer"; memory amounts in MB, pressures in percent. */
export const HYPERV_BALANCER_COUNTERS = {
  availableMemory: 'Available Memory',
  availableMemoryForBalancing: 'Available Memory For Balancing',
  averagePressure: 'Average Pressure',
  systemCurrentPressure: 'System Current Pressure',
  addedMemory: 'Added Memory',
  removedMemory: 'Removed Memory',
  memoryAddOperations: 'Memory Add Operations',
  memoryRemoveOperations: 'Memory Remove Operations',
} as const;

/** Every counter name a reader accepts for the VM object (Hyper-V's and dynmem's demand). */
export const KNOWN_VM_COUNTERS: readonly string[] = [...Object.values(HYPERV_VM_COUNTERS), DYNMEM_DEMAND_COUNTER];
/** Every counter name a reader accepts for the balancer object. */
export const KNOWN_BALANCER_COUNTERS: readonly string[] = Object.values(HYPERV_BALANCER_COUNTERS);

/** The known counters of a Hyper-V Dynamic Memory object (matched case-insensitively, as PDH does), else null. */
export function knownCountersOf(object: string): readonly string[] | null {
  const o = object.toLowerCase();
  if (o === HYPERV_VM_OBJECT.toLowerCase()) return KNOWN_VM_COUNTERS;
  if (o === HYPERV_BALANCER_OBJECT.toLowerCase()) return KNOWN_BALANCER_COUNTERS;
  return null;
}
