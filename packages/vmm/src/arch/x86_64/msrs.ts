/**
 * The model-specific registers each vCPU starts with, for `KVM_SET_MSRS` (Firecracker's
 * `msr.rs` `create_boot_msr_entries`; crosvm's `regs.rs`):
 *
 * | MSR | value | |
 * |---|---|---|
 * | IA32_SYSENTER_CS/ESP/EIP (0x174-0x176) | 0 | |
 * | STAR, LSTAR, CSTAR, SYSCALL_MASK (0xC0000081-0xC0000084) | 0 | |
 * | KERNEL_GS_BASE (0xC0000102) | 0 | |
 * | IA32_TSC (0x10) | 0 | every vCPU starts its TSC together |
 * | IA32_MISC_ENABLE (0x1A0) | 1 | fast strings enabled |
 * | IA32_MTRR_DEF_TYPE (0x2FF) | 0x806 | MTRRs enabled (bit 11), default type write-back (6) |
 *
 * and, given the guest's physical-address width, the MMIO gap [3 GiB, 4 GiB) uncacheable through
 * variable MTRR 0 (crosvm), so that the gap is UC whatever page attributes the guest uses.
 */
import { MMIO_GAP_SIZE, MMIO_GAP_START } from './layout.ts';

/** One `kvm_msr_entry`. */
export interface MsrEntry {
  index: number;
  data: bigint;
}

/** MSR numbers. */
export const Msr = {
  IA32_TSC: 0x10,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_MISC_ENABLE: 0x1a0,
  MTRR_PHYS_BASE_0: 0x200,
  MTRR_PHYS_MASK_0: 0x201,
  MTRR_DEF_TYPE: 0x2ff,
  STAR: 0xc000_0081,
  LSTAR: 0xc000_0082,
  CSTAR: 0xc000_0083,
  SYSCALL_MASK: 0xc000_0084,
  KERNEL_GS_BASE: 0xc000_0102,
} as const;

export const MISC_ENABLE_FAST_STRING = 1n;
/** MTRRdefType: E (bit 11) | default type WB (6). */
export const MTRR_DEF_TYPE_WB_ENABLED = 0x806n;
export const MTRR_TYPE_UNCACHEABLE = 0n;
const MTRR_PHYS_MASK_VALID = 1n << 11n;

/** The one error of this module. */
export class MsrError extends Error {
  override readonly name = 'MsrError';
}

/** Options of {@link bootMsrs}. */
export interface BootMsrOptions {
  /** MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); when given, the MMIO gap is made uncacheable. */
  readonly physAddrBits?: number;
}

/**
 * The boot MSR list.
 * @throws {MsrError} if `physAddrBits` is not in [32, 52].
 */
export function bootMsrs(options: BootMsrOptions = {}): MsrEntry[] {
  const entries: MsrEntry[] = [
    { index: Msr.IA32_SYSENTER_CS, data: 0n },
    { index: Msr.IA32_SYSENTER_ESP, data: 0n },
    { index: Msr.IA32_SYSENTER_EIP, data: 0n },
    { index: Msr.STAR, data: 0n },
    { index: Msr.CSTAR, data: 0n },
    { index: Msr.KERNEL_GS_BASE, data: 0n },
    { index: Msr.SYSCALL_MASK, data: 0n },
    { index: Msr.LSTAR, data: 0n },
    { index: Msr.IA32_TSC, data: 0n },
    { index: Msr.IA32_MISC_ENABLE, data: MISC_ENABLE_FAST_STRING },
    { index: Msr.MTRR_DEF_TYPE, data: MTRR_DEF_TYPE_WB_ENABLED },
  ];
  if (options.physAddrBits !== undefined) {
    const bits = options.physAddrBits;
    if (!Number.isInteger(bits) || bits < 32 || bits > 52) throw new MsrError(`physAddrBits ${String(bits)} is not in [32, 52]`);
    const addressMask = (1n << BigInt(bits)) - 1n;
    const mask = ~(BigInt(MMIO_GAP_SIZE) - 1n) & addressMask & ~0xfffn;
    entries.push({ index: Msr.MTRR_PHYS_BASE_0, data: BigInt(MMIO_GAP_START) | MTRR_TYPE_UNCACHEABLE });
    entries.push({ index: Msr.MTRR_PHYS_MASK_0, data: mask | MTRR_PHYS_MASK_VALID });
  }
  return entries;
}
