// A plain-JavaScript balancer as an expert would write it for speed, for reference beside dynmem's engines: the
// same rules (targets with a buffer, tiers minimum → demand → buffer, a weighted water-fill by Newton steps in the
// tier that does not fit, ballooning at a rate), over typed arrays, without counters, Smart Paging, boots or
// whole-MB fix-ups. It is a yardstick for the speed of the per-tick math, not a second implementation.

export class ExpertBalancer {
  constructor(vms, poolMB, balloonStepMB) {
    this.n = vms.length;
    this.pool = poolMB;
    this.step = balloonStepMB;
    const column = (f) => Float64Array.from(vms, f);
    this.min = column((vm) => vm.minimumMB);
    this.max = column((vm) => vm.maximumMB);
    this.buffer = column((vm) => vm.bufferPercent);
    this.weight = column((vm) => vm.weight);
    this.demand = new Float64Array(this.n);
    this.assigned = column((vm) => vm.startupMB);
    this.goal = new Float64Array(this.n);
    this.need = new Float64Array(this.n);
    this.lambda = 0;
  }

  tick() {
    const { n, min, max, buffer, demand, goal, need, weight } = this;
    let sumMin = 0;
    let sumDemand = 0;
    let sumTarget = 0;
    for (let i = 0; i < n; i++) {
      const d = demand[i];
      const level = Math.min(max[i], Math.max(min[i], d));
      const target = Math.min(max[i], Math.max(min[i], d + Math.ceil((d * buffer[i]) / 100)));
      goal[i] = target;
      sumMin += min[i];
      sumDemand += level;
      sumTarget += target;
    }
    if (sumTarget > this.pool) {
      const buffered = sumDemand <= this.pool;
      let share = buffered ? this.pool - sumDemand : this.pool - sumMin;
      for (let i = 0; i < n; i++) {
        const level = Math.min(max[i], Math.max(min[i], demand[i]));
        const base = buffered ? level : min[i];
        need[i] = (buffered ? goal[i] : level) - base;
        goal[i] = base;
      }
      // Newton on Σ min(need, λw) = share, from last tick's λ
      let lambda = this.lambda;
      for (let step = 0; step < 50; step++) {
        let capped = 0;
        let open = 0;
        for (let i = 0; i < n; i++) {
          const w = weight[i];
          if (need[i] <= lambda * w) capped += need[i];
          else open += w;
        }
        const next = open > 0 ? (share - capped) / open : 0;
        if (Math.abs(next - lambda) < 1e-9) break;
        lambda = next;
      }
      this.lambda = lambda;
      for (let i = 0; i < n; i++) {
        const s = Math.min(need[i], Math.floor(lambda * weight[i]));
        goal[i] += s;
        share -= s;
      }
    }
    const assigned = this.assigned;
    let free = this.pool;
    for (let i = 0; i < n; i++) {
      const a = assigned[i];
      const g = goal[i];
      const kept = a > g ? Math.max(g, a - this.step) : a;
      assigned[i] = kept;
      free -= kept;
    }
    for (let i = 0; i < n && free > 0; i++) {
      const add = Math.min(free, goal[i] - assigned[i]);
      if (add > 0) {
        assigned[i] += add;
        free -= add;
      }
    }
  }
}
