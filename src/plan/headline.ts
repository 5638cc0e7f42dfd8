// The answer of a plan in one line, first thing on the terminal and atop the report.
import { formatNumber } from '../report/svg.ts';
import type { PlanResult } from './types.ts';
import type { ResolvedPlan } from './validate.ts';

/** "64 GB" for whole GB, else "1,500 MB". */
export function formatMemory(mb: number): string {
  return mb % 1024 === 0 ? `${formatNumber(mb / 1024)} GB` : `${formatNumber(mb)} MB`;
}

export function describeHost(result: Pick<PlanResult, 'hosts' | 'hostMemoryMB' | 'targets'>): string {
  const size = formatMemory(result.hostMemoryMB);
  if (result.hosts === 1) return `${size} host`;
  return `${result.hosts} × ${size} cluster${result.targets.failover ? ' (N+1)' : ''}`;
}

const times = (gain: number | null | undefined) => (gain ? ` (${formatNumber(gain, 1)}×)` : '');

export function describeHeadline(result: PlanResult, plan: ResolvedPlan): string {
  const profile = `profile ${plan.profile.traces
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop()}`;
  const limit = (bounded: boolean | undefined) => (bounded ? ' (the search bound; more may fit)' : '');
  if (result.question === 'density') {
    const d = result.dynamic!;
    const s = result.static!;
    const at = d.at?.[0]?.metrics;
    const detail = at
      ? `; at ${d.value} VMs demand is above memory ${formatNumber(at.shortfallPercent, 3)} % of VM-seconds and ${formatNumber(at.savedPercent, 0)} % of static memory is saved`
      : '';
    return (
      `${describeHost(result)}, ${profile}: ${d.value} VMs with Dynamic Memory${limit(d.bounded)}, ` +
      `${s.value} with static memory${limit(s.bounded)}${times(result.gain)}${detail}.`
    );
  }
  if (result.question === 'hostMemory') {
    const vms = result.dynamic!.at?.[0]?.point.vms ?? result.static!.at?.[0]?.point.vms;
    const mem = (v: number | null) => (v === null ? 'none within the search bound' : formatMemory(v));
    const where = result.hosts === 1 ? 'host' : `host (${result.hosts} hosts${result.targets.failover ? ', N+1' : ''})`;
    return (
      `${vms ?? ''} VMs, ${profile}: ${mem(result.dynamic!.value)} per ${where} with Dynamic Memory, ` +
      `${mem(result.static!.value)} with static memory${times(result.gain)}.`
    );
  }
  const sweep = result.sweep!;
  const passing = sweep.points.filter((p) => p.ok);
  const best = [...sweep.points].sort((a, b) => b.vms - a.vms)[0];
  const describe = (p: { settings: Record<string, unknown> }) =>
    Object.entries(p.settings)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(', ');
  if (sweep.vms !== null) {
    const first =
      passing.length > 0 && passing.length < sweep.points.length ? ` (first: ${describe(passing[0]!)})` : '';
    return `${describeHost(result)}, ${profile}: ${passing.length} of ${sweep.points.length} settings meet every target with ${sweep.vms} VMs${first}.`;
  }
  return `${describeHost(result)}, ${profile}: most VMs ${best?.vms ?? 0} with ${best ? describe(best) : '—'} (${sweep.points.length} settings swept).`;
}
