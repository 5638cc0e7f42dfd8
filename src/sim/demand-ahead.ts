// Every VM's demand at the trace grid points ahead of a run, read a block of points at a time. Read one point at a
// time, between two engine calls, the thousands of VMs' samples are found out of the caches (the engine's columns
// pushed them out): 0.18 s of a day of 8,000 VMs, against 0.06–0.09 s for the same reads with the samples cached.
// Read for a block of points back to back, each trace's few samples stay cached from one point to the next. The
// values are those of reading each point when it comes.
import type { DemandCursors } from './demand-curve.ts';

/** What a block holds at most, bytes: small enough to stay in the caches while the run reads it. */
const BLOCK_BYTES = 4 * 1024 * 1024;
/** Grid points per block at most (a few hours of five-minute samples). */
const MAX_POINTS = 64;

export class DemandAhead {
  private readonly cursors: DemandCursors;
  private readonly vmCount: number;
  private readonly gridStep: number;
  /** Grid points per block; blocks start at multiples of it, so the cursors stand where they would in any run. */
  private readonly points: number;
  /** The block, point by point: demand of VM k at the block's point j in `values[j × vmCount + k]`. */
  private readonly values: Float64Array;
  /** Grid index of the block's first point (NaN: no block read). */
  private first = Number.NaN;

  constructor(cursors: DemandCursors, vmCount: number, gridStep: number) {
    this.cursors = cursors;
    this.vmCount = vmCount;
    this.gridStep = gridStep;
    this.points = Math.max(1, Math.min(MAX_POINTS, Math.floor(BLOCK_BYTES / 8 / Math.max(1, vmCount))));
    this.values = new Float64Array(this.points * vmCount);
  }

  /** Every VM's demand at grid point t (MB, not rounded), by VM index: a view, good until the next call. */
  at(t: number): Float64Array {
    const point = Math.round(t / this.gridStep);
    if (point * this.gridStep !== t) return this.readPoint(t); // off the grid (not in a run's feed): read alone
    if (!(point >= this.first && point < this.first + this.points)) this.readBlock(point - (point % this.points));
    const row = (point - this.first) * this.vmCount;
    return this.values.subarray(row, row + this.vmCount);
  }

  /** VM k's curve changed (see `DemandCursors.replace`): its demands ahead are read again. */
  reread(k: number): void {
    if (Number.isNaN(this.first)) return;
    for (let j = 0; j < this.points; j++) {
      this.values[j * this.vmCount + k] = this.cursors.at(k, (this.first + j) * this.gridStep);
    }
  }

  /** Forget the block (the cursors were set back to a checkpoint's). */
  forget(): void {
    this.first = Number.NaN;
  }

  private readBlock(first: number): void {
    const { cursors, vmCount, values } = this;
    for (let j = 0; j < this.points; j++) {
      const t = (first + j) * this.gridStep;
      const row = j * vmCount;
      for (let k = 0; k < vmCount; k++) values[row + k] = cursors.at(k, t);
    }
    this.first = first;
  }

  private readPoint(t: number): Float64Array {
    return Float64Array.from({ length: this.vmCount }, (_, k) => this.cursors.at(k, t));
  }
}
