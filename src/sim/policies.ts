// Scenarios under other allocation policies: the scenario each policy runs (fields `policy`, `policies` and
// `policyOptions`, checked in scenario.ts), and the key figures that put the runs side by side.
import type { PolicyName, PolicyOptions } from '../host/policy.ts';
import type { Scenario } from './scenario.ts';
import type { SimulationSeries } from './series.ts';
import type { SimulationSummary } from './summary.ts';

/** One run of a `policies` comparison. */
export interface PolicyRun {
  policy: PolicyName;
  summary: SimulationSummary;
  series: SimulationSeries;
  figures: PolicyFigures;
}

/** What the comparison table shows for each policy. */
export interface PolicyFigures {
  policy: PolicyName;
  /** Memory saved against static memory, MB and percent (summary.memory). */
  savedMB: number;
  savedPercent: number;
  /** Σ over VMs of seconds with demand above their memory. */
  vmSecondsShort: number;
  /** 95th percentile of the sampled System Current Pressure (all hosts together), and its peak at any tick. */
  pressureP95: number;
  pressurePeak: number;
  /** Memory add and remove operations, all hosts. */
  operations: number;
  startFailures: number;
}

/** The policies a scenario runs under: its list, else its one policy (or each host's own). */
export function policiesOf(scenario: Scenario): (PolicyName | undefined)[] {
  return scenario.policies ?? [scenario.policy];
}

/** The scenario as it runs under `policy`: every host without a policy of its own takes it and its knobs. */
export function withPolicy(scenario: Scenario, policy: PolicyName | undefined): Scenario {
  const { policies: _, policyOptions, ...rest } = scenario;
  if (policy === undefined) return rest;
  const knobs: PolicyOptions | undefined = policyOptions?.[policy];
  return {
    ...rest,
    policy,
    hosts: scenario.hosts.map((h) =>
      h.policy !== undefined ? h : { ...h, policy, ...(knobs === undefined ? {} : { policyOptions: knobs }) },
    ),
  };
}

/** The scenario with `--policy` applied: one policy for every host that names none, or a comparison of several. */
export function withPolicies(scenario: Scenario, policies: PolicyName[]): Scenario {
  const { policy: _, policies: __, ...rest } = scenario;
  return policies.length === 1 ? { ...rest, policy: policies[0]! } : { ...rest, policies };
}

/** The q-quantile of `values` (nearest rank), 0 for none. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function policyFigures(
  policy: PolicyName,
  summary: SimulationSummary,
  series: SimulationSeries,
  operations: number,
): PolicyFigures {
  return {
    policy,
    savedMB: summary.memory.savedMB,
    savedPercent: summary.memory.savedPercent,
    vmSecondsShort: summary.shortfall.vmSecondsShort,
    pressureP95: quantile(series.total.pressure, 0.95),
    pressurePeak: summary.pressure.peak,
    operations,
    startFailures: summary.startFailures.length,
  };
}
