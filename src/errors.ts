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
  | 'InvalidArgument';

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
    super(message);
    this.name = 'DynamicMemoryError';
    this.code = code;
    if (details.vm !== undefined) this.vm = details.vm;
    if (details.field !== undefined) this.field = details.field;
    if (details.host !== undefined) this.host = details.host;
    if (details.hresult !== undefined) this.hresult = details.hresult;
  }
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
