/**
 * `KvmError`, the one error type of the KVM binding (`src/kvm`): every failed open, ioctl or mmap,
 * a wrong API version or a missing capability, with the operation's Linux name (`KVM_CREATE_VM`)
 * and the errno (`EINVAL`). `kind` is the stable id to branch on; the message is for people.
 */
import { constants } from 'node:os';
import { ioctlName } from '../kvm_sys/ioctl.ts';

export type KvmErrorKind =
  /** /dev/kvm is missing or cannot be opened. */
  | 'unavailable'
  /** KVM_GET_API_VERSION is not 12. */
  | 'api_version'
  /** KVM_CHECK_EXTENSION says a required capability is absent. */
  | 'missing_capability'
  /** An ioctl failed (errno set). */
  | 'ioctl'
  /** An mmap failed (errno set). */
  | 'mmap'
  /** An argument or a kernel answer is out of range (a short MSR write, a too-small buffer). */
  | 'invalid'
  /** The object was used after close(). */
  | 'closed';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** `EINVAL` for 22; `errno 999` for unknown numbers. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

export class KvmError extends Error {
  override readonly name = 'KvmError';
  readonly kind: KvmErrorKind;
  /** The failed operation: an ioctl's name (`KVM_RUN`), `open /dev/kvm`, `mmap kvm_run`… */
  readonly operation: string;
  /** The errno, when a system call failed. */
  readonly errno: number | undefined;
  /** The errno's name (`EINVAL`), when a system call failed. */
  readonly code: string | undefined;

  constructor(kind: KvmErrorKind, operation: string, detail: string, errno?: number) {
    const code = errno === undefined ? undefined : errnoName(errno);
    super(`${operation}: ${detail}${code === undefined ? '' : ` (${code})`}`);
    this.kind = kind;
    this.operation = operation;
    this.errno = errno;
    this.code = code;
  }

  /** The error for a failed ioctl whose raw result was `-errno`. */
  static ioctl(request: number, negErrno: number, what = 'failed'): KvmError {
    return new KvmError('ioctl', ioctlName(request), what, -negErrno);
  }
}
