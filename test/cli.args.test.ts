// The CLI's argument parser (node:util parseArgs underneath): what it accepts, and the usage errors it gives.
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args.ts';

describe('parseArgs accepts', () => {
  it.each([
    [[], { command: 'default', files: [], json: false, formats: [], progress: true }],
    [
      ['simulate', 's.json', '--out', 'r', '--json', '--no-progress'],
      { command: 'simulate', files: ['s.json'], out: 'r', json: true, formats: [], progress: false },
    ],
    [['simulate', '--out=r', 's.json'], { command: 'simulate', files: ['s.json'], out: 'r' }],
    [['-o', 'r'], { command: 'default', out: 'r' }],
    [['--engine', 'js'], { engine: 'js' }],
    [['--format', 'html,csv', '--format=pdh-csv'], { formats: ['html', 'csv', 'pdh-csv'] }],
    [['replay', 'a.json', 'c.csv', '--host-memory', '65536'], { command: 'replay', hostMemoryMB: 65536 }],
    [['replay', 'a.json', 'b.json', 'c.csv'], { command: 'replay', files: ['a.json', 'b.json', 'c.csv'] }],
    [['simulate', '--', '-odd name.json'], { command: 'simulate', files: ['-odd name.json'] }],
    [['help'], { command: 'help' }],
    [['simulate', '--help'], { command: 'help' }],
    [['-v'], { command: 'version' }],
  ] as const)('%j', (argv, expected) => {
    expect(parseArgs([...argv])).toMatchObject(expected);
  });
});

describe('parseArgs refuses, naming the flag or command', () => {
  it.each([
    [['--bogus'], 'unknown option --bogus.'],
    [['-x'], 'unknown option -x.'],
    [['--out'], '--out needs a value.'],
    [['-o'], '--out needs a value.'],
    [['--out='], '--out needs a value.'],
    [['--out', '--json'], '--out needs a value.'],
    [['--json=yes'], '--json takes no value.'],
    [['--engine', 'rust'], "--engine must be wasm or js, not 'rust'."],
    [['--format', 'html,xml'], "--format takes html, csv, json, pdh-csv, not 'xml'."],
    [['frob'], "unknown command 'frob'."],
    [['simulate'], 'simulate takes one scenario file: dynmem simulate scenario.json'],
    [['replay', 'a.json'], 'replay takes the settings and the counters'],
    [['replay', 'a', 'b', '--host-memory', '0'], '--host-memory takes a whole number of MB.'],
    [['--host-memory', '4096'], '--host-memory only applies to replay (the scenario gives each host its memoryMB).'],
  ])('%j', (argv, message) => {
    let thrown: unknown;
    try {
      parseArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message.startsWith(message)).toBe(true);
  });
});
