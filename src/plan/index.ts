// The planner's entry in the main package: browser-safe to import (the planner itself needs Node: threads, files,
// Redis), so it is loaded on the first call.
import type { PlanOptions } from './plan.ts';
import type { Plan, PlanResult } from './types.ts';

export { PlanError, PlanStopped } from './errors.ts';
export type { PlanOptions, PlanProgress } from './plan.ts';
export { checkPlan } from './validate.ts';

/**
 * Answer a capacity question (Node only): density (most VMs with and without Dynamic Memory), host memory (least
 * memory for N VMs) or a settings sweep, on every core, or across machines with `queue`. See README, "Plan capacity".
 * @example
 * const result = await plan({
 *   host: { memoryMB: 65536 },
 *   profile: { traces: 'data/bitbrains-sample', template: { startupMB: 1024, minimumMB: 512 }, maximumFromProvisioned: true },
 * });
 * console.log(result.headline); // "64 GB host, profile bitbrains-sample: 41 VMs with Dynamic Memory, 21 with static memory (2.0×); …"
 */
export async function plan(input: Plan, options: PlanOptions = {}): Promise<PlanResult> {
  // A computed specifier keeps browser bundlers from following the import into Node-only modules.
  const planner = new URL('./plan.js', import.meta.url).href;
  const { plan: run } = (await import(/* @vite-ignore */ planner)) as typeof import('./plan.ts');
  return run(input, options);
}
