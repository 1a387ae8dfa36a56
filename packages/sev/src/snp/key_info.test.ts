/** `key_info.ts`: KEY_INFO bits. */
import { describe, expect, test } from 'vitest';
import { decodeKeyInfo, encodeKeyInfo } from './key_info.ts';

describe('key_info', () => {
  test('signing key 0 VCEK, 1 VLEK, 7 none; 2-6 and bits 31:5 are refused with a reason', () => {
    expect(decodeKeyInfo(0)).toEqual({ raw: 0, authorKeyEnabled: false, maskChipKey: false, signingKey: 'vcek' });
    expect(decodeKeyInfo(4)).toMatchObject({ signingKey: 'vlek' });
    expect(decodeKeyInfo(0x1c | 3)).toEqual({ raw: 0x1f, authorKeyEnabled: true, maskChipKey: true, signingKey: 'none' });
    for (const k of [2, 3, 4, 5, 6]) expect(decodeKeyInfo(k << 2)).toMatch(/SIGNING_KEY/);
    expect(decodeKeyInfo(0x20)).toMatch(/reserved bits/);
    expect(decodeKeyInfo(0x80000000)).toMatch(/reserved bits/);
  });

  test('encode is the inverse of decode', () => {
    for (const signingKey of ['vcek', 'vlek', 'none'] as const) {
      for (const authorKeyEnabled of [false, true]) {
        const raw = encodeKeyInfo({ signingKey, authorKeyEnabled, maskChipKey: false });
        expect(decodeKeyInfo(raw)).toEqual({ raw, signingKey, authorKeyEnabled, maskChipKey: false });
      }
    }
  });
});
