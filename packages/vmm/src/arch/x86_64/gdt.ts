/**
 * The boot GDT and IDT and the segment registers that go with them (Firecracker's and crosvm's
 * `gdt.rs`). The 64-bit boot protocol (boot.rst) asks for "a GDT ... with the descriptors for
 * selector __BOOT_CS(0x10) and __BOOT_DS(0x18); both descriptors must be 4G flat segment;
 * __BOOT_CS must have execute/read permission, and __BOOT_DS must have read/write permission; CS
 * must be __BOOT_CS and DS, ES, SS must be __BOOT_DS". So, as crosvm:
 *
 * | selector | descriptor | |
 * |---|---|---|
 * | 0x00 | 0 | null |
 * | 0x08 | 0 | unused |
 * | 0x10 | 0x00af9b000000ffff | 64-bit code: G, L, P, S, type 0xB (execute/read, accessed) |
 * | 0x18 | 0x00cf93000000ffff | data: G, D/B, P, S, type 3 (read/write, accessed) |
 * | 0x20 | 0x008f8b000000ffff, 0 | 64-bit TSS (busy), 16 bytes |
 *
 * (Firecracker puts code at 0x08, data at 0x10, TSS at 0x18; Linux reloads its own GDT at once, so
 * both boot, but this follows the document.) The IDT is one zero entry: interrupts stay disabled
 * until the kernel loads its own.
 */
import { fits, hex, viewOf } from './guest_memory.ts';
import { BOOT_GDT_START, BOOT_IDT_START } from './layout.ts';

/** A segment register as KVM's `struct kvm_segment` holds it. */
export interface KvmSegment {
  base: bigint;
  limit: number;
  selector: number;
  type: number;
  present: number;
  dpl: number;
  db: number;
  s: number;
  l: number;
  g: number;
  avl: number;
  unusable: number;
}

/** A descriptor-table register (`struct kvm_dtable`). */
export interface KvmDtable {
  base: bigint;
  limit: number;
}

/** The one error of this module. */
export class GdtError extends Error {
  override readonly name = 'GdtError';
}

export const BOOT_CS_SELECTOR = 0x10;
export const BOOT_DS_SELECTOR = 0x18;
export const BOOT_TSS_SELECTOR = 0x20;

/**
 * A segment descriptor from crosvm/Firecracker-style `flags` (bits 15:12 = G, D/B, L, AVL;
 * bits 7:0 = P, DPL, S, type), a 32-bit base and a 20-bit limit.
 */
export function gdtEntry(flags: number, base: number, limit: number): bigint {
  const b = BigInt(base >>> 0);
  const l = BigInt(limit >>> 0);
  const f = BigInt(flags >>> 0);
  return ((b & 0xff00_0000n) << 32n) | ((f & 0xf0ffn) << 40n) | ((l & 0xf_0000n) << 32n) | ((b & 0xff_ffffn) << 16n) | (l & 0xffffn);
}

/** The boot GDT: 6 descriptors, 48 bytes. */
export const BOOT_GDT: readonly bigint[] = [
  0n,
  0n,
  gdtEntry(0xa09b, 0, 0xfffff),
  gdtEntry(0xc093, 0, 0xfffff),
  gdtEntry(0x808b, 0, 0xfffff),
  0n,
];

/** The kvm_segment that loading selector `index * 8` with descriptor `entry` gives. */
export function segmentFromGdtEntry(entry: bigint, index: number): KvmSegment {
  const field = (shift: bigint, mask: bigint) => Number((entry >> shift) & mask);
  const base = ((entry >> 32n) & 0xff00_0000n) | ((entry >> 16n) & 0x00ff_ffffn);
  const rawLimit = field(32n, 0xf0000n) | field(0n, 0xffffn);
  const g = field(55n, 1n);
  const present = field(47n, 1n);
  return {
    base,
    limit: g ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit,
    selector: index * 8,
    type: field(40n, 0xfn),
    present,
    dpl: field(45n, 3n),
    db: field(54n, 1n),
    s: field(44n, 1n),
    l: field(53n, 1n),
    g,
    avl: field(52n, 1n),
    unusable: present ? 0 : 1,
  };
}

/** The segment registers and descriptor tables at the 64-bit entry. */
export interface BootSegments {
  cs: KvmSegment;
  ds: KvmSegment;
  es: KvmSegment;
  fs: KvmSegment;
  gs: KvmSegment;
  ss: KvmSegment;
  tr: KvmSegment;
  gdt: KvmDtable;
  idt: KvmDtable;
}

/** CS = __BOOT_CS; DS, ES, FS, GS, SS = __BOOT_DS; TR = the TSS; GDTR and IDTR. */
export function bootSegments(): BootSegments {
  const code = segmentFromGdtEntry(BOOT_GDT[BOOT_CS_SELECTOR / 8]!, BOOT_CS_SELECTOR / 8);
  const data = () => segmentFromGdtEntry(BOOT_GDT[BOOT_DS_SELECTOR / 8]!, BOOT_DS_SELECTOR / 8);
  return {
    cs: code,
    ds: data(),
    es: data(),
    fs: data(),
    gs: data(),
    ss: data(),
    tr: segmentFromGdtEntry(BOOT_GDT[BOOT_TSS_SELECTOR / 8]!, BOOT_TSS_SELECTOR / 8),
    gdt: { base: BigInt(BOOT_GDT_START), limit: BOOT_GDT.length * 8 - 1 },
    idt: { base: BigInt(BOOT_IDT_START), limit: 7 },
  };
}

/**
 * Writes the GDT at 0x500 and the IDT at 0x530 into `mem`.
 * @throws {GdtError} if `mem` does not hold them.
 */
export function writeGdtAndIdt(mem: Uint8Array): void {
  const gdtSize = BOOT_GDT.length * 8;
  if (!fits(mem, BOOT_GDT_START, gdtSize) || !fits(mem, BOOT_IDT_START, 8)) throw new GdtError(`the GDT at ${hex(BOOT_GDT_START)} and IDT at ${hex(BOOT_IDT_START)} do not fit in guest memory`);
  const v = viewOf(mem);
  BOOT_GDT.forEach((entry, i) => v.setBigUint64(BOOT_GDT_START + i * 8, entry, true));
  v.setBigUint64(BOOT_IDT_START, 0n, true);
}
