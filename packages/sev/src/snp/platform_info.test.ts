/** `platform_info.ts`: PLATFORM_INFO bits. */
import { describe, expect, test } from 'vitest';
import { PLATFORM_INFO_KNOWN_MASK, decodePlatformInfo, encodePlatformInfo } from './platform_info.ts';

describe('platform_info', () => {
  test('bits 0-5 and 7; bit 6 and 63:8 are unknown', () => {
    expect(PLATFORM_INFO_KNOWN_MASK).toBe(0xbfn);
    expect(decodePlatformInfo(1n)).toMatchObject({ smtEnabled: true, tsmeEnabled: false, tioEnabled: false });
    const all = encodePlatformInfo({ smtEnabled: true, tsmeEnabled: true, eccEnabled: true, raplDisabled: true, ciphertextHidingEnabled: true, aliasCheckComplete: true, tioEnabled: true });
    expect(all).toBe(0xbfn);
    expect(decodePlatformInfo(all)).toEqual({ raw: 0xbfn, smtEnabled: true, tsmeEnabled: true, eccEnabled: true, raplDisabled: true, ciphertextHidingEnabled: true, aliasCheckComplete: true, tioEnabled: true });
  });
});
