// ns per VM-tick of the balancer through the public API (setDemand on a tenth of the VMs, then advance(1)),
// for both engines, at 100, 1,000 and 10,000 VMs, with memory plentiful and under contention.
import { Bench } from 'tinybench';
import { createHost } from '../dist/src/index.js';

const SIZES = [100, 1000, 10000];
const VM = { startupMB: 1024, minimumMB: 512, maximumMB: 8192, bufferPercent: 20 };
const MEAN_DEMAND_MB = 1500;

/** Host memory for a case: plenty, buffer tier short, or demand tier short (minimums always fit). */
function memoryFor(n, pressure) {
  const demand = n * MEAN_DEMAND_MB;
  const reserve = 4096;
  if (pressure === 'plentiful') return reserve + n * 8192;
  if (pressure === 'buffer-short') return reserve + Math.round(demand * 1.1);
  return reserve + Math.round(demand * 0.7); // demand-short
}

async function hostCase(engine, n, pressure) {
  const host = await createHost({ memoryMB: memoryFor(n, pressure), reserveMB: 4096, engine, bootSeconds: 0 });
  const names = [];
  for (let i = 0; i < n; i++) {
    const name = `vm-${i}`;
    names.push(name);
    host.addVm({ name, ...VM, weight: 1000 + ((i * 7919) % 9000) });
    host.start(name);
    host.setDemand(name, 500 + ((i * 104729) % 2000));
  }
  host.advance(120); // settle
  let tick = 0;
  return () => {
    // a tenth of the VMs change demand every tick, as a live trace would
    const from = (tick * Math.ceil(n / 10)) % n;
    for (let k = 0; k < n / 10; k++) {
      const i = (from + k) % n;
      host.setDemand(names[i], 500 + ((i * 104729 + tick * 31) % 2000));
    }
    host.advance(1);
    tick++;
  };
}

const rows = [];
for (const n of SIZES) {
  const bench = new Bench({ time: n >= 10000 ? 1500 : 800, warmupTime: 200 });
  const cases = [];
  for (const pressure of ['plentiful', 'buffer-short', 'demand-short']) {
    for (const engine of ['wasm', 'js']) cases.push([`${engine} ${pressure}`, await hostCase(engine, n, pressure)]);
  }
  for (const [name, fn] of cases) bench.add(name, fn);
  await bench.run();
  for (const task of bench.tasks) {
    const nsPerTick = task.result.latency.mean * 1e6;
    rows.push({
      VMs: n,
      case: task.name,
      'ns/VM-tick': +(nsPerTick / n).toFixed(2),
      'µs/tick': +(nsPerTick / 1000).toFixed(1),
      samples: task.result.latency.samplesCount,
    });
  }
}
console.table(rows);
for (const n of SIZES) {
  const get = (name) => rows.find((r) => r.VMs === n && r.case === name)['ns/VM-tick'];
  for (const p of ['buffer-short', 'demand-short']) {
    console.log(`${n} VMs ${p}: js/wasm = ${(get(`js ${p}`) / get(`wasm ${p}`)).toFixed(2)}×`);
  }
}
