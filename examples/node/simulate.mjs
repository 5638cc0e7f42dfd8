// A trace-driven run: the bundled Bitbrains sample (real VM memory demand) on one host for six hours, then the
// summary and a report folder.
// Run: node examples/node/simulate.mjs [out-dir] (after npm install)
import { fileURLToPath } from 'node:url';
import { simulate } from 'dynmem';
import { writeReport } from 'dynmem/node';

const traces = fileURLToPath(new URL('../../data/bitbrains-sample', import.meta.url));
const { summary, series, cluster } = await simulate({
  name: 'example',
  duration: '6h',
  hosts: [{ memoryMB: 98304 }],
  fleets: [{ traces, startSpread: '10m', template: { startupMB: 2048, minimumMB: 512, maximumMB: 4096 } }],
});

console.log(`${summary.vms} VMs, ${summary.memory.savedPercent.toFixed(1)} % of memory saved against static memory`);
console.log(`peak pressure ${summary.pressure.peak.toFixed(0)}, Smart Paging ${summary.smartPaging.mbSeconds} MB·s`);

const out = process.argv[2];
if (out) console.log(`wrote ${(await writeReport(out, { summary, series, cluster })).length} files to ${out}`);
