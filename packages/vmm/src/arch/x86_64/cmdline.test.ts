/** Tests of the command line writer: NUL-terminated, within the kernel's cmdline_size, printable ASCII only. */
import { expect, test } from 'vitest';
import { CmdlineError, encodeCmdline, writeCmdline } from './cmdline.ts';
import { CMDLINE_START } from './layout.ts';

const CMDLINE = 'console=ttyS0 earlycon=uart8250,io,0x3f8 reboot=k panic=1 i8042.noaux i8042.nomux i8042.dumbkbd';

test('writes the bytes and a NUL at 0x20000', () => {
  const mem = new Uint8Array(0x30000).fill(0xee);
  expect(writeCmdline(mem, CMDLINE, 2047)).toEqual({ address: CMDLINE_START, size: CMDLINE.length + 1 });
  expect(new TextDecoder().decode(mem.subarray(CMDLINE_START, CMDLINE_START + CMDLINE.length))).toBe(CMDLINE);
  expect(mem[CMDLINE_START + CMDLINE.length]).toBe(0);
});

test('boot.rst cmdline_size: "The maximum size of the command line without the terminating zero"', () => {
  expect(encodeCmdline('x'.repeat(2047), 2047)).toHaveLength(2048);
  expect(() => encodeCmdline('x'.repeat(2048), 2047)).toThrow(CmdlineError);
});

test.each(['a\0b', 'caf\u00e9', 'line\nbreak', '\u0007'])('refuses %j', (text) => {
  expect(() => encodeCmdline(text, 2047)).toThrow(/not printable ASCII/);
});

test('an empty command line is one NUL', () => {
  expect(encodeCmdline('', 2047)).toEqual(Uint8Array.of(0));
});

test('refuses to write past guest memory', () => {
  expect(() => writeCmdline(new Uint8Array(CMDLINE_START + 4), CMDLINE, 2047)).toThrow(CmdlineError);
});
