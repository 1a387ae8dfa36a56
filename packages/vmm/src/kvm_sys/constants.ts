/**
 * KVM constants from include/uapi/linux/kvm.h: the API version, capabilities, exit reasons and
 * their sub-codes, memory-region and PIT flags. Raw values only (`kvm_sys`).
 */

/** `KVM_GET_API_VERSION` must answer this (stable since Linux 2.6.22). */
export const KVM_API_VERSION = 12;

/** `KVM_CHECK_EXTENSION` arguments. */
export const KvmCap = {
  IRQCHIP: 0,
  HLT: 1,
  USER_MEMORY: 3,
  SET_TSS_ADDR: 4,
  EXT_CPUID: 7,
  NR_VCPUS: 9,
  MP_STATE: 14,
  /** Answers the page of the vCPU mapping that holds the coalesced ring (kvm_sys/coalesced.ts). */
  COALESCED_MMIO: 15,
  IRQ_ROUTING: 25,
  PIT2: 33,
  SET_IDENTITY_MAP_ADDR: 37,
  MAX_VCPUS: 66,
  TSC_DEADLINE_TIMER: 72,
  IMMEDIATE_EXIT: 136,
  COALESCED_PIO: 162,
} as const;

/** `kvm_run.exit_reason`. */
export const KvmExit = {
  UNKNOWN: 0,
  EXCEPTION: 1,
  IO: 2,
  HYPERCALL: 3,
  DEBUG: 4,
  HLT: 5,
  MMIO: 6,
  IRQ_WINDOW_OPEN: 7,
  SHUTDOWN: 8,
  FAIL_ENTRY: 9,
  INTR: 10,
  SET_TPR: 11,
  TPR_ACCESS: 12,
  NMI: 16,
  INTERNAL_ERROR: 17,
  SYSTEM_EVENT: 24,
} as const;

/** The name of an exit reason (`KVM_EXIT_IO`), for messages. */
export function exitName(reason: number): string {
  for (const [name, value] of Object.entries(KvmExit)) if (value === reason) return `KVM_EXIT_${name}`;
  return `KVM_EXIT_${reason}`;
}

/** `kvm_run.io.direction`. */
export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;

/** `kvm_run.internal.suberror` for `KVM_EXIT_INTERNAL_ERROR`. */
export const KvmInternalError = {
  EMULATION: 1,
  SIMUL_EX: 2,
  DELIVERY_EV: 3,
  UNEXPECTED_EXIT_REASON: 4,
} as const;

/** `kvm_run.system_event.type` for `KVM_EXIT_SYSTEM_EVENT`. */
export const KvmSystemEvent = {
  SHUTDOWN: 1,
  RESET: 2,
  CRASH: 3,
} as const;

/** `kvm_pit_config.flags`. */
export const KVM_PIT_SPEAKER_DUMMY = 1;

/** `kvm_userspace_memory_region.flags`. */
export const KVM_MEM_LOG_DIRTY_PAGES = 1;
export const KVM_MEM_READONLY = 2;
