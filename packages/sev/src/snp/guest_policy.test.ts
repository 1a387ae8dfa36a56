/** `guest_policy.ts`: the POLICY bits, go-sev-guest's SnpPolicyToBytes. */
import { describe, expect, test } from 'vitest';
import { GUEST_POLICY_RESERVED_MASK, decodeGuestPolicy, encodeGuestPolicy } from './guest_policy.ts';

describe('guest_policy', () => {
  test('SnpPolicyToBytes{Debug, SMT} is 0xb0000 (go-sev-guest check_test goodPolicy)', () => {
    expect(encodeGuestPolicy({ debug: true, smt: true })).toBe(0xb0000n);
    expect(encodeGuestPolicy({})).toBe(0x20000n);
  });

  test('every flag round-trips through its bit', () => {
    const flags = ['smt', 'migrateMa', 'debug', 'singleSocket', 'cxlAllowed', 'memAes256Xts', 'raplDisabled', 'ciphertextHiding', 'pageSwapDisabled'] as const;
    const bits = [16, 18, 19, 20, 21, 22, 23, 24, 25];
    flags.forEach((flag, i) => {
      const raw = encodeGuestPolicy({ [flag]: true });
      expect(raw).toBe((1n << 17n) | (1n << BigInt(bits[i]!)));
      const decoded = decodeGuestPolicy(raw);
      for (const other of flags) expect(decoded[other]).toBe(other === flag);
    });
    expect(decodeGuestPolicy(encodeGuestPolicy({ abiMajor: 1, abiMinor: 55 }))).toMatchObject({ abiMajor: 1, abiMinor: 55, reserved17: true });
  });

  test('ABI versions out of range are refused; the reserved mask is bits 63:26', () => {
    expect(() => encodeGuestPolicy({ abiMajor: 256 })).toThrow(RangeError);
    expect(GUEST_POLICY_RESERVED_MASK).toBe(0xfffffffffc000000n);
    expect(decodeGuestPolicy(0n).reserved17).toBe(false);
  });
});
