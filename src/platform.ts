// Where the library runs: Node, or a browser (or another JavaScript host without Node's modules).

/** Whether this is Node (its modules and threads can be loaded). */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}
