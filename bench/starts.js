// Starts at scale: 100,000 VMs started on one host; 1,000,000 VMs placed and started on a 1,000-host cluster, then
// one of its hosts failing (its ~1,000 VMs placed and started elsewhere). Each timed once (a run is seconds long),
// with the fleet built beforehand. Targets: ≤ 5 s, ≤ 60 s and ≤ 1 s.
// `node bench/starts.js --small` runs a tenth of each (for a quick look).
import { Bench } from 'tinybench';
import { createCluster, createHost } from '../dist/src/index.js';

const scale = process.argv.includes('--small') ? 0.1 : 1;
const ONE_HOST_VMS = 100_000 * scale;
const HOSTS = 1000 * scale;
const CLUSTER_VMS = 1_000_000 * scale;
const vm = (i) => ({ name: `vm-${i}`, startupMB: 1024, minimumMB: 512, maximumMB: 8192 });

/** Times `run` once (after `setup`, untimed) and returns seconds. */
async function timeOnce(name, setup, run) {
  const state = await setup();
  const bench = new Bench({ iterations: 1, time: 0, warmup: false, throws: true });
  bench.add(name, async () => run(state)); // async: tinybench calls a sync function once more to probe it
  await bench.run();
  return bench.tasks[0].result.latency.mean / 1000;
}

const rows = [];

const oneHost = await timeOnce(
  'one host',
  async () => {
    const host = await createHost({ memoryMB: ONE_HOST_VMS * 1024 + 65536, reserveMB: 0 });
    for (let i = 0; i < ONE_HOST_VMS; i++) host.addVm(vm(i));
    return host;
  },
  (host) => {
    for (let i = 0; i < ONE_HOST_VMS; i++) host.start(`vm-${i}`);
  },
);
rows.push({
  case: `start ${ONE_HOST_VMS.toLocaleString('en-US')} VMs on one host`,
  s: +oneHost.toFixed(2),
  target: '≤ 5 s',
});

let cluster;
const hostMB = Math.ceil((CLUSTER_VMS / HOSTS) * 1.2) * 1024 + 16384;
const clusterStarts = await timeOnce(
  'cluster',
  async () => {
    cluster = await createCluster({
      hosts: Array.from({ length: HOSTS }, (_, h) => ({ name: `node-${h}`, memoryMB: hostMB })),
    });
    for (let i = 0; i < CLUSTER_VMS; i++) cluster.addVm(vm(i));
    return cluster;
  },
  (c) => {
    for (let i = 0; i < CLUSTER_VMS; i++) c.start(`vm-${i}`);
  },
);
rows.push({
  case: `place and start ${CLUSTER_VMS.toLocaleString('en-US')} VMs on ${HOSTS.toLocaleString('en-US')} hosts`,
  s: +clusterStarts.toFixed(2),
  target: '≤ 60 s',
});

let report;
const failover = await timeOnce(
  'failover',
  async () => cluster,
  (c) => {
    report = c.failHost('node-0');
  },
);
rows.push({
  case: `fail one host: ${report.restarted.length} VMs restarted, ${report.failed.length} failed`,
  s: +failover.toFixed(3),
  target: '≤ 1 s',
});

console.table(rows);
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
