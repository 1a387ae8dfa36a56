/**
 * KVM's ioctl argument structs (include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h) as
 * plain TypeScript values and DataView codecs: `encodeX(value) → Uint8Array` gives the exact bytes
 * the kernel reads, `decodeX(bytes) → value` reads what it wrote. Little-endian, x86_64 layouts;
 * 64-bit fields are `bigint`. Sizes and offsets are the kernel's (checked by structs.test.ts against
 * the ioctl sizes and the offsets in the notes).
 *
 * Part of `kvm_sys`: layouts only, no validation beyond sizes and no policy.
 */
import { KVM_CPUID_FLAG_SIGNIFCANT_INDEX, type CpuidEntry } from '../arch/x86_64/cpuid.ts';
import type { KvmDtable, KvmSegment } from '../arch/x86_64/gdt.ts';

const le = true;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function need(bytes: Uint8Array, size: number, what: string): DataView {
  if (bytes.byteLength < size) throw new RangeError(`${what} needs ${size} bytes, got ${bytes.byteLength}`);
  return view(bytes);
}

// ---------------------------------------------------------------------------------------------
// struct kvm_regs (144 bytes)

export const KVM_REGS_SIZE = 144;
export const REG_NAMES = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags',
] as const;
export type KvmRegs = Record<(typeof REG_NAMES)[number], bigint>;

export function zeroRegs(): KvmRegs {
  return Object.fromEntries(REG_NAMES.map((n) => [n, 0n])) as KvmRegs;
}
export function encodeRegs(regs: KvmRegs): Uint8Array {
  const out = new Uint8Array(KVM_REGS_SIZE);
  const dv = view(out);
  REG_NAMES.forEach((n, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, regs[n]), le));
  return out;
}
export function decodeRegs(bytes: Uint8Array): KvmRegs {
  const dv = need(bytes, KVM_REGS_SIZE, 'kvm_regs');
  return Object.fromEntries(REG_NAMES.map((n, i) => [n, dv.getBigUint64(i * 8, le)])) as KvmRegs;
}

// ---------------------------------------------------------------------------------------------
// struct kvm_segment (24 bytes), struct kvm_dtable (16 bytes), struct kvm_sregs (312 bytes)

// The shapes are arch/x86_64's (pure, it imports nothing), which builds the boot values in them.
export type { KvmDtable, KvmSegment };
export const SEGMENT_NAMES = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt'] as const;
export type KvmSregs = Record<(typeof SEGMENT_NAMES)[number], KvmSegment> & {
  gdt: KvmDtable;
  idt: KvmDtable;
  cr0: bigint;
  cr2: bigint;
  cr3: bigint;
  cr4: bigint;
  cr8: bigint;
  efer: bigint;
  apic_base: bigint;
  /** Pending external interrupts, 256 bits as four u64. */
  interrupt_bitmap: [bigint, bigint, bigint, bigint];
};

export const KVM_SEGMENT_SIZE = 24;
export const KVM_SREGS_SIZE = 312;
/** Byte offsets inside kvm_sregs. */
export const SREGS_OFFSET = { gdt: 192, idt: 208, cr0: 224, cr2: 232, cr3: 240, cr4: 248, cr8: 256, efer: 264, apic_base: 272, interrupt_bitmap: 280 } as const;
const SEGMENT_BYTES = ['type', 'present', 'dpl', 'db', 's', 'l', 'g', 'avl', 'unusable'] as const;

function writeSegment(dv: DataView, at: number, s: KvmSegment): void {
  dv.setBigUint64(at, BigInt.asUintN(64, s.base), le);
  dv.setUint32(at + 8, s.limit >>> 0, le);
  dv.setUint16(at + 12, s.selector, le);
  SEGMENT_BYTES.forEach((f, i) => dv.setUint8(at + 14 + i, s[f]));
}
function readSegment(dv: DataView, at: number): KvmSegment {
  const s = { base: dv.getBigUint64(at, le), limit: dv.getUint32(at + 8, le), selector: dv.getUint16(at + 12, le) } as KvmSegment;
  SEGMENT_BYTES.forEach((f, i) => (s[f] = dv.getUint8(at + 14 + i)));
  return s;
}

export function encodeSregs(sregs: KvmSregs): Uint8Array {
  const out = new Uint8Array(KVM_SREGS_SIZE);
  const dv = view(out);
  SEGMENT_NAMES.forEach((n, i) => writeSegment(dv, i * KVM_SEGMENT_SIZE, sregs[n]));
  for (const t of ['gdt', 'idt'] as const) {
    dv.setBigUint64(SREGS_OFFSET[t], BigInt.asUintN(64, sregs[t].base), le);
    dv.setUint16(SREGS_OFFSET[t] + 8, sregs[t].limit, le);
  }
  for (const r of ['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'apic_base'] as const) dv.setBigUint64(SREGS_OFFSET[r], BigInt.asUintN(64, sregs[r]), le);
  sregs.interrupt_bitmap.forEach((w, i) => dv.setBigUint64(SREGS_OFFSET.interrupt_bitmap + i * 8, w, le));
  return out;
}
export function decodeSregs(bytes: Uint8Array): KvmSregs {
  const dv = need(bytes, KVM_SREGS_SIZE, 'kvm_sregs');
  const s = {} as KvmSregs;
  SEGMENT_NAMES.forEach((n, i) => (s[n] = readSegment(dv, i * KVM_SEGMENT_SIZE)));
  for (const t of ['gdt', 'idt'] as const) s[t] = { base: dv.getBigUint64(SREGS_OFFSET[t], le), limit: dv.getUint16(SREGS_OFFSET[t] + 8, le) };
  for (const r of ['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'apic_base'] as const) s[r] = dv.getBigUint64(SREGS_OFFSET[r], le);
  s.interrupt_bitmap = [0, 1, 2, 3].map((i) => dv.getBigUint64(SREGS_OFFSET.interrupt_bitmap + i * 8, le)) as KvmSregs['interrupt_bitmap'];
  return s;
}

// ---------------------------------------------------------------------------------------------
// struct kvm_fpu (416 bytes)

export interface KvmFpu {
  /** 8 x87 registers, 16 bytes each. */
  fpr: Uint8Array;
  fcw: number;
  fsw: number;
  ftwx: number;
  last_opcode: number;
  last_ip: bigint;
  last_dp: bigint;
  /** 16 XMM registers, 16 bytes each. */
  xmm: Uint8Array;
  mxcsr: number;
}
export const KVM_FPU_SIZE = 416;

export function zeroFpu(): KvmFpu {
  return { fpr: new Uint8Array(128), fcw: 0, fsw: 0, ftwx: 0, last_opcode: 0, last_ip: 0n, last_dp: 0n, xmm: new Uint8Array(256), mxcsr: 0 };
}
export function encodeFpu(fpu: KvmFpu): Uint8Array {
  const out = new Uint8Array(KVM_FPU_SIZE);
  const dv = view(out);
  out.set(fpu.fpr.subarray(0, 128), 0);
  dv.setUint16(128, fpu.fcw, le);
  dv.setUint16(130, fpu.fsw, le);
  dv.setUint8(132, fpu.ftwx);
  dv.setUint16(134, fpu.last_opcode, le);
  dv.setBigUint64(136, fpu.last_ip, le);
  dv.setBigUint64(144, fpu.last_dp, le);
  out.set(fpu.xmm.subarray(0, 256), 152);
  dv.setUint32(408, fpu.mxcsr >>> 0, le);
  return out;
}
export function decodeFpu(bytes: Uint8Array): KvmFpu {
  const dv = need(bytes, KVM_FPU_SIZE, 'kvm_fpu');
  return {
    fpr: bytes.slice(0, 128),
    fcw: dv.getUint16(128, le),
    fsw: dv.getUint16(130, le),
    ftwx: dv.getUint8(132),
    last_opcode: dv.getUint16(134, le),
    last_ip: dv.getBigUint64(136, le),
    last_dp: dv.getBigUint64(144, le),
    xmm: bytes.slice(152, 408),
    mxcsr: dv.getUint32(408, le),
  };
}

// ---------------------------------------------------------------------------------------------
// struct kvm_lapic_state (1024 bytes): the local APIC register page, raw.

export const KVM_LAPIC_SIZE = 1024;

// ---------------------------------------------------------------------------------------------
// struct kvm_cpuid2 { u32 nent; u32 padding; struct kvm_cpuid_entry2 entries[]; } (40-byte entries)

export { KVM_CPUID_FLAG_SIGNIFCANT_INDEX, type CpuidEntry };
export const KVM_CPUID_ENTRY2_SIZE = 40;

/** An empty kvm_cpuid2 whose `nent` says it has room for `capacity` entries (KVM_GET_SUPPORTED_CPUID's argument). */
export function emptyCpuid2(capacity: number): Uint8Array {
  const out = new Uint8Array(8 + capacity * KVM_CPUID_ENTRY2_SIZE);
  view(out).setUint32(0, capacity, le);
  return out;
}

/** A kvm_cpuid2 holding `entries` (KVM_SET_CPUID2's argument). */
export function encodeCpuid2(entries: readonly CpuidEntry[]): Uint8Array {
  const out = new Uint8Array(8 + entries.length * KVM_CPUID_ENTRY2_SIZE);
  const dv = view(out);
  dv.setUint32(0, entries.length, le);
  entries.forEach((e, i) => {
    const at = 8 + i * KVM_CPUID_ENTRY2_SIZE;
    dv.setUint32(at, e.function >>> 0, le);
    dv.setUint32(at + 4, e.index >>> 0, le);
    dv.setUint32(at + 8, e.flags >>> 0, le);
    dv.setUint32(at + 12, e.eax >>> 0, le);
    dv.setUint32(at + 16, e.ebx >>> 0, le);
    dv.setUint32(at + 20, e.ecx >>> 0, le);
    dv.setUint32(at + 24, e.edx >>> 0, le);
  });
  return out;
}
export function decodeCpuid2(bytes: Uint8Array): CpuidEntry[] {
  const dv = need(bytes, 8, 'kvm_cpuid2');
  const n = dv.getUint32(0, le);
  need(bytes, 8 + n * KVM_CPUID_ENTRY2_SIZE, `kvm_cpuid2 with ${n} entries`);
  const out: CpuidEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * KVM_CPUID_ENTRY2_SIZE;
    out.push({
      function: dv.getUint32(at, le),
      index: dv.getUint32(at + 4, le),
      flags: dv.getUint32(at + 8, le),
      eax: dv.getUint32(at + 12, le),
      ebx: dv.getUint32(at + 16, le),
      ecx: dv.getUint32(at + 20, le),
      edx: dv.getUint32(at + 24, le),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// struct kvm_msrs { u32 nmsrs; u32 pad; struct kvm_msr_entry entries[]; } (16-byte entries)

export interface MsrEntry {
  index: number;
  data: bigint;
}
export const KVM_MSR_ENTRY_SIZE = 16;

export function encodeMsrs(entries: readonly MsrEntry[]): Uint8Array {
  const out = new Uint8Array(8 + entries.length * KVM_MSR_ENTRY_SIZE);
  const dv = view(out);
  dv.setUint32(0, entries.length, le);
  entries.forEach((e, i) => {
    dv.setUint32(8 + i * 16, e.index >>> 0, le);
    dv.setBigUint64(8 + i * 16 + 8, BigInt.asUintN(64, e.data), le);
  });
  return out;
}
export function decodeMsrs(bytes: Uint8Array): MsrEntry[] {
  const dv = need(bytes, 8, 'kvm_msrs');
  const n = dv.getUint32(0, le);
  need(bytes, 8 + n * KVM_MSR_ENTRY_SIZE, `kvm_msrs with ${n} entries`);
  return Array.from({ length: n }, (_, i) => ({ index: dv.getUint32(8 + i * 16, le), data: dv.getBigUint64(8 + i * 16 + 8, le) }));
}

// ---------------------------------------------------------------------------------------------
// struct kvm_userspace_memory_region (32 bytes)

export interface UserspaceMemoryRegion {
  slot: number;
  flags: number;
  guest_phys_addr: bigint;
  memory_size: bigint;
  userspace_addr: bigint;
}
export const KVM_USERSPACE_MEMORY_REGION_SIZE = 32;

export function encodeUserspaceMemoryRegion(r: UserspaceMemoryRegion): Uint8Array {
  const out = new Uint8Array(KVM_USERSPACE_MEMORY_REGION_SIZE);
  const dv = view(out);
  dv.setUint32(0, r.slot >>> 0, le);
  dv.setUint32(4, r.flags >>> 0, le);
  dv.setBigUint64(8, r.guest_phys_addr, le);
  dv.setBigUint64(16, r.memory_size, le);
  dv.setBigUint64(24, r.userspace_addr, le);
  return out;
}
export function decodeUserspaceMemoryRegion(bytes: Uint8Array): UserspaceMemoryRegion {
  const dv = need(bytes, KVM_USERSPACE_MEMORY_REGION_SIZE, 'kvm_userspace_memory_region');
  return { slot: dv.getUint32(0, le), flags: dv.getUint32(4, le), guest_phys_addr: dv.getBigUint64(8, le), memory_size: dv.getBigUint64(16, le), userspace_addr: dv.getBigUint64(24, le) };
}

// ---------------------------------------------------------------------------------------------
// struct kvm_pit_config { u32 flags; u32 pad[15]; } (64 bytes)

export const KVM_PIT_CONFIG_SIZE = 64;
export function encodePitConfig(flags: number): Uint8Array {
  const out = new Uint8Array(KVM_PIT_CONFIG_SIZE);
  view(out).setUint32(0, flags >>> 0, le);
  return out;
}

// ---------------------------------------------------------------------------------------------
// struct kvm_irq_level { union { u32 irq; s32 status; }; u32 level; } (8 bytes)

export const KVM_IRQ_LEVEL_SIZE = 8;
export function encodeIrqLevel(irq: number, level: boolean): Uint8Array {
  const out = new Uint8Array(KVM_IRQ_LEVEL_SIZE);
  const dv = view(out);
  dv.setUint32(0, irq >>> 0, le);
  dv.setUint32(4, level ? 1 : 0, le);
  return out;
}

// ---------------------------------------------------------------------------------------------
// u64 arguments passed by pointer (KVM_SET_IDENTITY_MAP_ADDR)

export function encodeU64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  view(out).setBigUint64(0, value, le);
  return out;
}
