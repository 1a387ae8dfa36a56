/**
 * Tests of the per-vCPU CPUID patch against the Intel SDM Vol. 2A CPUID reference (leaf layouts)
 * and AMD's APM Vol. 3 (leaves 0x80000001/8/1E), with the changes Firecracker's normalize.rs makes.
 */
import { describe, expect, test } from 'vitest';
import { CpuidError, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, patchCpuid, type CpuidEntry } from './cpuid.ts';

const reg = (text: string) => text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | ((text.charCodeAt(3) << 24) >>> 0);
const vendor = (name: string): CpuidEntry => ({ function: 0, index: 0, flags: 0, eax: 0x1f, ebx: reg(name.slice(0, 4)) >>> 0, edx: reg(name.slice(4, 8)) >>> 0, ecx: reg(name.slice(8, 12)) >>> 0 });
const leaf = (fn: number, index: number, eax: number, ebx = 0, ecx = 0, edx = 0, flags = 0): CpuidEntry => ({ function: fn, index, flags, eax, ebx, ecx, edx });

/** A plausible KVM_GET_SUPPORTED_CPUID of an Intel host, in KVM's order. */
const INTEL: CpuidEntry[] = [
  vendor('GenuineIntel'),
  leaf(0x1, 0, 0x000906ea, 0x0b100800, (0xf7fa3223 | (1 << 15)) >>> 0, 0x178bfbff),
  leaf(0x4, 0, 0x1c004121, 0x01c0003f, 0x3f, 0, 1),
  leaf(0x4, 1, 0x1c004122, 0x01c0003f, 0x3f, 0, 1),
  leaf(0x4, 2, 0x1c004143, 0x00c0003f, 0x3ff, 0, 1),
  leaf(0x4, 3, 0x1c03c163, 0x03c0003f, 0x2fff, 6, 1),
  leaf(0x4, 4, 0, 0, 0, 0, 1),
  leaf(0x6, 0, 0x4 | 0x2, 0, 0x8 | 0x1),
  leaf(0xa, 0, 0x07300404, 0, 0, 0x603),
  leaf(0xb, 0, 1, 2, 0x100, 5, 1),
  leaf(0xb, 1, 4, 12, 0x201, 5, 1),
  leaf(0x4000_0000, 0, 0x4000_0001, reg('KVMK'), reg('VMKV'), reg('M\0\0\0')),
  leaf(0x8000_0001, 0, 0, 0, 0x121, 0x2c100800),
  leaf(0x8000_0008, 0, 0x3027, 0, 0, 0),
];

/** An AMD host's relevant leaves. */
const AMD: CpuidEntry[] = [
  vendor('AuthenticAMD'),
  leaf(0x1, 0, 0x00a20f10, 0x00100800, 0x7ed8320b, 0x178bfbff),
  leaf(0x8000_0001, 0, 0x00a20f10, 0, 0x75c237ff, 0x2fd3fbff),
  leaf(0x8000_0008, 0, 0x3030, 0, 0x0000700f, 0),
  leaf(0x8000_001e, 0, 0x3, 0x0103, 0x0300, 0),
];

const find = (entries: CpuidEntry[], fn: number, index = 0) => entries.find((e) => e.function === fn && e.index === index)!;

describe.each([
  [0, 1],
  [0, 2],
  [1, 2],
  [3, 4],
])('Intel, vCPU %i of %i', (vcpuId, vcpuCount) => {
  const out = patchCpuid(INTEL, { vcpuId, vcpuCount });

  test('leaf 1 EBX: APIC ID in [31:24], logical processor count in [23:16], CLFLUSH line size 8 in [15:8], brand index kept', () => {
    const ebx = find(out, 1).ebx;
    expect(ebx >>> 24).toBe(vcpuId);
    expect((ebx >>> 16) & 0xff).toBe(vcpuCount);
    expect((ebx >>> 8) & 0xff).toBe(8);
    expect(ebx & 0xff).toBe(0);
  });

  test('leaf 1 ECX: hypervisor (31) and TSC-deadline (24) set, PDCM (15) clear; EDX HTT (28) iff more than one vCPU', () => {
    const { ecx, edx } = find(out, 1);
    expect((ecx >>> 31) & 1).toBe(1);
    expect((ecx >>> 24) & 1).toBe(1);
    expect((ecx >>> 15) & 1).toBe(0);
    expect((edx >>> 28) & 1).toBe(vcpuCount > 1 ? 1 : 0);
  });

  test('leaf 0xB: SMT level of 1 thread, core level of vCPU-count processors with shift ceil(log2 n), an invalid level 2; EDX = x2APIC ID', () => {
    const subleaves = out.filter((e) => e.function === 0xb);
    const shift = Math.ceil(Math.log2(vcpuCount));
    expect(subleaves).toEqual([
      { function: 0xb, index: 0, flags: KVM_CPUID_FLAG_SIGNIFCANT_INDEX, eax: 0, ebx: 1, ecx: 0x100, edx: vcpuId },
      { function: 0xb, index: 1, flags: KVM_CPUID_FLAG_SIGNIFCANT_INDEX, eax: shift, ebx: vcpuCount, ecx: 0x201, edx: vcpuId },
      { function: 0xb, index: 2, flags: KVM_CPUID_FLAG_SIGNIFCANT_INDEX, eax: 0, ebx: 0, ecx: 0x002, edx: vcpuId },
    ]);
    // SDM: "the number of bits to shift right on x2APIC ID to get a unique topology ID of the next level type" covers every APIC ID.
    expect(2 ** shift).toBeGreaterThanOrEqual(vcpuCount);
  });

  test('leaf 4: L1/L2 shared by one thread, L3 by all vCPUs; cores per package = vCPUs; the null subleaf untouched', () => {
    for (const index of [0, 1, 2]) expect((find(out, 4, index).eax >>> 14) & 0xfff).toBe(0);
    expect((find(out, 4, 3).eax >>> 14) & 0xfff).toBe(vcpuCount - 1);
    for (const index of [0, 1, 2, 3]) {
      expect(find(out, 4, index).eax >>> 26).toBe(vcpuCount - 1);
      expect(find(out, 4, index).eax & 0x3fff).toBe(INTEL.find((e) => e.function === 4 && e.index === index)!.eax & 0x3fff);
    }
    expect(find(out, 4, 4)).toEqual(leaf(0x4, 4, 0, 0, 0, 0, 1));
  });

  test('leaf 6: no turbo boost, no energy-performance bias; leaf 0xA: no PMU', () => {
    expect(find(out, 6).eax & 0x2).toBe(0);
    expect(find(out, 6).eax & 0x4).toBe(0x4);
    expect(find(out, 6).ecx & 0x8).toBe(0);
    expect(find(out, 0xa)).toMatchObject({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
  });

  test('the vendor, the KVM leaves and the AMD-only fields pass through on Intel', () => {
    expect(find(out, 0)).toEqual(INTEL[0]);
    expect(find(out, 0x4000_0000)).toEqual(find(INTEL, 0x4000_0000));
    expect(find(out, 0x8000_0001)).toEqual(find(INTEL, 0x8000_0001));
    expect(find(out, 0x8000_0008)).toEqual(find(INTEL, 0x8000_0008));
  });

  test('all registers stay unsigned 32-bit', () => {
    for (const e of out) for (const r of [e.eax, e.ebx, e.ecx, e.edx]) expect(r >>> 0).toBe(r);
  });
});

describe('AMD', () => {
  test.each([[0, 1], [2, 4]])('vCPU %i of %i: CmpLegacy, NC and ApicIdSize in 0x80000008, extended APIC ID and core ID in 0x8000001E', (vcpuId, vcpuCount) => {
    const out = patchCpuid(AMD, { vcpuId, vcpuCount });
    expect((find(out, 0x8000_0001).ecx >>> 1) & 1).toBe(vcpuCount > 1 ? 1 : 0);
    expect(find(out, 0x8000_0008).ecx & 0xff).toBe(vcpuCount - 1);
    expect((find(out, 0x8000_0008).ecx >>> 12) & 0xf).toBe(Math.ceil(Math.log2(vcpuCount)));
    expect(find(out, 0x8000_001e)).toMatchObject({ eax: vcpuId, ebx: vcpuId, ecx: 0 });
    expect(find(out, 1).ebx >>> 24).toBe(vcpuId);
  });
});

describe('contract', () => {
  test('the input is not modified; entries without leaf 0xB get none', () => {
    const copy = structuredClone(AMD);
    const out = patchCpuid(AMD, { vcpuId: 1, vcpuCount: 2 });
    expect(AMD).toEqual(copy);
    expect(out.filter((e) => e.function === 0xb)).toHaveLength(0);
    expect(out).toHaveLength(AMD.length);
  });

  test('leaf 0x1F is rebuilt like 0xB when present', () => {
    const out = patchCpuid([...INTEL, leaf(0x1f, 0, 1, 2, 0x100, 5, 1), leaf(0x1f, 1, 4, 12, 0x201, 5, 1), leaf(0x1f, 2, 6, 24, 0x502, 5, 1)], { vcpuId: 1, vcpuCount: 2 });
    expect(out.filter((e) => e.function === 0x1f).map((e) => [e.index, e.eax, e.ebx, e.ecx, e.edx])).toEqual([[0, 0, 1, 0x100, 1], [1, 1, 2, 0x201, 1], [2, 0, 0, 0x002, 1]]);
  });

  test('tscDeadline: false leaves the TSC-deadline bit clear', () => {
    const out = patchCpuid(INTEL, { vcpuId: 0, vcpuCount: 1, tscDeadline: false });
    expect((find(out, 1).ecx >>> 24) & 1).toBe(0);
  });

  test.each([
    [{ vcpuId: 0, vcpuCount: 0 }, /count/],
    [{ vcpuId: 2, vcpuCount: 2 }, /id/],
    [{ vcpuId: -1, vcpuCount: 2 }, /id/],
    [{ vcpuId: 0, vcpuCount: 255 }, /count/],
  ])('rejects %o with CpuidError', (options, message) => {
    expect(() => patchCpuid(INTEL, options)).toThrow(CpuidError);
    expect(() => patchCpuid(INTEL, options)).toThrow(message);
  });

  test('rejects an entry whose register is not a u32', () => {
    expect(() => patchCpuid([leaf(1, 0, -1)], { vcpuId: 0, vcpuCount: 1 })).toThrow(/not a u32/);
    expect(() => patchCpuid([leaf(1, 0, 2 ** 32)], { vcpuId: 0, vcpuCount: 1 })).toThrow(CpuidError);
  });
});
