// A host's NUMA nodes: their sizes, how the host reserve splits over them, and whether VMs may span them.
import { DynamicMemoryError, shown } from '../errors.ts';

/** A host's NUMA layout, resolved. */
export interface NumaLayout {
  /** Each node's memory, MB (one node, the whole host, when `numaNodes` is not given). Sums to the host's memory. */
  nodesMB: number[];
  /** Each node's share of the host reserve, MB (in proportion to its size; see `splitReserve`). */
  reservesMB: number[];
  /** NUMA spanning: VMs may take memory from every node (Hyper-V's default). */
  spanning: boolean;
  /** Each node balances on its own (spanning off and more than one node): every VM lives on one node. */
  perNode: boolean;
}

/** The most NUMA nodes a host may have (dynmem's bound; the largest servers have a few dozen). */
export const MAX_NUMA_NODES = 64;

function bad(field: string, message: string, host: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidSetting', `Host '${host}': ${message}`, { field, host });
}

/** Node sizes from `numaNodes`: a count splits the memory evenly (the first nodes take the odd MB), a list is the
 * sizes themselves and must add up to the host's memory. */
function nodeSizes(numaNodes: unknown, memoryMB: number, host: string): number[] {
  if (numaNodes === undefined) return [memoryMB];
  if (typeof numaNodes === 'number') {
    if (!Number.isSafeInteger(numaNodes) || numaNodes < 1 || numaNodes > MAX_NUMA_NODES) {
      throw bad(
        'numaNodes',
        `numaNodes must be a whole number of nodes from 1 to ${MAX_NUMA_NODES}, or a list of node sizes in MB, not ${shown(numaNodes)}.`,
        host,
      );
    }
    const even = Math.floor(memoryMB / numaNodes);
    const odd = memoryMB - even * numaNodes;
    return Array.from({ length: numaNodes }, (_, node) => even + (node < odd ? 1 : 0));
  }
  if (!Array.isArray(numaNodes) || numaNodes.length === 0 || numaNodes.length > MAX_NUMA_NODES) {
    throw bad(
      'numaNodes',
      `numaNodes must be a count of nodes or a list of 1 to ${MAX_NUMA_NODES} node sizes in MB, not ${shown(numaNodes)}.`,
      host,
    );
  }
  numaNodes.forEach((size, node) => {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
      throw bad(
        `numaNodes[${node}]`,
        `numaNodes[${node}] must be a whole number of MB of at least 1, not ${shown(size)}.`,
        host,
      );
    }
  });
  const total = (numaNodes as number[]).reduce((sum, size) => sum + size, 0);
  if (total !== memoryMB) {
    throw bad(
      'numaNodes',
      `the NUMA nodes (${numaNodes.join(' + ')} = ${total} MB) must add up to the host's memory (${memoryMB} MB).`,
      host,
    );
  }
  return [...(numaNodes as number[])];
}

/**
 * The host reserve over the nodes, in proportion to their sizes (evenly for equal nodes): node k > 0 keeps
 * ⌊reserve × size_k / memory⌋ MB and node 0, where the root partition boots, the rest.
 */
export function splitReserve(reserveMB: number, nodesMB: readonly number[]): number[] {
  const memoryMB = nodesMB.reduce((sum, size) => sum + size, 0);
  const shares = nodesMB.map((size, node) => (node === 0 ? 0 : Math.floor((reserveMB * size) / memoryMB)));
  shares[0] = reserveMB - shares.reduce((sum, share) => sum + share, 0);
  return shares;
}

/** Checks `numaNodes` and `numaSpanning` against the host's memory and reserve. */
export function resolveNuma(
  numaNodes: unknown,
  numaSpanning: unknown,
  memoryMB: number,
  reserveMB: number,
  host: string,
): NumaLayout {
  if (numaSpanning !== undefined && typeof numaSpanning !== 'boolean') {
    throw bad('numaSpanning', `numaSpanning must be true or false, not ${shown(numaSpanning)}.`, host);
  }
  const nodesMB = nodeSizes(numaNodes, memoryMB, host);
  const reservesMB = splitReserve(reserveMB, nodesMB);
  const spanning = numaSpanning !== false;
  const perNode = !spanning && nodesMB.length > 1;
  if (perNode) {
    nodesMB.forEach((size, node) => {
      if (reservesMB[node]! >= size) {
        throw bad(
          'numaNodes',
          `NUMA node ${node} (${size} MB) keeps ${reservesMB[node]} MB of the host reserve and has nothing left for VMs.`,
          host,
        );
      }
    });
  }
  return { nodesMB, reservesMB, spanning, perNode };
}

/** The most memory one node can give VMs, MB: a VM holding more spans nodes (with spanning on). */
export function largestNodeForVmsMB(numa: NumaLayout): number {
  return Math.max(...numa.nodesMB.map((size, node) => size - numa.reservesMB[node]!));
}
