/**
 * Tests of `hmac_sha_256` through the public API; backend-agnostic (run once per backend).
 *
 * - RFC 4231 section 4 test cases 1-7 (case 5 is a 128-bit truncated tag), as literals;
 * - openvmm's `hmac_sha_256` known vectors;
 * - every vector of Wycheproof's `hmac_sha256_test.json` (174: full and 128-bit truncated tags,
 *   with bit-flipped tags that must be rejected). As Wycheproof's MacTest specifies, `tag` is the
 *   HMAC truncated to the group's `tagSize` bits: a valid tag equals the leftmost tagSize/8 bytes
 *   and verifies with `tagLength: tagSize / 8`; an invalid one must not verify. The file has no
 *   `acceptable` vectors; one appearing fails the test until someone decides what it means.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex, utf8 } from '../testing/hex.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { HMAC_SHA_256_LENGTH, HmacSha256Error, hmacSha256, verifyHmacSha256 } from './index.ts';

interface Rfc4231Case {
  case: number;
  key: Uint8Array;
  data: Uint8Array;
  /** The tag as printed in the RFC (test case 5 prints only the leftmost 128 bits). */
  tag: string;
}

const RFC_4231: Rfc4231Case[] = [
  { case: 1, key: new Uint8Array(20).fill(0x0b), data: utf8('Hi There'), tag: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { case: 2, key: utf8('Jefe'), data: utf8('what do ya want for nothing?'), tag: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { case: 3, key: new Uint8Array(20).fill(0xaa), data: new Uint8Array(50).fill(0xdd), tag: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
  { case: 4, key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'), data: new Uint8Array(50).fill(0xcd), tag: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b' },
  { case: 5, key: new Uint8Array(20).fill(0x0c), data: utf8('Test With Truncation'), tag: 'a3b6167473100ee06e0c796c2955552b' },
  { case: 6, key: new Uint8Array(131).fill(0xaa), data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'), tag: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54' },
  {
    case: 7,
    key: new Uint8Array(131).fill(0xaa),
    data: utf8('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    tag: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

describe('RFC 4231 test cases', () => {
  test.each(RFC_4231)('case $case', async ({ key, data, tag }) => {
    const tagLength = tag.length / 2;
    const mac = await hmacSha256(key, data);
    expect(mac.constructor).toBe(Uint8Array);
    expect(mac.length).toBe(HMAC_SHA_256_LENGTH);
    expect(toHex(mac.subarray(0, tagLength))).toBe(tag);
    expect(await verifyHmacSha256(key, data, hex(tag), { tagLength })).toBe(true);
  });
});

describe('openvmm hmac_sha_256 known vectors (key 00..1f)', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  test.each([
    ['empty message', '', 'd38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb'],
    ['pangram', 'The quick brown fox jumps over the lazy dog', 'f87ad256151fc7b4c5dffa4adb3ebe911a8eeb8a8ebdee3c2a4a8e5f5ec02c32'],
  ])('%s', async (_name, data, tag) => {
    expect(toHex(await hmacSha256(key, utf8(data)))).toBe(tag);
    expect(await verifyHmacSha256(key, utf8(data), hex(tag))).toBe(true);
  });
});

describe('keys', () => {
  // RFC 2104 pads short keys with zeros, so the empty key equals 64 zero bytes (WebCrypto refuses
  // an empty key outright; the native backend relies on this equivalence).
  const EMPTY_KEY_EMPTY_DATA = 'b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad';

  test('an empty key works and equals the 64-byte zero key', async () => {
    expect(toHex(await hmacSha256(new Uint8Array(0), new Uint8Array(0)))).toBe(EMPTY_KEY_EMPTY_DATA);
    expect(toHex(await hmacSha256(new Uint8Array(64), new Uint8Array(0)))).toBe(EMPTY_KEY_EMPTY_DATA);
    expect(await verifyHmacSha256(new Uint8Array(0), new Uint8Array(0), hex(EMPTY_KEY_EMPTY_DATA))).toBe(true);
    expect(await verifyHmacSha256(new Uint8Array(0), new Uint8Array(0), hex(EMPTY_KEY_EMPTY_DATA).subarray(0, 16), { tagLength: 16 })).toBe(true);
  });

  test('keys and data that are views into larger buffers are used exactly', async () => {
    const { key, data, tag } = RFC_4231[1]!;
    const backing = new Uint8Array(100).fill(0xee);
    backing.set(key, 3);
    backing.set(data, 40);
    const keyView = backing.subarray(3, 3 + key.length);
    const dataView = backing.subarray(40, 40 + data.length);
    expect(toHex(await hmacSha256(keyView, dataView))).toBe(tag);
    expect(await verifyHmacSha256(keyView, dataView, hex(tag))).toBe(true);
  });
});

interface MacTest extends WycheproofTest {
  key: string;
  msg: string;
  tag: string;
}

describe('Wycheproof hmac_sha256_test.json', () => {
  const file = loadWycheproof<MacTest>('hmac_sha256_test.json', 'HMACSHA256');
  const rows = file.testGroups.flatMap((group) => {
    const tagSize = group.tagSize as number;
    return group.tests.map((vector) => ({ ...vector, tagSize, keySize: group.keySize as number }));
  });

  test.each(rows)('tcId $tcId (key $keySize bits, tag $tagSize bits): $result, $comment', async (vector) => {
    expect(vector.tagSize % 8).toBe(0);
    const tagLength = vector.tagSize / 8;
    const key = hex(vector.key);
    const msg = hex(vector.msg);
    const tag = hex(vector.tag);
    expect(key.length * 8).toBe(vector.keySize);
    const truncated = toHex((await hmacSha256(key, msg)).subarray(0, tagLength));
    const verified = await verifyHmacSha256(key, msg, tag, { tagLength });
    switch (vector.result) {
      case 'valid':
        expect(truncated).toBe(vector.tag);
        expect(verified).toBe(true);
        break;
      case 'invalid':
        expect(truncated).not.toBe(vector.tag);
        expect(verified).toBe(false);
        break;
      default:
        throw new Error(`tcId ${vector.tcId} is "${vector.result}": decide deliberately how HMAC-SHA-256 treats it`);
    }
    if (tagLength < HMAC_SHA_256_LENGTH) {
      // A truncated tag never verifies where the full tag is expected.
      expect(await verifyHmacSha256(key, msg, tag)).toBe(false);
    }
  });

  test('every vector in the file is run', () => {
    expect(rows.length).toBe(file.numberOfTests);
    expect(rows.length).toBe(174);
  });
});

describe('verification', () => {
  const { key, data, tag } = RFC_4231[0]!;

  test('a tag of the wrong length is false, not an error', async () => {
    expect(await verifyHmacSha256(key, data, new Uint8Array(0))).toBe(false);
    expect(await verifyHmacSha256(key, data, hex(tag).subarray(0, 31))).toBe(false);
    expect(await verifyHmacSha256(key, data, hex(tag + '00'))).toBe(false);
    expect(await verifyHmacSha256(key, data, hex(tag).subarray(0, 20), { tagLength: 16 })).toBe(false);
  });

  test('a tag under another key or for other data is false', async () => {
    expect(await verifyHmacSha256(utf8('Jefe'), data, hex(tag))).toBe(false);
    expect(await verifyHmacSha256(key, utf8('Hi there'), hex(tag))).toBe(false);
  });

  test('every truncation length from 16 to 32 bytes verifies its prefix', async () => {
    for (let tagLength = 16; tagLength <= 32; tagLength++) {
      expect(await verifyHmacSha256(key, data, hex(tag).subarray(0, tagLength), { tagLength }), `tagLength ${tagLength}`).toBe(true);
    }
  });

  test.each([0, 1, 8, 15, 33, 16.5, Number.NaN])('tagLength %s is a HmacSha256Error (misuse, not a bad tag)', async (tagLength) => {
    const error = await verifyHmacSha256(key, data, hex(tag).subarray(0, 8), { tagLength }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HmacSha256Error);
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });
});

describe('errors', () => {
  test.each([
    ['key', () => hmacSha256('key' as unknown as Uint8Array, new Uint8Array(0))],
    ['data', () => hmacSha256(new Uint8Array(32), null as unknown as Uint8Array)],
    ['tag', () => verifyHmacSha256(new Uint8Array(32), new Uint8Array(0), 'tag' as unknown as Uint8Array)],
  ])('a %s that is not a Uint8Array is a HmacSha256Error with the reason as cause', async (_what, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HmacSha256Error);
    expect((error as Error).name).toBe('HmacSha256Error');
    expect((error as Error).message).toBe('HMAC-SHA-256 operation failed');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
