// Live migrations of a cluster's VMs (the load balancer's moves and failbacks): the migration bandwidth option,
// how long a move takes, and where it may go. The moves under way and their log are the fleet's (live-moves.ts).
import { DynamicMemoryError, shown } from '../errors.ts';
import { type Fleet, RUNNING, type VmRecord } from '../host/fleet.ts';
import type { MigrationReason } from '../host/live-moves.ts';

export type { Migration, MigrationReason, MigrationStatus } from '../host/live-moves.ts';

/** Default migrationBandwidthMBps: about what one 10 GbE link carries (dynmem's choice: Microsoft publishes no
 * single figure; live migration speed depends on the network, compression or SMB Direct). */
export const DEFAULT_MIGRATION_BANDWIDTH_MBPS = 1000;

/** @internal The cluster's migrationBandwidthMBps option: a finite number of MB/s above 0. */
export function resolveMigrationBandwidth(value: unknown): number {
  if (value === undefined) return DEFAULT_MIGRATION_BANDWIDTH_MBPS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `migrationBandwidthMBps must be a finite number of MB/s above 0, not ${shown(value)}.`,
      { field: 'migrationBandwidthMBps' },
    );
  }
  return value;
}

/** How long moving `mb` MB takes at `bandwidthMBps`: whole seconds, at least one. */
export function migrationSeconds(mb: number, bandwidthMBps: number): number {
  return Math.max(1, Math.ceil(mb / bandwidthMBps));
}

/** @internal The cluster's live migrations. */
export class Migrations {
  constructor(
    private readonly fleet: Fleet,
    readonly bandwidthMBps: number,
  ) {}

  /** Memory in use on a host as the load balancer counts it: reserve + held + kept for VMs moving in − held by
   * VMs moving out, MB. */
  usedOn(host: number): number {
    const fleet = this.fleet;
    return (
      fleet.hosts[host]!.options.reserveMB +
      fleet.heldOn(host) +
      fleet.moves.keptOn(host) -
      fleet.moves.movingOutOf(host)
    );
  }

  /** Whether a VM may start a move: running and not moving already. */
  canMove(record: VmRecord): boolean {
    return this.fleet.store.vms.state[record.slot] === RUNNING && !this.fleet.moves.isMoving(record);
  }

  /**
   * Start moving a running VM to host `to` as a live migration: it keeps running on its host with the memory it
   * has, which must be free on the target first (on its NUMA node with the most available memory, where the
   * target's nodes balance on their own) and is kept there until the move lands. Returns false (and changes
   * nothing) when the VM cannot move or its memory is not free there.
   */
  move(record: VmRecord, to: number, reason: MigrationReason): boolean {
    const fleet = this.fleet;
    if (!this.canMove(record) || record.host === to || fleet.hosts[to]!.failed) return false;
    const pool = fleet.hosts[to]!.firstPool + fleet.nodesByAvailableMemory(to)[0]!;
    const mb = fleet.store.vms.assigned[record.slot]!;
    if (fleet.availableInPool(pool) < mb) return false;
    const seconds = migrationSeconds(mb, this.bandwidthMBps);
    const ticks = Math.max(1, Math.ceil(seconds / fleet.balancer.balancerIntervalSeconds - 1e-9));
    fleet.moves.begin(record, to, pool, ticks, reason);
    return true;
  }
}
