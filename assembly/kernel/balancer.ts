// The balancer tick for every host, over the structure-of-arrays store. Portable (asc and tsc).
import { HostStore, OFF, RUNNING, STARTING, VmStore } from './store.ts';
import { hand, level, Packed, waterFill } from './waterfill.ts';

/** Run `ticks` balancer ticks of `dt` seconds on every live host. `alpha` is the weight of the newest sample in
 * the average-pressure moving average (computed by the caller so both engines share it bit for bit). */
export function tick(v: VmStore, h: HostStore, p: Packed, hostCount: i32, ticks: i32, dt: f64, alpha: f64): void {
  for (let t = 0; t < ticks; t++) {
    for (let host = 0; host < hostCount; host++) {
      if (h.up[host] == 0) continue;
      tickHost(v, h, p, host, dt, alpha);
    }
  }
}

/** goal = base + a weighted share of `pool` over the tier's needs (top − base); `base` null means zero.
 * The common case (weighted VMs short of memory) packs the needs in the same pass that computes them. */
function fillTier(
  v: VmStore,
  h: HostStore,
  p: Packed,
  host: i32,
  base: F64Column | null,
  top: F64Column,
  pool: f64,
): void {
  const from = <i32>h.hostStart[host];
  const to = <i32>h.hostEnd[host];
  const need = v.need;
  const goal = v.goal;
  const weight = v.weight;
  const packNeed = p.need;
  const packWeight = p.weight;
  const packRatio = p.ratio;
  const packSlot = p.slot;
  let count = 0;
  let weightedNeed = 0.0;
  for (let i = from; i < to; i++) {
    const b = base == null ? 0.0 : base[i];
    const n = top[i] - b;
    need[i] = n;
    goal[i] = b;
    const w = weight[i];
    if (n > 0.0 && w != 0.0) {
      packNeed[count] = n;
      packWeight[count] = w;
      packRatio[count] = n / w;
      packSlot[count] = <f64>i;
      count++;
      weightedNeed += n;
    }
  }
  if (pool < weightedNeed) {
    const lambda = level(p, count, pool, h.lambdaAlloc[host]);
    hand(p, count, pool, lambda, goal);
    h.lambdaAlloc[host] = lambda;
  } else {
    // Weighted VMs all fit; weight-0 VMs share the rest (rare: the general path).
    waterFill(from, to, need, weight, pool, h.lambdaAlloc[host], goal, p);
  }
}

/** A VM the balancer leaves alone this tick (off, booting, static): zero in every tier, so it needs nothing. */
function unbalanced(lower: F64Column, upper: F64Column, goal: F64Column, i: i32): void {
  lower[i] = 0.0;
  upper[i] = 0.0;
  goal[i] = 0.0;
}

/** A VM within `hysteresis` MB of its goal is left as it is (never while it uses Smart Paging). With the default
 * hysteresis of 0 only a VM exactly at its goal is. */
function settled(phys: f64, paged: f64, goal: f64, hysteresis: f64): bool {
  return paged == 0.0 && Math.abs(goal - phys) <= hysteresis;
}

/** Physical memory a VM keeps after this tick's ballooning toward `goal`: at most `step` MB leave, Smart Paging
 * memory first (it frees no physical memory). */
function afterBalloon(phys: f64, paged: f64, goal: f64, step: f64): f64 {
  const total = phys + paged;
  if (total <= goal) return phys;
  const cut = Math.min(step, total - goal);
  return cut > paged ? phys - (cut - paged) : phys;
}

/** A guest whose Dynamic Memory components have just reported holds no more than its effective maximum from
 * then on: memory above it goes at once (Smart Paging first), as when the guest maximum is lowered while the VM
 * runs, not at the balloon rate. Returns the MB removed. */
function trimAtBoot(v: VmStore, i: i32): f64 {
  const excess = v.assigned[i] + v.smartPaging[i] - v.ceiling[i];
  if (excess <= 0.0) return 0.0;
  const fromPaging = Math.min(v.smartPaging[i], excess);
  v.smartPaging[i] = v.smartPaging[i] - fromPaging;
  v.assigned[i] = v.assigned[i] - (excess - fromPaging);
  v.removed[i] += excess;
  v.removeOps[i] += 1.0;
  return excess;
}

function tickHost(v: VmStore, h: HostStore, p: Packed, host: i32, dt: f64, alpha: f64): void {
  const from = <i32>h.hostStart[host];
  const to = <i32>h.hostEnd[host];
  const state = v.state;
  const assigned = v.assigned;
  const smartPaging = v.smartPaging;
  const demand = v.demand;
  const lower = v.lower;
  const upper = v.upper;
  const goal = v.goal;
  const dynamic = v.dynamic;
  const floor = v.floor;
  const ceiling = v.ceiling;
  const buffer = v.buffer;
  const demandExact = v.demandExact;
  const demandRate = v.demandRate;
  const bootLeft = v.bootLeft;
  const pressure = v.pressure;
  const avgPressure = v.avgPressure;
  const minPressure = v.minPressure;
  const maxPressure = v.maxPressure;
  const added = v.added;
  const removed = v.removed;
  const addOps = v.addOps;
  const removeOps = v.removeOps;
  const guestVisible = v.guestVisible;
  const smartPagingMBs = v.smartPagingMBs;

  // 1. Boots finish, demand ramps, and each balanced VM gets its floor, demand level and target.
  let heldOutside = 0.0;
  let sumLower = 0.0;
  let sumDemandLevel = 0.0;
  let sumTarget = 0.0;
  let balancedCount = 0;
  let trimmedAtBoot = 0.0;
  let trimsAtBoot = 0.0;
  const step = h.balloonRate[host] * dt;
  const hysteresis = h.hysteresis[host];
  // What the move would keep and want if every VM got its target (right unless memory is short).
  let keptIfTargets = 0.0;
  let wantedIfTargets = 0.0;
  for (let i = from; i < to; i++) {
    const s = state[i];
    if (s == OFF) {
      unbalanced(lower, upper, goal, i);
      continue;
    }
    const rate = demandRate[i];
    if (rate != 0.0) {
      const exact = demandExact[i] + rate * dt;
      demandExact[i] = exact;
      demand[i] = exact > 0.0 ? Math.floor(exact + 0.5) : 0.0;
    }
    if (s == STARTING) {
      const left = bootLeft[i] - dt;
      bootLeft[i] = left > 0.0 ? left : 0.0;
      if (left > 0.0 || dynamic[i] == 0) {
        heldOutside += assigned[i];
        if (left <= 0.0) state[i] = RUNNING;
        unbalanced(lower, upper, goal, i);
        continue;
      }
      state[i] = RUNNING;
      const trimmed = trimAtBoot(v, i);
      if (trimmed > 0.0) {
        trimmedAtBoot += trimmed;
        trimsAtBoot += 1.0;
      }
    } else if (dynamic[i] == 0) {
      heldOutside += assigned[i];
      unbalanced(lower, upper, goal, i);
      continue;
    }
    // A running Dynamic Memory VM: where demand and demand plus buffer fall in its range.
    const lo = floor[i];
    const hi = ceiling[i];
    const d = demand[i];
    const ideal = d + Math.ceil((d * buffer[i]) / 100.0);
    const demandLevel = Math.min(hi, Math.max(lo, d));
    const target = Math.min(hi, Math.max(lo, ideal));
    lower[i] = lo;
    upper[i] = demandLevel;
    goal[i] = target;
    sumLower += lo;
    sumDemandLevel += demandLevel;
    sumTarget += target;
    balancedCount++;
    const phys = assigned[i];
    const paged = smartPaging[i];
    if (settled(phys, paged, target, hysteresis)) {
      keptIfTargets += phys;
    } else {
      const kept = afterBalloon(phys, paged, target, step);
      keptIfTargets += kept;
      if (target > kept) wantedIfTargets += target - kept;
    }
  }

  // 2. Allocation: targets if they fit, else tiers (minimum, demand, buffer) with a weighted water-fill
  // inside the first tier that does not fit. `upper` holds the demand level and `goal` the target.
  const pool = h.memory[host] - h.reserve[host] - heldOutside;
  let kept = keptIfTargets;
  let wanted = wantedIfTargets;
  if (balancedCount > 0 && sumTarget > pool) {
    if (sumDemandLevel <= pool) {
      fillTier(v, h, p, host, upper, goal, pool - sumDemandLevel);
    } else if (sumLower <= pool) {
      fillTier(v, h, p, host, lower, upper, pool - sumLower);
    } else {
      // Minimums do not fit (admission control prevents this): share the whole pool by weight.
      fillTier(v, h, p, host, null, lower, pool > 0.0 ? pool : 0.0);
    }
    kept = 0.0;
    wanted = 0.0;
    for (let i = from; i < to; i++) {
      if (lower[i] == 0.0) continue; // not balanced this tick
      const g = goal[i];
      const phys = assigned[i];
      const paged = smartPaging[i];
      if (settled(phys, paged, g, hysteresis)) {
        kept += phys;
        continue;
      }
      const left = afterBalloon(phys, paged, g, step);
      kept += left;
      if (g > left) wanted += g - left;
    }
  }

  // 3. Move toward the goals (in the counters pass below): balloon down at `step` MB a tick first (Smart Paging
  // memory goes first), then hand out what is free; if more is wanted than is free (memory still being
  // ballooned out of others), each gets the same fraction of what it wants, in whole MB.
  let free = pool - kept;
  if (free < 0.0) free = 0.0;
  const fraction = wanted > free ? free / wanted : 1.0;
  let freeLeft = free; // floors of fractions can round up by a hair: never hand out more than is free

  // 4. Move, and update every counter in the same pass.
  let hostHeld = 0.0;
  let hostDemand = 0.0;
  let hostGuestMemory = 0.0;
  let hostPaged = 0.0;
  let hostAdded = 0.0;
  let hostRemoved = trimmedAtBoot;
  let hostAddOps = 0.0;
  let hostRemoveOps = trimsAtBoot;
  let hostPaging = 0.0;
  let hostShort = 0.0;
  for (let i = from; i < to; i++) {
    const s = state[i];
    if (s == OFF) continue;
    let phys = assigned[i];
    let paged = smartPaging[i];
    let grew = 0.0;
    let shrunk = 0.0;
    if (lower[i] != 0.0 && !settled(phys, paged, goal[i], hysteresis)) {
      const g = goal[i];
      const total = phys + paged;
      if (total > g) {
        shrunk = Math.min(step, total - g);
        const fromPaging = Math.min(paged, shrunk);
        paged -= fromPaging;
        phys -= shrunk - fromPaging;
      }
      const want = g > phys ? g - phys : 0.0;
      const share = fraction < 1.0 ? Math.floor(want * fraction) : want;
      const give = share < freeLeft ? share : freeLeft;
      freeLeft -= give;
      if (give > 0.0) {
        const before = phys + paged;
        phys += give;
        const after = phys > before ? phys : before;
        paged = after - phys;
        grew = after - before;
      }
      assigned[i] = phys;
      smartPaging[i] = paged;
    }
    if (grew > 0.0) {
      added[i] += grew;
      addOps[i] += 1.0;
      hostAdded += grew;
      hostAddOps += 1.0;
    }
    if (shrunk > 0.0) {
      removed[i] += shrunk;
      removeOps[i] += 1.0;
      hostRemoved += shrunk;
      hostRemoveOps += 1.0;
    }
    const guestMemory = phys + paged;
    const d = demand[i];
    const now = guestMemory > 0.0 ? (100.0 * d) / guestMemory : 0.0;
    pressure[i] = now;
    if (minPressure[i] < 0.0) {
      // first sample since the VM started
      avgPressure[i] = now;
      minPressure[i] = now;
      maxPressure[i] = now;
    } else {
      avgPressure[i] += alpha * (now - avgPressure[i]);
      if (now < minPressure[i]) minPressure[i] = now;
      if (now > maxPressure[i]) maxPressure[i] = now;
    }
    if (guestMemory > guestVisible[i]) guestVisible[i] = guestMemory;
    if (d > guestMemory) {
      hostShort += dt;
      hostPaging += (d - guestMemory) * dt;
    }
    if (paged > 0.0) smartPagingMBs[i] += paged * dt;
    hostHeld += phys;
    hostPaged += paged;
    if (lower[i] != 0.0) {
      // balanced: a running Dynamic Memory VM
      hostDemand += d;
      hostGuestMemory += guestMemory;
    }
  }

  const available = h.memory[host] - h.reserve[host] - hostHeld;
  if (available < h.minAvailable[host]) h.minAvailable[host] = available;
  const systemPressure = hostGuestMemory > 0.0 ? (100.0 * hostDemand) / hostGuestMemory : 0.0;
  h.systemPressure[host] = systemPressure;
  if (h.elapsed[host] == 0.0) h.avgPressure[host] = systemPressure;
  else h.avgPressure[host] += alpha * (systemPressure - h.avgPressure[host]);
  h.added[host] += hostAdded;
  h.removed[host] += hostRemoved;
  h.addOps[host] += hostAddOps;
  h.removeOps[host] += hostRemoveOps;
  h.elapsed[host] += dt;
  h.pressureSeconds[host] += systemPressure * dt;
  if (systemPressure > h.peakPressure[host]) h.peakPressure[host] = systemPressure;
  h.assignedMBs[host] += hostHeld * dt;
  h.smartPagingMBs[host] += hostPaged * dt;
  if (hostPaged > h.peakSmartPaging[host]) h.peakSmartPaging[host] = hostPaged;
  h.pagingMBs[host] += hostPaging;
  h.shortVmSeconds[host] += hostShort;
}
