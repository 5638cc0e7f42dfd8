// ns per VM-tick of the balancer through the public API, side by side in one run: this release's Wasm and JS
// engines (demand set per VM with setDemand, and in one batch call with setDemands), the previous release
// (v0.1.0), and a plain-JavaScript expert balancer without counters (bench/expert-balancer.js), at 100, 1,000
// and 10,000 VMs on one host under contention: every tick a tenth of the VMs change demand, then advance(1).
// The machine may be shared and noisy: compare the ratios within one run.
import { Bench } from 'tinybench';
import { createHost } from '../dist/src/index.js';
import { ExpertBalancer } from './expert-balancer.js';
import { changedPerTick, demandOf, hostCase, memoryFor, RESERVE_MB, VM, weightOf } from './host-case.js';
import { loadPreviousRelease, PREVIOUS_RELEASE } from './previous-release.js';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
function expertCase(n) {
  const vms = Array.from({ length: n }, (_, i) => ({ ...VM, weight: weightOf(i) }));
  const balancer = new ExpertBalancer(vms, memoryFor(n) - RESERVE_MB, 128);
  for (let i = 0; i < n; i++) balancer.demand[i] = demandOf(i, 0);
  for (let t = 0; t < 120; t++) balancer.tick();
  let tick = 1;
  const changed = changedPerTick(n);
  return () => {
    const from = (tick % Math.ceil(n / changed)) * changed;
    for (let k = 0; k < changed && from + k < n; k++) {
      const i = from + k;
      balancer.demand[i] = demandOf(i, tick);
    }
    balancer.tick();
    tick++;
  };
}

const previous = await loadPreviousRelease();
const current = { createHost };
const rows = [];
for (const n of SIZES) {
  const bench = new Bench({ time: n >= 10000 ? 1500 : 800, warmupTime: 200 });
  const cases = [
    ['wasm, setDemands (batch)', await hostCase(current, 'wasm', n, true)],
    ['wasm, setDemand', await hostCase(current, 'wasm', n, false)],
    ['js, setDemand', await hostCase(current, 'js', n, false)],
    [`previous release ${PREVIOUS_RELEASE} wasm`, await hostCase(previous, 'wasm', n, false)],
    [`previous release ${PREVIOUS_RELEASE} js`, await hostCase(previous, 'js', n, false)],
    ['expert plain-JS balancer (no counters)', expertCase(n)],
  ];
  for (const [name, fn] of cases) bench.add(name, fn);
  await bench.run();
  for (const task of bench.tasks) {
    if (task.result.error) throw task.result.error;
    const nsPerTick = task.result.latency.mean * 1e6;
    rows.push({
      VMs: n,
      case: task.name,
      'ns/VM-tick': +(nsPerTick / n).toFixed(1),
      'µs/tick': +(nsPerTick / 1000).toFixed(1),
      samples: task.result.latency.samplesCount,
    });
  }
}
console.table(rows);
for (const n of SIZES) {
  const get = (name) => rows.find((r) => r.VMs === n && r.case === name)['ns/VM-tick'];
  const was = get(`previous release ${PREVIOUS_RELEASE} wasm`);
  console.log(
    `${n} VMs: wasm ${(was / get('wasm, setDemand')).toFixed(2)}× faster than ${PREVIOUS_RELEASE} (batch ${(was / get('wasm, setDemands (batch)')).toFixed(2)}×); ` +
      `js ${(get(`previous release ${PREVIOUS_RELEASE} js`) / get('js, setDemand')).toFixed(2)}× the speed of ${PREVIOUS_RELEASE} js`,
  );
}
