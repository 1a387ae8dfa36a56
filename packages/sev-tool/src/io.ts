/**
 * What every sev-tool command shares: the exit statuses, the output streams (injectable, so tests
 * run commands in-process), the input error type, and the check list that verification and
 * validation print.
 *
 * Exit statuses:
 *   0  success: everything checked is fine (or the command only shows something)
 *   1  verification or validation failed: every failed check is listed on stdout
 *   2  usage or input error: bad options, an unreadable or malformed file (named, with the field)
 *   3  an unexpected internal error (a bug)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';

export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** The streams a command writes to. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * An input that cannot be used (exit status 2): a file that cannot be read or is not what it must
 * be. `file` and `field` say where; the message says what.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The bytes of `path`; an {@link InputError} naming it if it cannot be read. */
export function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new InputError(`cannot read the ${what} ${path}: ${reason}`, path);
  }
}

/** Whether `path` is a directory (false if it does not exist). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The names in directory `path`; an {@link InputError} if it cannot be listed. */
export function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read the directory ${path}: ${code === 'ENOENT' ? 'no such directory' : (error as Error).message}`, path);
  }
}

/** One check of a verification or validation: what was checked, and why it failed. */
export interface Check {
  name: string;
  ok: boolean;
  /** Why it failed (or a note when it passed). */
  detail?: string;
  /** A stable ID of the failure, for `--json` consumers. */
  id?: string;
}

/** Prints `checks` as `  ok    name` / `  FAIL  name: detail` lines under `title`. */
export function printChecks(io: Io, title: string, checks: readonly Check[]): void {
  io.stdout.write(`${title}\n`);
  for (const c of checks) io.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.detail === undefined ? '' : `: ${c.detail}`}\n`);
}

/** Prints the closing line of a check list and returns the exit status. */
export function conclude(io: Io, what: string, checks: readonly Check[]): ExitStatus {
  const failed = checks.filter((c) => !c.ok).length;
  if (failed === 0) {
    io.stdout.write(`${what}: OK (${checks.length} checks)\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${what}: FAILED (${failed} of ${checks.length} checks failed)\n`);
  return EXIT.failed;
}

/** Lower-case hex. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** JSON with byte arrays as hex and bigints as decimal strings, two-space indented, newline-terminated. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? hex(v) : typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
