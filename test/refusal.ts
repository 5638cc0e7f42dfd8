// Shared by the tests of refused calls: a refusal is a DynamicMemoryError with a stable code, a message a person
// can act on, and it changes nothing.
import { expect } from 'vitest';
import { DynamicMemoryError } from 'dynmem';

/** The DynamicMemoryError `fn` throws (fails the test if it throws nothing or something else). */
export function refusal(fn: () => unknown): DynamicMemoryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DynamicMemoryError);
    return e as DynamicMemoryError;
  }
  throw new Error('expected a DynamicMemoryError, but the call succeeded');
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
