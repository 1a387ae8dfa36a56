/**
 * Tests of the boot GDT against boot.rst's 64-bit protocol ("__BOOT_CS(0x10) and __BOOT_DS(0x18);
 * both descriptors must be 4G flat segment; __BOOT_CS must have execute/read permission, and
 * __BOOT_DS must have read/write permission") and the values Firecracker and crosvm use.
 */
import { describe, expect, test } from 'vitest';
import { BOOT_CS_SELECTOR, BOOT_DS_SELECTOR, BOOT_GDT, BOOT_TSS_SELECTOR, GdtError, bootSegments, gdtEntry, segmentFromGdtEntry, writeGdtAndIdt } from './gdt.ts';
import { BOOT_GDT_START, BOOT_IDT_START } from './layout.ts';

describe('descriptors', () => {
  test('gdtEntry gives the well-known flat descriptors (Firecracker gdt.rs tests)', () => {
    expect(gdtEntry(0xa09b, 0, 0xfffff)).toBe(0x00af9b000000ffffn);
    expect(gdtEntry(0xc093, 0, 0xfffff)).toBe(0x00cf93000000ffffn);
    expect(gdtEntry(0x808b, 0, 0xfffff)).toBe(0x008f8b000000ffffn);
    expect(gdtEntry(0x0093, 0x12345678, 0xabcde)).toBe(0x120a93345678bcden);
  });

  test('the table: null, unused, code at 0x10, data at 0x18, a 16-byte TSS at 0x20', () => {
    expect(BOOT_GDT).toEqual([0n, 0n, 0x00af9b000000ffffn, 0x00cf93000000ffffn, 0x008f8b000000ffffn, 0n]);
    expect([BOOT_CS_SELECTOR, BOOT_DS_SELECTOR, BOOT_TSS_SELECTOR]).toEqual([0x10, 0x18, 0x20]);
  });

  test('segmentFromGdtEntry round-trips base, limit (scaled by G) and every attribute', () => {
    const s = segmentFromGdtEntry(gdtEntry(0x0093, 0x12345678, 0xabcde), 3);
    expect(s).toEqual({ base: 0x12345678n, limit: 0xabcde, selector: 0x18, type: 3, present: 1, dpl: 0, db: 0, s: 1, l: 0, g: 0, avl: 0, unusable: 0 });
    expect(segmentFromGdtEntry(0n, 0)).toMatchObject({ present: 0, unusable: 1 });
  });
});

describe('bootSegments', () => {
  const seg = bootSegments();

  test('CS = __BOOT_CS: 64-bit (L=1, D=0), execute/read (type 0xB), present, DPL 0, 4 GiB flat', () => {
    expect(seg.cs).toEqual({ base: 0n, limit: 0xffffffff, selector: 0x10, type: 0xb, present: 1, dpl: 0, db: 0, s: 1, l: 1, g: 1, avl: 0, unusable: 0 });
  });

  test('DS, ES, SS (and FS, GS) = __BOOT_DS: read/write (type 3), 4 GiB flat', () => {
    for (const s of [seg.ds, seg.es, seg.ss, seg.fs, seg.gs]) {
      expect(s).toEqual({ base: 0n, limit: 0xffffffff, selector: 0x18, type: 3, present: 1, dpl: 0, db: 1, s: 1, l: 0, g: 1, avl: 0, unusable: 0 });
    }
  });

  test('TR is a busy 64-bit TSS (type 0xB, system descriptor), as KVM requires for long mode', () => {
    expect(seg.tr).toMatchObject({ selector: 0x20, type: 0xb, s: 0, present: 1, unusable: 0 });
  });

  test('GDTR covers the 6 descriptors at 0x500; IDTR one empty entry at 0x530', () => {
    expect(seg.gdt).toEqual({ base: BigInt(BOOT_GDT_START), limit: 47 });
    expect(seg.idt).toEqual({ base: BigInt(BOOT_IDT_START), limit: 7 });
  });
});

test('writeGdtAndIdt puts the descriptors at 0x500 and a zero IDT at 0x530', () => {
  const mem = new Uint8Array(0x1000).fill(0xcc);
  writeGdtAndIdt(mem);
  const v = new DataView(mem.buffer);
  BOOT_GDT.forEach((entry, i) => expect(v.getBigUint64(BOOT_GDT_START + i * 8, true)).toBe(entry));
  expect(v.getBigUint64(BOOT_IDT_START, true)).toBe(0n);
  expect(() => writeGdtAndIdt(new Uint8Array(0x520))).toThrow(GdtError);
});
