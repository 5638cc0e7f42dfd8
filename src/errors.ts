/** Stable error codes: match on `code`, never on the message. */
export type DynamicMemoryErrorCode =
  | 'OutOfMemory'
  | 'InvalidSetting'
  | 'NotAligned'
  | 'InvalidState'
  | 'UnknownVm'
  | 'DuplicateVm'
  | 'UnknownHost'
  | 'DuplicateHost'
  | 'InvalidArgument'
  | 'InvalidCheckpoint';

export interface DynamicMemoryErrorDetails {
  vm?: string;
  field?: string;
  host?: string;
  hresult?: number;
}

/**
 * Every refusal dynmem makes. A refused call changes nothing.
 * @example
 * try { host.start('vdi-1'); } catch (e) {
 *   if (e instanceof DynamicMemoryError && e.code === 'OutOfMemory') console.log(e.hresult.toString(16));
 * }
 */
export class DynamicMemoryError extends Error {
  readonly code: DynamicMemoryErrorCode;
  readonly vm?: string;
  readonly field?: string;
  readonly host?: string;
  readonly hresult?: number;

  constructor(code: DynamicMemoryErrorCode, message: string, details: DynamicMemoryErrorDetails = {}) {
    super(withShortNames(message, details));
    this.name = 'DynamicMemoryError';
    this.code = code;
    if (details.vm !== undefined) this.vm = details.vm;
    if (details.field !== undefined) this.field = details.field;
    if (details.host !== undefined) this.host = details.host;
    if (details.hresult !== undefined) this.hresult = details.hresult;
  }
}

/** Longest name or text an error message quotes whole; longer ones are cut (a message must stay readable). */
export const MESSAGE_QUOTE_CHARS = 80;

function cut(text: string): string {
  return text.length > MESSAGE_QUOTE_CHARS ? `${text.slice(0, MESSAGE_QUOTE_CHARS)}…` : text;
}

/** The message with the VM and host names it quotes cut to MESSAGE_QUOTE_CHARS (the details keep them whole). */
function withShortNames(message: string, details: DynamicMemoryErrorDetails): string {
  let out = message;
  for (const name of [details.vm, details.host]) {
    if (name !== undefined && name.length > MESSAGE_QUOTE_CHARS) out = out.split(name).join(cut(name));
  }
  return out;
}

/**
 * A value as an error message shows it: strings quoted and cut to MESSAGE_QUOTE_CHARS, objects by kind. Never
 * throws (objects without a prototype, symbols), so a refusal is never replaced by a TypeError.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cut(value));
  if (value === null || ['number', 'boolean', 'bigint', 'undefined'].includes(typeof value)) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** E_OUTOFMEMORY, as Hyper-V reports a start that does not fit. */
export const E_OUTOFMEMORY = 0x8007000e;

/** The error Hyper-V gives when a VM's startup RAM cannot be found. */
export function outOfMemory(vm: string, startupMB: number, host?: string): DynamicMemoryError {
  return new DynamicMemoryError(
    'OutOfMemory',
    `Not enough memory in the system to start the virtual machine ${vm} with ram size ${startupMB} megabytes.`,
    { vm, hresult: E_OUTOFMEMORY, ...(host === undefined ? {} : { host }) },
  );
}

/** A start that failed after it began: it could not gather its startup RAM within the host's start timeout. */
export interface StartFailure {
  vm: string;
  host: string;
  /** Simulated time of the failure, seconds. */
  atSeconds: number;
  /** The OutOfMemory error a start that does not fit gives. */
  error: DynamicMemoryError;
}
