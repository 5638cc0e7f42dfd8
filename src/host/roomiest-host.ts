// Which live host has the most available memory: a tournament tree over the hosts, so that placing a VM in a
// cluster of a thousand hosts costs a few comparisons per change instead of a look at every host.

/** The host with the largest key (ties: the lowest index), kept in O(log hosts) per changed key. */
export class RoomiestHost {
  private size = 0;
  private leaves = 1;
  /** Winners: node k holds the better host of nodes 2k and 2k+1; leaves at `leaves + host`; -1 for none. */
  private winner = new Int32Array(2);
  private keys = new Float64Array(1);
  private built = false;

  /** `key(host)`: its available memory, or -Infinity for a host that takes no VMs. */
  constructor(private readonly key: (host: number) => number) {}

  /** The keys changed wholesale (memory moved by the balancer, hosts added): rebuilt when next asked. */
  invalidate(): void {
    this.built = false;
  }

  /** One host's key changed. */
  update(host: number): void {
    if (!this.built || host >= this.size) return;
    this.keys[host] = this.key(host);
    for (let node = (this.leaves + host) >> 1; node >= 1; node >>= 1) this.play(node);
  }

  /** The best host of the `hostCount` hosts, or -1 when there is none. */
  best(hostCount: number): number {
    if (!this.built || hostCount !== this.size) this.build(hostCount);
    const host = this.winner[1]!;
    return host >= 0 && this.keys[host] !== -Infinity ? host : -1;
  }

  private build(hostCount: number): void {
    this.size = hostCount;
    this.leaves = 1;
    while (this.leaves < hostCount) this.leaves *= 2;
    this.winner = new Int32Array(2 * this.leaves).fill(-1);
    this.keys = new Float64Array(hostCount);
    for (let host = 0; host < hostCount; host++) {
      this.keys[host] = this.key(host);
      this.winner[this.leaves + host] = host;
    }
    for (let node = this.leaves - 1; node >= 1; node--) this.play(node);
    this.built = true;
  }

  private play(node: number): void {
    const a = this.winner[2 * node]!;
    const b = this.winner[2 * node + 1]!;
    const aWins = b < 0 || (a >= 0 && (this.keys[a]! > this.keys[b]! || (this.keys[a] === this.keys[b] && a < b)));
    this.winner[node] = aWins ? a : b;
  }
}
