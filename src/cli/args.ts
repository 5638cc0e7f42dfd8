// Command-line arguments: a command, positional files and --flags, with usage errors (exit code 2).

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  command: 'default' | 'simulate' | 'replay' | 'help' | 'version';
  files: string[];
  out?: string;
  json: boolean;
  engine?: 'wasm' | 'js';
  formats: string[];
  hostMemoryMB?: number;
  progress: boolean;
}

const FORMATS = ['html', 'csv', 'json', 'pdh-csv'];

export function parseArgs(argv: string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: 'default', files: [], json: false, formats: [], progress: true };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    if (flag === '--help' || flag === '-h') parsed.command = 'help';
    else if (flag === '--version' || flag === '-v') parsed.command = 'version';
    else if (flag === '--json') parsed.json = true;
    else if (flag === '--no-progress') parsed.progress = false;
    else if (flag === '--out' || flag === '-o') parsed.out = value();
    else if (flag === '--engine') {
      const engine = value();
      if (engine !== 'wasm' && engine !== 'js') throw new UsageError(`--engine must be wasm or js, not '${engine}'.`);
      parsed.engine = engine;
    } else if (flag === '--format') {
      for (const format of value().split(',')) {
        if (!FORMATS.includes(format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}, not '${format}'.`);
        parsed.formats.push(format);
      }
    } else if (flag === '--host-memory') {
      const mb = Number(value());
      if (!Number.isInteger(mb) || mb <= 0) throw new UsageError('--host-memory takes a whole number of MB.');
      parsed.hostMemoryMB = mb;
    } else if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}.`);
    else positional.push(arg);
  }
  if (parsed.command === 'help' || parsed.command === 'version') return parsed;
  const [command, ...files] = positional;
  if (command !== undefined && command !== 'simulate' && command !== 'replay' && command !== 'help') {
    throw new UsageError(`unknown command '${command}'.`);
  }
  if (parsed.hostMemoryMB !== undefined && command !== 'replay') {
    throw new UsageError('--host-memory only applies to replay (the scenario gives each host its memoryMB).');
  }
  if (command === undefined) return parsed;
  if (command === 'help') return { ...parsed, command: 'help' };
  if (command === 'simulate') {
    if (files.length !== 1) throw new UsageError('simulate takes one scenario file: dynmem simulate scenario.json');
    return { ...parsed, command, files };
  }
  if (files.length !== 2 && files.length !== 3) {
    throw new UsageError(
      'replay takes the settings and the counters: dynmem replay get-vm.json [get-vmmemory.json] counters.csv',
    );
  }
  return { ...parsed, command, files };
}

export const USAGE = `dynmem: Hyper-V Dynamic Memory, computed and simulated

Usage:
  dynmem                                  run the built-in scenario (a pooled VDI host on the bundled
                                          Bitbrains sample) and write a report to ./dynmem-report
  dynmem simulate SCENARIO.json           run a scenario (format: see README, "Scenario format")
  dynmem replay GET-VM.json [GET-VMMEMORY.json] COUNTERS.csv
                                          replay Hyper-V's recorded counters (PowerShell Get-VM and/or
                                          Get-VMMemory JSON + Performance Monitor PDH-CSV) and compare
                                          dynmem's assigned memory with what Hyper-V assigned

Options:
  -o, --out DIR        write the report here (default ./dynmem-report)
  --json               print the summary as JSON on stdout (no report unless --out is given)
  --format LIST        report files: html,csv,json (default) and/or pdh-csv (Performance Monitor)
  --engine wasm|js     balancer engine (default wasm)
  --host-memory MB     replay: the host's memory, when the counters have no balancer columns
  --no-progress        no progress bar
  -h, --help           this help
  -v, --version        version

Exit codes: 0 ok, 1 scenario or data error (names the field, file and line) or report not written, 2 usage error.`;
