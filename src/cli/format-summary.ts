// The summary as a person reads it on a terminal.
import type { SimulationSummary } from '../sim/summary.ts';

const mb = (x: number) => `${Math.round(x).toLocaleString('en-US')} MB`;
const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;
/** The first few names of a list, then how many more. */
const listed = (names: string[], shown = 10) =>
  names.slice(0, shown).join(', ') + (names.length > shown ? `, … ${names.length - shown} more` : '');

export function formatSummary(
  s: SimulationSummary,
  comparison?: { overall: { meanAbsErrorMB: number; p95AbsErrorMB: number; within5Percent: number } },
): string {
  const lines = [
    `${s.scenario}: ${s.vms} VM${s.vms === 1 ? '' : 's'} on ${s.hosts} host${s.hosts === 1 ? '' : 's'}, ${hours(s.durationSeconds)} simulated (${s.engine}, ${s.wallSeconds.toFixed(1)} s)`,
    `  memory saved vs static   ${mb(s.memory.savedMB)} (${s.memory.savedPercent.toFixed(1)} %: static ${mb(s.memory.staticMB)}, mean assigned ${mb(s.memory.meanAssignedMB)})`,
    `  pressure                 average ${s.pressure.average.toFixed(1)} %, peak ${s.pressure.peak.toFixed(1)} %`,
    `  short of demand          ${Math.round(s.shortfall.vmSecondsShort).toLocaleString('en-US')} VM-seconds, guest paging ${mb(s.shortfall.guestPagingMBs)}·s`,
    `  Smart Paging             ${mb(s.smartPaging.mbSeconds)}·s, peak ${mb(s.smartPaging.peakMB)}, ${s.smartPaging.vms} VMs`,
    `  start failures           ${s.startFailures.length}`,
    ...(s.staticVms.length ? [`  static memory VMs        ${s.staticVms.length}: ${listed(s.staticVms)}`] : []),
    `  headroom                 least available ${mb(s.headroom.minAvailableMB)} (any host, any tick: ${mb(s.headroom.minHostAvailableMB)})`,
  ];
  for (const f of s.failovers) {
    const off = f.notStarted.length ? `, ${f.notStarted.length} No Auto Start left off` : '';
    lines.push(
      `  failover of ${f.host} at ${hours(f.atSeconds)}: ${f.restarted} restarted, ${f.failed.length} failed${off}`,
    );
  }
  for (const r of s.recoveries) {
    if (r.failedBack.length) lines.push(`  failback to ${r.host} at ${hours(r.atSeconds)}: ${r.failedBack.length} VMs`);
  }
  const moves = s.migrations;
  if (moves.count) {
    const mbMoved = moves.list.reduce((sum, m) => sum + m.mb, 0);
    const longest = Math.max(...moves.list.map((m) => m.seconds));
    const early = moves.list.filter((m) => m.status !== 'done' && m.status !== 'moving').length;
    lines.push(
      `  live migrations          ${moves.count} (${moves.balance} load balancing, ${moves.failback} failback), ${mb(mbMoved)} moved, longest ${longest} s${early ? `, ${early} ended early` : ''}`,
    );
  }
  const r = s.traces.repairs;
  if (s.traces.files) {
    const idle = s.traces.idle;
    lines.push(
      `  traces                   ${s.traces.files} files; repaired: ${r.duplicateTimestamps} duplicate timestamps, ${r.outOfOrder} out of order, ${r.gaps} gaps (${hours(r.gapSeconds)})`,
    );
    if (idle.length) {
      lines.push(
        `  idle traces left out     ${idle.length} (demand 0 throughout): ${idle.slice(0, 20).join(', ')}${idle.length > 20 ? ', …' : ''}`,
      );
    }
  }
  for (const warning of s.warnings) lines.push(`  warning: ${warning}`);
  // Events the VM's state refused at run time (a static resize on 2012 R2, a maximum lowered while running):
  // the run goes on without them, so the reader must see which they were.
  const refused = s.eventErrors;
  if (refused.length) lines.push(`  events refused           ${refused.length}`);
  for (const e of refused.slice(0, 5)) lines.push(`    at ${hours(e.atSeconds)}: ${e.event}: ${e.message}`);
  if (refused.length > 5) lines.push(`    … ${refused.length - 5} more in summary.json`);
  if (comparison) {
    const o = comparison.overall;
    lines.push(
      `  vs Hyper-V recorded      mean |error| ${mb(o.meanAbsErrorMB)}, p95 ${mb(o.p95AbsErrorMB)}, ${(o.within5Percent * 100).toFixed(1)} % of samples within 5 %`,
    );
  }
  return `${lines.join('\n')}\n`;
}
