// One Hyper-V host with Dynamic Memory: add VMs, start them, give them demand, run the balancer, read counters.
// Run: node examples/node/host.mjs (after npm install)
import { createHost, DynamicMemoryError } from 'dynmem';

const host = await createHost({ memoryMB: 16384 }); // reserve 'auto': 384 MB + 64 MB per GB = 1,408 MB
host.addVm({ name: 'web', startupMB: 2048, minimumMB: 512, maximumMB: 8192 });
host.addVm({ name: 'db', startupMB: 4096, minimumMB: 1024, maximumMB: 12288, weight: 8000 });
host.start('web');
host.start('db');

host.setDemand('web', 1000); // MB the guest has committed
host.setDemand('db', 6000);
host.advance(60); // a minute of balancer ticks

for (const vm of host.vms()) {
  console.log(`${vm.name}: ${vm.assignedMB} MB assigned for ${vm.demandMB} MB of demand (${vm.memoryStatus})`);
}
console.log(`available: ${host.counters().availableMemoryMB} MB`);

try {
  host.addVm({ name: 'big', startupMB: 16000 });
  host.start('big');
} catch (error) {
  if (!(error instanceof DynamicMemoryError)) throw error;
  console.log(`start refused: ${error.code} (0x${error.hresult?.toString(16)})`);
}
