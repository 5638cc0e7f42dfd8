// Reading a JSON file with errors that name the file, line and column.
import { readFile } from 'node:fs/promises';
import { stripBom } from '../csv.ts';

export class JsonFileError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, line?: number, column?: number) {
    super(`${file}${line !== undefined ? `:${line}:${column}` : ''}: ${message}`);
    this.name = 'JsonFileError';
    this.file = file;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new JsonFileError(path, `cannot read: ${(error as Error).message}`);
  }
}

export async function readJsonFile(path: string): Promise<unknown> {
  const text = stripBom(await readText(path));
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the offset ("... at position N"), except for a file cut short ("Unexpected end of JSON input"):
    // that error is at the end of the text.
    const position =
      /position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/i.test(message) ? String(text.length) : undefined);
    if (position === undefined) throw new JsonFileError(path, `not valid JSON: ${message}`);
    const before = text.slice(0, Number(position));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new JsonFileError(path, `not valid JSON: ${message}`, line, column);
  }
}
