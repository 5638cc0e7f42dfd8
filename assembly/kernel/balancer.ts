// The balancer tick for every host, over the structure-of-arrays store. Portable (asc and tsc).
import { VmStore, HostStore, OFF, STARTING, RUNNING } from './store.ts';
import { waterFill } from './waterfill.ts';

/** Run `ticks` balancer ticks of `dt` seconds on every live host. `alpha` is the weight of the newest sample in
 * the average-pressure moving average (computed by the caller so both engines share it bit for bit). */
export function tick(v: VmStore, h: HostStore, hostCount: i32, ticks: i32, dt: f64, alpha: f64): void {
  for (let t = 0; t < ticks; t++) {
    for (let host = 0; host < hostCount; host++) {
      if (h.up[host] == 0) continue;
      tickHost(v, h, host, dt, alpha);
    }
  }
}

/** goal = base + a weighted share of `pool` over the tier's needs (top − base). `base` may alias `v.need`. */
function fillTier(v: VmStore, h: HostStore, host: i32, base: Float64Array, top: Float64Array, pool: f64): void {
  const order = v.order;
  const from = h.hostStart[host];
  const to = h.hostEnd[host];
  const need = v.need;
  for (let k = from; k < to; k++) {
    const i = order[k];
    need[i] = top[i] - base[i];
  }
  h.lambdaAlloc[host] = waterFill(order, from, to, need, v.weight, pool, h.lambdaAlloc[host], v.grant);
  const grant = v.grant;
  for (let k = from; k < to; k++) {
    const i = order[k];
    v.goal[i] = (base == need ? 0.0 : base[i]) + grant[i];
  }
}

function tickHost(v: VmStore, h: HostStore, host: i32, dt: f64, alpha: f64): void {
  const order = v.order;
  const from = h.hostStart[host];
  const to = h.hostEnd[host];
  const state = v.state;
  const assigned = v.assigned;
  const smartPaging = v.smartPaging;
  const demand = v.demand;
  const lower = v.lower;
  const upper = v.upper;
  const goal = v.goal;
  const need = v.need;

  // 1. Boots finish, demand ramps, and each balanced VM gets its floor, demand level and target.
  let heldOutside = 0.0;
  let sumLower = 0.0;
  let sumDemandLevel = 0.0;
  let sumTarget = 0.0;
  let balancedCount = 0;
  for (let k = from; k < to; k++) {
    const i = order[k];
    const s = state[i];
    lower[i] = 0.0;
    upper[i] = 0.0;
    goal[i] = 0.0;
    if (s == OFF) continue;
    const rate = v.demandRate[i];
    if (rate != 0.0) {
      const exact = v.demandExact[i] + rate * dt;
      v.demandExact[i] = exact;
      demand[i] = exact > 0.0 ? Math.floor(exact + 0.5) : 0.0;
    }
    if (s == STARTING) {
      const left = v.bootLeft[i] - dt;
      v.bootLeft[i] = left > 0.0 ? left : 0.0;
      if (left > 0.0 || v.dynamic[i] == 0) {
        heldOutside += assigned[i];
        if (left <= 0.0) state[i] = RUNNING;
        continue;
      }
      state[i] = RUNNING;
    } else if (v.dynamic[i] == 0) {
      heldOutside += assigned[i];
      continue;
    }
    // A running Dynamic Memory VM: its range, and where demand and demand plus buffer fall in it.
    let lo = v.minimum[i];
    let hi = v.maximum[i];
    if (v.guestDm[i] == 0) {
      lo = v.startup[i];
      hi = lo;
    } else {
      const cap = v.guestOsMax[i];
      if (cap > 0.0 && cap < hi) hi = cap > lo ? cap : lo;
    }
    const d = demand[i];
    const ideal = d + Math.ceil(d * v.buffer[i] / 100.0);
    const demandLevel = Math.min(hi, Math.max(lo, d));
    const target = Math.min(hi, Math.max(lo, ideal));
    lower[i] = lo;
    upper[i] = demandLevel;
    goal[i] = target;
    sumLower += lo;
    sumDemandLevel += demandLevel;
    sumTarget += target;
    balancedCount++;
  }

  // 2. Allocation: targets if they fit, else tiers (minimum, demand, buffer) with a weighted water-fill
  // inside the first tier that does not fit. `upper` holds the demand level and `goal` the target.
  const pool = h.memory[host] - h.reserve[host] - heldOutside;
  if (balancedCount > 0 && sumTarget > pool) {
    if (sumDemandLevel <= pool) {
      fillTier(v, h, host, upper, goal, pool - sumDemandLevel);
    } else if (sumLower <= pool) {
      fillTier(v, h, host, lower, upper, pool - sumLower);
    } else {
      // Minimums do not fit (admission control prevents this): share the whole pool by weight.
      const zero = v.need;
      for (let k = from; k < to; k++) zero[order[k]] = 0.0;
      fillTier(v, h, host, zero, lower, pool > 0.0 ? pool : 0.0);
    }
  }

  // 3. Move toward the goals: balloon down at a finite rate first (Smart Paging memory goes first), then
  // hand out what is free; if more is wanted than is free, the wants are water-filled by weight too.
  const step = h.balloonRate[host] * dt;
  let balancedHeld = 0.0;
  let wantTotal = 0.0;
  const removedNow = v.grant; // reused as scratch: MB removed from each VM this tick
  for (let k = from; k < to; k++) {
    const i = order[k];
    need[i] = 0.0;
    removedNow[i] = 0.0;
    if (lower[i] == 0.0) continue; // not balanced this tick
    const g = goal[i];
    let phys = assigned[i];
    let paged = smartPaging[i];
    const total = phys + paged;
    if (total > g) {
      const cut = Math.min(step, total - g);
      const fromPaging = Math.min(paged, cut);
      paged -= fromPaging;
      phys -= cut - fromPaging;
      smartPaging[i] = paged;
      assigned[i] = phys;
      removedNow[i] = cut;
    }
    if (g > phys) {
      need[i] = g - phys;
      wantTotal += g - phys;
    }
    balancedHeld += phys;
  }
  let free = pool - balancedHeld;
  if (free < 0.0) free = 0.0;
  const rationed = wantTotal > free;
  if (rationed) {
    h.lambdaMove[host] = waterFill(order, from, to, need, v.weight, free, h.lambdaMove[host], goal);
  }

  // 4. Apply additions and update every counter in the same pass.
  let hostHeld = 0.0;
  let hostDemand = 0.0;
  let hostGuestMemory = 0.0;
  let hostPaged = 0.0;
  let hostAdded = 0.0;
  let hostRemoved = 0.0;
  let hostAddOps = 0.0;
  let hostRemoveOps = 0.0;
  let hostPaging = 0.0;
  let hostShort = 0.0;
  for (let k = from; k < to; k++) {
    const i = order[k];
    const s = state[i];
    if (s == OFF) continue;
    let phys = assigned[i];
    let paged = smartPaging[i];
    const give = rationed ? goal[i] : need[i];
    let added = 0.0;
    if (give > 0.0) {
      const before = phys + paged;
      phys += give;
      const after = phys > before ? phys : before;
      paged = after - phys;
      added = after - before;
      assigned[i] = phys;
      smartPaging[i] = paged;
    }
    const removed = removedNow[i];
    if (added > 0.0) {
      v.added[i] += added;
      v.addOps[i] += 1.0;
      hostAdded += added;
      hostAddOps += 1.0;
    }
    if (removed > 0.0) {
      v.removed[i] += removed;
      v.removeOps[i] += 1.0;
      hostRemoved += removed;
      hostRemoveOps += 1.0;
    }
    const guestMemory = phys + paged;
    const d = demand[i];
    const p = guestMemory > 0.0 ? 100.0 * d / guestMemory : 0.0;
    v.pressure[i] = p;
    if (v.minPressure[i] < 0.0) {
      // first sample since the VM started
      v.avgPressure[i] = p;
      v.minPressure[i] = p;
      v.maxPressure[i] = p;
    } else {
      v.avgPressure[i] += alpha * (p - v.avgPressure[i]);
      if (p < v.minPressure[i]) v.minPressure[i] = p;
      if (p > v.maxPressure[i]) v.maxPressure[i] = p;
    }
    if (guestMemory > v.guestVisible[i]) v.guestVisible[i] = guestMemory;
    if (d > guestMemory) {
      v.shortSeconds[i] += dt;
      v.pagingMBs[i] += (d - guestMemory) * dt;
      hostShort += dt;
      hostPaging += (d - guestMemory) * dt;
    }
    if (paged > 0.0) v.smartPagingMBs[i] += paged * dt;
    hostHeld += phys;
    hostPaged += paged;
    if (s == RUNNING && v.dynamic[i] != 0) {
      hostDemand += d;
      hostGuestMemory += guestMemory;
    }
  }

  const available = h.memory[host] - h.reserve[host] - hostHeld;
  h.available[host] = available;
  if (available < h.minAvailable[host]) h.minAvailable[host] = available;
  const systemPressure = hostGuestMemory > 0.0 ? 100.0 * hostDemand / hostGuestMemory : 0.0;
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
