// ns per VM-tick of the balancer through the public API, side by side in one run: this release's Wasm and JS
// engines (demand set per VM with setDemand, and in one batch call with setDemands), the previous release
// (v0.1.0), and a plain-JavaScript expert balancer without counters (bench/expert-balancer.js), at 100, 1,000
// and 10,000 VMs on one host under contention: every tick a tenth of the VMs change demand, then advance(1).
// Timed in CPU time of this process (what other work on a shared machine does not add to), in interleaved rounds
// (the cases in turn, in alternating order), each case's figure the median of its rounds: compare the ratios.
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

/** This process's CPU time in ms (µs resolution): the benchmark's clock. */
function cpuNow() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const VM_TICKS_PER_ITERATION = 100_000;
const previous = await loadPreviousRelease();
const current = { createHost };
const rows = [];
const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
for (const n of SIZES) {
  const cases = [
    ['wasm, setDemands (batch)', await hostCase(current, 'wasm', n, true)],
    ['wasm, setDemand', await hostCase(current, 'wasm', n, false)],
    ['js, setDemand', await hostCase(current, 'js', n, false)],
    [`previous release ${PREVIOUS_RELEASE} wasm`, await hostCase(previous, 'wasm', n, false)],
    [`previous release ${PREVIOUS_RELEASE} js`, await hostCase(previous, 'js', n, false)],
    ['expert plain-JS balancer (no counters)', expertCase(n)],
  ];
  // Each timed iteration runs enough ticks for the clock's own cost (a system call) to vanish.
  const ticksPerIteration = Math.ceil(VM_TICKS_PER_ITERATION / n);
  const perRound = new Map(cases.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ now: cpuNow, time: ((n >= 10000 ? 1500 : 800) / ROUNDS) * 2, warmupTime: 50 });
    for (const [name, tick] of round % 2 ? [...cases].reverse() : cases) {
      bench.add(name, () => {
        for (let t = 0; t < ticksPerIteration; t++) tick();
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      if (task.result.error) throw task.result.error;
      perRound.get(task.name).push({ ms: task.result.latency.mean, samples: task.result.latency.samplesCount });
    }
  }
  for (const [name, results] of perRound) {
    const nsPerTick = (median(results.map((r) => r.ms)) * 1e6) / ticksPerIteration;
    rows.push({
      VMs: n,
      case: name,
      'ns/VM-tick': +(nsPerTick / n).toFixed(1),
      'µs/tick': +(nsPerTick / 1000).toFixed(1),
      ticks: results.reduce((sum, r) => sum + r.samples, 0) * ticksPerIteration,
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
