/**
 * The kernel command line in guest memory: NUL-terminated bytes at {@link CMDLINE_START}
 * (boot.rst: "The kernel command line ... can be located anywhere between the end of the setup
 * heap and 0xA0000"; for the 64-bit protocol anywhere below 4 GiB, pointed to by cmd_line_ptr).
 * Its length without the NUL must not exceed the kernel's cmdline_size.
 */
import { fits, hex } from './guest_memory.ts';
import { CMDLINE_MAX_SIZE, CMDLINE_START } from './layout.ts';

/** The one error of this module. */
export class CmdlineError extends Error {
  override readonly name = 'CmdlineError';
}

/** Where the command line was written and how many bytes it took, NUL included. */
export interface WrittenCmdline {
  readonly address: number;
  readonly size: number;
}

/**
 * The command line as NUL-terminated bytes: printable ASCII and tabs only (no NUL inside, no
 * control characters, no bytes above 0x7E), at most `maxLength` bytes before the NUL.
 * @throws {CmdlineError} otherwise.
 */
export function encodeCmdline(cmdline: string, maxLength: number): Uint8Array {
  if (typeof cmdline !== 'string') throw new CmdlineError('the command line must be a string');
  for (let i = 0; i < cmdline.length; i++) {
    const c = cmdline.charCodeAt(i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e))) throw new CmdlineError(`character ${String(i)} (code ${hex(c)}) is not printable ASCII`);
  }
  if (cmdline.length > maxLength) throw new CmdlineError(`${String(cmdline.length)} characters exceed the kernel's cmdline_size of ${String(maxLength)}`);
  const bytes = new Uint8Array(cmdline.length + 1);
  for (let i = 0; i < cmdline.length; i++) bytes[i] = cmdline.charCodeAt(i);
  return bytes;
}

/**
 * Writes `cmdline` at `address` (default {@link CMDLINE_START}) in `mem`.
 * @param maxLength the kernel's cmdline_size (BzImage.cmdlineSize).
 * @throws {CmdlineError} if the text is invalid or too long, or does not fit.
 */
export function writeCmdline(mem: Uint8Array, cmdline: string, maxLength: number, address: number = CMDLINE_START): WrittenCmdline {
  const bytes = encodeCmdline(cmdline, Math.min(maxLength, CMDLINE_MAX_SIZE - 1));
  if (!fits(mem, address, bytes.length)) throw new CmdlineError(`${String(bytes.length)} bytes at ${hex(address)} do not fit in guest memory`);
  mem.set(bytes, address);
  return { address, size: bytes.length };
}
