/**
 * x86_64 boot for the VMM: the memory layout and the structures the Linux 64-bit boot protocol
 * needs, as pure functions over guest memory (a `Uint8Array` of RAM below the MMIO gap whose offset
 * is the guest-physical address) and plain objects shaped like KVM's structures. Nothing here
 * touches KVM; the VMM feeds the results to its ioctls:
 *
 * - memory: {@link writeLinuxBoot} (or the steps: {@link parseBzImage}, {@link placeKernel},
 *   {@link loadKernel}, {@link placeInitrd}, {@link writeCmdline}, {@link writePageTables},
 *   {@link writeGdtAndIdt}, {@link writeMptable}, {@link buildE820}, {@link buildZeroPage},
 *   {@link writeZeroPage}); KVM memory slots from {@link ramRegions};
 * - per vCPU: `KVM_SET_CPUID2` ← {@link patchCpuid}, `KVM_SET_MSRS` ← {@link bootMsrs},
 *   `KVM_SET_REGS` ← {@link bootRegisters}, `KVM_SET_FPU` ← {@link BOOT_FPU},
 *   `KVM_SET_SREGS` ← {@link bootSpecialRegisters} over `KVM_GET_SREGS`,
 *   `KVM_SET_LAPIC` ← {@link configureLint} over `KVM_GET_LAPIC`;
 * - VM: `KVM_SET_IDENTITY_MAP_ADDR` ← {@link KVM_IDENTITY_MAP_START}, `KVM_SET_TSS_ADDR` ←
 *   {@link KVM_TSS_START}.
 *
 * Each module has its own error class; see each file's header for the documents it follows.
 */
export * from './layout.ts';
export { BzImageError, ENTRY_64_OFFSET, HDRS_MAGIC, MIN_PROTOCOL_VERSION, SetupHeader, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_KERNEL_64, LOADED_HIGH, loadKernel, parseBzImage, placeInitrd, placeKernel, type BzImage, type KernelPlacement } from './bzimage.ts';
export { CmdlineError, encodeCmdline, writeCmdline, type WrittenCmdline } from './cmdline.ts';
export { E820Error, E820Type, E820_MAX_ENTRIES, buildE820, checkE820, type E820Entry } from './e820.ts';
export { BootParams, LOADER_TYPE_UNDEFINED, ZeroPageError, buildZeroPage, writeZeroPage, type ZeroPageParams } from './zero_page.ts';
export { IOAPIC_VERSION, LAPIC_VERSION, MAX_VCPUS, MptableError, MpEntryType, MpInterruptType, writeMptable, type MpPciInterrupt, type MptableOptions, type WrittenMptable } from './mptable.ts';
export { IDENTITY_MAPPED_BYTES, PAGING_CONTROL, PageTableError, writePageTables } from './page_tables.ts';
export { BOOT_CS_SELECTOR, BOOT_DS_SELECTOR, BOOT_GDT, BOOT_TSS_SELECTOR, GdtError, bootSegments, gdtEntry, segmentFromGdtEntry, writeGdtAndIdt, type BootSegments, type KvmDtable, type KvmSegment } from './gdt.ts';
export { BOOT_FPU, bootRegisters, bootSpecialRegisters, type BootRegisters, type BootSpecialRegisters, type ControlRegisters } from './regs.ts';
export { CpuidError, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, MAX_CPUID_VCPUS, patchCpuid, type CpuidEntry, type CpuidOptions } from './cpuid.ts';
export { Msr, MsrError, bootMsrs, type BootMsrOptions, type MsrEntry } from './msrs.ts';
export { APIC_LVT0, APIC_LVT1, APIC_MODE_EXTINT, APIC_MODE_NMI, LAPIC_STATE_SIZE, LapicError, configureLint, setDeliveryMode } from './lapic.ts';
export { LinuxBootError, writeLinuxBoot, type LinuxBootInfo, type LinuxBootOptions } from './linux_boot.ts';
