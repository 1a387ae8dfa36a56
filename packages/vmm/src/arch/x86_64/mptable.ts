/**
 * The Intel MultiProcessor Specification 1.4 tables (chapter 4), which tell a kernel without ACPI
 * its CPUs, buses and interrupt wiring; Firecracker's `mptable.rs`, with a PCI bus as crosvm adds.
 *
 * At {@link MPTABLE_START} (0x9FC00, inside the 639-640 KiB window Linux's `find_smp_config()`
 * scans): the MP floating pointer structure ("_MP_", 16 bytes, spec revision 4, feature byte 1 = 0
 * so a configuration table is present, feature byte 2 bit 7 = 0: virtual wire mode, no IMCR), then
 * the configuration table ("PCMP", local APIC at 0xFEE00000) with, in order:
 *
 * - one processor entry per vCPU: local APIC ID = vCPU index, version 0x14 (KVM's local APIC),
 *   enabled, BSP flag on vCPU 0, CPU signature family 6, features FPU|APIC (Firecracker's values);
 * - the buses: PCI bus 0 (unless `pciBus: false`), then the ISA bus (ID 1, or 0 without PCI).
 *   Linux takes a PCI bus's MP ID as its PCI bus number, so PCI comes first (crosvm);
 * - one I/O APIC: ID = vCPUs + 1 (Firecracker; unique among all APIC IDs, as the spec requires),
 *   version 0x11 (KVM's IOAPIC), at 0xFEC00000;
 * - I/O interrupt entries: ISA IRQ i → I/O APIC pin i for i = 0-15, flags 0 ("conforms to the
 *   bus": edge, active high), matching KVM's default GSI routing (GSI i = IOAPIC pin i, so the
 *   in-kernel PIT's IRQ 0 is pin 0). Firecracker lists 16-23 as ISA IRQs too; there are no such ISA
 *   IRQs, so pins 16-23 are left for PCI. Then one entry per `pciInterrupts` item: PCI bus 0,
 *   source IRQ (device << 2) | pin, level-triggered active-high (KVM's IOAPIC does not invert
 *   polarity; QEMU declares its PCI interrupts active-high too);
 * - local interrupt entries: ExtINT → LINT0 of the BSP (APIC ID 0), NMI → LINT1 of all (0xFF).
 *
 * Both checksums make their structure's bytes sum to 0 (spec 4.1, 4.2).
 */
import { byteSum, checksumByte, fits, hex, viewOf } from './guest_memory.ts';
import { IOAPIC_START, LAPIC_START, MPTABLE_LIMIT, MPTABLE_START } from './layout.ts';

/** Entry types (MP spec Table 4-3). */
export const MpEntryType = { PROCESSOR: 0, BUS: 1, IOAPIC: 2, IO_INTERRUPT: 3, LOCAL_INTERRUPT: 4 } as const;
/** Interrupt types (Table 4-10). */
export const MpInterruptType = { INT: 0, NMI: 1, SMI: 2, EXTINT: 3 } as const;
/** Sizes. */
export const MP_FLOATING_POINTER_SIZE = 16;
export const MP_TABLE_HEADER_SIZE = 44;
export const MP_PROCESSOR_ENTRY_SIZE = 20;
export const MP_ENTRY_SIZE = 8;
/** Local APIC version of KVM's in-kernel local APIC. */
export const LAPIC_VERSION = 0x14;
/** Version of KVM's in-kernel IOAPIC (82093AA-like, 24 pins). */
export const IOAPIC_VERSION = 0x11;
export const IOAPIC_PINS = 24;
/** ISA IRQs listed: 0-15. */
export const ISA_IRQS = 16;
/** The most vCPUs: the I/O APIC ID (vCPUs + 1) must stay below 0xFF, the broadcast ID. */
export const MAX_VCPUS = 253;
/** "_MP_" and "PCMP" as little-endian u32. */
const MP_FLOATING_SIGNATURE = 0x5f50_4d5f;
const MP_TABLE_SIGNATURE = 0x504d_4350;
const SPEC_REVISION = 4;
const CPU_ENABLED = 0x01;
const CPU_BOOTSTRAP = 0x02;
/** Family 6 (Firecracker's CPU_STEPPING 0x600). */
const CPU_SIGNATURE = 0x600;
/** CPUID.1:EDX FPU | APIC. */
const CPU_FEATURES = 0x001 | 0x200;
/** Polarity active high (01) | trigger level (11 << 2). */
const PCI_INTERRUPT_FLAGS = 0x01 | (0x03 << 2);

/** The one error of this module. */
export class MptableError extends Error {
  override readonly name = 'MptableError';
}

/** A PCI INTx line wired to an I/O APIC pin. */
export interface MpPciInterrupt {
  /** PCI device number on bus 0 (0-31). */
  readonly device: number;
  /** 0-3 for INTA#-INTD#. */
  readonly pin: number;
  /** I/O APIC input (0-23). */
  readonly ioapicPin: number;
}

/** What the MP table describes. */
export interface MptableOptions {
  readonly vcpus: number;
  /** List PCI bus 0 (default true). */
  readonly pciBus?: boolean;
  /** PCI interrupt routing (requires `pciBus`); default none (virtio-pci uses MSI-X). */
  readonly pciInterrupts?: readonly MpPciInterrupt[];
}

/** Where the structures went. */
export interface WrittenMptable {
  readonly floatingPointer: number;
  readonly table: number;
  /** The configuration table's length (base table length). */
  readonly tableLength: number;
  readonly entryCount: number;
  readonly ioapicId: number;
}

/**
 * Writes the floating pointer and configuration table at `address` (default 0x9FC00) in `mem`.
 * @throws {MptableError} for a bad vCPU count or PCI routing, or if the tables do not fit below 0xE0000.
 */
export function writeMptable(mem: Uint8Array, options: MptableOptions, address: number = MPTABLE_START): WrittenMptable {
  const { vcpus } = options;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > MAX_VCPUS) throw new MptableError(`vCPU count ${String(vcpus)} is not an integer in [1, ${String(MAX_VCPUS)}]`);
  const pciBus = options.pciBus ?? true;
  const pciInterrupts = options.pciInterrupts ?? [];
  if (pciInterrupts.length > 0 && !pciBus) throw new MptableError('PCI interrupts need the PCI bus');
  const seen = new Set<number>();
  for (const irq of pciInterrupts) {
    const ok = (value: number, max: number) => Number.isInteger(value) && value >= 0 && value <= max;
    if (!ok(irq.device, 31) || !ok(irq.pin, 3) || !ok(irq.ioapicPin, IOAPIC_PINS - 1)) throw new MptableError(`PCI interrupt ${JSON.stringify(irq)}: device 0-31, pin 0-3, ioapicPin 0-${String(IOAPIC_PINS - 1)}`);
    const key = (irq.device << 2) | irq.pin;
    if (seen.has(key)) throw new MptableError(`PCI device ${String(irq.device)} pin ${String(irq.pin)} is routed twice`);
    seen.add(key);
  }

  const busCount = pciBus ? 2 : 1;
  const entryCount = vcpus + busCount + 1 + ISA_IRQS + pciInterrupts.length + 2;
  const tableLength = MP_TABLE_HEADER_SIZE + vcpus * MP_PROCESSOR_ENTRY_SIZE + (entryCount - vcpus) * MP_ENTRY_SIZE;
  const table = address + MP_FLOATING_POINTER_SIZE;
  const end = table + tableLength;
  if (!Number.isSafeInteger(address) || address < 0 || address % 16 !== 0) throw new MptableError(`address ${String(address)} is not 16-byte aligned`);
  if (end > MPTABLE_LIMIT || !fits(mem, address, end - address)) throw new MptableError(`${String(end - address)} bytes at ${hex(address)} do not fit below ${hex(Math.min(MPTABLE_LIMIT, mem.length))}`);

  const region = mem.subarray(address, end);
  region.fill(0);
  const v = viewOf(region);
  const ioapicId = vcpus + 1;
  const pciBusId = 0;
  const isaBusId = pciBus ? 1 : 0;

  // Floating pointer (MP spec 4.1).
  v.setUint32(0, MP_FLOATING_SIGNATURE, true);
  v.setUint32(4, table, true);
  v.setUint8(8, 1); // length in 16-byte units
  v.setUint8(9, SPEC_REVISION);
  // 10: checksum; 11: feature 1 = 0 (a table is present); 12: feature 2 = 0 (virtual wire mode).
  v.setUint8(10, checksumByte(region.subarray(0, MP_FLOATING_POINTER_SIZE)));

  // Configuration table header (MP spec 4.2).
  const t = MP_FLOATING_POINTER_SIZE;
  v.setUint32(t, MP_TABLE_SIGNATURE, true);
  v.setUint16(t + 4, tableLength, true);
  v.setUint8(t + 6, SPEC_REVISION);
  writeAscii(region, t + 8, 'TSVMM', 8);
  writeAscii(region, t + 16, 'TSVMM x86_64', 12);
  v.setUint16(t + 34, entryCount, true);
  v.setUint32(t + 36, LAPIC_START, true);

  let at = t + MP_TABLE_HEADER_SIZE;
  for (let cpu = 0; cpu < vcpus; cpu++) {
    v.setUint8(at, MpEntryType.PROCESSOR);
    v.setUint8(at + 1, cpu);
    v.setUint8(at + 2, LAPIC_VERSION);
    v.setUint8(at + 3, CPU_ENABLED | (cpu === 0 ? CPU_BOOTSTRAP : 0));
    v.setUint32(at + 4, CPU_SIGNATURE, true);
    v.setUint32(at + 8, CPU_FEATURES, true);
    at += MP_PROCESSOR_ENTRY_SIZE;
  }
  const bus = (id: number, type: string) => {
    v.setUint8(at, MpEntryType.BUS);
    v.setUint8(at + 1, id);
    writeAscii(region, at + 2, type, 6);
    at += MP_ENTRY_SIZE;
  };
  if (pciBus) bus(pciBusId, 'PCI');
  bus(isaBusId, 'ISA');

  v.setUint8(at, MpEntryType.IOAPIC);
  v.setUint8(at + 1, ioapicId);
  v.setUint8(at + 2, IOAPIC_VERSION);
  v.setUint8(at + 3, CPU_ENABLED);
  v.setUint32(at + 4, IOAPIC_START, true);
  at += MP_ENTRY_SIZE;

  const interrupt = (type: number, kind: number, flags: number, srcBus: number, srcIrq: number, dstApic: number, dstPin: number) => {
    v.setUint8(at, type);
    v.setUint8(at + 1, kind);
    v.setUint16(at + 2, flags, true);
    v.setUint8(at + 4, srcBus);
    v.setUint8(at + 5, srcIrq);
    v.setUint8(at + 6, dstApic);
    v.setUint8(at + 7, dstPin);
    at += MP_ENTRY_SIZE;
  };
  for (let irq = 0; irq < ISA_IRQS; irq++) interrupt(MpEntryType.IO_INTERRUPT, MpInterruptType.INT, 0, isaBusId, irq, ioapicId, irq);
  for (const irq of pciInterrupts) interrupt(MpEntryType.IO_INTERRUPT, MpInterruptType.INT, PCI_INTERRUPT_FLAGS, pciBusId, (irq.device << 2) | irq.pin, ioapicId, irq.ioapicPin);
  interrupt(MpEntryType.LOCAL_INTERRUPT, MpInterruptType.EXTINT, 0, isaBusId, 0, 0, 0);
  interrupt(MpEntryType.LOCAL_INTERRUPT, MpInterruptType.NMI, 0, isaBusId, 0, 0xff, 1);

  v.setUint8(t + 7, checksumByte(region.subarray(t, t + tableLength)));
  if (byteSum(region.subarray(t, t + tableLength)) !== 0 || at !== t + tableLength) throw new MptableError('internal error: table length or checksum mismatch');
  return { floatingPointer: address, table, tableLength, entryCount, ioapicId };
}

function writeAscii(region: Uint8Array, at: number, text: string, width: number): void {
  for (let i = 0; i < width; i++) region[at + i] = i < text.length ? text.charCodeAt(i) : 0x20;
}
