/**
 * The guest-physical memory layout of an x86_64 VM: Firecracker's (`src/vmm/src/arch/x86_64/
 * layout.rs` and `mod.rs`), with two departures, both for the Linux boot protocol's sake:
 *
 * - the GDT follows Documentation/x86/boot.rst's 64-bit protocol ("__BOOT_CS(0x10) and
 *   __BOOT_DS(0x18)"), i.e. crosvm's table (null, null, code, data, 16-byte TSS), so it is 48 bytes
 *   and the IDT moves from Firecracker's 0x520 to 0x530;
 * - the identity map covers 4 GiB (crosvm) rather than 1 GiB, with page directories at
 *   0xb000-0xefff, so everything below the MMIO gap is mapped whatever the RAM size.
 *
 * ```
 *        0x0 -    0x9fbff  RAM                   (real-mode IVT and BDA at 0-0x4ff, unused)
 *      0x500 -      0x52f  GDT (6 entries)
 *      0x530 -      0x537  IDT (one empty entry)
 *     0x7000 -     0x7fff  zero page (struct boot_params)
 *     0x8000 -     0x8fef  boot stack (rsp = rbp = 0x8ff0)
 *     0x9000 -     0x9fff  PML4
 *     0xa000 -     0xafff  PDPT
 *     0xb000 -     0xefff  4 page directories (2 MiB pages, 4 GiB identity-mapped)
 *    0x20000 -             kernel command line (at most the kernel's cmdline_size + 1 bytes)
 *    0x9fc00 -    0xfffff  reserved in e820: EBDA (MP floating pointer and table at 0x9fc00), VGA, ROM
 *   0x100000 -             the bzImage's protected-mode kernel (HIMEM_START), then the initrd at the top of low RAM
 * 0xc0000000 - 0xffffffff  MMIO gap: 32-bit PCI BARs (0xc0000000-0xefffffff), IOAPIC 0xfec00000,
 *                          LAPIC 0xfee00000, KVM identity-map page 0xfffbc000, KVM TSS 0xfffbd000 (3 pages)
 * 0x1_0000_0000 -          RAM above the gap (when RAM exceeds 3 GiB)
 * 256 GiB - 512 GiB        64-bit PCI BARs
 * ```
 *
 * Guest RAM is one region from 0 up to the gap and, beyond 3 GiB of RAM, a second from 4 GiB. The
 * boot structures are written into the first; the functions of this module take it as a
 * `Uint8Array` whose offset is the guest-physical address.
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
export const PAGE_SIZE = 4 * KIB;

/** The GDT (boot.rst selectors: code 0x10, data 0x18; TSS 0x20). */
export const BOOT_GDT_START = 0x500;
/** The IDT: one zero entry (limit 7); the kernel loads its own before enabling interrupts. */
export const BOOT_IDT_START = 0x530;
/** struct boot_params ("zero page"); rsi at entry. */
export const ZERO_PAGE_START = 0x7000;
/** The boot stack pointer (Firecracker's BOOT_STACK_POINTER): rsp and rbp at entry. */
export const BOOT_STACK_POINTER = 0x8ff0;
/** Page tables. */
export const PML4_START = 0x9000;
export const PDPTE_START = 0xa000;
export const PDE_START = 0xb000;
/** The kernel command line. */
export const CMDLINE_START = 0x20000;
/** The most the command line region holds (it ends well below the EBDA); the kernel's own limit, cmdline_size, is smaller. */
export const CMDLINE_MAX_SIZE = 0x10000;
/** The Extended BIOS Data Area: the last KiB below 640 KiB. */
export const EBDA_START = 0x9fc00;
/** The MP floating pointer and configuration table (Linux scans 639-640 KiB for "_MP_"). */
export const MPTABLE_START = EBDA_START;
/** The MP table must end below this (the reserved legacy region). */
export const MPTABLE_LIMIT = 0xe0000;
/** The end of the legacy area below 1 MiB. */
export const BIOS_END = 0x100000;
/** Where the protected-mode kernel is loaded (Firecracker's HIMEM_START); the 64-bit entry is 0x200 past it. */
export const KERNEL_START = 0x100000;

/** Start of the MMIO gap below 4 GiB: RAM below 4 GiB ends here. */
export const MMIO_GAP_START = 0xc000_0000;
/** 4 GiB: end of the MMIO gap, start of RAM above it. */
export const MMIO_GAP_END = 0x1_0000_0000;
export const MMIO_GAP_SIZE = MMIO_GAP_END - MMIO_GAP_START;
/** 32-bit PCI BARs. */
export const PCI_MMIO32_START = MMIO_GAP_START;
export const PCI_MMIO32_SIZE = 0x3000_0000;
/** The IOAPIC (KVM's in-kernel one) and the local APICs. */
export const IOAPIC_START = 0xfec0_0000;
export const LAPIC_START = 0xfee0_0000;
/** KVM_SET_IDENTITY_MAP_ADDR: one page, just below the TSS (KVM's own default place). */
export const KVM_IDENTITY_MAP_START = 0xfffb_c000;
/** KVM_SET_TSS_ADDR: three pages (Firecracker's KVM_TSS_ADDRESS). */
export const KVM_TSS_START = 0xfffb_d000;
export const KVM_TSS_SIZE = 3 * PAGE_SIZE;
/** 64-bit PCI BARs (Firecracker: 256 GiB, 256 GiB long). */
export const PCI_MMIO64_START = 256 * GIB;
export const PCI_MMIO64_SIZE = 256 * GIB;

/** The least RAM this layout accepts: the legacy area, boot structures and the first MiB. */
export const MIN_RAM_SIZE = 2 * MIB;
/** The most RAM this layout accepts: RAM above the gap must end below the 64-bit PCI window. */
export const MAX_RAM_SIZE = PCI_MMIO64_START - MMIO_GAP_SIZE;

/** The one error of this module. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

/** A guest RAM region: `[guestAddress, guestAddress + size)`. */
export interface RamRegion {
  guestAddress: number;
  size: number;
}

/**
 * The guest RAM regions for `ramSize` bytes (KVM memory slots): `[0, min(ramSize, 3 GiB))` and,
 * for more than 3 GiB, the rest from 4 GiB.
 * @throws {LayoutError} unless `ramSize` is a multiple of 4 KiB in [{@link MIN_RAM_SIZE}, {@link MAX_RAM_SIZE}].
 */
export function ramRegions(ramSize: number): RamRegion[] {
  checkRamSize(ramSize);
  const low = Math.min(ramSize, MMIO_GAP_START);
  const regions: RamRegion[] = [{ guestAddress: 0, size: low }];
  if (ramSize > low) regions.push({ guestAddress: MMIO_GAP_END, size: ramSize - low });
  return regions;
}

/** The end of RAM below the MMIO gap. */
export function lowRamEnd(ramSize: number): number {
  checkRamSize(ramSize);
  return Math.min(ramSize, MMIO_GAP_START);
}

/** @throws {LayoutError} unless `ramSize` is a valid RAM size for this layout. */
export function checkRamSize(ramSize: number): void {
  if (!Number.isSafeInteger(ramSize) || ramSize < MIN_RAM_SIZE || ramSize > MAX_RAM_SIZE || ramSize % PAGE_SIZE !== 0) {
    throw new LayoutError(`RAM size ${String(ramSize)} must be a multiple of 4 KiB between ${String(MIN_RAM_SIZE)} and ${String(MAX_RAM_SIZE)} bytes`);
  }
}
