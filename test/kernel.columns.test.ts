// The Wasm boundary: the facade's column lists name the kernel's store columns, in the kernel's order.
import { createHost, DynamicMemoryError } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { HostStore, VmStore } from '../assembly/kernel/store.ts';
import { HOST_COLUMNS, VM_COLUMNS } from '../src/engine/columns.ts';
import { CORE_WASM_BASE64 } from '../src/engine/core-bytes.generated.ts';
import { loadCoreModule } from '../src/engine/load-wasm.ts';

/** The columns a store class declares, in declaration order (class fields are defined in that order). */
const declared = (store: object) => Object.keys(store);

describe('column lists', () => {
  it('name every column of the kernel stores, in declaration order', () => {
    expect([...VM_COLUMNS]).toEqual(declared(new VmStore()));
    expect([...HOST_COLUMNS]).toEqual(declared(new HostStore()));
  });

  it('have as many columns as the Wasm core allocates', async () => {
    const { exports } = (await WebAssembly.instantiate(await loadCoreModule(), {
      env: { abort: () => {} },
    })) as unknown as { exports: { vmColumnCount(): number; hostColumnCount(): number } };
    expect(exports.vmColumnCount()).toBe(VM_COLUMNS.length);
    expect(exports.hostColumnCount()).toBe(HOST_COLUMNS.length);
  });
});

describe('the wasm option', () => {
  it('takes a core of the caller’s own, as bytes or as a compiled module', async () => {
    const module = await loadCoreModule();
    for (const wasm of [module, Uint8Array.from(atob(CORE_WASM_BASE64), (c) => c.charCodeAt(0))]) {
      const host = await createHost({ memoryMB: 8192, engine: 'wasm', wasm });
      host.addVm({ name: 'a' });
      host.start('a');
      host.advance(31);
      expect(host.vm('a').state).toBe('Running');
    }
  });

  it.each([
    ['bytes that are not WebAssembly', new Uint8Array([1, 2, 3, 4])],
    ['a value that is not bytes', 'build/release.wasm'],
    [
      'a WebAssembly module that is not the core',
      new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
    ],
  ])('refuses %s with a DynamicMemoryError on field wasm', async (_, wasm) => {
    const error = await createHost({ memoryMB: 8192, wasm: wasm as any }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamicMemoryError);
    expect(error).toMatchObject({ code: 'InvalidSetting', field: 'wasm' });
  });
});
