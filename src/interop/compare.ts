// How close a simulation came to a recording: recorded Physical Memory (from a PDH-CSV capture) against the MB the
// simulator assigned at the same samples.
import { DynamicMemoryError } from '../errors.ts';

/** Agreement of simulated with recorded assigned memory over the samples that have a recording. */
export interface AssignedComparison {
  /** Samples compared: those whose recorded value is not NaN. */
  samples: number;
  /** Mean of |simulated − recorded|, MB; NaN when no sample was compared. */
  meanAbsErrorMB: number;
  /** 95th percentile of |simulated − recorded| (nearest rank), MB; NaN when no sample was compared. */
  p95AbsErrorMB: number;
  /** Share (0…1) of samples with |simulated − recorded| ≤ 5 % of recorded; NaN when no sample was compared. */
  within5Percent: number;
}

/** A replay's comparison: per VM and over every sample of every VM. */
export interface ComparisonReport {
  perVm: (AssignedComparison & { vm: string })[];
  overall: AssignedComparison;
}

/**
 * Compares simulated assigned memory with a recording, sample by sample. Missing recorded samples (NaN, a blank
 * PDH-CSV cell) are skipped; a simulated NaN is refused, since the simulator always assigns a number.
 * @example
 * compareAssigned([1000, NaN, 2000], [1040, 512, 2200]);
 * // { samples: 2, meanAbsErrorMB: 120, p95AbsErrorMB: 200, within5Percent: 0.5 }
 */
export function compareAssigned(recordedMB: ArrayLike<number>, simulatedMB: ArrayLike<number>): AssignedComparison {
  if (recordedMB.length !== simulatedMB.length) {
    throw new DynamicMemoryError(
      'InvalidArgument',
      `compareAssigned: ${recordedMB.length} recorded samples but ${simulatedMB.length} simulated; align them first.`,
    );
  }
  const errors: number[] = [];
  let sum = 0;
  let within = 0;
  for (let i = 0; i < recordedMB.length; i++) {
    const rec = recordedMB[i]!;
    if (Number.isNaN(rec)) continue;
    const sim = simulatedMB[i]!;
    if (!Number.isFinite(sim) || !Number.isFinite(rec)) {
      throw new DynamicMemoryError(
        'InvalidArgument',
        `compareAssigned: sample ${i} is not a finite number (recorded ${rec}, simulated ${sim}).`,
      );
    }
    const err = Math.abs(sim - rec);
    errors.push(err);
    sum += err;
    // err × 20 ≤ |rec| rather than err ≤ 0.05 × rec: 0.05 is not exact in binary and would misjudge the boundary.
    if (err * 20 <= Math.abs(rec)) within++;
  }
  const n = errors.length;
  if (n === 0) return { samples: 0, meanAbsErrorMB: NaN, p95AbsErrorMB: NaN, within5Percent: NaN };
  errors.sort((a, b) => a - b);
  // Nearest rank: the smallest error that at least 95 % of samples do not exceed; always an observed value.
  const p95 = errors[Math.ceil(0.95 * n) - 1]!;
  return { samples: n, meanAbsErrorMB: sum / n, p95AbsErrorMB: p95, within5Percent: within / n };
}
