/**
 * KVM ioctl request numbers, computed with Linux's `_IOC` encoding (include/uapi/asm-generic/ioctl.h)
 * from the `KVMIO` (0xAE) type, the command number and the argument size, as kvm-ioctls declares
 * them. The unit test checks each against the numbers in the notes' table (Firecracker/kvm-ioctls).
 *
 * Part of `kvm_sys` (raw constants and layouts, no policy); `src/kvm` is the safe layer on top.
 */

const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;

/** `_IOC(dir, type, nr, size)`: dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7. */
export function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
export const io = (type: number, nr: number) => ioc(IOC_NONE, type, nr, 0);
export const ior = (type: number, nr: number, size: number) => ioc(IOC_READ, type, nr, size);
export const iow = (type: number, nr: number, size: number) => ioc(IOC_WRITE, type, nr, size);
export const iowr = (type: number, nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, type, nr, size);

/** The KVM ioctl type byte. */
export const KVMIO = 0xae;

/** Every ioctl the VMM issues, by its Linux name. Sizes are the fixed part of each argument struct. */
export const KVM = {
  // /dev/kvm
  GET_API_VERSION: io(KVMIO, 0x00),
  CREATE_VM: io(KVMIO, 0x01),
  CHECK_EXTENSION: io(KVMIO, 0x03),
  GET_VCPU_MMAP_SIZE: io(KVMIO, 0x04),
  GET_SUPPORTED_CPUID: iowr(KVMIO, 0x05, 8), // struct kvm_cpuid2 header
  GET_MSR_INDEX_LIST: iowr(KVMIO, 0x02, 4), // struct kvm_msr_list header
  // VM
  CREATE_VCPU: io(KVMIO, 0x41),
  SET_USER_MEMORY_REGION: iow(KVMIO, 0x46, 32),
  SET_TSS_ADDR: io(KVMIO, 0x47),
  SET_IDENTITY_MAP_ADDR: iow(KVMIO, 0x48, 8),
  CREATE_IRQCHIP: io(KVMIO, 0x60),
  IRQ_LINE: iow(KVMIO, 0x61, 8),
  CREATE_PIT2: iow(KVMIO, 0x77, 64),
  REGISTER_COALESCED_MMIO: iow(KVMIO, 0x67, 16),
  // vCPU
  RUN: io(KVMIO, 0x80),
  GET_REGS: ior(KVMIO, 0x81, 144),
  SET_REGS: iow(KVMIO, 0x82, 144),
  GET_SREGS: ior(KVMIO, 0x83, 312),
  SET_SREGS: iow(KVMIO, 0x84, 312),
  GET_MSRS: iowr(KVMIO, 0x88, 8),
  SET_MSRS: iow(KVMIO, 0x89, 8),
  GET_FPU: ior(KVMIO, 0x8c, 416),
  SET_FPU: iow(KVMIO, 0x8d, 416),
  GET_LAPIC: ior(KVMIO, 0x8e, 1024),
  SET_LAPIC: iow(KVMIO, 0x8f, 1024),
  SET_CPUID2: iow(KVMIO, 0x90, 8),
  GET_CPUID2: iowr(KVMIO, 0x91, 8),
} as const;

/** An ioctl's Linux name (`KVM_RUN`) from its number, for error messages. */
export function ioctlName(request: number): string {
  for (const [name, value] of Object.entries(KVM)) if (value === request) return `KVM_${name}`;
  return `ioctl 0x${request.toString(16)}`;
}
