/**
 * The BIOS e820 memory map handed to the kernel in boot_params (Documentation/x86/zero-page.rst:
 * e820_entries at 0x1E8, e820_table at 0x2D0, at most 128 entries of { u64 addr, u64 size,
 * u32 type }), for the layout of `layout.ts`:
 *
 * | range | type | why |
 * |---|---|---|
 * | [0, 0x9fc00) | RAM | conventional memory below the EBDA |
 * | [0x9fc00, 0x100000) | reserved | EBDA (the MP table), VGA window, option and BIOS ROMs, as a PC BIOS reports them (crosvm reserves 640 KiB-1 MiB) |
 * | [1 MiB, min(RAM, 3 GiB)) | RAM | |
 * | [0xfffbc000, 0xfffc0000) | reserved | KVM's identity-map page and TSS, so the kernel never places a PCI BAR there (crosvm) |
 * | [4 GiB, 4 GiB + RAM - 3 GiB) | RAM | only with more than 3 GiB |
 *
 * The rest of the MMIO gap is left out: neither RAM nor reserved, it is where PCI BARs go.
 */
import { BIOS_END, EBDA_START, KVM_IDENTITY_MAP_START, KVM_TSS_SIZE, KVM_TSS_START, LayoutError, MMIO_GAP_END, checkRamSize, lowRamEnd } from './layout.ts';

/** e820 entry types (Linux's E820_TYPE_*, arch/x86/include/asm/e820/types.h). */
export const E820Type = {
  RAM: 1,
  RESERVED: 2,
  ACPI: 3,
  NVS: 4,
  UNUSABLE: 5,
} as const;

/** One e820 entry. */
export interface E820Entry {
  readonly addr: number;
  readonly size: number;
  readonly type: number;
}

/** E820_MAX_ENTRIES_ZEROPAGE. */
export const E820_MAX_ENTRIES = 128;
/** Bytes per entry in boot_params. */
export const E820_ENTRY_SIZE = 20;

/** The one error of this module. */
export class E820Error extends Error {
  override readonly name = 'E820Error';
}

/**
 * The memory map of a guest with `ramSize` bytes of RAM.
 * @throws {E820Error} unless `ramSize` suits the layout (see `ramRegions`).
 */
export function buildE820(ramSize: number): E820Entry[] {
  let low: number;
  try {
    checkRamSize(ramSize);
    low = lowRamEnd(ramSize);
  } catch (error) {
    throw new E820Error(error instanceof LayoutError ? error.message : String(error));
  }
  const entries: E820Entry[] = [
    { addr: 0, size: EBDA_START, type: E820Type.RAM },
    { addr: EBDA_START, size: BIOS_END - EBDA_START, type: E820Type.RESERVED },
    { addr: BIOS_END, size: low - BIOS_END, type: E820Type.RAM },
    { addr: KVM_IDENTITY_MAP_START, size: KVM_TSS_START + KVM_TSS_SIZE - KVM_IDENTITY_MAP_START, type: E820Type.RESERVED },
  ];
  if (ramSize > low) entries.push({ addr: MMIO_GAP_END, size: ramSize - low, type: E820Type.RAM });
  return entries;
}

/**
 * Checks that `entries` can go into boot_params: at most 128, each a non-empty range of safe
 * integers with a type in 1..0xFFFFFFFF, sorted and not overlapping.
 * @throws {E820Error} naming the first bad entry.
 */
export function checkE820(entries: readonly E820Entry[]): void {
  if (entries.length > E820_MAX_ENTRIES) throw new E820Error(`${String(entries.length)} entries exceed the zero page's ${String(E820_MAX_ENTRIES)}`);
  let previousEnd = 0;
  entries.forEach((entry, i) => {
    const { addr, size, type } = entry;
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(size) || addr < 0 || size <= 0 || !Number.isSafeInteger(addr + size)) throw new E820Error(`entry ${String(i)}: [${String(addr)}, +${String(size)}) is not a non-empty range`);
    if (!Number.isInteger(type) || type < 1 || type > 0xffff_ffff) throw new E820Error(`entry ${String(i)}: type ${String(type)} is not a u32 above 0`);
    if (addr < previousEnd) throw new E820Error(`entry ${String(i)} at ${String(addr)} overlaps or precedes the entry before it`);
    previousEnd = addr + size;
  });
}
