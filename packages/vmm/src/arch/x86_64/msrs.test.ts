/** Tests of the boot MSRs: Firecracker's list and values, and the optional uncacheable MTRR over the MMIO gap. */
import { expect, test } from 'vitest';
import { Msr, MsrError, bootMsrs } from './msrs.ts';

test("Firecracker's boot MSRs: syscall/sysenter MSRs and TSC zero, fast strings on, MTRRs on with default write-back", () => {
  const msrs = new Map(bootMsrs().map((m) => [m.index, m.data]));
  for (const index of [0x174, 0x175, 0x176, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102, 0x10]) expect(msrs.get(index)).toBe(0n);
  expect(msrs.get(Msr.IA32_MISC_ENABLE)).toBe(1n);
  expect(msrs.get(Msr.MTRR_DEF_TYPE)).toBe(0x806n);
  expect(msrs.size).toBe(11);
});

test('with the physical-address width, variable MTRR 0 makes [3 GiB, 4 GiB) uncacheable (crosvm)', () => {
  const msrs = new Map(bootMsrs({ physAddrBits: 39 }).map((m) => [m.index, m.data]));
  expect(msrs.get(Msr.MTRR_PHYS_BASE_0)).toBe(0xc0000000n); // type 0 = UC
  expect(msrs.get(Msr.MTRR_PHYS_MASK_0)).toBe(0x7fc0000000n | 0x800n); // 1 GiB, valid
  // An address matches when (address & mask) == (base & mask): exactly the gap.
  const mask = 0x7fc0000000n;
  const inRange = (a: bigint) => (a & mask) === (0xc0000000n & mask);
  expect([0xbfffffffn, 0xc0000000n, 0xfee00000n, 0xffffffffn, 0x100000000n].map(inRange)).toEqual([false, true, true, true, false]);
});

test.each([31, 53, 40.5])('refuses physAddrBits %s', (bits) => {
  expect(() => bootMsrs({ physAddrBits: bits })).toThrow(MsrError);
});
