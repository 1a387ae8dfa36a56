/**
 * A vCPU's registers at the kernel's 64-bit entry (boot.rst, "64-bit BOOT PROTOCOL": "the CPU
 * must be in 64-bit mode with paging enabled ... interrupt must be disabled; %rsi must hold the
 * base address of the struct boot_params"), and its FPU (Firecracker's `regs.rs`, `setup_fpu`).
 *
 * Every vCPU gets these; the application processors then wait in the kernel's INIT/SIPI handling,
 * which KVM's in-kernel LAPIC implements.
 */
import { type BootSegments, bootSegments } from './gdt.ts';
import { BOOT_STACK_POINTER, ZERO_PAGE_START } from './layout.ts';
import { PAGING_CONTROL, X86_CR0_CD, X86_CR0_NW } from './page_tables.ts';

/** The general-purpose registers the entry needs; the rest are zero. */
export interface BootRegisters {
  rip: bigint;
  rsp: bigint;
  rbp: bigint;
  rsi: bigint;
  /** Bit 1 is reserved and must be 1; IF (bit 9) is 0: interrupts disabled. */
  rflags: bigint;
}

/** rip = the 64-bit entry, rsi = boot_params, rsp = rbp = 0x8ff0, rflags = 2. */
export function bootRegisters(entry64: number): BootRegisters {
  if (!Number.isSafeInteger(entry64) || entry64 < 0) throw new RangeError(`entry point ${String(entry64)} is not an address`);
  return {
    rip: BigInt(entry64),
    rsp: BigInt(BOOT_STACK_POINTER),
    rbp: BigInt(BOOT_STACK_POINTER),
    rsi: BigInt(ZERO_PAGE_START),
    rflags: 0x2n,
  };
}

/** The x87 control word and MXCSR after FNINIT / reset (Firecracker's `setup_fpu`); the rest is zero. */
export const BOOT_FPU = { fcw: 0x37f, mxcsr: 0x1f80 } as const;

/** The control registers the entry needs. */
export interface ControlRegisters {
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
}

/** The special registers to overwrite in the `kvm_sregs` that `KVM_GET_SREGS` returned. */
export type BootSpecialRegisters = BootSegments & ControlRegisters;

/**
 * The special registers at the 64-bit entry, from the vCPU's current ones: the boot segments and
 * tables, cr3 = the PML4, cr0 |= PE | PG, cr4 |= PAE, efer |= LME | LMA (Firecracker and crosvm),
 * and cr0's CD and NW cleared: caches on, as any firmware leaves them (KVM's reset value has both
 * set; under EPT KVM ignores them, so Firecracker keeps them).
 */
export function bootSpecialRegisters(current: { cr0: bigint; cr4: bigint; efer: bigint }): BootSpecialRegisters {
  return {
    ...bootSegments(),
    cr0: (current.cr0 | PAGING_CONTROL.cr0) & ~(X86_CR0_CD | X86_CR0_NW),
    cr3: PAGING_CONTROL.cr3,
    cr4: current.cr4 | PAGING_CONTROL.cr4,
    efer: current.efer | PAGING_CONTROL.efer,
  };
}
