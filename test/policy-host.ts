// Shared by the policy tests: a host under a given policy whose VMs finish booting at the first tick and whose
// balloon drivers give back memory as fast as asked (so each decision lands on the tick it is made; at the
// default 128 MB/s a large cut spans several ticks, as one squeezed test shows), and a look at what each VM holds.
import { type CreateHostOptions, createHost, type Host, type VmConfig } from 'dynmem';

export const ENGINES = ['wasm', 'js'] as const;

/** Balloon rate of the policy hosts, MB/s: no cut a test makes takes more than one tick. */
export const INSTANT_BALLOON_MBPS = 1_048_576;

/** A host running `vms` (started in order, each with its demand), the balancer ticking every second. */
export async function policyHost(
  options: Partial<CreateHostOptions> & Pick<CreateHostOptions, 'memoryMB' | 'policy'>,
  vms: (VmConfig & { demandMB?: number })[],
): Promise<Host> {
  const host = await createHost({ reserveMB: 0, bootSeconds: 0, balloonRateMBps: INSTANT_BALLOON_MBPS, ...options });
  for (const { demandMB, ...config } of vms) {
    host.addVm(config);
    host.start(config.name);
    if (demandMB !== undefined) host.setDemand(config.name, demandMB);
  }
  return host;
}

/** What each VM holds, by name. */
export const held = (host: Host): Record<string, number> =>
  Object.fromEntries(host.vms().map((v) => [v.name, v.assignedMB]));
