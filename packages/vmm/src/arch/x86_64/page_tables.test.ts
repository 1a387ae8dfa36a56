/** Tests of the boot page tables: a 4-level walk from cr3 identity-maps every 2 MiB page of the first 4 GiB, writable. */
import { expect, test } from 'vitest';
import { PDE_START, PDPTE_START, PML4_START } from './layout.ts';
import { IDENTITY_MAPPED_BYTES, PAGING_CONTROL, PageTableError, writePageTables } from './page_tables.ts';

/** The x86-64 4-level walk (Intel SDM Vol. 3A 4.5) with 2 MiB pages; returns the physical address or undefined. */
function translate(mem: Uint8Array, cr3: bigint, linear: bigint): bigint | undefined {
  const v = new DataView(mem.buffer);
  const entry = (table: bigint, index: bigint) => v.getBigUint64(Number(table + index * 8n), true);
  const pml4e = entry(cr3, (linear >> 39n) & 0x1ffn);
  if (!(pml4e & 1n)) return undefined;
  const pdpte = entry(pml4e & 0xffffffffff000n, (linear >> 30n) & 0x1ffn);
  if (!(pdpte & 1n) || pdpte & 0x80n) return undefined;
  const pde = entry(pdpte & 0xffffffffff000n, (linear >> 21n) & 0x1ffn);
  if (!(pde & 1n) || !(pde & 0x80n) || !(pde & 2n)) return undefined;
  return (pde & 0xfffffffe00000n) | (linear & 0x1fffffn);
}

const mem = new Uint8Array(0x10000).fill(0xcc);
const cr3 = writePageTables(mem);

test('cr3 is the PML4 at 0x9000, with PDPT at 0xA000 and page directories from 0xB000', () => {
  expect(cr3).toBe(BigInt(PML4_START));
  const v = new DataView(mem.buffer);
  expect(v.getBigUint64(PML4_START, true)).toBe(BigInt(PDPTE_START) | 3n);
  expect(v.getBigUint64(PDPTE_START, true)).toBe(BigInt(PDE_START) | 3n);
  expect(v.getBigUint64(PDE_START, true)).toBe(0x83n);
  expect(v.getBigUint64(PDE_START + 8, true)).toBe(0x200083n);
});

test('every 2 MiB page of the first 4 GiB maps to itself (boot.rst: the kernel, zero page and command line "get ident mapping")', () => {
  for (let page = 0n; page < BigInt(IDENTITY_MAPPED_BYTES); page += 0x200000n) {
    expect(translate(mem, cr3, page + 0x1234n)).toBe(page + 0x1234n);
  }
  expect(IDENTITY_MAPPED_BYTES).toBe(4 * 2 ** 30);
});

test('nothing above 4 GiB is mapped, and the other PML4 entries are empty', () => {
  expect(translate(mem, cr3, 4n * 2n ** 30n)).toBeUndefined();
  expect(translate(mem, cr3, 2n ** 39n)).toBeUndefined();
});

test('the paging bits: cr0 PE|PG, cr4 PAE, efer LME|LMA', () => {
  expect(PAGING_CONTROL).toEqual({ cr3: 0x9000n, cr0: 0x80000001n, cr4: 0x20n, efer: 0x500n });
});

test('refuses guest memory too small for the tables', () => {
  expect(() => writePageTables(new Uint8Array(0xe000))).toThrow(PageTableError);
});
