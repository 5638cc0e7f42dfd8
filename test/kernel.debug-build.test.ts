// The debug build of the Wasm core (bounds-checked, assertions on) runs the same kernel as the release build:
// on hosts under contention, with boots, restarts, Smart Paging, hysteresis, weight-0 VMs and odd VM counts,
// it agrees exactly with the JS engine.
import { readFileSync } from 'node:fs';
import { createHost, type Host } from 'dynmem';
import { describe, expect, it } from 'vitest';

const debugWasm = readFileSync(new URL('../build/debug.wasm', import.meta.url));

/** A pseudo-random sequence, the same on every run. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

async function drive(host: Host, seed: number, vms: number): Promise<unknown[]> {
  const random = sequence(seed);
  const seen: unknown[] = [];
  for (let i = 0; i < vms; i++) {
    host.addVm({
      name: `v${i}`,
      startupMB: 1024,
      minimumMB: 512,
      maximumMB: 8192,
      weight: random() < 0.15 ? 0 : Math.floor(random() * 10000),
      bufferPercent: 5 + Math.floor(random() * 50),
      dynamicMemory: random() > 0.05,
    });
    try {
      host.start(`v${i}`);
    } catch {
      /* does not fit */
    }
    host.setDemand(`v${i}`, 300 + Math.floor(random() * 3000));
  }
  for (let t = 0; t < 80; t++) {
    for (let k = 0; k < 5; k++) host.setDemand(`v${Math.floor(random() * vms)}`, Math.floor(random() * 4000));
    if (t % 11 === 3) {
      try {
        host.restart(`v${Math.floor(random() * vms)}`);
      } catch {
        /* off */
      }
    }
    host.advance(1 + (t % 3));
    seen.push(host.vms(), host.counters());
  }
  return seen;
}

describe('the debug build of the Wasm core', () => {
  it.each([
    [1, 37, 0.6, 0],
    [2, 38, 0.9, 64],
    [3, 21, 1.2, 0],
    [4, 9, 3, 0],
  ])(
    'agrees with the JS engine tick by tick (seed %i, %i VMs, memory × %f, hysteresis %i MB)',
    async (seed, vms, memory, hysteresisMB) => {
      const options = {
        memoryMB: Math.round(4096 + vms * 1500 * memory),
        reserveMB: 4096,
        bootSeconds: 4,
        hysteresisMB,
      };
      const debug = await drive(await createHost({ ...options, engine: 'wasm', wasm: debugWasm }), seed, vms);
      const js = await drive(await createHost({ ...options, engine: 'js' }), seed, vms);
      expect(debug).toEqual(js);
    },
  );
});
