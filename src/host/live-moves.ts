// Live migrations under way. A VM moving to another host keeps running on its source, holding still (the
// balancer leaves its memory alone), while the same memory is kept for it in a pool of the target, which the
// kernel counts as used there like the reserve; when its time is up it lands on the target and its memory on the
// source is free. A move's end is a timer: the fleet's advance stops at that tick.
import type { Store } from '../engine/store.ts';
import { DynamicMemoryError, shown } from '../errors.ts';

/** A VM as the moves see it (the fleet's VmRecord). */
interface VmRecord {
  readonly name: string;
  readonly slot: number;
  readonly host: number;
}

/** What the moves need of their fleet (the Fleet, which owns them). */
interface Fleet {
  readonly store: Store;
  readonly hosts: readonly { readonly options: { readonly name: string }; firstPool: number; poolCount: number }[];
  readonly balancer: { readonly balancerIntervalSeconds: number };
  readonly ticks: number;
  readonly timeSeconds: number;
  vm(name: string): VmRecord;
  hostOfPool(pool: number): number;
  /** Put a VM on `host`, on NUMA node `node` where the host's nodes balance on their own. */
  moveVm(record: VmRecord, host: number, node: number): void;
  availabilityChanged(host: number): void;
}

/** Why a VM moved. */
export type MigrationReason = 'balance' | 'failback';

/**
 * 'moving' while under way; 'done' once the VM runs on the target; 'cancelled' when the VM was stopped or
 * restarted first (it stayed on its source); 'sourceFailed' when its host failed first (it failed over with that
 * host's VMs); 'targetFailed' when the target failed first (it runs on where it was).
 */
export type MigrationStatus = 'moving' | 'done' | 'cancelled' | 'sourceFailed' | 'targetFailed';

/** One live migration, as the cluster's log keeps it. */
export interface Migration {
  /** When it started, simulated seconds. */
  atSeconds: number;
  vm: string;
  from: string;
  to: string;
  /** The VM's memory moved, MB. */
  mb: number;
  /** How long it takes (its memory over the cluster's migrationBandwidthMBps, whole seconds, at least one), or for a
   * move that ended early how long it ran, simulated seconds. */
  seconds: number;
  reason: MigrationReason;
  status: MigrationStatus;
}

/** A move under way. */
interface LiveMove {
  readonly record: VmRecord;
  readonly from: number;
  readonly to: number;
  /** The target's memory pool that keeps the VM's memory (its NUMA node where nodes balance on their own). */
  readonly pool: number;
  readonly mb: number;
  readonly startTick: number;
  readonly endTick: number;
  readonly entry: Migration;
}

/** A move under way as a checkpoint keeps it (`entry`: its place in the log). */
export interface SavedMove {
  vm: string;
  to: number;
  pool: number;
  mb: number;
  startTick: number;
  endTick: number;
  entry: number;
}

/** @internal The fleet's live migrations: the log of all of them and the moves under way. */
export class LiveMoves {
  /** Every live migration so far, in the order they started. */
  readonly log: Migration[] = [];
  /** Moves under way, in the order they started (the order they land in at the same tick). */
  private readonly moving = new Map<VmRecord, LiveMove>();
  /** MB held by the VMs moving out of each host. */
  private readonly outOf = new Map<number, number>();

  constructor(private readonly fleet: Fleet) {}

  get size(): number {
    return this.moving.size;
  }

  isMoving(record: VmRecord): boolean {
    return this.moving.has(record);
  }

  /** The host a VM is moving to, or -1. */
  targetOf(record: VmRecord): number {
    return this.moving.get(record)?.to ?? -1;
  }

  /** Memory kept in a pool for the VMs moving into it, MB. */
  keptIn(pool: number): number {
    return this.fleet.store.hosts.movingIn[pool]!;
  }

  /** Memory kept on a host for the VMs moving to it, MB. */
  keptOn(host: number): number {
    const record = this.fleet.hosts[host]!;
    let kept = 0;
    for (let pool = record.firstPool; pool < record.firstPool + record.poolCount; pool++) kept += this.keptIn(pool);
    return kept;
  }

  /** Memory held by the VMs moving out of a host, MB. */
  movingOutOf(host: number): number {
    return this.outOf.get(host) ?? 0;
  }

  /**
   * Start moving a running VM to `pool` of host `to` (the caller checked its memory is free there), landing after
   * `ticks` ticks: from now on the VM holds still and its memory is kept on the target.
   */
  begin(record: VmRecord, to: number, pool: number, ticks: number, reason: Migration['reason']): Migration {
    const fleet = this.fleet;
    const mb = fleet.store.vms.assigned[record.slot]!;
    const entry: Migration = {
      atSeconds: fleet.timeSeconds,
      vm: record.name,
      from: fleet.hosts[record.host]!.options.name,
      to: fleet.hosts[to]!.options.name,
      mb,
      seconds: ticks * fleet.balancer.balancerIntervalSeconds,
      reason,
      status: 'moving',
    };
    this.log.push(entry);
    const move = {
      record,
      from: record.host,
      to,
      pool,
      mb,
      startTick: fleet.ticks,
      endTick: fleet.ticks + ticks,
      entry,
    };
    this.track(move);
    return entry;
  }

  /** The tick at which the next move lands, or Infinity. */
  nextEnd(): number {
    let next = Infinity;
    for (const move of this.moving.values()) if (move.endTick < next) next = move.endTick;
    return next;
  }

  /** Land every move due by `tick` (the fleet has run that many ticks), in the order they started. */
  landDue(tick: number): void {
    if (this.moving.size === 0) return;
    for (const move of [...this.moving.values()]) {
      if (move.endTick > tick) continue;
      this.untrack(move);
      this.fleet.moveVm(move.record, move.to, move.pool - this.fleet.hosts[move.to]!.firstPool);
      this.fleet.store.setState(move.record.slot, this.fleet.store.vms.state[move.record.slot]!); // balanced again
      move.entry.status = 'done';
    }
  }

  /** End a VM's move before it lands (if it is moving): it stays on its source, balanced again; `seconds` becomes
   * how long the move ran. */
  end(record: VmRecord, status: 'cancelled' | 'sourceFailed' | 'targetFailed'): void {
    const move = this.moving.get(record);
    if (!move) return;
    this.untrack(move);
    this.fleet.store.setState(record.slot, this.fleet.store.vms.state[record.slot]!);
    move.entry.status = status;
    move.entry.seconds = (this.fleet.ticks - move.startTick) * this.fleet.balancer.balancerIntervalSeconds;
  }

  /** End every move out of (`side` 'from') or into ('to') a host that fails. */
  endAllOf(host: number, side: 'from' | 'to'): void {
    for (const move of [...this.moving.values()]) {
      if (move[side] === host) this.end(move.record, side === 'from' ? 'sourceFailed' : 'targetFailed');
    }
  }

  /** Refuse a change to a moving VM's memory settings, naming the VM and the field. */
  refuseWhileMoving(record: VmRecord, field: string): void {
    const move = this.moving.get(record);
    if (!move) return;
    const landing = move.endTick * this.fleet.balancer.balancerIntervalSeconds;
    throw new DynamicMemoryError(
      'InvalidState',
      `VM '${record.name}' is being live-migrated to '${move.entry.to}' until ${landing} s: change ${shown(field)} once it has moved.`,
      { vm: record.name, field },
    );
  }

  /** The moves under way, for a checkpoint. */
  saved(): SavedMove[] {
    return [...this.moving.values()].map((m) => ({
      vm: m.record.name,
      to: m.to,
      pool: m.pool,
      mb: m.mb,
      startTick: m.startTick,
      endTick: m.endTick,
      entry: this.log.indexOf(m.entry),
    }));
  }

  /** A checkpoint's log and moves under way, into a restored fleet whose columns already keep their memory. */
  restore(log: readonly Migration[], moves: readonly SavedMove[]): void {
    this.log.push(...log.map((m) => ({ ...m })));
    for (const m of moves) {
      const record = this.fleet.vm(m.vm);
      const move = { ...m, record, from: record.host, entry: this.log[m.entry]! };
      this.moving.set(record, move);
      this.outOf.set(move.from, this.movingOutOf(move.from) + move.mb);
    }
  }

  private track(move: LiveMove): void {
    this.moving.set(move.record, move);
    this.outOf.set(move.from, this.movingOutOf(move.from) + move.mb);
    this.fleet.store.holdStill(move.record.slot);
    this.keep(move.pool, move.mb);
  }

  private untrack(move: LiveMove): void {
    this.moving.delete(move.record);
    this.outOf.set(move.from, this.movingOutOf(move.from) - move.mb);
    this.keep(move.pool, -move.mb);
  }

  private keep(pool: number, deltaMB: number): void {
    this.fleet.store.keepForMovesIn(pool, this.keptIn(pool) + deltaMB);
    this.fleet.availabilityChanged(this.fleet.hostOfPool(pool));
  }
}
