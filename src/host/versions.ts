// What differs between Windows Server versions of Hyper-V, as far as memory goes (Microsoft, "Plan for Hyper-V
// scalability in Windows Server", per version; "What's new in Hyper-V on Windows Server 2016": runtime memory resize).
import type { VmMemoryLimit } from '../settings.ts';

export type HyperVVersion = '2012R2' | '2016' | '2019' | '2022' | '2025';
export const HYPERV_VERSIONS: readonly HyperVVersion[] = ['2012R2', '2016', '2019', '2022', '2025'];
/** The newest version, the default. */
export const DEFAULT_HYPERV_VERSION: HyperVVersion = '2025';

const TB = 1_048_576;

interface VersionRules {
  /** Largest memory of a Generation 1 and a Generation 2 VM, MB. */
  maxVmMemoryMB: { 1: number; 2: number };
  /** Running VMs without Dynamic Memory can be resized (Generation 2, supported guest). */
  runtimeResize: boolean;
}

export const VERSION_RULES: Readonly<Record<HyperVVersion, VersionRules>> = {
  '2012R2': { maxVmMemoryMB: { 1: TB, 2: TB }, runtimeResize: false },
  '2016': { maxVmMemoryMB: { 1: TB, 2: 12 * TB }, runtimeResize: true },
  '2019': { maxVmMemoryMB: { 1: TB, 2: 12 * TB }, runtimeResize: true },
  '2022': { maxVmMemoryMB: { 1: TB, 2: 240 * TB }, runtimeResize: true },
  '2025': { maxVmMemoryMB: { 1: TB, 2: 240 * TB }, runtimeResize: true },
};

/** The largest VM memory per generation on a host: its version's limit, capped by its maxVmMemoryMB option. */
export function vmMemoryLimit(options: { version: HyperVVersion; maxVmMemoryMB: number }): VmMemoryLimit {
  const byGeneration = VERSION_RULES[options.version].maxVmMemoryMB;
  return (generation) => Math.min(options.maxVmMemoryMB, byGeneration[generation]);
}
