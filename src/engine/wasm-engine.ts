// The Wasm core behind thin views: the stores live in Wasm memory and the facade works on typed-array views
// of them, so a tick is one call and nothing is copied.
import { DynamicMemoryError } from '../errors.ts';
import { type Columns, columnStore, copyColumns, HOST_COLUMNS, VM_COLUMNS } from './columns.ts';
import type { Engine } from './engine.ts';

export interface CoreExports {
  memory: WebAssembly.Memory;
  allocate(vmCapacity: number, hostCapacity: number): void;
  vmColumnCount(): number;
  hostColumnCount(): number;
  vmColumn(index: number): number;
  hostColumn(index: number): number;
  run(hostCount: number, ticks: number, dt: number, alpha: number): void;
}

const CORE_FUNCTIONS = ['allocate', 'vmColumnCount', 'hostColumnCount', 'vmColumn', 'hostColumn', 'run'] as const;

/** Views on a store's columns in Wasm memory; `pointer(index)` is the address of the index-th. */
function viewStore<Name extends string>(
  core: CoreExports,
  names: readonly Name[],
  pointer: (index: number) => number,
  capacity: number,
): Columns<Name> {
  return columnStore(names, (index) => new Float64Array(core.memory.buffer, pointer(index), capacity));
}

/** A JS copy of a store's columns (they survive the views being detached). */
function keep<Name extends string>(names: readonly Name[], store: Columns<Name>): Columns<Name> {
  return columnStore(names, (index) => store[names[index]!].slice());
}

/** The core's exports, or a DynamicMemoryError when the module is not this release's core. */
export function coreOf(instance: WebAssembly.Instance): CoreExports {
  const core = instance.exports as unknown as CoreExports;
  const missing = CORE_FUNCTIONS.filter((name) => typeof core[name] !== 'function');
  if (missing.length > 0 || !(core.memory instanceof WebAssembly.Memory)) {
    throw new DynamicMemoryError(
      'InvalidSetting',
      `wasm: the module given is not dynmem's core (no ${missing[0] ?? 'memory'}).`,
      {
        field: 'wasm',
      },
    );
  }
  if (core.vmColumnCount() !== VM_COLUMNS.length || core.hostColumnCount() !== HOST_COLUMNS.length) {
    throw new DynamicMemoryError('InvalidSetting', 'wasm: the module given is the core of another dynmem release.', {
      field: 'wasm',
    });
  }
  return core;
}

/** What the core imports: its abort hook, and the threaded core its shared `memory`. */
export function coreImports(memory?: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      ...(memory === undefined ? {} : { memory }),
      abort(_message: number, _file: number, line: number, column: number) {
        throw new Error(`dynmem Wasm core aborted at ${line}:${column}`);
      },
    },
  };
}

export async function createWasmEngine(module: WebAssembly.Module): Promise<Engine> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, coreImports());
  } catch (error) {
    if (!(error instanceof WebAssembly.LinkError)) throw error;
    throw new DynamicMemoryError('InvalidSetting', `wasm: the module given is not dynmem's core (${error.message}).`, {
      field: 'wasm',
    });
  }
  const core = coreOf(instance);
  return engineOver(core, (hostCount, ticks, dt, alpha) => core.run(hostCount, ticks, dt, alpha));
}

/** The engine over a core instance's stores; `run` runs its ticks (the core's own `run`, or the threaded
 * engine's split of the hosts between threads), on `threads()` threads. */
export function engineOver(core: CoreExports, run: Engine['run'], threads = () => 1): Engine {
  const vmView = (capacity: number) => viewStore(core, VM_COLUMNS, core.vmColumn, capacity);
  const hostView = (capacity: number) => viewStore(core, HOST_COLUMNS, core.hostColumn, capacity);
  let vmCapacity = 0;
  let hostCapacity = 0;
  let vms = vmView(0);
  let hosts = hostView(0);
  return {
    kind: 'wasm',
    get threads() {
      return threads();
    },
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
      const oldVms = keep(VM_COLUMNS, vms);
      const oldHosts = keep(HOST_COLUMNS, hosts);
      core.allocate(nextVmCapacity, nextHostCapacity);
      vms = vmView(nextVmCapacity);
      hosts = hostView(nextHostCapacity);
      copyColumns(VM_COLUMNS, oldVms, vms);
      copyColumns(HOST_COLUMNS, oldHosts, hosts);
      vmCapacity = nextVmCapacity;
      hostCapacity = nextHostCapacity;
    },
    run,
  };
}
