// The Wasm core behind thin views: the stores live in Wasm memory and the facade works on typed-array views
// of them, so a tick is one call and nothing is copied.
import { VmStore, HostStore } from '../../assembly/kernel/store.ts';
import { columnsOf, type Engine } from './engine.ts';

interface CoreExports {
  memory: WebAssembly.Memory;
  allocate(vmCapacity: number, hostCapacity: number): void;
  columnPointer(which: number, index: number): number;
  run(hostCount: number, ticks: number, dt: number, alpha: number): void;
}

type Column = Uint8Array | Int32Array | Float64Array;
type ColumnType = { new(buffer: ArrayBuffer, byteOffset: number, length: number): Column };

/** Views on the store `which` (0 VMs, 1 hosts), in a fresh JS store of the same class (`empty` makes one with no
 * rows): the views then sit in the class's own fields, as fast to reach as the JS engine's columns. */
function viewStore<T extends VmStore | HostStore>(core: CoreExports, which: number, empty: () => T, capacity: number): T {
  const store = empty();
  const fields = store as unknown as Record<string, Column>;
  columnsOf(store).forEach(([name, column], index) => {
    const Type = column.constructor as ColumnType;
    fields[name] = new Type(core.memory.buffer, core.columnPointer(which, index), capacity);
  });
  return store;
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
  const emptyVms = () => new VmStore(0);
  const emptyHosts = () => new HostStore(0);
  let vmCapacity = 0;
  let hostCapacity = 0;
  let vms = viewStore(core, 0, emptyVms, 0);
  let hosts = viewStore(core, 1, emptyHosts, 0);
  return {
    kind: 'wasm',
    get vms() { return vms; },
    get hosts() { return hosts; },
    get vmCapacity() { return vmCapacity; },
    get hostCapacity() { return hostCapacity; },
    grow(nextVmCapacity, nextHostCapacity) {
      // Keep copies: allocating may grow the memory, which detaches every view.
      const oldVms = columnsOf(vms).map(([name, column]) => [name, column.slice()] as const);
      const oldHosts = columnsOf(hosts).map(([name, column]) => [name, column.slice()] as const);
      core.allocate(nextVmCapacity, nextHostCapacity);
      vms = viewStore(core, 0, emptyVms, nextVmCapacity);
      hosts = viewStore(core, 1, emptyHosts, nextHostCapacity);
      const vmViews = vms as unknown as Record<string, Column>;
      const hostViews = hosts as unknown as Record<string, Column>;
      for (const [name, data] of oldVms) vmViews[name]!.set(data);
      for (const [name, data] of oldHosts) hostViews[name]!.set(data);
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run(hostCount, ticks, dt, alpha) {
      core.run(hostCount, ticks, dt, alpha);
    },
  };
}
