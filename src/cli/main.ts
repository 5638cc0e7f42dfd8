#!/usr/bin/env node
import { readFileSync, realpathSync, statSync } from 'node:fs';
// The dynmem command: runs a scenario (or the built-in one) and writes a report.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamicMemoryError } from '../errors.ts';
import { InteropError } from '../interop/errors.ts';
import { JsonFileError, readJsonFile, readText } from '../node/json-file.ts';
import { type ReportedRun, type ReportFormat, summaryJson, writeReport } from '../node/write-report.ts';
import { bitbrainsSample } from '../sample.ts';
import { withPolicies } from '../sim/policies.ts';
import { compareReplay, replayScenario } from '../sim/replay.ts';
import { type Scenario, ScenarioError } from '../sim/scenario.ts';
import { simulate } from '../sim/simulate.ts';
import { TraceError } from '../traces/errors.ts';
import { type ParsedArgs, parseArgs, USAGE, UsageError } from './args.ts';
import { checkpointFile } from './checkpoint-file.ts';
import { defaultScenario } from './default-scenario.ts';
import { formatPolicies } from './format-policies.ts';
import { formatSummary } from './format-summary.ts';
import { progressBar } from './progress.ts';

const DATA_ERRORS = [ScenarioError, TraceError, InteropError, JsonFileError, DynamicMemoryError];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The report folder, or undefined with a one-line message when `--out` names something that is not a folder. */
function reportFolder(args: ParsedArgs): string | undefined | false {
  const out = args.out ?? (args.json ? undefined : 'dynmem-report');
  if (out !== undefined && statSync(out, { throwIfNoEntry: false })?.isDirectory() === false) {
    process.stderr.write(
      `dynmem: --out ${out} is a file, not a folder: name a new or existing folder for the report.\n`,
    );
    return false;
  }
  return out;
}

/** A file-system refusal in words a user can act on (the code stays at the end for a search). */
function writeFailure(out: string, error: NodeJS.ErrnoException): string {
  const why =
    error.code === 'EACCES' || error.code === 'EPERM'
      ? 'permission denied'
      : error.code === 'ENOSPC'
        ? 'the disk is full'
        : error.code === 'ENOTDIR' || error.code === 'EEXIST'
          ? 'a file stands where a folder is needed'
          : error.message;
  return `dynmem: cannot write the report to ${out}: ${why} (${error.code}).\n`;
}

async function run(args: ParsedArgs): Promise<number> {
  // Checked before the run, so that a long simulation is not lost to a mistyped --out.
  const out = reportFolder(args);
  if (out === false) return 1;
  let scenario: Scenario;
  let baseDir = process.cwd();
  let replay: Awaited<ReturnType<typeof replayScenario>> | undefined;
  if (args.command === 'simulate') {
    const file = resolve(args.files[0]!);
    scenario = (await readJsonFile(file)) as Scenario;
    baseDir = dirname(file);
  } else if (args.command === 'replay') {
    const settings = args.files.slice(0, -1);
    const counters = args.files[args.files.length - 1]!;
    replay = replayScenario(await readText(resolve(settings[0]!)), await readText(resolve(counters)), {
      settingsSource: settings[0]!,
      countersSource: counters,
      ...(settings[1] !== undefined
        ? { memorySettingsText: await readText(resolve(settings[1])), memorySettingsSource: settings[1] }
        : {}),
      ...(args.hostMemoryMB !== undefined ? { hostMemoryMB: args.hostMemoryMB } : {}),
    });
    scenario = replay.scenario;
  } else {
    scenario = defaultScenario(bitbrainsSample);
  }
  if (args.engine) scenario = { ...scenario, engine: args.engine };
  if (args.policies) scenario = withPolicies(scenario, args.policies);
  const checkpoint =
    args.checkpoint === undefined ? undefined : await checkpointFile(args.checkpoint, args.checkpointEverySeconds);
  // Said once the run is under way, that is once the checkpoint has been accepted.
  let resuming =
    checkpoint?.resumedAt === undefined
      ? undefined
      : `dynmem: resuming from ${args.checkpoint} (${checkpoint.resumedAt} simulated seconds done)\n`;
  const bar = args.progress && process.stderr.isTTY ? progressBar(process.stderr) : undefined;
  const onProgress = (done: number, total: number) => {
    if (resuming) process.stderr.write(resuming);
    resuming = undefined;
    bar?.update(done, total);
  };
  let result: ReportedRun;
  try {
    result = await simulate(scenario, {
      baseDir,
      ...(bar || resuming ? { onProgress } : {}),
      ...checkpoint?.options,
    });
  } catch (error) {
    throw checkpoint ? checkpoint.named(error) : error;
  } finally {
    bar?.done();
  }
  if (replay) result = { ...result, comparison: compareReplay(replay, result), replay };
  let written: string[] = [];
  if (out !== undefined) {
    const formats = (args.formats.length ? args.formats : ['html', 'csv', 'json']) as ReportFormat[];
    try {
      written = await writeReport(out, result, formats);
    } catch (error) {
      // A file system refusal (EACCES, ENOSPC, ...) is the user's to fix: say so in one line, not a stack trace.
      if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
      process.stderr.write(writeFailure(out, error as NodeJS.ErrnoException));
      return 1;
    }
  }
  await checkpoint?.remove();
  if (args.json) {
    process.stdout.write(
      summaryJson(result.comparison ? { ...result.summary, comparison: result.comparison } : result.summary, {
        rounded: true,
      }),
    );
  } else {
    process.stdout.write(formatSummary(result.summary, result.comparison));
    if (result.policies) process.stdout.write(formatPolicies(result.policies));
    if (written.length) process.stdout.write(`\nReport: ${written.join(', ')}\n`);
  }
  return 0;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 scenario or data error, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  // Planning has commands of its own, loaded only when asked for.
  if (argv[0] === 'plan') return (await import('./plan-command.ts')).planCommand(argv.slice(1));
  if (argv[0] === 'worker') return (await import('./worker-command.ts')).workerCommand(argv.slice(1));
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`dynmem: ${error.message}\nRun 'dynmem --help' for usage.\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    return await run(args);
  } catch (error) {
    if (DATA_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`dynmem: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  // `dynmem | head` closes the pipe early: stop quietly, as other command-line tools do, not with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(process.argv.slice(2));
}
