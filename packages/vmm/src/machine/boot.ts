/**
 * Linux x86_64 boot for the `Machine`: the glue between the pure boot structures of
 * `src/arch/x86_64` (layout, bzImage, zero page, e820, MP table, page tables, GDT, CPUID, MSRs,
 * LAPIC) and the KVM binding. `Machine` calls `ramLayout` for the memory slots, `loadGuest` to
 * write the kernel, initrd, command line and boot structures into RAM, and `configureVcpu` for
 * each vCPU (Firecracker's order: CPUID, MSRs, registers, FPU, special registers, LINT0/LINT1).
 *
 * Errors are the arch module's (BzImageError, CmdlineError, LayoutError, …): the CLI reports
 * them as setup errors (exit 5).
 */
import * as x86 from '../arch/x86_64/index.ts';
import type { GuestMemory } from '../kvm/memory.ts';
import type { Vcpu } from '../kvm/vcpu.ts';
import { zeroFpu, zeroRegs, type CpuidEntry } from '../kvm_sys/structs.ts';

export const IDENTITY_MAP_ADDRESS = x86.KVM_IDENTITY_MAP_START;
export const TSS_ADDRESS = x86.KVM_TSS_START;

/** The KVM memory slots for `bytes` of RAM (below the 3 GiB MMIO gap, the rest from 4 GiB). */
export function ramLayout(bytes: number): x86.RamRegion[] {
  return x86.ramRegions(bytes);
}

export interface GuestImages {
  kernel: Uint8Array;
  initrd: Uint8Array | undefined;
  cmdline: string;
  vcpus: number;
}

/** What vCPU setup and the devices need to know about the loaded guest. */
export interface BootInfo {
  linux: x86.LinuxBootInfo;
  memBelow4g: number;
  memAbove4g: number;
  vcpus: number;
}

/** Writes kernel, initrd, command line and every boot structure into `memory`. */
export function loadGuest(memory: GuestMemory, images: GuestImages): BootInfo {
  const low = memory.regions.find((r) => r.guestAddress === 0);
  if (low === undefined) throw new x86.LayoutError('guest memory has no region at address 0');
  const linux = x86.writeLinuxBoot(low.bytes, {
    kernel: images.kernel,
    ...(images.initrd !== undefined ? { initrd: images.initrd } : {}),
    cmdline: images.cmdline,
    ramSize: memory.size,
    vcpus: images.vcpus,
  });
  return { linux, memBelow4g: low.size, memAbove4g: memory.size - low.size, vcpus: images.vcpus };
}

/** MAXPHYADDR from CPUID 0x80000008 EAX[7:0], if KVM reports it (for the MMIO gap's MTRR). */
function physAddrBits(supported: readonly CpuidEntry[]): number | undefined {
  const bits = supported.find((e) => e.function === 0x80000008)?.eax;
  return bits === undefined ? undefined : bits & 0xff || undefined;
}

/** What KVM offers that the CPUID of every vCPU depends on. */
export interface CpuFeatures {
  /** KVM_GET_SUPPORTED_CPUID. */
  supported: readonly CpuidEntry[];
  /** KVM_CAP_TSC_DEADLINE_TIMER: the in-kernel LAPIC emulates the TSC-deadline timer (not in the supported CPUID). */
  tscDeadline: boolean;
}

/** Sets up vCPU `vcpu.id` of `count` for the 64-bit entry (the APs are then reset by INIT/SIPI). */
export function configureVcpu(vcpu: Vcpu, boot: BootInfo, cpu: CpuFeatures, count: number): void {
  const supported = cpu.supported;
  vcpu.setCpuid2(x86.patchCpuid(supported, { vcpuId: vcpu.id, vcpuCount: count, tscDeadline: cpu.tscDeadline }));
  const bits = physAddrBits(supported);
  vcpu.setMsrs(x86.bootMsrs(bits !== undefined && bits >= 32 ? { physAddrBits: bits } : {}));
  vcpu.setRegs({ ...zeroRegs(), ...x86.bootRegisters(boot.linux.entry64) });
  vcpu.setFpu({ ...zeroFpu(), ...x86.BOOT_FPU });
  const sregs = vcpu.getSregs();
  vcpu.setSregs({ ...sregs, ...x86.bootSpecialRegisters(sregs) });
  vcpu.setLapic(x86.configureLint(vcpu.getLapic()));
}
