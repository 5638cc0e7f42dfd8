// The checkpoint envelope: a versioned plain JSON object, its numbers written so that every double comes back
// bit for bit, and a checksum so that a damaged or edited checkpoint is refused instead of resumed.

import type { EngineKind } from '../engine/engine.ts';
import { DynamicMemoryError, shown } from '../errors.ts';
import { Fnv1a } from './hash.ts';

export const CHECKPOINT_FORMAT = 'dynmem-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint holds: one host, a cluster, or a simulation part-way. */
export type CheckpointKind = 'host' | 'cluster' | 'simulation';

/**
 * A saved state, as `host.checkpoint()`, `cluster.checkpoint()` and `simulate`'s `onCheckpoint` give it: plain
 * JSON (`JSON.stringify` it as it is). `state` is dynmem's own and may change between versions.
 */
export interface Checkpoint<Kind extends CheckpointKind = CheckpointKind> {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  kind: Kind;
  /** The engine that wrote it (any engine restores it). */
  engine: string;
  /** Simulated seconds at the checkpoint. */
  timeSeconds: number;
  state: unknown;
  /** FNV-1a of the JSON text of `state`, hex. */
  checksum: string;
}

/** What a restore may choose afresh: the engine (any engine restores any checkpoint), a Wasm core of its own and
 * its threads. */
export interface RestoreOptions {
  /** 'wasm' (default) or 'js', whichever engine wrote the checkpoint. */
  engine?: EngineKind;
  /** A Wasm core of your own, as createHost takes it. */
  wasm?: BufferSource | WebAssembly.Module;
  /** Threads of the Wasm engine, as createHost takes them. */
  threads?: number;
}

/** A number JSON cannot hold as a number: NaN, ±Infinity and −0 (JSON writes −0 as 0). */
interface SpecialNumber {
  $number: 'NaN' | 'Infinity' | '-Infinity' | '-0';
}

function special(x: number): SpecialNumber | undefined {
  if (Number.isNaN(x)) return { $number: 'NaN' };
  if (x === Infinity) return { $number: 'Infinity' };
  if (x === -Infinity) return { $number: '-Infinity' };
  return Object.is(x, -0) ? { $number: '-0' } : undefined;
}

const SPECIALS: Record<SpecialNumber['$number'], number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

/** `value` with every number JSON would change written as a `{ $number }` object; typed arrays as arrays. */
export function encodeNumbers(value: unknown): unknown {
  if (typeof value === 'number') return special(value) ?? value;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    // a plain loop: engine columns hold millions of numbers
    const items = value as ArrayLike<unknown>;
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      out[i] = typeof item === 'number' ? (special(item) ?? item) : encodeNumbers(item);
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = encodeNumbers(item);
    return out;
  }
  return value;
}

/** The inverse of `encodeNumbers` (typed arrays come back as arrays). */
export function decodeNumbers(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out[i] = typeof item === 'number' ? item : decodeNumbers(item);
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const tag = (value as Partial<SpecialNumber>).$number;
    if (tag !== undefined && Object.keys(value).length === 1 && Object.hasOwn(SPECIALS, tag)) return SPECIALS[tag];
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = decodeNumbers(item);
    return out;
  }
  return value;
}

const checksumOf = (state: unknown) => new Fnv1a().text(JSON.stringify(state)).hex;

/** A checkpoint of `state` (encoded here: pass live numbers and typed arrays). */
export function sealCheckpoint<Kind extends CheckpointKind>(
  kind: Kind,
  engine: string,
  timeSeconds: number,
  state: unknown,
): Checkpoint<Kind> {
  const encoded = encodeNumbers(state);
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind,
    engine,
    timeSeconds,
    state: encoded,
    checksum: checksumOf(encoded),
  };
}

/** A refusal of a checkpoint, naming the field (a path inside the checkpoint) that is wrong. */
export function badCheckpoint(field: string, message: string): DynamicMemoryError {
  return new DynamicMemoryError('InvalidCheckpoint', `Checkpoint: ${message}`, { field });
}

// Checks of the fields inside a checkpoint's state, each refusal naming the field.

export function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badCheckpoint(field, `${field} must be an object, not ${shown(value)}.`);
  }
  return value as Record<string, unknown>;
}

export function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw badCheckpoint(field, `${field} must be an array, not ${shown(value)}.`);
  return value;
}

export function wholeIn(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw badCheckpoint(field, `${field} must be a whole number from ${min} to ${max}, not ${shown(value)}.`);
  }
  return value as number;
}

export function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw badCheckpoint(field, `${field} must be true or false, not ${shown(value)}.`);
  return value;
}

/**
 * The decoded state of a checkpoint of kind `kind`, after checking that it is one: its format, version, kind and
 * checksum. @throws DynamicMemoryError 'InvalidCheckpoint' naming what is wrong.
 */
export function openCheckpoint(input: unknown, kind: CheckpointKind): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badCheckpoint('format', `expected a checkpoint object (format '${CHECKPOINT_FORMAT}'), not ${shown(input)}.`);
  }
  const c = input as Partial<Checkpoint>;
  if (c.format !== CHECKPOINT_FORMAT) {
    throw badCheckpoint('format', `format is ${shown(c.format)}, not '${CHECKPOINT_FORMAT}': not a dynmem checkpoint.`);
  }
  if (c.version !== CHECKPOINT_VERSION) {
    throw badCheckpoint(
      'version',
      `version ${shown(c.version)} is not one this release reads (version ${CHECKPOINT_VERSION}).`,
    );
  }
  if (c.kind !== kind) {
    const restorer = { host: 'restoreHost', cluster: 'restoreCluster', simulation: "simulate's resumeFrom" };
    const hint = typeof c.kind === 'string' && c.kind in restorer ? ` (${restorer[c.kind]} takes it)` : '';
    throw badCheckpoint('kind', `this is a ${shown(c.kind)} checkpoint, not a '${kind}' one${hint}.`);
  }
  if (typeof c.state !== 'object' || c.state === null) throw badCheckpoint('state', 'state is missing.');
  if (typeof c.checksum !== 'string' || checksumOf(c.state) !== c.checksum) {
    throw badCheckpoint(
      'checksum',
      `the checksum does not match the state (${shown(c.checksum)}): it was changed or damaged after it was written.`,
    );
  }
  return decodeNumbers(c.state);
}
