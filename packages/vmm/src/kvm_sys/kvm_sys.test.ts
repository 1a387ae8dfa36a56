/**
 * kvm_sys unit tests: ioctl numbers against the table in the notes (kvm-ioctls' values), struct
 * sizes against the ioctl-encoded sizes, field offsets against the kernel's (as the notes give
 * them), and encode/decode round trips.
 */
import { describe, expect, it } from 'vitest';
import { COALESCED_ENTRY, COALESCED_RING, encodeCoalescedZone, KVM_COALESCED_MMIO_MAX } from './coalesced.ts';
import { KvmExit, exitName } from './constants.ts';
import { ioctlName, KVM } from './ioctl.ts';
import { KVM_RUN, KvmRunView } from './run.ts';
import {
  decodeCpuid2, decodeFpu, decodeMsrs, decodeRegs, decodeSregs, decodeUserspaceMemoryRegion, emptyCpuid2, encodeCpuid2, encodeFpu,
  encodeIrqLevel, encodeMsrs, encodePitConfig, encodeRegs, encodeSregs, encodeUserspaceMemoryRegion, KVM_FPU_SIZE, KVM_REGS_SIZE,
  KVM_SREGS_SIZE, SEGMENT_NAMES, zeroFpu, zeroRegs, type KvmSregs,
} from './structs.ts';

describe('ioctl numbers', () => {
  // shared/notes/x86-linux-boot.md §1, from kvm-ioctls/src/kvm_ioctls.rs
  const table: [keyof typeof KVM, number][] = [
    ['CREATE_VM', 0xae01], ['GET_VCPU_MMAP_SIZE', 0xae04], ['GET_SUPPORTED_CPUID', 0xc008ae05], ['CREATE_VCPU', 0xae41],
    ['SET_USER_MEMORY_REGION', 0x4020ae46], ['SET_TSS_ADDR', 0xae47], ['SET_IDENTITY_MAP_ADDR', 0x4008ae48], ['CREATE_IRQCHIP', 0xae60],
    ['CREATE_PIT2', 0x4040ae77], ['RUN', 0xae80], ['SET_REGS', 0x4090ae82], ['GET_SREGS', 0x8138ae83], ['SET_SREGS', 0x4138ae84],
    ['SET_MSRS', 0x4008ae89], ['SET_FPU', 0x41a0ae8d], ['GET_LAPIC', 0x8400ae8e], ['SET_LAPIC', 0x4400ae8f], ['SET_CPUID2', 0x4008ae90],
    ['IRQ_LINE', 0x4008ae61], ['GET_API_VERSION', 0xae00], ['CHECK_EXTENSION', 0xae03], ['GET_REGS', 0x8090ae81], ['GET_FPU', 0x81a0ae8c],
    ['GET_MSRS', 0xc008ae88],
    // <linux/kvm.h>: _IOW(KVMIO, 0x67, struct kvm_coalesced_mmio_zone)
    ['REGISTER_COALESCED_MMIO', 0x4010ae67],
  ];
  it.each(table)('KVM_%s = %i', (name, value) => {
    expect(KVM[name]).toBe(value);
    expect(ioctlName(value)).toBe(`KVM_${name}`);
  });
  it('names unknown requests in hex', () => expect(ioctlName(0x1234)).toBe('ioctl 0x1234'));
});

describe('struct sizes match the sizes encoded in the ioctl numbers', () => {
  const size = (request: number) => (request >>> 16) & 0x3fff;
  it('kvm_regs', () => expect(encodeRegs(zeroRegs()).length).toBe(size(KVM.SET_REGS)));
  it('kvm_sregs', () => expect(KVM_SREGS_SIZE).toBe(size(KVM.SET_SREGS)));
  it('kvm_fpu', () => expect(encodeFpu(zeroFpu()).length).toBe(size(KVM.SET_FPU)));
  it('kvm_userspace_memory_region', () =>
    expect(encodeUserspaceMemoryRegion({ slot: 0, flags: 0, guest_phys_addr: 0n, memory_size: 0n, userspace_addr: 0n }).length).toBe(size(KVM.SET_USER_MEMORY_REGION)));
  it('kvm_pit_config', () => expect(encodePitConfig(0).length).toBe(size(KVM.CREATE_PIT2)));
  it('kvm_irq_level', () => expect(encodeIrqLevel(4, true).length).toBe(size(KVM.IRQ_LINE)));
  it('kvm_coalesced_mmio_zone', () => expect(encodeCoalescedZone({ address: 0xcf8n, size: 4, pio: true }).length).toBe(size(KVM.REGISTER_COALESCED_MMIO)));
});

describe('coalesced zones and ring', () => {
  it('encodes a zone as the kernel reads it: addr, size, pio', () => {
    const dv = new DataView(encodeCoalescedZone({ address: 0x1_0000_0cf8n, size: 4, pio: true }).buffer);
    expect([dv.getBigUint64(0, true), dv.getUint32(8, true), dv.getUint32(12, true)]).toEqual([0x1_0000_0cf8n, 4, 1]);
  });
  it('has the ring layout of <linux/kvm.h>: 8-byte header, 24-byte entries, 170 of them in a page', () => {
    expect(COALESCED_RING).toEqual({ first: 0, last: 4, entries: 8 });
    expect(COALESCED_ENTRY).toEqual({ phys_addr: 0, len: 8, pio: 12, data: 16, size: 24 });
    expect(KVM_COALESCED_MMIO_MAX).toBe(170);
  });
});

function sampleSregs(): KvmSregs {
  const seg = (i: number) => ({ base: BigInt(i) << 40n, limit: 0xfffff000 + i, selector: 8 * i, type: 11, present: 1, dpl: i & 3, db: 1, s: 1, l: i & 1, g: 1, avl: 0, unusable: 0 });
  const s = Object.fromEntries(SEGMENT_NAMES.map((n, i) => [n, seg(i + 1)])) as unknown as KvmSregs;
  return {
    ...s,
    gdt: { base: 0x500n, limit: 31 },
    idt: { base: 0x520n, limit: 7 },
    cr0: 0x80000011n, cr2: 0n, cr3: 0x9000n, cr4: 0x20n, cr8: 0n, efer: 0x500n, apic_base: 0xfee00900n,
    interrupt_bitmap: [1n, 2n, 3n, 0xffff_ffff_ffff_ffffn],
  };
}

describe('kvm_sregs', () => {
  it('puts fields where the kernel reads them', () => {
    const bytes = encodeSregs(sampleSregs());
    const dv = new DataView(bytes.buffer);
    expect(bytes.length).toBe(312);
    // cs at 0: base, limit @8, selector @12, type @14 … unusable @22
    expect(dv.getBigUint64(0, true)).toBe(1n << 40n);
    expect(dv.getUint32(8, true)).toBe(0xfffff001);
    expect(dv.getUint16(12, true)).toBe(8);
    expect(bytes[14]).toBe(11);
    expect(bytes[19]).toBe(1); // cs.l
    // tr is the 7th segment (at 144), ldt at 168
    expect(dv.getUint16(144 + 12, true)).toBe(56);
    expect(dv.getUint16(168 + 12, true)).toBe(64);
    expect(dv.getBigUint64(192, true)).toBe(0x500n);
    expect(dv.getUint16(200, true)).toBe(31);
    expect(dv.getBigUint64(208, true)).toBe(0x520n);
    expect(dv.getBigUint64(224, true)).toBe(0x80000011n);
    expect(dv.getBigUint64(240, true)).toBe(0x9000n);
    expect(dv.getBigUint64(248, true)).toBe(0x20n);
    expect(dv.getBigUint64(264, true)).toBe(0x500n);
    expect(dv.getBigUint64(272, true)).toBe(0xfee00900n);
    expect(dv.getBigUint64(304, true)).toBe(0xffff_ffff_ffff_ffffn);
  });
  it('round-trips', () => expect(decodeSregs(encodeSregs(sampleSregs()))).toEqual(sampleSregs()));
  it('rejects short buffers', () => expect(() => decodeSregs(new Uint8Array(100))).toThrow(/312 bytes/));
});

describe('kvm_regs', () => {
  it('orders the 18 registers as the kernel does and round-trips', () => {
    const regs = zeroRegs();
    regs.rsi = 0x7000n;
    regs.rip = 0x1000200n;
    regs.rflags = 2n;
    regs.rax = 0xffff_ffff_ffff_ffffn;
    const bytes = encodeRegs(regs);
    const dv = new DataView(bytes.buffer);
    expect(bytes.length).toBe(KVM_REGS_SIZE);
    expect(dv.getBigUint64(4 * 8, true)).toBe(0x7000n);
    expect(dv.getBigUint64(16 * 8, true)).toBe(0x1000200n);
    expect(dv.getBigUint64(17 * 8, true)).toBe(2n);
    expect(decodeRegs(bytes)).toEqual(regs);
  });
  it('stores negative values two\'s-complement', () => {
    const regs = zeroRegs();
    regs.rbx = -1n;
    expect(decodeRegs(encodeRegs(regs)).rbx).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('kvm_fpu', () => {
  it('puts fcw at 128 and mxcsr at 408, round-trips', () => {
    const fpu = { ...zeroFpu(), fcw: 0x37f, mxcsr: 0x1f80, last_ip: 5n };
    fpu.xmm[255] = 9;
    const bytes = encodeFpu(fpu);
    const dv = new DataView(bytes.buffer);
    expect(bytes.length).toBe(KVM_FPU_SIZE);
    expect(dv.getUint16(128, true)).toBe(0x37f);
    expect(dv.getUint32(408, true)).toBe(0x1f80);
    expect(bytes[152 + 255]).toBe(9);
    expect(decodeFpu(bytes)).toEqual(fpu);
  });
});

describe('kvm_cpuid2 and kvm_msrs', () => {
  it('lays out 40-byte cpuid entries after an 8-byte header', () => {
    const entries = [
      { function: 0, index: 0, flags: 0, eax: 0xd, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 },
      { function: 7, index: 1, flags: 1, eax: 1, ebx: 2, ecx: 3, edx: 0xffffffff },
    ];
    const bytes = encodeCpuid2(entries);
    const dv = new DataView(bytes.buffer);
    expect(bytes.length).toBe(8 + 2 * 40);
    expect(dv.getUint32(0, true)).toBe(2);
    expect(dv.getUint32(8 + 40, true)).toBe(7);
    expect(dv.getUint32(8 + 40 + 8, true)).toBe(1);
    expect(dv.getUint32(8 + 40 + 24, true)).toBe(0xffffffff);
    expect(decodeCpuid2(bytes)).toEqual(entries);
  });
  it('empty buffers announce their capacity', () => {
    const bytes = emptyCpuid2(80);
    expect(bytes.length).toBe(8 + 80 * 40);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(80);
  });
  it('rejects a header claiming more entries than the buffer holds', () => {
    const bytes = emptyCpuid2(1);
    new DataView(bytes.buffer).setUint32(0, 2, true);
    expect(() => decodeCpuid2(bytes)).toThrow(RangeError);
  });
  it('lays out 16-byte MSR entries (index, reserved, data)', () => {
    const entries = [{ index: 0x1a0, data: 1n }, { index: 0xc0000081, data: 0x0023001000000000n }];
    const bytes = encodeMsrs(entries);
    const dv = new DataView(bytes.buffer);
    expect(bytes.length).toBe(8 + 32);
    expect(dv.getUint32(8 + 16, true)).toBe(0xc0000081);
    expect(dv.getBigUint64(8 + 16 + 8, true)).toBe(0x0023001000000000n);
    expect(decodeMsrs(bytes)).toEqual(entries);
  });
});

describe('kvm_userspace_memory_region, kvm_irq_level, kvm_pit_config', () => {
  it('round-trips a memory region', () => {
    const r = { slot: 1, flags: 2, guest_phys_addr: 0x1_0000_0000n, memory_size: 0x4000_0000n, userspace_addr: 0x7f00_0000_0000n };
    const bytes = encodeUserspaceMemoryRegion(r);
    expect(new DataView(bytes.buffer).getBigUint64(24, true)).toBe(0x7f00_0000_0000n);
    expect(decodeUserspaceMemoryRegion(bytes)).toEqual(r);
  });
  it('encodes irq and level', () => expect([...encodeIrqLevel(4, true)]).toEqual([4, 0, 0, 0, 1, 0, 0, 0]));
  it('encodes PIT flags in the first word', () => expect(encodePitConfig(1)[0]).toBe(1));
});

describe('kvm_run', () => {
  it('reads an IO exit and its data at data_offset', () => {
    const page = new ArrayBuffer(8192);
    const dv = new DataView(page);
    dv.setUint32(KVM_RUN.exit_reason, KvmExit.IO, true);
    dv.setUint8(32, 1); // out
    dv.setUint8(33, 1);
    dv.setUint16(34, 0x3f8, true);
    dv.setUint32(36, 3, true);
    dv.setBigUint64(40, 4096n, true);
    new Uint8Array(page).set([0x61, 0x62, 0x63], 4096);
    const run = new KvmRunView(page);
    expect(run.exitReason).toBe(KvmExit.IO);
    expect(run.ioIsOut).toBe(true);
    expect(run.ioPort).toBe(0x3f8);
    expect([...run.ioData()]).toEqual([0x61, 0x62, 0x63]);
    run.immediateExit = true;
    expect(new Uint8Array(page)[1]).toBe(1);
  });
  it('reads MMIO, internal-error and system-event fields', () => {
    const page = new ArrayBuffer(4096);
    const dv = new DataView(page);
    dv.setBigUint64(32, 0xfee00300n, true);
    dv.setUint32(48, 4, true);
    dv.setUint8(52, 1);
    const run = new KvmRunView(page);
    expect(run.mmioAddress).toBe(0xfee00300n);
    expect(run.mmioIsWrite).toBe(true);
    expect(run.mmioData().length).toBe(4);
    dv.setUint32(32, 1, true);
    dv.setUint32(36, 2, true);
    dv.setBigUint64(40, 7n, true);
    dv.setBigUint64(48, 8n, true);
    expect(run.internalSuberror).toBe(1);
    expect(run.internalData()).toEqual([7n, 8n]);
    expect(run.systemEventType).toBe(1);
  });
  it('names exit reasons', () => {
    expect(exitName(KvmExit.SHUTDOWN)).toBe('KVM_EXIT_SHUTDOWN');
    expect(exitName(99)).toBe('KVM_EXIT_99');
  });
  it('refuses IO data outside the mapping', () => {
    const page = new ArrayBuffer(4096);
    const dv = new DataView(page);
    dv.setUint8(33, 4);
    dv.setUint32(36, 2, true);
    dv.setBigUint64(40, 4092n, true);
    expect(() => new KvmRunView(page).ioData()).toThrow(RangeError);
  });
});
