// How the threads of the threaded Wasm core share a call: the caller publishes the call's arguments and opens
// it; every thread then claims whole hosts from one counter until none is left (hosts are independent within a
// call, so any split gives the same results, and claiming balances the threads' loads by itself).

/** Int32 slots of the control block. */
export const WAKE = 0; // bumped for each call, so sleeping helpers wake
export const OPEN = 1; // 1 while the call's hosts may be claimed
export const ACTIVE = 2; // helpers inside the call
export const NEXT_HOST = 3; // the next host to claim
export const FAILED = 4; // a helper's tick threw (its error follows on its port)
export const CONTROL_SLOTS = 5;

/** Float64 slots of the call's arguments. */
export const HOST_COUNT = 0;
export const TICKS = 1;
export const DT = 2;
export const ALPHA = 3;
export const VM_STORE = 4;
export const HOST_STORE = 5;
export const ARGUMENT_SLOTS = 6;

/** What a thread needs of its core instance. */
export interface HostRunner {
  runHost(host: number, ticks: number, dt: number, alpha: number): void;
}

/** Hosts whose rows share a cache line in a host column (eight doubles). */
const HOSTS_PER_LINE = 8;

/** Run the open call's hosts, claimed one at a time, until none is left. Claims go round the blocks of hosts
 * that share cache lines (claim k: block k mod blocks), so threads working at the same time write different
 * lines; claiming hosts in their order would have the lines bounce between cores at every tick. */
export function runClaimedHosts(core: HostRunner, control: Int32Array, args: Float64Array): void {
  const hostCount = args[HOST_COUNT]!;
  const ticks = args[TICKS]!;
  const dt = args[DT]!;
  const alpha = args[ALPHA]!;
  const blocks = Math.ceil(hostCount / HOSTS_PER_LINE);
  const claims = blocks * HOSTS_PER_LINE;
  for (let claim = Atomics.add(control, NEXT_HOST, 1); claim < claims; claim = Atomics.add(control, NEXT_HOST, 1)) {
    const host = (claim % blocks) * HOSTS_PER_LINE + Math.floor(claim / blocks);
    if (host < hostCount) core.runHost(host, ticks, dt, alpha);
  }
}
