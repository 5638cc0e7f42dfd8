// One tick of a host under a peer hypervisor's policy. Boots, the move and the counters are Hyper-V's passes
// (hyperv.ts): memory is added at once when free and removed at the balloon rate. What differs is the goal: the
// policy decides it on the last tick of each control interval, and every VM heads for its last decision in
// between. Portable (asc and tsc).
import {
  anyStarting,
  balancerPool,
  countDownBoots,
  countHostTick,
  goalSums,
  keptAndWanted,
  moveAndCount,
} from '../hyperv.ts';
import { hostEndVm, hostFirstVm } from '../jit.ts';
import {
  BALANCED,
  HostStore,
  NOT_BALANCED,
  OFF,
  POLICY_ESX,
  POLICY_MOM,
  POLICY_PROXMOX,
  POLICY_QMEMMAN,
  POLICY_SQUEEZED,
  VmStore,
} from '../store.ts';
import { rampedDemand } from '../vm-rules.ts';
import { decideEsx } from './esx.ts';
import { decideMom } from './mom.ts';
import { decideProxmox } from './proxmox.ts';
import { decideQmemman } from './qmemman.ts';
import { decideSqueezed } from './squeezed.ts';

/** One tick of host `host` under its peer policy. Never quiet: the control interval is a timer. */
export function peerTick(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64): bool {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  countDownBoots(v, from, to, dt, anyStarting(v, from, to));
  lastDecisions(v, from, to, dt);
  const pool = balancerPool(h, host);
  const ticks = h.policyTicks[host]! + 1.0;
  if (ticks >= h.policyEvery[host]!) {
    h.policyTicks[host] = 0.0;
    decide(v, h, host, pool);
    for (let i = from; i < to; i++) if (v.balanced[i]! == BALANCED) v.policyGoal[i] = v.goal[i]!;
  } else {
    h.policyTicks[host] = ticks;
  }
  keptAndWanted(v, h, host, from, to, dt);
  moveAndCount(v, h, host, from, to, dt, alpha, Math.max(0.0, pool - goalSums.kept));
  countHostTick(h, host, dt, alpha);
  return false;
}

/** Demand ramps, and each balanced VM heads for the policy's last decision, inside its current [floor, ceiling];
 * a VM balanced since that decision keeps what it holds until the next. Sums for the pool. */
function lastDecisions(v: VmStore, from: i32, to: i32, dt: f64): void {
  const goal = v.goal;
  const policyGoal = v.policyGoal;
  const assigned = v.assigned;
  let heldOutside = 0.0;
  let balancedCount = 0.0;
  for (let i = from; i < to; i++) {
    const rate = v.demandRate[i]!;
    if (rate != 0.0 && v.state[i]! != OFF) {
      const exact = v.demandExact[i]! + rate * dt;
      v.demandExact[i] = exact;
      v.demand[i] = rampedDemand(exact);
    }
    if (v.balanced[i]! == NOT_BALANCED) {
      heldOutside += assigned[i]!; // 0 for a VM that is off
      goal[i] = 0.0;
      policyGoal[i] = 0.0;
      continue;
    }
    const decided = policyGoal[i]!;
    const g = Math.min(
      v.ceiling[i]!,
      Math.max(v.floor[i]!, decided == 0.0 ? assigned[i]! + v.smartPaging[i]! : decided),
    );
    policyGoal[i] = g;
    goal[i] = g;
    balancedCount += 1.0;
  }
  goalSums.heldOutside = heldOutside;
  goalSums.balancedCount = balancedCount;
}

/** The policy's goals for this control interval (static decides nothing: every VM keeps what it holds). */
function decide(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const policy = h.policy[host]!;
  if (policy == POLICY_SQUEEZED) decideSqueezed(v, h, host, pool);
  else if (policy == POLICY_QMEMMAN) decideQmemman(v, h, host, pool);
  else if (policy == POLICY_MOM) decideMom(v, h, host, pool);
  else if (policy == POLICY_PROXMOX) decideProxmox(v, h, host, pool);
  else if (policy == POLICY_ESX) decideEsx(v, h, host, pool);
}
