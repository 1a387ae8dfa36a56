/**
 * The boot page tables: an identity map of the first 4 GiB with 2 MiB pages (crosvm; Firecracker
 * maps 1 GiB), as the 64-bit boot protocol requires ("the range with setup_header.init_size from
 * start address of loaded kernel and zero page and command line buffer get ident mapping").
 * PML4[0] → PDPT; PDPT[0..3] → four page directories; PD entries `address | PS | RW | P`.
 * Together with {@link PAGING_CONTROL}, which the vCPU's special registers take.
 */
import { fits, hex, viewOf } from './guest_memory.ts';
import { PAGE_SIZE, PDE_START, PDPTE_START, PML4_START } from './layout.ts';

/** Page-table entry bits. */
export const PTE_PRESENT = 0x1;
export const PTE_WRITABLE = 0x2;
export const PTE_PAGE_SIZE = 0x80;
/** 2 MiB pages. */
export const LARGE_PAGE_SIZE = 2 * 1024 * 1024;
/** Page directories, each mapping 1 GiB. */
export const PAGE_DIRECTORIES = 4;
/** The bytes identity-mapped. */
export const IDENTITY_MAPPED_BYTES = PAGE_DIRECTORIES * 512 * LARGE_PAGE_SIZE;

/** CR0, CR4 and EFER bits for 64-bit paging. */
export const X86_CR0_PE = 0x1n;
export const X86_CR0_ET = 0x10n;
export const X86_CR0_NW = 0x2000_0000n;
export const X86_CR0_CD = 0x4000_0000n;
export const X86_CR0_PG = 0x8000_0000n;
export const X86_CR4_PAE = 0x20n;
export const EFER_LME = 0x100n;
export const EFER_LMA = 0x400n;

/** The one error of this module. */
export class PageTableError extends Error {
  override readonly name = 'PageTableError';
}

/** The paging part of the special registers: cr3, and the bits to set. */
export const PAGING_CONTROL = {
  cr3: BigInt(PML4_START),
  cr0: X86_CR0_PE | X86_CR0_PG,
  cr4: X86_CR4_PAE,
  efer: EFER_LME | EFER_LMA,
} as const;

/**
 * Writes PML4, PDPT and the page directories into `mem`; returns cr3.
 * @throws {PageTableError} if `mem` does not hold them.
 */
export function writePageTables(mem: Uint8Array): bigint {
  const end = PDE_START + PAGE_DIRECTORIES * PAGE_SIZE;
  if (!fits(mem, PML4_START, end - PML4_START)) throw new PageTableError(`the page tables [${hex(PML4_START)}, ${hex(end)}) do not fit in guest memory`);
  const v = viewOf(mem);
  mem.fill(0, PML4_START, end);
  v.setUint32(PML4_START, PDPTE_START | PTE_PRESENT | PTE_WRITABLE, true);
  for (let d = 0; d < PAGE_DIRECTORIES; d++) {
    const pd = PDE_START + d * PAGE_SIZE;
    v.setUint32(PDPTE_START + d * 8, pd | PTE_PRESENT | PTE_WRITABLE, true);
    for (let i = 0; i < 512; i++) {
      const address = (d * 512 + i) * LARGE_PAGE_SIZE;
      v.setUint32(pd + i * 8, (address | PTE_PAGE_SIZE | PTE_PRESENT | PTE_WRITABLE) >>> 0, true);
      v.setUint32(pd + i * 8 + 4, 0, true);
    }
  }
  return PAGING_CONTROL.cr3;
}
