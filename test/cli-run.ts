// Runs the built `dynmem` command as a user would: `node dist/src/cli/main.js ...` in a directory of its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(REPO, 'dist/src/cli/main.js');
export const CLI_FIXTURES = join(REPO, 'test/fixtures/cli');
export const BITBRAINS_SAMPLE = join(REPO, 'data/bitbrains-sample');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The directory it ran in. */
  cwd: string;
}

const made: string[] = [];

/** A fresh, empty temporary directory (removed by `removeTempDirs`). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dynmem-cli-'));
  made.push(dir);
  return dir;
}

/** Removes the directories `tempDir` made; for an `afterAll`. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs the CLI with `args` in `cwd` (a fresh temporary directory by default). */
export function runCli(args: string[], cwd: string = tempDir()): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first.`);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, cwd };
}

/** Reads a file of a run's directory. */
export function readOut(run: CliRun, ...path: string[]): string {
  return readFileSync(join(run.cwd, ...path), 'utf8');
}

/** The names in a run's directory (or a folder of it), sorted. */
export function listOut(run: CliRun, ...path: string[]): string[] {
  return readdirSync(join(run.cwd, ...path)).sort();
}

/** Rows of a report CSV (RFC 4180: every record ends with CRLF; no quoted cells in these), header first. */
export function csvRows(text: string): string[][] {
  if (!text.endsWith('\r\n') || /[^\r]\n/.test(text)) throw new Error('expected CRLF line ends throughout');
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}
