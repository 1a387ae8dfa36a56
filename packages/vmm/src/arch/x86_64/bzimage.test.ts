/**
 * Tests of bzImage parsing and placement against Documentation/x86/boot.rst, on an image with the
 * real setup header of Debian's 6.1 kernel, and one negative test per requirement, each naming the
 * field and offset in its error.
 */
import { describe, expect, test } from 'vitest';
import { BzImageError, ENTRY_64_OFFSET, loadKernel, parseBzImage, placeInitrd, placeKernel } from './bzimage.ts';
import { KERNEL_START, MIB } from './layout.ts';
import { fakeBzImage } from './testing/fake_bzimage.ts';

describe('parseBzImage', () => {
  test("reads Debian 6.1's header", () => {
    const image = parseBzImage(fakeBzImage({ kernelSize: 0x10000 }));
    expect(image).toMatchObject({
      protocolVersion: 0x020f,
      setupSects: 39,
      setupSize: 40 * 512,
      syssize: 0x1000,
      loadflags: 0x01,
      xloadflags: 0x7f,
      relocatable: true,
      kernelAlignment: 0x200000,
      minAlignment: 0x200000,
      initrdAddrMax: 0x7fffffff,
      cmdlineSize: 2047,
      prefAddress: 0x1000000,
      initSize: 0x3f98000,
      canBeLoadedAbove4g: true,
    });
    expect(image.kernel.length).toBe(0x10000);
    // boot.rst: "the end of setup header can be calculated as follows: 0x0202 + byte value at offset 0x0201"
    expect(image.header.length).toBe(0x202 + 0x6a - 0x1f1);
    expect(image.header[0]).toBe(39);
  });

  test('boot.rst: "If this field is 0, the real value is 4" (setup_sects)', () => {
    const image = parseBzImage(fakeBzImage({ patch: (v, img) => {
      // Move the kernel to where 4 setup sectors put it.
      img.copyWithin(5 * 512, 40 * 512);
      v.setUint8(0x1f1, 0);
    } }));
    expect(image.setupSects).toBe(4);
    expect(image.setupSize).toBe(5 * 512);
  });

  test('everything after the setup sectors is the kernel, even past syssize (an appended signature)', () => {
    const image = parseBzImage(fakeBzImage({ kernelSize: 0x1000, trailer: 1472 }));
    expect(image.kernel.length).toBe(0x1000 + 1472);
  });

  test('initrd_addr_max 0 means 0x37FFFFFF (boot.rst, protocols before 2.03)', () => {
    expect(parseBzImage(fakeBzImage({ patch: (v) => v.setUint32(0x22c, 0, true) })).initrdAddrMax).toBe(0x37ffffff);
  });

  const broken: [string, string, number | undefined, (v: DataView, image: Uint8Array) => void][] = [
    ['boot_flag', 'not 0xaa55', 0x1fe, (v) => v.setUint16(0x1fe, 0, true)],
    ['header', 'HdrS', 0x202, (v) => v.setUint32(0x202, 0x12345678, true)],
    ['version', 'older than 2.12', 0x206, (v) => v.setUint16(0x206, 0x020b, true)],
    ['jump', 'header would end', 0x201, (v) => v.setUint8(0x201, 0x20)],
    ['jump', 'header would end', 0x201, (v) => v.setUint8(0x201, 0xa0)],
    ['setup_sects', 'no kernel', 0x1f1, (v) => v.setUint8(0x1f1, 0xff)],
    ['syssize', 'is 0', 0x1f4, (v) => v.setUint32(0x1f4, 0, true)],
    ['syssize', 'truncated', 0x1f4, (v) => v.setUint32(0x1f4, 0x10000, true)],
    ['loadflags', 'LOADED_HIGH', 0x211, (v) => v.setUint8(0x211, 0)],
    ['xloadflags', 'XLF_KERNEL_64', 0x236, (v) => v.setUint16(0x236, 0x7e, true)],
    ['kernel_alignment', 'power of two', 0x230, (v) => v.setUint32(0x230, 0x300000, true)],
    ['kernel_alignment', 'power of two', 0x230, (v) => v.setUint32(0x230, 0, true)],
    ['min_alignment', 'exceeds', 0x235, (v) => v.setUint8(0x235, 22)],
    ['cmdline_size', 'is 0', 0x238, (v) => v.setUint32(0x238, 0, true)],
    ['init_size', 'is 0', 0x260, (v) => v.setUint32(0x260, 0, true)],
  ];

  test.each(broken)('rejects a bad %s (%s) with BzImageError naming it and its offset', (field, reason, offset, patch) => {
    try {
      parseBzImage(fakeBzImage({ patch }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BzImageError);
      const e = error as BzImageError;
      expect(e.field).toBe(field);
      expect(e.offset).toBe(offset);
      expect(e.message).toContain(reason);
      expect(e.message).toContain(`offset 0x${offset!.toString(16)}`);
    }
  });

  test.each([0, 100, 0x267])('rejects a %i-byte file', (length) => {
    expect(() => parseBzImage(new Uint8Array(length))).toThrow(BzImageError);
  });
});

describe('placement', () => {
  const image = parseBzImage(fakeBzImage({ kernelSize: 0x10000 }));

  test('the kernel loads at 1 MiB with the 64-bit entry at +0x200; a relocatable kernel runs from max(align_up(load, kernel_alignment), pref_address) for init_size bytes', () => {
    const placement = placeKernel(image, 256 * MIB);
    expect(placement).toEqual({
      loadAddress: KERNEL_START,
      loadEnd: KERNEL_START + 0x10000,
      entry64: KERNEL_START + ENTRY_64_OFFSET,
      runtimeStart: 16 * MIB,
      runtimeEnd: 16 * MIB + 0x3f98000,
    });
  });

  test('a non-relocatable kernel runs at pref_address', () => {
    const fixed = parseBzImage(fakeBzImage({ patch: (v) => v.setUint8(0x234, 0) }));
    expect(placeKernel(fixed, 256 * MIB).runtimeStart).toBe(16 * MIB);
  });

  test('refuses RAM too small for the decompression area', () => {
    expect(() => placeKernel(image, 64 * MIB)).toThrow(/init_size/);
  });

  test('loadKernel copies the protected-mode code to the load address', () => {
    const mem = new Uint8Array(2 * MIB);
    const placement = { ...placeKernel(image, 256 * MIB) };
    loadKernel(mem, image, placement);
    expect(Buffer.compare(mem.subarray(KERNEL_START, KERNEL_START + 0x10000), image.kernel)).toBe(0);
    expect(() => loadKernel(new Uint8Array(MIB), image, placement)).toThrow(BzImageError);
  });

  test('the initrd goes page-aligned at the top of low RAM, below initrd_addr_max, above the decompression area', () => {
    const kernel = placeKernel(image, 256 * MIB);
    expect(placeInitrd(image, kernel, 256 * MIB, 5000)).toBe(256 * MIB - 0x2000);
    expect(placeInitrd(image, kernel, 3 * 1024 * MIB, 0x1000)).toBe(0x7fffffff + 1 - 0x1000);
    expect(() => placeInitrd(image, kernel, 96 * MIB, 32 * MIB)).toThrow(/give the guest more memory/);
    expect(() => placeInitrd(image, kernel, 256 * MIB, 0)).toThrow(BzImageError);
  });
});
