// The cluster option about where VMs go after failures (Failover Clustering's failback).
import { DynamicMemoryError, shown } from '../errors.ts';

/** 'none' (Hyper-V's default): VMs stay where failover put them; 'immediate': they go home when it recovers. */
export type Failback = 'none' | 'immediate';
const FAILBACKS: readonly Failback[] = ['none', 'immediate'];

/** @internal */
export function resolveFailback(value: unknown): Failback {
  if (value === undefined) return 'none';
  if (!FAILBACKS.includes(value as Failback)) {
    throw new DynamicMemoryError('InvalidSetting', `failback must be 'none' or 'immediate', not ${shown(value)}.`, {
      field: 'failback',
    });
  }
  return value as Failback;
}
