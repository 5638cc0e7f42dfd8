// ns per VM-tick of every allocation policy at 1,000 VMs under contention (memory for 80 % of the demand, a tenth
// of the demands changed by one batch call a tick), side by side in one run, each with its peer's default control
// interval; target: every policy within 1.5× Hyper-V's.
import { Bench } from 'tinybench';
import * as dynmem from '../dist/src/index.js';
import { hostCase } from './host-case.js';

const N = 1000;
const TARGET = 1.5;

const rows = [];
for (const engine of ['wasm', 'js']) {
  const bench = new Bench({ time: 800, warmupTime: 200 });
  for (const policy of dynmem.POLICIES) bench.add(policy, await hostCase(dynmem, engine, N, true, { policy }));
  await bench.run();
  for (const task of bench.tasks) {
    rows.push({ engine, policy: task.name, 'ns/VM-tick': +((task.result.latency.mean * 1e6) / N).toFixed(2) });
  }
}
for (const row of rows) {
  const hyperv = rows.find((r) => r.engine === row.engine && r.policy === 'hyperv')['ns/VM-tick'];
  row['× hyperv'] = +(row['ns/VM-tick'] / hyperv).toFixed(2);
  row[`within ${TARGET}×`] = row['× hyperv'] <= TARGET ? 'yes' : 'NO';
}
console.table(rows);
