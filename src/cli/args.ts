// Command-line arguments: a command, positional files and --flags, parsed by node:util's parseArgs; anything the
// parser or the checks below refuse is a usage error (exit code 2).
import { type ParseArgsConfig, parseArgs as parseCommandLine } from 'node:util';
import { POLICIES, type PolicyName } from '../host/policy.ts';
import { parseDuration } from '../sim/scenario.ts';

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
  /** --policy: one policy for every host, or several (comma-separated) to compare. */
  policies?: PolicyName[];
  progress: boolean;
  /** --checkpoint: the file a simulate run saves its checkpoints to, and resumes from when it exists. */
  checkpoint?: string;
  /** --checkpoint-every: simulated seconds between checkpoints. */
  checkpointEverySeconds?: number;
}

/** Every flag the command line knows, in parseArgs' terms; values are checked in `parseArgs` below. */
export const OPTIONS = {
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  format: { type: 'string', multiple: true },
  engine: { type: 'string' },
  'host-memory': { type: 'string' },
  policy: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const FORMATS = ['html', 'csv', 'json', 'pdh-csv'];

/**
 * What each command takes as positional files: a check that throws a `UsageError` naming the expected form.
 * A command without an entry here is unknown.
 */
const COMMAND_FILES: Record<string, (files: string[]) => void> = {
  simulate(files) {
    if (files.length !== 1) throw new UsageError('simulate takes one scenario file: dynmem simulate scenario.json');
  },
  replay(files) {
    if (files.length !== 2 && files.length !== 3) {
      throw new UsageError(
        'replay takes the settings and the counters: dynmem replay get-vm.json [get-vmmemory.json] counters.csv',
      );
    }
  },
};

/** Flags that only make sense for some commands, with the reason given when they are used elsewhere. */
const COMMAND_ONLY: Partial<Record<keyof typeof OPTIONS, { commands: string[]; why: string }>> = {
  'host-memory': { commands: ['replay'], why: 'the scenario gives each host its memoryMB' },
  checkpoint: { commands: ['simulate'], why: 'a checkpoint resumes a scenario file’s run' },
  'checkpoint-every': { commands: ['simulate'], why: 'a checkpoint resumes a scenario file’s run' },
};

/** parseArgs' own refusals, in the CLI's words: which flag, and what is wrong with it. */
function usageFromParser(error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  // parseArgs names the flag as '--out', or '-o, --out <value>': keep the long form.
  const flag = /'(?:-\w, )?(-[^' ]+)/.exec(message)?.[1] ?? message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${flag}.`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(/does not take/.test(message) ? `${flag} takes no value.` : `${flag} needs a value.`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(message);
  throw error;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be ${allowed.join(' or ')}, not '${value}'.`);
  }
  return value as T;
}

/** --checkpoint-every: a duration as scenarios write them ("30m", "2h", seconds), more than zero. */
function checkpointInterval(text: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text, '--checkpoint-every');
  } catch {
    seconds = 0;
  }
  if (!(seconds > 0))
    throw new UsageError(`--checkpoint-every takes a duration such as 30m, 2h or 3600, not '${text}'.`);
  return seconds;
}

export function parseArgs(argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseCommandLine<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseCommandLine({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageFromParser(error);
  }
  const { values, positionals } = parsed;
  for (const name of ['out', 'engine', 'host-memory', 'policy', 'checkpoint', 'checkpoint-every'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} needs a value.`);
  }
  const args: ParsedArgs = { command: 'default', files: [], json: values.json ?? false, formats: [], progress: true };
  if (values['no-progress']) args.progress = false;
  if (values.out !== undefined) args.out = values.out;
  if (values.engine !== undefined) args.engine = oneOf('--engine', values.engine, ['wasm', 'js'] as const);
  for (const format of (values.format ?? []).flatMap((list) => list.split(','))) {
    if (!FORMATS.includes(format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}, not '${format}'.`);
    args.formats.push(format);
  }
  if (values['host-memory'] !== undefined) {
    const mb = Number(values['host-memory']);
    if (!Number.isInteger(mb) || mb <= 0) throw new UsageError('--host-memory takes a whole number of MB.');
    args.hostMemoryMB = mb;
  }
  if (values.policy !== undefined) {
    args.policies = values.policy.split(',').map((name) => oneOf('--policy', name, POLICIES));
  }
  if (values.checkpoint !== undefined) args.checkpoint = values.checkpoint;
  if (values['checkpoint-every'] !== undefined) {
    if (values.checkpoint === undefined) throw new UsageError('--checkpoint-every needs --checkpoint FILE.');
    args.checkpointEverySeconds = checkpointInterval(values['checkpoint-every']);
  }
  if (values.help) return { ...args, command: 'help' };
  if (values.version) return { ...args, command: 'version' };

  const [command, ...files] = positionals;
  if (command === 'help') return { ...args, command: 'help' };
  if (command !== undefined && !(command in COMMAND_FILES)) throw new UsageError(`unknown command '${command}'.`);
  for (const [flag, rule] of Object.entries(COMMAND_ONLY)) {
    if (values[flag as keyof typeof values] !== undefined && !rule.commands.includes(command ?? 'default')) {
      throw new UsageError(`--${flag} only applies to ${rule.commands.join(', ')} (${rule.why}).`);
    }
  }
  if (command === undefined) {
    if (files.length) throw new UsageError(`unknown command '${files[0]}'.`);
    return args;
  }
  COMMAND_FILES[command]!(files);
  return { ...args, command: command as ParsedArgs['command'], files };
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
  dynmem plan PLAN.json [--workers N] [--queue redis://HOST:PORT]
                                          capacity plan: how many VMs fit, how much memory, which
                                          settings (see README, "Plan capacity"; dynmem plan --help)
  dynmem worker --queue redis://HOST:PORT serve a plan's runs from a BullMQ queue on this machine

Options:
  -o, --out DIR        write the report here (default ./dynmem-report)
  --json               print the summary as JSON on stdout (no report unless --out is given)
  --format LIST        report files: html,csv,json (default) and/or pdh-csv (Performance Monitor)
  --engine wasm|js     balancer engine (default wasm)
  --host-memory MB     replay: the host's memory, when the counters have no balancer columns
  --policy NAME[,NAME] allocation policy of every host: hyperv (default), static, squeezed, qmemman,
                       mom, proxmox, esx; several (comma-separated) run once each, compared side by side
  --checkpoint FILE    simulate: save the run's state to FILE as it goes (written whole or not at all) and,
                       when FILE exists, resume from it (same scenario and traces only); removed once the
                       report is written
  --checkpoint-every D simulated time between checkpoints (default 1h; 30m, 6h, 3600, ...)
  --no-progress        no progress bar
  -h, --help           this help
  -v, --version        version

Exit codes: 0 ok, 1 scenario or data error (names the field, file and line) or report not written, 2 usage error.`;
