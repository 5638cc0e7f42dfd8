// The layering holds: no module of src/ or of the kernel imports itself back through others (type imports
// included: they tie the modules together for a reader just the same), only the engine folder reaches into the
// kernel (columns change through the store's named operations), and the root export is what users need.
import { fileURLToPath } from 'node:url';
import * as dynmem from 'dynmem';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, sourceFiles } from './import-graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('import graph', () => {
  it('finds a cycle where there is one, and none in a tree', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(cycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    looped.set('c.ts', ['d.ts']);
    expect(cycles(looped)).toEqual([]);
  });

  it('has no cycles in src/ and assembly/', () => {
    const files = [...sourceFiles(`${root}src`), ...sourceFiles(`${root}assembly`)];
    const graph = importGraph(root, files);
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('src/host/create.ts')).toContain('src/host/fleet.ts');
    expect(cycles(graph)).toEqual([]);
  });
});

describe('column protocol', () => {
  it('only the engine folder reaches the kernel; the rest changes columns through the store', () => {
    const graph = importGraph(root, sourceFiles(`${root}src`));
    const reaching = [...graph].filter(([file, targets]) => {
      return !file.startsWith('src/engine/') && targets.some((target) => target.startsWith('assembly/'));
    });
    expect(reaching.map(([file]) => file)).toEqual([]);
  });
});

describe('root export', () => {
  it('keeps the public contract', () => {
    for (const name of ['createHost', 'createCluster', 'simulate', 'DynamicMemoryError', 'E_OUTOFMEMORY']) {
      expect(dynmem).toHaveProperty(name);
    }
  });

  it.each([
    'isGenericCsvHeader',
    'vmNameFromSource',
    'knownCountersOf',
    'KNOWN_VM_COUNTERS',
    'parseCounterPath',
    'counterPath',
    'formatPdhTimestamp',
    'compareAssigned',
    'powerShellVmRecords',
  ])('leaves the helper %s in its module', (name) => {
    expect(dynmem).not.toHaveProperty(name);
  });
});
