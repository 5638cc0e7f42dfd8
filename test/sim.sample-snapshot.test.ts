// Drift guard: the summary of the built-in scenario (the bundled Bitbrains sample on a pooled VDI host for a day,
// as `dynmem` runs it with no arguments), rounded to what a person reads, against a committed snapshot. A change
// that moves any of these numbers has to update the snapshot on purpose. Both engines give the same summary.
import { fileURLToPath } from 'node:url';
import { simulate } from 'dynmem';
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../src/cli/default-scenario.ts';

const sample = fileURLToPath(new URL('../data/bitbrains-sample', import.meta.url));

/** Numbers to 4 significant digits (whole numbers stay whole, below 0.001 is 0), the wall-clock time and the engine
 * left out: they are the machine's and the caller's. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    return Math.abs(value) < 0.001 ? 0 : Number(value.toPrecision(4));
  }
  if (Array.isArray(value)) return value.map(rounded);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'wallSeconds' && key !== 'engine')
        .map(([key, v]) => [key, rounded(v)]),
    );
  }
  return value;
}

describe('the bundled sample, summarised', () => {
  it('matches the snapshot on both engines', async () => {
    const [wasm, js] = await Promise.all(
      (['wasm', 'js'] as const).map(async (engine) => {
        const { summary } = await simulate({ ...defaultScenario(sample), engine });
        return rounded(summary);
      }),
    );
    expect(js).toEqual(wasm);
    expect(wasm).toMatchSnapshot();
  });
});
