/**
 * An end-to-end check of `writeLinuxBoot` on a 128 MiB guest with an image carrying Debian 6.1's
 * header: everything lands where the boot protocol's reader (the kernel) will look, nothing
 * overlaps, and the zero page points at the command line, the initrd and the e820 map.
 */
import { describe, expect, test } from 'vitest';
import { BzImageError } from './bzimage.ts';
import { E820Type } from './e820.ts';
import { BOOT_GDT_START, CMDLINE_START, KERNEL_START, MIB, MPTABLE_START, PML4_START, ZERO_PAGE_START } from './layout.ts';
import { LinuxBootError, writeLinuxBoot } from './linux_boot.ts';
import { fakeBzImage } from './testing/fake_bzimage.ts';

const RAM = 128 * MIB;
const CMDLINE = 'console=ttyS0 earlycon=uart8250,io,0x3f8 reboot=k panic=1 i8042.noaux i8042.nomux i8042.dumbkbd';

describe('writeLinuxBoot', () => {
  const mem = new Uint8Array(RAM);
  const kernelImage = fakeBzImage({ kernelSize: 0x20000, trailer: 1472 });
  const initrd = Uint8Array.from({ length: 3 * MIB + 123 }, (_, i) => (i * 13) & 0xff);
  const info = writeLinuxBoot(mem, { kernel: kernelImage, initrd, cmdline: CMDLINE, ramSize: RAM, vcpus: 2 });
  const v = new DataView(mem.buffer);

  test('the kernel is at 1 MiB and rip will be its 64-bit entry at +0x200', () => {
    expect(info.entry64).toBe(KERNEL_START + 0x200);
    expect(Buffer.compare(mem.subarray(KERNEL_START, KERNEL_START + info.image.kernel.length), info.image.kernel)).toBe(0);
  });

  test('the initrd is page-aligned at the top of RAM, above the kernel\'s decompression area, and the zero page says so', () => {
    expect(info.initrd).toEqual({ address: RAM - 3 * MIB - 0x1000, size: initrd.length });
    expect(info.initrd!.address).toBeGreaterThanOrEqual(info.kernel.runtimeEnd);
    expect(Buffer.compare(mem.subarray(info.initrd!.address, info.initrd!.address + initrd.length), initrd)).toBe(0);
    expect(v.getUint32(ZERO_PAGE_START + 0x218, true)).toBe(info.initrd!.address);
    expect(v.getUint32(ZERO_PAGE_START + 0x21c, true)).toBe(initrd.length);
  });

  test('cmd_line_ptr points at the NUL-terminated command line', () => {
    const ptr = v.getUint32(ZERO_PAGE_START + 0x228, true);
    expect(ptr).toBe(CMDLINE_START);
    const end = mem.indexOf(0, ptr);
    expect(new TextDecoder().decode(mem.subarray(ptr, end))).toBe(CMDLINE);
  });

  test('the zero page carries the e820 map, whose RAM holds every boot structure and image', () => {
    expect(info.zeroPage).toBe(ZERO_PAGE_START);
    expect(mem[ZERO_PAGE_START + 0x1e8]).toBe(info.e820.length);
    const ram = info.e820.filter((e) => e.type === E820Type.RAM);
    const inRam = (start: number, length: number) => ram.some((e) => start >= e.addr && start + length <= e.addr + e.size);
    for (const [start, length] of [[ZERO_PAGE_START, 4096], [CMDLINE_START, CMDLINE.length + 1], [PML4_START, 0x6000], [KERNEL_START, info.image.kernel.length], [info.initrd!.address, initrd.length], [info.kernel.runtimeStart, info.image.initSize]] as const) {
      expect(inRam(start, length), `[${start.toString(16)}, +${length.toString(16)})`).toBe(true);
    }
    // ...except the MP table, which Linux reads from reserved memory.
    expect(inRam(MPTABLE_START, 16)).toBe(false);
  });

  test('the page tables, GDT and MP table are in place', () => {
    expect(info.cr3).toBe(BigInt(PML4_START));
    expect(v.getBigUint64(BOOT_GDT_START + 0x10, true)).toBe(0x00af9b000000ffffn);
    expect(String.fromCharCode(...mem.subarray(MPTABLE_START, MPTABLE_START + 4))).toBe('_MP_');
    expect(info.mptable.ioapicId).toBe(3);
  });

  test('nothing overlaps', () => {
    const ranges = [
      ['GDT', BOOT_GDT_START, 0x38],
      ['zero page', ZERO_PAGE_START, 0x1000],
      ['page tables', PML4_START, 0x6000],
      ['cmdline', CMDLINE_START, info.cmdline.size],
      ['mptable', MPTABLE_START, 16 + info.mptable.tableLength],
      ['kernel', KERNEL_START, info.image.kernel.length],
      ['initrd', info.initrd!.address, initrd.length],
    ] as const;
    const sorted = [...ranges].sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![1]).toBeGreaterThanOrEqual(sorted[i - 1]![1] + sorted[i - 1]![2]);
  });
});

describe('failures', () => {
  test('guest memory smaller than low RAM', () => {
    expect(() => writeLinuxBoot(new Uint8Array(MIB), { kernel: fakeBzImage(), cmdline: '', ramSize: 128 * MIB, vcpus: 1 })).toThrow(LinuxBootError);
  });

  test('too little RAM for the kernel to decompress (Debian 6.1 needs init_size 0x3f98000 from 16 MiB)', () => {
    expect(() => writeLinuxBoot(new Uint8Array(64 * MIB), { kernel: fakeBzImage(), cmdline: '', ramSize: 64 * MIB, vcpus: 1 })).toThrow(BzImageError);
  });

  test('a command line longer than the kernel\'s cmdline_size', () => {
    expect(() => writeLinuxBoot(new Uint8Array(RAM), { kernel: fakeBzImage(), cmdline: 'x'.repeat(2048), ramSize: RAM, vcpus: 1 })).toThrow(/cmdline_size/);
  });
});
