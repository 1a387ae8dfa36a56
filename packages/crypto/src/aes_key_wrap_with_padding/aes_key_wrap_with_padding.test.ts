/**
 * Tests of `aes_key_wrap_with_padding` through the public API; backend-agnostic (run once per
 * backend).
 *
 * - RFC 5649 section 6, both examples (192-bit KEK; a 20-byte and a 7-byte key), as literals;
 *   openvmm's AES key wrap tests use the same two, plus a 256-bit-KEK round trip, also here;
 * - every Wycheproof `aes_kwp_test.json` vector (128-, 192- and 256-bit KEKs, all supported): valid
 *   ones must wrap to the ciphertext and unwrap back; invalid ones (modified AIV, length or padding,
 *   wrong sizes) must fail to unwrap with an `AesKeyWrapWithPaddingError`, releasing nothing.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { AES_KEY_WRAP_WITH_PADDING_INTEGRITY_FAILURE, AesKeyWrapWithPadding, AesKeyWrapWithPaddingError } from './index.ts';

async function kwpError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AesKeyWrapWithPaddingError);
  expect((error as Error).message).toBe('AES key wrap with padding operation failed');
  return error as Error;
}

const RFC_5649_KEK = '5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8';

describe('RFC 5649 section 6 and openvmm known vectors', () => {
  test.each([
    ['RFC 5649, 20-byte key', RFC_5649_KEK, 'c37b7e6492584340bed12207808941155068f738', '138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a'],
    ['RFC 5649, 7-byte key', RFC_5649_KEK, '466f7250617369', 'afbeb0f07dfbf5419200f2ccb50bb24f'],
    [
      'openvmm, 256-bit KEK, 32-byte key',
      '1084d22f535fd310e2c617313dcae7ef19dd452aed1ce6b1bef5b9d01bf15f44',
      '3ff4dbdb74d93d2235c67c9e176a887ff911d65b5a5606a7fb5258fc4e76ce49',
      '5653e929a9350c32d02422b498e113e74a81c1f3b2a627706e0d1297fda5070a5eb0d2deb28a0672',
    ],
  ])('%s', async (_name, kek, key, wrapped) => {
    const kwp = new AesKeyWrapWithPadding(hex(kek));
    const out = await kwp.wrap(hex(key));
    expect(out.constructor).toBe(Uint8Array);
    expect(toHex(out)).toBe(wrapped);
    expect(toHex(await kwp.unwrap(hex(wrapped)))).toBe(key);
  });
});

interface KeywrapTest extends WycheproofTest {
  key: string;
  msg: string;
  ct: string;
}

describe('Wycheproof aes_kwp_test.json', () => {
  const file = loadWycheproof<KeywrapTest>('aes_kwp_test.json', 'AES-KWP');
  const tally = new VectorTally('aes_kwp_test.json');
  const rows = file.testGroups.flatMap((group) => group.tests.map((vector) => ({ ...vector, keySize: group.keySize as number })));

  test.each(rows)('tcId $tcId (KEK $keySize bits): $result $comment', async (vector) => {
    const kwp = new AesKeyWrapWithPadding(hex(vector.key));
    switch (vector.result) {
      case 'valid':
        expect(toHex(await kwp.wrap(hex(vector.msg)))).toBe(vector.ct);
        expect(toHex(await kwp.unwrap(hex(vector.ct)))).toBe(vector.msg);
        tally.record(vector.tcId, 'valid passed');
        break;
      case 'invalid': {
        const error = await kwpError(kwp.unwrap(hex(vector.ct)));
        // Either the integrity check failed, or the size was refused at the door (too short, not whole semiblocks).
        if (!(error.cause instanceof RangeError)) expect((error.cause as Error).message).toBe(AES_KEY_WRAP_WITH_PADDING_INTEGRITY_FAILURE);
        tally.record(vector.tcId, 'invalid rejected');
        break;
      }
      default:
        throw new Error(`tcId ${vector.tcId} is "${vector.result}": decide deliberately how KWP treats it`);
    }
  });

  test('every vector is counted', () => {
    expect(rows.length).toBe(file.numberOfTests);
    tally.check(254, { 'valid passed': 77, 'invalid rejected': 177 });
  });
});

describe('sizes', () => {
  const kek = Uint8Array.from({ length: 32 }, (_, i) => i);

  test.each([1, 7, 8, 9, 15, 16, 17, 24, 32, 33, 64, 100])('a %i-byte payload wraps to the next multiple of 8, plus 8, and back', async (length) => {
    const kwp = new AesKeyWrapWithPadding(kek);
    const payload = Uint8Array.from({ length }, (_, i) => 255 - i);
    const wrapped = await kwp.wrap(payload);
    expect(wrapped.length).toBe(Math.ceil(length / 8) * 8 + 8);
    expect(toHex(await kwp.unwrap(wrapped))).toBe(toHex(payload));
    const tampered = wrapped.slice();
    tampered[wrapped.length - 1] = tampered[wrapped.length - 1]! ^ 0x80;
    await kwpError(kwp.unwrap(tampered));
    await kwpError(new AesKeyWrapWithPadding(kek.subarray(0, 16)).unwrap(wrapped));
  });

  test('Node Buffers (whose slice() is a view) are read, never written', async () => {
    const kwp = new AesKeyWrapWithPadding(Buffer.from(kek));
    const wrapped = Buffer.from(await kwp.wrap(Buffer.from('a secret key!')));
    const before = toHex(wrapped);
    expect(Buffer.from(await kwp.unwrap(wrapped)).toString()).toBe('a secret key!');
    expect(toHex(wrapped)).toBe(before);
  });
});

describe('errors', () => {
  const kwp = new AesKeyWrapWithPadding(new Uint8Array(32).fill(1));

  test.each([0, 8, 15, 17, 20, 31, 33, 64])('a %i-byte KEK is refused', (length) => {
    expect(() => new AesKeyWrapWithPadding(new Uint8Array(length))).toThrow(AesKeyWrapWithPaddingError);
  });

  test('an empty payload is refused (RangeError)', async () => {
    expect((await kwpError(kwp.wrap(new Uint8Array(0)))).cause).toBeInstanceOf(RangeError);
  });

  test.each([0, 8, 15, 17, 23])('a %i-byte wrapped input is refused (RangeError)', async (length) => {
    expect((await kwpError(kwp.unwrap(new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
  });

  test('inputs that are not Uint8Arrays are refused (TypeError)', async () => {
    expect((await kwpError(kwp.wrap('key' as unknown as Uint8Array))).cause).toBeInstanceOf(TypeError);
    expect((await kwpError(kwp.unwrap([1, 2] as unknown as Uint8Array))).cause).toBeInstanceOf(TypeError);
    expect(() => new AesKeyWrapWithPadding({} as unknown as Uint8Array)).toThrow(AesKeyWrapWithPaddingError);
  });
});
