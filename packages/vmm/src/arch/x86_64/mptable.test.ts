/**
 * Tests of the MP tables against the Intel MultiProcessor Specification 1.4 (quoted as "MP 1.4")
 * and the checks of Linux's arch/x86/kernel/mpparse.c: the tables are parsed back from guest
 * memory, found the way `smp_scan_config()` finds them, and their checksums, counts and entries
 * verified for 1, 2 and 4 vCPUs.
 */
import { describe, expect, test } from 'vitest';
import { IOAPIC_START, LAPIC_START, MPTABLE_START } from './layout.ts';
import { IOAPIC_VERSION, LAPIC_VERSION, MAX_VCPUS, MpEntryType, MpInterruptType, MptableError, writeMptable } from './mptable.ts';

const sum = (bytes: Uint8Array) => bytes.reduce((a, b) => (a + b) & 0xff, 0);
const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);

interface Parsed {
  fp: { physptr: number; length: number; specification: number; feature1: number; feature2: number };
  header: { length: number; spec: number; oem: string; product: string; count: number; lapic: number; extLength: number };
  cpus: { apicId: number; version: number; flags: number; signature: number; features: number }[];
  buses: { id: number; type: string }[];
  ioapics: { id: number; version: number; flags: number; address: number }[];
  intsrc: { type: number; flags: number; bus: number; irq: number; apic: number; pin: number }[];
  lintsrc: { type: number; flags: number; bus: number; irq: number; apic: number; pin: number }[];
}

/** mpparse.c smp_scan_config() over [base, base + length), then smp_check_mpc() and the entry walk of smp_read_mpc(). */
function scanAndParse(mem: Uint8Array, base: number, length: number): Parsed {
  const v = new DataView(mem.buffer);
  let at = -1;
  for (let p = base; p < base + length; p += 16) {
    // "if ((*bp == SMP_MAGIC_IDENT) && (mpf->length == 1) && !mpf_checksum(bp, 16) && ((mpf->specification == 1) || (mpf->specification == 4)))"
    if (ascii(mem.subarray(p, p + 4)) === '_MP_' && mem[p + 8] === 1 && sum(mem.subarray(p, p + 16)) === 0 && [1, 4].includes(mem[p + 9]!)) {
      at = p;
      break;
    }
  }
  if (at < 0) throw new Error('no MP floating pointer');
  const fp = { physptr: v.getUint32(at + 4, true), length: mem[at + 8]!, specification: mem[at + 9]!, feature1: mem[at + 11]!, feature2: mem[at + 12]! };
  const t = fp.physptr;
  const header = {
    length: v.getUint16(t + 4, true),
    spec: mem[t + 6]!,
    oem: ascii(mem.subarray(t + 8, t + 16)),
    product: ascii(mem.subarray(t + 16, t + 28)),
    count: v.getUint16(t + 34, true),
    lapic: v.getUint32(t + 36, true),
    extLength: v.getUint16(t + 40, true),
  };
  // smp_check_mpc(): signature, checksum, version 1 or 4, a local APIC address.
  if (ascii(mem.subarray(t, t + 4)) !== 'PCMP') throw new Error('bad signature');
  if (sum(mem.subarray(t, t + header.length)) !== 0) throw new Error('bad checksum');
  if (header.spec !== 1 && header.spec !== 4) throw new Error('bad version');
  if (!header.lapic) throw new Error('null local APIC address');
  const parsed: Parsed = { fp, header, cpus: [], buses: [], ioapics: [], intsrc: [], lintsrc: [] };
  let p = t + 44;
  for (let i = 0; i < header.count; i++) {
    const type = mem[p]!;
    if (type === MpEntryType.PROCESSOR) {
      parsed.cpus.push({ apicId: mem[p + 1]!, version: mem[p + 2]!, flags: mem[p + 3]!, signature: v.getUint32(p + 4, true), features: v.getUint32(p + 8, true) });
      p += 20;
      continue;
    }
    if (type === MpEntryType.BUS) parsed.buses.push({ id: mem[p + 1]!, type: ascii(mem.subarray(p + 2, p + 8)) });
    else if (type === MpEntryType.IOAPIC) parsed.ioapics.push({ id: mem[p + 1]!, version: mem[p + 2]!, flags: mem[p + 3]!, address: v.getUint32(p + 4, true) });
    else if (type === MpEntryType.IO_INTERRUPT || type === MpEntryType.LOCAL_INTERRUPT) {
      const entry = { type: mem[p + 1]!, flags: v.getUint16(p + 2, true), bus: mem[p + 4]!, irq: mem[p + 5]!, apic: mem[p + 6]!, pin: mem[p + 7]! };
      (type === MpEntryType.IO_INTERRUPT ? parsed.intsrc : parsed.lintsrc).push(entry);
    } else throw new Error(`unknown entry type ${String(type)}`);
    p += 8;
  }
  if (p !== t + header.length) throw new Error('entries do not fill the base table');
  return parsed;
}

function build(vcpus: number, options: Omit<Parameters<typeof writeMptable>[1], 'vcpus'> = {}) {
  const mem = new Uint8Array(0x100000);
  const written = writeMptable(mem, { vcpus, ...options });
  return { mem, written, parsed: scanAndParse(mem, 639 * 0x400, 0x400) };
}

describe.each([1, 2, 4])('%i vCPU(s)', (vcpus) => {
  const { written, parsed, mem } = build(vcpus);

  test('Linux finds the floating pointer in 639-640 KiB; MP 1.4 4.1: its 16 bytes sum to 0, length 1, revision 4, a table present (feature byte 1 = 0)', () => {
    expect(written.floatingPointer).toBe(MPTABLE_START);
    expect(sum(mem.subarray(MPTABLE_START, MPTABLE_START + 16))).toBe(0);
    expect(parsed.fp).toMatchObject({ length: 1, specification: 4, feature1: 0, physptr: MPTABLE_START + 16 });
  });

  test('feature byte 2 bit 7 (IMCRP) is 0: virtual wire mode, no IMCR', () => {
    expect(parsed.fp.feature2 & 0x80).toBe(0);
  });

  test('MP 1.4 4.2: "PCMP", the base table sums to 0, revision 4, local APIC at 0xFEE00000, no extended table', () => {
    expect(parsed.header).toMatchObject({ spec: 4, lapic: LAPIC_START, extLength: 0, length: written.tableLength });
    expect(parsed.header.oem).toBe('TSVMM   ');
  });

  test('the entry count is vCPUs + 2 buses + 1 I/O APIC + 16 ISA interrupts + 2 local interrupts', () => {
    expect(parsed.header.count).toBe(vcpus + 2 + 1 + 16 + 2);
    expect(written.entryCount).toBe(parsed.header.count);
  });

  test('one processor entry per vCPU: APIC ID = index, enabled, BSP flag only on vCPU 0, local APIC version 0x14', () => {
    expect(parsed.cpus).toHaveLength(vcpus);
    parsed.cpus.forEach((cpu, i) => {
      expect(cpu.apicId).toBe(i);
      expect(cpu.version).toBe(LAPIC_VERSION);
      expect(cpu.flags).toBe(i === 0 ? 0x03 : 0x01);
      expect(cpu.features & 0x201).toBe(0x201);
    });
  });

  test('PCI bus 0 first (Linux takes a PCI bus\'s MP ID as its bus number), then the ISA bus', () => {
    expect(parsed.buses).toEqual([{ id: 0, type: 'PCI   ' }, { id: 1, type: 'ISA   ' }]);
  });

  test('one enabled I/O APIC at 0xFEC00000, ID vCPUs + 1, unique among all APIC IDs (MP 1.4 4.3.3, I/O APIC entries)', () => {
    expect(parsed.ioapics).toEqual([{ id: vcpus + 1, version: IOAPIC_VERSION, flags: 1, address: IOAPIC_START }]);
    expect(parsed.cpus.map((c) => c.apicId)).not.toContain(vcpus + 1);
  });

  test('ISA IRQ i goes to I/O APIC pin i (KVM\'s default GSI routing), conforming to the bus', () => {
    expect(parsed.intsrc).toEqual(Array.from({ length: 16 }, (_, i) => ({ type: MpInterruptType.INT, flags: 0, bus: 1, irq: i, apic: vcpus + 1, pin: i })));
  });

  test('ExtINT goes to LINT0 of the BSP and NMI to LINT1 of every local APIC', () => {
    expect(parsed.lintsrc).toEqual([
      { type: MpInterruptType.EXTINT, flags: 0, bus: 1, irq: 0, apic: 0, pin: 0 },
      { type: MpInterruptType.NMI, flags: 0, bus: 1, irq: 0, apic: 0xff, pin: 1 },
    ]);
  });
});

describe('options and limits', () => {
  test('without the PCI bus, ISA is bus 0 (Firecracker)', () => {
    const { parsed } = build(2, { pciBus: false });
    expect(parsed.buses).toEqual([{ id: 0, type: 'ISA   ' }]);
    expect(parsed.intsrc.every((e) => e.bus === 0)).toBe(true);
  });

  test('PCI INTx entries: bus 0, source IRQ (device << 2) | pin, level-triggered active-high', () => {
    const { parsed } = build(1, { pciInterrupts: [{ device: 3, pin: 0, ioapicPin: 16 }, { device: 4, pin: 1, ioapicPin: 17 }] });
    expect(parsed.intsrc.slice(16)).toEqual([
      { type: 0, flags: 0x0d, bus: 0, irq: 12, apic: 2, pin: 16 },
      { type: 0, flags: 0x0d, bus: 0, irq: 17, apic: 2, pin: 17 },
    ]);
  });

  test(`${String(MAX_VCPUS)} vCPUs fit below 0xE0000 with the I/O APIC at ID 254`, () => {
    const mem = new Uint8Array(0x100000);
    const written = writeMptable(mem, { vcpus: MAX_VCPUS });
    expect(written.ioapicId).toBe(254);
    expect(scanAndParse(mem, 639 * 0x400, 0x400).cpus).toHaveLength(MAX_VCPUS);
  });

  test.each([
    [{ vcpus: 0 }, /vCPU count/],
    [{ vcpus: MAX_VCPUS + 1 }, /vCPU count/],
    [{ vcpus: 1.5 }, /vCPU count/],
    [{ vcpus: 1, pciBus: false, pciInterrupts: [{ device: 1, pin: 0, ioapicPin: 16 }] }, /need the PCI bus/],
    [{ vcpus: 1, pciInterrupts: [{ device: 32, pin: 0, ioapicPin: 16 }] }, /device 0-31/],
    [{ vcpus: 1, pciInterrupts: [{ device: 1, pin: 4, ioapicPin: 16 }] }, /pin 0-3/],
    [{ vcpus: 1, pciInterrupts: [{ device: 1, pin: 0, ioapicPin: 24 }] }, /ioapicPin/],
    [{ vcpus: 1, pciInterrupts: [{ device: 1, pin: 0, ioapicPin: 16 }, { device: 1, pin: 0, ioapicPin: 17 }] }, /twice/],
  ])('rejects %o with MptableError', (options, message) => {
    expect(() => writeMptable(new Uint8Array(0x100000), options)).toThrow(MptableError);
    expect(() => writeMptable(new Uint8Array(0x100000), options)).toThrow(message);
  });

  test('refuses guest memory that ends inside the tables', () => {
    expect(() => writeMptable(new Uint8Array(MPTABLE_START + 64), { vcpus: 1 })).toThrow(/do not fit/);
  });
});
