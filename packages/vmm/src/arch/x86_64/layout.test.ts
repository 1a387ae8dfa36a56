/**
 * Tests of the memory layout: the boot structures do not overlap each other or the EBDA, sit where
 * the boot protocol allows, and the RAM regions skip the MMIO gap.
 */
import { describe, expect, test } from 'vitest';
import {
  BIOS_END, BOOT_GDT_START, BOOT_IDT_START, BOOT_STACK_POINTER, CMDLINE_MAX_SIZE, CMDLINE_START, EBDA_START, GIB, IOAPIC_START,
  KERNEL_START, KVM_IDENTITY_MAP_START, KVM_TSS_SIZE, KVM_TSS_START, LAPIC_START, LayoutError, MAX_RAM_SIZE, MIB, MIN_RAM_SIZE,
  MMIO_GAP_END, MMIO_GAP_START, MPTABLE_LIMIT, MPTABLE_START, PCI_MMIO32_SIZE, PCI_MMIO32_START, PCI_MMIO64_START, PDE_START,
  PDPTE_START, PML4_START, ZERO_PAGE_START, lowRamEnd, ramRegions,
} from './layout.ts';

describe('boot structures', () => {
  const regions: [string, number, number][] = [
    ['GDT', BOOT_GDT_START, 48],
    ['IDT', BOOT_IDT_START, 8],
    ['zero page', ZERO_PAGE_START, 0x1000],
    ['stack', 0x8000, BOOT_STACK_POINTER - 0x8000],
    ['PML4', PML4_START, 0x1000],
    ['PDPT', PDPTE_START, 0x1000],
    ['page directories', PDE_START, 4 * 0x1000],
    ['command line', CMDLINE_START, CMDLINE_MAX_SIZE],
    ['MP table region', MPTABLE_START, MPTABLE_LIMIT - MPTABLE_START],
  ];

  test.each(regions)('%s lies above the real-mode IVT and BDA (0x500) and below 1 MiB', (_, start, size) => {
    expect(start).toBeGreaterThanOrEqual(0x500);
    expect(start + size).toBeLessThanOrEqual(BIOS_END);
  });

  test('no two overlap', () => {
    const sorted = [...regions].sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![1], `${sorted[i - 1]![0]} / ${sorted[i]![0]}`).toBeGreaterThanOrEqual(sorted[i - 1]![1] + sorted[i - 1]![2]);
  });

  test('boot.rst: the command line lies "between the end of the setup heap and 0xA0000", below the EBDA', () => {
    expect(CMDLINE_START + CMDLINE_MAX_SIZE).toBeLessThanOrEqual(EBDA_START);
  });

  test('the page tables are 4 KiB aligned; the stack pointer is 16-byte aligned inside its page', () => {
    for (const address of [PML4_START, PDPTE_START, PDE_START, ZERO_PAGE_START]) expect(address % 0x1000).toBe(0);
    expect(BOOT_STACK_POINTER % 16).toBe(0);
  });

  test('the MP floating pointer is in the 639-640 KiB window Linux scans ("smp_scan_config(639 * 0x400, 0x400)")', () => {
    expect(MPTABLE_START).toBeGreaterThanOrEqual(639 * 0x400);
    expect(MPTABLE_START + 16).toBeLessThanOrEqual(640 * 0x400);
  });

  test('the kernel loads at 1 MiB (Firecracker HIMEM_START)', () => {
    expect(KERNEL_START).toBe(0x100000);
  });
});

describe('MMIO gap', () => {
  test('holds the IOAPIC, the LAPIC and KVM\'s identity-map and TSS pages, and the 32-bit PCI window misses all of them', () => {
    for (const [start, size] of [[IOAPIC_START, 0x1000], [LAPIC_START, 0x1000], [KVM_IDENTITY_MAP_START, 0x1000], [KVM_TSS_START, KVM_TSS_SIZE]] as const) {
      expect(start).toBeGreaterThanOrEqual(MMIO_GAP_START);
      expect(start + size).toBeLessThanOrEqual(MMIO_GAP_END);
      expect(start >= PCI_MMIO32_START + PCI_MMIO32_SIZE || start + size <= PCI_MMIO32_START).toBe(true);
    }
    expect(KVM_IDENTITY_MAP_START + 0x1000).toBe(KVM_TSS_START);
  });
});

describe('ramRegions', () => {
  test.each([
    [128 * MIB, [{ guestAddress: 0, size: 128 * MIB }]],
    [3 * GIB, [{ guestAddress: 0, size: 3 * GIB }]],
    [4 * GIB, [{ guestAddress: 0, size: 3 * GIB }, { guestAddress: 4 * GIB, size: GIB }]],
    [16 * GIB, [{ guestAddress: 0, size: 3 * GIB }, { guestAddress: 4 * GIB, size: 13 * GIB }]],
  ])('%i bytes: %o', (ramSize, regions) => {
    expect(ramRegions(ramSize)).toEqual(regions);
    expect(lowRamEnd(ramSize)).toBe(regions[0]!.size);
  });

  test('RAM above the gap ends at or below the 64-bit PCI window', () => {
    const [, high] = ramRegions(MAX_RAM_SIZE);
    expect(high!.guestAddress + high!.size).toBe(PCI_MMIO64_START);
  });

  test.each([0, MIN_RAM_SIZE - 0x1000, MIN_RAM_SIZE + 1, MAX_RAM_SIZE + 0x1000, Number.NaN, 1.5 * 0x1000])('rejects %s with LayoutError', (size) => {
    expect(() => ramRegions(size)).toThrow(LayoutError);
  });
});
