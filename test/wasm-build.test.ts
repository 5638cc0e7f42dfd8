// Which Wasm build the tests run: the release build, or with WASM_BUILD=debug (npm run test:debug-wasm) the
// bounds-checked debug build, which alone carries a source map.
import { loadCoreModule } from 'dynmem';
import { expect, it } from 'vitest';

const debug = process.env.WASM_BUILD === 'debug';

it(`the built-in core is the ${debug ? 'debug' : 'release'} build`, async () => {
  const core = await loadCoreModule();
  expect(WebAssembly.Module.customSections(core, 'sourceMappingURL')).toHaveLength(debug ? 1 : 0);
});
