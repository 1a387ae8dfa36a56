/**
 * Tests of boot_params against Documentation/x86/zero-page.rst and boot.rst: the header copied
 * from the image, the loader's fields at their offsets, the e820 table, and zeros elsewhere.
 */
import { describe, expect, test } from 'vitest';
import { parseBzImage } from './bzimage.ts';
import { E820Type, buildE820 } from './e820.ts';
import { CMDLINE_START, MIB, ZERO_PAGE_START } from './layout.ts';
import { fakeBzImage } from './testing/fake_bzimage.ts';
import { BootParams, LOADER_TYPE_UNDEFINED, ZeroPageError, buildZeroPage, writeZeroPage } from './zero_page.ts';

const image = parseBzImage(fakeBzImage());
const e820 = buildE820(256 * MIB);

function page(initrd?: { address: number; size: number }) {
  const bytes = buildZeroPage({ image, cmdlineAddress: CMDLINE_START, e820, ...(initrd ? { initrd } : {}) });
  return { bytes, v: new DataView(bytes.buffer) };
}

describe('buildZeroPage', () => {
  test('is 4 KiB, with the setup header copied from 0x1F1 to its end (boot.rst 64-bit protocol)', () => {
    const { bytes } = page();
    expect(bytes.length).toBe(4096);
    const header = bytes.subarray(0x1f1, 0x1f1 + image.header.length);
    // Only the loader's fields differ from the image's header.
    const differing = [...header].flatMap((b, i) => (b === image.header[i] ? [] : [0x1f1 + i]));
    expect(differing.every((offset) => [0x210, 0x228, 0x229, 0x22a].includes(offset))).toBe(true);
    expect(bytes.subarray(0x1f1 + image.header.length, BootParams.E820_TABLE).every((b) => b === 0)).toBe(true);
  });

  test('the loader fields: type_of_loader 0xFF, boot_flag 0xAA55, cmd_line_ptr, no setup_data', () => {
    const { v } = page();
    expect(v.getUint8(0x210)).toBe(LOADER_TYPE_UNDEFINED);
    expect(v.getUint16(0x1fe, true)).toBe(0xaa55);
    expect(v.getUint32(0x228, true)).toBe(CMDLINE_START);
    expect(v.getUint32(0x0c8, true)).toBe(0);
    expect(v.getBigUint64(0x250, true)).toBe(0n);
  });

  test('the "read" fields keep the kernel\'s values: cmdline_size, kernel_alignment, initrd_addr_max, init_size, pref_address', () => {
    const { v } = page();
    expect(v.getUint32(0x238, true)).toBe(2047);
    expect(v.getUint32(0x230, true)).toBe(0x200000);
    expect(v.getUint32(0x22c, true)).toBe(0x7fffffff);
    expect(v.getUint32(0x260, true)).toBe(0x3f98000);
    expect(v.getBigUint64(0x258, true)).toBe(0x1000000n);
    expect(v.getUint8(0x211) & 1).toBe(1);
  });

  test('ramdisk_image/ramdisk_size, and their ext_ high halves at 0x0C0/0x0C4', () => {
    const { v } = page({ address: 0x0fe00000, size: 0x1234567 });
    expect(v.getUint32(0x218, true)).toBe(0x0fe00000);
    expect(v.getUint32(0x21c, true)).toBe(0x1234567);
    expect(v.getUint32(0x0c0, true)).toBe(0);
    expect(v.getUint32(0x0c4, true)).toBe(0);
    const high = page({ address: 0x1_2000_0000, size: 0x1000 }).v;
    expect(high.getUint32(0x218, true)).toBe(0x2000_0000);
    expect(high.getUint32(0x0c0, true)).toBe(1);
  });

  test('without an initrd the ramdisk fields are 0', () => {
    const { v } = page();
    expect(v.getUint32(0x218, true)).toBe(0);
    expect(v.getUint32(0x21c, true)).toBe(0);
  });

  test('e820_entries at 0x1E8 and e820_table at 0x2D0: 20-byte { u64 addr, u64 size, u32 type }', () => {
    const { v } = page();
    expect(v.getUint8(0x1e8)).toBe(e820.length);
    e820.forEach((entry, i) => {
      const at = 0x2d0 + i * 20;
      expect(v.getBigUint64(at, true)).toBe(BigInt(entry.addr));
      expect(v.getBigUint64(at + 8, true)).toBe(BigInt(entry.size));
      expect(v.getUint32(at + 16, true)).toBe(entry.type);
    });
    expect(v.getUint32(0x2d0 + 2 * 20 + 16, true)).toBe(E820Type.RAM);
  });

  test('screen_info, ACPI RSDP and the sentinel stay 0 (no VGA console, no ACPI)', () => {
    const { bytes, v } = page();
    expect(bytes.subarray(0, 0x40).every((b) => b === 0)).toBe(true);
    expect(v.getBigUint64(0x070, true)).toBe(0n);
    expect(v.getUint8(0x1ef)).toBe(0);
  });

  test.each([
    [{ cmdlineAddress: 0 }, /no command line/],
    [{ cmdlineAddress: -1 }, /cmdline address/],
    [{ initrd: { address: 1.5, size: 1 } }, /initrd address/],
    [{ e820: [{ addr: 0, size: 0, type: 1 }] }, /e820/],
  ])('rejects %o with ZeroPageError', (patch, message) => {
    expect(() => buildZeroPage({ image, cmdlineAddress: CMDLINE_START, e820, ...patch })).toThrow(ZeroPageError);
    expect(() => buildZeroPage({ image, cmdlineAddress: CMDLINE_START, e820, ...patch })).toThrow(message);
  });
});

test('writeZeroPage puts it at 0x7000 and returns the address for rsi', () => {
  const mem = new Uint8Array(0x10000);
  const { bytes } = page();
  expect(writeZeroPage(mem, bytes)).toBe(ZERO_PAGE_START);
  expect(mem.subarray(ZERO_PAGE_START, ZERO_PAGE_START + 4096)).toEqual(bytes);
  expect(() => writeZeroPage(new Uint8Array(0x7800), bytes)).toThrow(ZeroPageError);
});
