// Proxmox VE auto-ballooning: steer host memory use toward a set-point (80 % by default) by water-filling the
// memory above each VM's balloon minimum by shares, each VM moving at most maxChange MB per cycle.
// Portable (asc and tsc).

import { hostEndVm, hostFirstVm } from '../jit.ts';
import { BALANCED, HostStore, VmStore } from '../store.ts';
import { shareRatio, waterFill, weightedShare } from '../waterfill.ts';

/** Shares of a VM: its Hyper-V weight / 5 (weight 5000 → Proxmox's default 1000; weight 0 → not ballooned). */
export function proxmoxShares(weight: f64): f64 {
  return weight / 5.0;
}

/** Goals of the balanced VMs of `host`, whose balanced VMs may hold `pool` MB in all. */
export function decideProxmox(v: VmStore, h: HostStore, host: i32, pool: f64): void {
  const from = hostFirstVm(h, host);
  const to = hostEndVm(h, host);
  const balanced = v.balanced;
  const floor = v.floor;
  const assigned = v.assigned;
  const goal = v.goal;
  const room = v.need; // the range above each ballooned VM's minimum, shared by shares
  let held = 0.0;
  let above = 0.0;
  let roomSum = 0.0;
  for (let i = from; i < to; i++) {
    let n = 0.0;
    let w = 0.0;
    if (balanced[i]! == BALANCED) {
      const cur = assigned[i]!;
      held += cur;
      w = proxmoxShares(v.weight[i]!);
      if (w > 0.0) {
        n = v.ceiling[i]! - floor[i]!;
        above += cur - floor[i]!;
        roomSum += n;
      }
    }
    room[i] = n;
    const shareWeight = weightedShare(n, w);
    v.shareWeight[i] = shareWeight;
    v.ratio[i] = shareRatio(n, shareWeight);
  }
  // Host memory in use counts the host itself (its reserve) and everything the VMs hold.
  const total = h.memory[host]!;
  const used = total - (pool - held);
  const target = Math.floor((total * h.proxmoxTarget[host]!) / 100.0 - used);
  if (Math.abs(target) <= h.proxmoxDeadband[host]!) return; // within the dead-band: no new decision
  for (let i = from; i < to; i++) if (room[i]! > 0.0) goal[i] = floor[i]!;
  waterFill(v, from, to, Math.max(0.0, above + target), 0.0, roomSum, 0.0);
  const maxChange = h.proxmoxMaxChange[host]!;
  for (let i = from; i < to; i++) {
    if (balanced[i]! != BALANCED || proxmoxShares(v.weight[i]!) == 0.0) continue;
    const cur = assigned[i]!;
    goal[i] = Math.min(cur + maxChange, Math.max(cur - maxChange, goal[i]!));
  }
}
