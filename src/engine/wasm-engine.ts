// The Wasm core behind thin views: the stores live in Wasm memory and the facade works on typed-array views
// of them, so a tick is one call and nothing is copied.
import { HostStore, VmStore } from '../../assembly/kernel/store.ts';
import { columnsOf, copyColumns, type Engine, fillColumns } from './engine.ts';

interface CoreExports {
  memory: WebAssembly.Memory;
  allocate(vmCapacity: number, hostCapacity: number): void;
  columnPointer(which: number, index: number): number;
  run(hostCount: number, ticks: number, dt: number, alpha: number): void;
}

/** Views on the store `which` (0 VMs, 1 hosts) in a fresh JS store of the same class (`empty` makes one): the
 * views sit in the class's own fields, as fast to reach as the JS engine's columns. */
function viewStore<T extends VmStore | HostStore>(
  core: CoreExports,
  which: number,
  empty: () => T,
  capacity: number,
): T {
  return fillColumns(
    empty(),
    (index) => new Float64Array(core.memory.buffer, core.columnPointer(which, index), capacity),
  );
}

/** A JS copy of a store's columns (they survive the views being detached). */
function keep<T extends VmStore | HostStore>(store: T, empty: () => T): T {
  const columns = columnsOf(store);
  return fillColumns(empty(), (index) => columns[index]![1].slice());
}

export async function createWasmEngine(module: WebAssembly.Module): Promise<Engine> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_message: number, _file: number, line: number, column: number) {
        throw new Error(`dynmem Wasm core aborted at ${line}:${column}`);
      },
    },
  });
  const core = instance.exports as unknown as CoreExports;
  const emptyVms = () => new VmStore();
  const emptyHosts = () => new HostStore();
  let vmCapacity = 0;
  let hostCapacity = 0;
  let vms = viewStore(core, 0, emptyVms, 0);
  let hosts = viewStore(core, 1, emptyHosts, 0);
  return {
    kind: 'wasm',
    get vms() {
      return vms;
    },
    get hosts() {
      return hosts;
    },
    get vmCapacity() {
      return vmCapacity;
    },
    get hostCapacity() {
      return hostCapacity;
    },
    grow(nextVmCapacity, nextHostCapacity) {
      // Keep copies: allocating may grow the memory, which detaches every view.
      const oldVms = keep(vms, emptyVms);
      const oldHosts = keep(hosts, emptyHosts);
      core.allocate(nextVmCapacity, nextHostCapacity);
      vms = viewStore(core, 0, emptyVms, nextVmCapacity);
      hosts = viewStore(core, 1, emptyHosts, nextHostCapacity);
      copyColumns(oldVms, vms);
      copyColumns(oldHosts, hosts);
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run(hostCount, ticks, dt, alpha) {
      core.run(hostCount, ticks, dt, alpha);
    },
  };
}
