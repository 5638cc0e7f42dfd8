// Live migrations of a cluster's VMs (the load balancer's moves and failbacks), and their log.
import type { Fleet, VmRecord } from '../host/fleet.ts';
import { liveMigrate } from './failback.ts';

/** Why a VM moved. */
export type MigrationReason = 'balance' | 'failback';

/** One live migration, as the cluster's log keeps it. */
export interface Migration {
  /** When it started, simulated seconds. */
  atSeconds: number;
  vm: string;
  from: string;
  to: string;
  /** The VM's memory moved, MB. */
  mb: number;
  /** How long it took, simulated seconds. */
  seconds: number;
  reason: MigrationReason;
}

/** @internal The cluster's live migrations. */
export class Migrations {
  readonly log: Migration[];

  constructor(
    private readonly fleet: Fleet,
    log: readonly Migration[] = [],
  ) {
    this.log = log.map((m) => ({ ...m }));
  }

  /** Memory in use on a host as the load balancer counts it, MB. */
  usedOn(host: number): number {
    const fleet = this.fleet;
    return fleet.hosts[host]!.options.reserveMB + fleet.heldOn(host);
  }

  canMove(_record: VmRecord): boolean {
    return true;
  }

  /** Move a running VM to host `to` if its memory is free there; false (nothing changed) if not. */
  move(record: VmRecord, to: number, reason: MigrationReason): boolean {
    const fleet = this.fleet;
    const from = record.host;
    const mb = fleet.store.vms.assigned[record.slot]!;
    if (!liveMigrate(fleet, record, to)) return false;
    this.log.push({
      atSeconds: fleet.timeSeconds,
      vm: record.name,
      from: fleet.hosts[from]!.options.name,
      to: fleet.hosts[to]!.options.name,
      mb,
      seconds: 0,
      reason,
    });
    return true;
  }
}
