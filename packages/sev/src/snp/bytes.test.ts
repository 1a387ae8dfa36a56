/** `bytes.ts`: hex, base64, PEM, little-endian integers. */
import { describe, expect, test } from 'vitest';
import { bytesEqual, firstNonZero, fromBase64, fromHex, isZero, pemBlocks, reversed, toHex, u32, u64, u64Bytes } from './bytes.ts';

describe('bytes', () => {
  test('hex', () => {
    expect(toHex(Uint8Array.of(0, 1, 0xab))).toBe('0001ab');
    expect(fromHex('00 01\nAB')).toEqual(Uint8Array.of(0, 1, 0xab));
    for (const bad of ['0', 'zz', '0x00']) expect(() => fromHex(bad)).toThrow(TypeError);
  });

  test('base64 and PEM', () => {
    expect(fromBase64('AAEC')).toEqual(Uint8Array.of(0, 1, 2));
    expect(fromBase64('AAE=')).toEqual(Uint8Array.of(0, 1));
    expect(fromBase64('AAE')).toEqual(Uint8Array.of(0, 1));
    expect(() => fromBase64('A')).toThrow(TypeError);
    expect(() => fromBase64('!!!!')).toThrow(TypeError);
    const pem = 'junk\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n-----BEGIN X509 CRL-----\nAw==\n-----END X509 CRL-----\n';
    expect(pemBlocks(pem)).toEqual([
      { label: 'CERTIFICATE', der: Uint8Array.of(0, 1, 2) },
      { label: 'X509 CRL', der: Uint8Array.of(3) },
    ]);
    expect(() => pemBlocks('-----BEGIN CERTIFICATE-----\nAAEC\n')).toThrow(/not closed/);
    expect(() => pemBlocks('-----BEGIN CERTIFICATE-----\nProc-Type: 4\nAAEC\n-----END CERTIFICATE-----')).toThrow(/headers/);
  });

  test('little-endian integers and helpers', () => {
    const b = Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0x05, 0x44);
    expect(u64(b, 0)).toBe(4901323769462652930n);
    expect(u32(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0)).toBe(0xffffffff);
    expect(u64Bytes(4901323769462652930n)).toEqual(b);
    expect(reversed(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(3, 2, 1));
    expect(isZero(Uint8Array.of(0, 0, 1), 0, 2)).toBe(true);
    expect(firstNonZero(Uint8Array.of(0, 0, 1))).toBe(2);
    expect(firstNonZero(Uint8Array.of(0, 0))).toBe(-1);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});
