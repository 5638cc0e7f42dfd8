// Shared by the tests of refused calls and malformed input: a refusal is a DynamicMemoryError with a stable code, a message a person
// can act on, and it changes nothing.

import { DynamicMemoryError } from 'dynmem';
import { expect } from 'vitest';

/** The error of type `type` that `fn` throws (fails the test if it throws nothing or something else). */
export function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

/** The DynamicMemoryError `fn` throws. */
export function refusal(fn: () => unknown): DynamicMemoryError {
  return thrown(fn, DynamicMemoryError);
}

/** Something whose whole visible state can be read: a host or a cluster. */
export interface Observable {
  vms(): unknown;
  counters(): unknown;
}

/** `fn` is refused with `code` (or one of `code`), and `subject` is exactly as before. */
export function refused(subject: Observable, fn: () => unknown, code: string | string[]): DynamicMemoryError {
  const look = () => ({ vms: subject.vms(), counters: subject.counters() });
  const before = look();
  const e = refusal(fn);
  if (Array.isArray(code)) expect(code).toContain(e.code);
  else expect(e.code).toBe(code);
  expect(e.name).toBe('DynamicMemoryError');
  expect(e.message.length).toBeGreaterThan(10);
  expect(look()).toEqual(before);
  return e;
}
