/** `tcb.ts`: both TCB_VERSION layouts, encoding, byte-wise comparison (go-sev-guest's TCBPartsLE). */
import { describe, expect, test } from 'vitest';
import { decodeTcb, describeTcb, encodeTcb, tcbAtLeast, tcbLayoutOf } from './tcb.ts';

describe('tcb', () => {
  test('Milan/Genoa: bytes 0, 1, 6, 7 are bootloader, TEE, SNP, microcode (go-sev-guest 4901323769462652930)', () => {
    const tcb = decodeTcb(4901323769462652930n, 'milan-genoa');
    expect(tcb).toMatchObject({ bootloader: 2, tee: 0, snp: 5, microcode: 68, fmc: undefined, bytes: [2, 0, 0, 0, 0, 0, 5, 68] });
    expect(encodeTcb(tcb, 'milan-genoa')).toBe(4901323769462652930n);
    expect(describeTcb(tcb)).toBe('bl=2 tee=0 snp=5 ucode=68 (0x4405000000000002)');
  });

  test('Turin: bytes 0-3 are FMC, bootloader, TEE, SNP; byte 7 microcode', () => {
    const raw = 0x0900000004000201n;
    const tcb = decodeTcb(raw, 'turin');
    expect(tcb).toMatchObject({ fmc: 1, bootloader: 2, tee: 0, snp: 4, microcode: 9 });
    expect(encodeTcb(tcb, 'turin')).toBe(raw);
    expect(describeTcb(tcb)).toBe('fmc=1 bl=2 tee=0 snp=4 ucode=9 (0x0900000004000201)');
    // The same value read as Milan is something else entirely: the layout matters.
    expect(decodeTcb(raw, 'milan-genoa')).toMatchObject({ bootloader: 1, tee: 2, snp: 0, microcode: 9 });
  });

  test('layouts by line', () => {
    expect([tcbLayoutOf('Milan'), tcbLayoutOf('Genoa'), tcbLayoutOf('Turin')]).toEqual(['milan-genoa', 'milan-genoa', 'turin']);
  });

  test('encoding refuses out-of-range SPLs and an FMC SPL outside Turin', () => {
    expect(() => encodeTcb({ bootloader: 256, tee: 0, snp: 0, microcode: 0 }, 'milan-genoa')).toThrow(RangeError);
    expect(() => encodeTcb({ bootloader: -1, tee: 0, snp: 0, microcode: 0 }, 'turin')).toThrow(RangeError);
    expect(() => encodeTcb({ fmc: 1, bootloader: 0, tee: 0, snp: 0, microcode: 0 }, 'milan-genoa')).toThrow(RangeError);
    expect(() => decodeTcb(1n << 64n, 'turin')).toThrow(RangeError);
  });

  test('tcbAtLeast compares every byte: one lower byte is enough to fail', () => {
    const base = 4901323769462652930n;
    expect(tcbAtLeast(base, base)).toBe(true);
    expect(tcbAtLeast(base, base + 1n)).toBe(false); // bootloader 3 > 2
    expect(tcbAtLeast(base + 1n, base)).toBe(true);
    expect(tcbAtLeast(0x0100000000000000n, 0x00000000000000ffn)).toBe(false); // higher microcode does not make up for a lower bootloader
    expect(tcbAtLeast(base, 0n)).toBe(true);
  });
});
