// Shared by the balancer benchmarks: a host of n VMs under contention (memory for 80 % of the demand; weights and
// demands spread deterministically), settled, and a step that changes a tenth of the demands and advances one tick.

export const VM = { startupMB: 1024, minimumMB: 512, maximumMB: 8192, bufferPercent: 20 };
export const MEAN_DEMAND_MB = 1500;
export const RESERVE_MB = 4096;
/** Contention: memory for 80 % of the demand, so the demand tier is shared by weight. */
const MEMORY_PER_DEMAND = 0.8;

export const memoryFor = (n) => RESERVE_MB + Math.round(n * MEAN_DEMAND_MB * MEMORY_PER_DEMAND);
export const weightOf = (i) => 1000 + ((i * 7919) % 9000);
export const demandOf = (i, tick) => 500 + ((i * 104729 + tick * 31) % 2000);
export const changedPerTick = (n) => Math.ceil(n / 10);

/** A host of `n` running VMs (with any further host `options`), settled; returns one tick of the benchmark loop. */
export async function hostCase(lib, engine, n, batch, options = {}) {
  const host = await lib.createHost({
    memoryMB: memoryFor(n),
    reserveMB: RESERVE_MB,
    engine,
    bootSeconds: 0,
    ...options,
  });
  const names = [];
  for (let i = 0; i < n; i++) {
    const name = `vm-${i}`;
    names.push(name);
    host.addVm({ name, ...VM, weight: weightOf(i) });
    host.start(name);
    host.setDemand(name, demandOf(i, 0));
  }
  host.advance(120);
  let tick = 1;
  const changed = changedPerTick(n);
  if (batch) {
    // the VMs change in blocks of a tenth, in turn: one set of handles per block
    const blocks = Array.from({ length: Math.ceil(n / changed) }, (_, b) =>
      host.vmHandles(names.slice(b * changed, (b + 1) * changed)),
    );
    const demands = blocks.map((block) => new Float64Array(block.length));
    return () => {
      const b = tick % blocks.length;
      const first = b * changed;
      const block = demands[b];
      for (let k = 0; k < block.length; k++) block[k] = demandOf(first + k, tick);
      host.setDemands(blocks[b], block);
      host.advance(1);
      tick++;
    };
  }
  return () => {
    const from = (tick % Math.ceil(n / changed)) * changed;
    for (let k = 0; k < changed && from + k < n; k++) {
      const i = from + k;
      host.setDemand(names[i], demandOf(i, tick));
    }
    host.advance(1);
    tick++;
  };
}
