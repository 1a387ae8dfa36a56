/** Tests of the entry registers and special registers against boot.rst's 64-bit protocol and Firecracker's values. */
import { expect, test } from 'vitest';
import { BOOT_STACK_POINTER, ZERO_PAGE_START } from './layout.ts';
import { BOOT_FPU, bootRegisters, bootSpecialRegisters } from './regs.ts';

test('rip = the 64-bit entry, rsi = boot_params ("%rsi must hold the base address of the struct boot_params"), rsp = rbp = 0x8ff0, interrupts off', () => {
  expect(bootRegisters(0x100200)).toEqual({ rip: 0x100200n, rsp: BigInt(BOOT_STACK_POINTER), rbp: BigInt(BOOT_STACK_POINTER), rsi: BigInt(ZERO_PAGE_START), rflags: 2n });
  expect(() => bootRegisters(-1)).toThrow(RangeError);
});

test('the FPU starts as after FNINIT: fcw 0x37f, mxcsr 0x1f80', () => {
  expect(BOOT_FPU).toEqual({ fcw: 0x37f, mxcsr: 0x1f80 });
});

test('from KVM\'s reset sregs (cr0 0x60000010): long mode with paging, PAE, caches on, cr3 = PML4', () => {
  const sregs = bootSpecialRegisters({ cr0: 0x60000010n, cr4: 0n, efer: 0n });
  expect(sregs.cr0).toBe(0x80000011n); // PG | ET | PE; CD and NW cleared
  expect(sregs.cr3).toBe(0x9000n);
  expect(sregs.cr4).toBe(0x20n);
  expect(sregs.efer).toBe(0x500n); // LME | LMA
  expect(sregs.cs.selector).toBe(0x10);
  expect(sregs.ss.selector).toBe(0x18);
});

test('bits already set in cr4 and efer are kept', () => {
  const sregs = bootSpecialRegisters({ cr0: 0x10n, cr4: 0x40000n, efer: 0x800n });
  expect(sregs.cr4).toBe(0x40020n);
  expect(sregs.efer).toBe(0xd00n);
});
