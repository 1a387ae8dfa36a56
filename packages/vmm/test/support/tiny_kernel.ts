/**
 * A tiny bzImage for tests on this machine's PVM /dev/kvm, where a real Linux cannot boot: a valid
 * Linux boot-protocol header (2.15, 64-bit entry) around a few dozen instructions of 64-bit code
 * (tiny_kernel.S) entered exactly as Linux is: at load address + 0x200, in long mode with paging,
 * rsi = zero page. It prints a greeting and the command line (read through the zero page's
 * cmd_line_ptr) on COM1, polling the 8250's LSR, then ends one of these ways:
 *
 *   reboot        i8042 reset (0xFE to port 0x64) with the warm-reset flag 0x472 = 0      → exit 0
 *   panic         prints Linux's panic line, 0x472 = 0x1234 (panic_warm), i8042 reset      → exit 1
 *   triple-fault  executes int3, which the boot IDT (limit 7) lacks                                   → exit 3
 *   poweroff      prints "reboot: Power down" (as Linux's poweroff does), then cli; hlt     → exit 0
 *   hang          prints "tiny: waiting forever", then cli; hlt (ended by a signal: 128 + n)
 *   reset-then-fault      i8042 reset, then int3 at once: the reset came first       → exit 0
 *   cf9-reset-then-fault  the same through the reset control register (0x06 to 0xCF9)  → exit 0
 *
 * The code bytes were assembled from tiny_kernel.S with
 *   as --64 -o tiny.o tiny_kernel.S && ld -Ttext=0 --oformat=binary -o tiny.bin tiny.o
 * and the last 4 bytes are the mode word the builder patches.
 */

const CODE_HEX = '4989f4488d1de4000000e8c2000000418b9c2428020000e8b5000000488d1df9000000e8a90000008b057601000083f801743183f802746a83f803747483f804747f83f805743a83f8067444488d1dcc000000e87900000066c70425720400000000eb16488d1dc6000000e86100000066c70425720400003412b0fee664f4ebfd66c70425720400000000b0fee664cc66c70425720400000000b00666baf90ceecc488d1db6000000e823000000ccebf1488d1dbc000000e814000000faf4ebfd488d1dc1000000e804000000faf4ebfd0fb60b84c9741566bafd03eca82074fb66baf80388c8ee48ffc3ebe4c374696e793a2068656c6c6f2066726f6d2036342d626974206d6f64650d0a74696e793a20636d646c696e653a20000d0a0074696e793a207265626f6f74696e670d0a004b65726e656c2070616e6963202d206e6f742073796e63696e673a2074696e7920746573742070616e69630d0a0074696e793a20747269706c65206661756c740d0a007265626f6f743a20506f77657220646f776e0d0a0074696e793a2077616974696e6720666f72657665720d0a000f1f0000000000';

export const TINY_MODES = { reboot: 0, panic: 1, 'triple-fault': 2, poweroff: 3, hang: 4, 'reset-then-fault': 5, 'cf9-reset-then-fault': 6 } as const;
export type TinyMode = keyof typeof TINY_MODES;

const SETUP_SECTS = 4;
const LOAD_ADDRESS = 0x100000;

/** The bzImage bytes for `mode`. */
export function tinyBzImage(mode: TinyMode = 'reboot'): Uint8Array {
  const code = Uint8Array.from(CODE_HEX.match(/../g)!.map((h) => parseInt(h, 16)));
  new DataView(code.buffer).setUint32(code.length - 4, TINY_MODES[mode], true);
  // Protected-mode part: 0x200 bytes where the 32-bit entry would be, then the 64-bit entry.
  const payload = new Uint8Array(Math.ceil((0x200 + code.length) / 16) * 16); // whole paragraphs (syssize)
  payload.fill(0xf4, 0, 0x200); // hlt: nothing may enter at the 32-bit entry
  payload.set(code, 0x200);
  const setup = new Uint8Array((SETUP_SECTS + 1) * 512);
  const dv = new DataView(setup.buffer);
  setup[0x1f1] = SETUP_SECTS;
  dv.setUint32(0x1f4, Math.ceil(payload.length / 16), true); // syssize
  dv.setUint16(0x1fe, 0xaa55, true); // boot_flag
  dv.setUint8(0x200, 0xeb); // jump
  dv.setUint8(0x201, 0x66);
  dv.setUint32(0x202, 0x53726448, true); // "HdrS"
  dv.setUint16(0x206, 0x020f, true); // version 2.15
  setup[0x211] = 0x01; // loadflags: LOADED_HIGH
  dv.setUint32(0x214, LOAD_ADDRESS, true); // code32_start
  dv.setUint32(0x22c, 0x7fffffff, true); // initrd_addr_max
  dv.setUint32(0x230, 0x200000, true); // kernel_alignment
  setup[0x234] = 1; // relocatable_kernel
  setup[0x235] = 21; // min_alignment (2 MiB)
  dv.setUint16(0x236, 0x0003, true); // xloadflags: KERNEL_64 | CAN_BE_LOADED_ABOVE_4G
  dv.setUint32(0x238, 2047, true); // cmdline_size
  dv.setBigUint64(0x258, BigInt(LOAD_ADDRESS), true); // pref_address
  dv.setUint32(0x260, 0x100000, true); // init_size
  const image = new Uint8Array(setup.length + payload.length);
  image.set(setup, 0);
  image.set(payload, setup.length);
  return image;
}
