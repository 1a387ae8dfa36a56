/**
 * The test VM runner's one error type. `TestVmError` has a stable `code`, the last lines of the
 * serial console (where the test VM says what went wrong), QEMU's stderr, and what the command
 * had written to its output folder when the run failed after it started (`files`).
 */

/** Stable identifiers of run failures. */
export type TestVmErrorCode =
  /** qemu-system-x86_64 is not installed on the host (run scripts/setup) */
  | 'qemu-missing'
  /** QEMU could not start or exited with an error */
  | 'qemu-failed'
  /** the run took longer than its timeout; QEMU was killed */
  | 'timeout'
  /** the test VM failed before the command (a module, a 9p mount: see `consoleTail`) */
  | 'setup-failed'
  /** the test VM stopped without reporting the command's end (kernel panic, power-off) */
  | 'no-result'
  /** bad options (a mount of a missing folder, a bad guest path) */
  | 'bad-request';

export class TestVmError extends Error {
  override readonly name = 'TestVmError';

  constructor(
    readonly code: TestVmErrorCode,
    message: string,
    /** the last lines of the test VM's serial console */
    readonly consoleTail: string = '',
    /** QEMU's stderr */
    readonly qemuStderr: string = '',
    /** the files the command had written to $TESTVM_OUT (by path inside it), as `RunResult.files` */
    readonly files: ReadonlyMap<string, Buffer> = new Map(),
  ) {
    super(
      `testvm run failed (${code}): ${message}` +
        (consoleTail !== '' ? `\n--- last lines of the test VM console ---\n${consoleTail}` : '') +
        (qemuStderr.trim() !== '' ? `\n--- qemu stderr ---\n${qemuStderr.trim()}` : ''),
    );
  }
}
