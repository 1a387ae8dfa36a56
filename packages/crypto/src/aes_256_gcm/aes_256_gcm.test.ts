/**
 * Tests of `aes_256_gcm` through the public API; backend-agnostic (run once per backend).
 *
 * - The GCM specification's AES-256 test cases 13-16 (McGrew and Viega, "The Galois/Counter Mode of
 *   Operation", revised 2005), as literals; case 15 is openvmm's `aes_256_gcm` known vector;
 * - every Wycheproof `aes_gcm_test.json` vector with a 256-bit key. Valid vectors must encrypt to
 *   the ciphertext and tag and decrypt back; invalid ones (modified tags, empty IV) must be rejected
 *   with an `Aes256GcmError`. Vectors with IVs shorter than 12 or longer than 128 bytes (13) are
 *   valid GCM but outside what this API supports (see `index.ts`): they must be refused with an
 *   `Aes256GcmError` whose cause is a `RangeError`, and are counted as unsupported. Other key sizes
 *   are not applicable.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex, utf8 } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { AES_256_GCM_MAX_IV_LENGTH, AES_256_GCM_MIN_IV_LENGTH, AES_256_GCM_TAG_MISMATCH, Aes256Gcm, Aes256GcmError } from './index.ts';

/** The error `promise` rejects with, which must be an Aes256GcmError. */
async function gcmError(promise: Promise<unknown>): Promise<Aes256GcmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Aes256GcmError);
  expect((error as Error).message).toBe('AES-256-GCM operation failed');
  return error as Aes256GcmError;
}

async function expectTagMismatch(promise: Promise<unknown>): Promise<void> {
  const error = await gcmError(promise);
  expect((error.cause as Error).message).toBe(AES_256_GCM_TAG_MISMATCH);
}

const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 = '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';

const GCM_SPEC = [
  { case: 13, key: '00'.repeat(32), iv: '00'.repeat(12), aad: '', plaintext: '', ciphertext: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { case: 14, key: '00'.repeat(32), iv: '00'.repeat(12), aad: '', plaintext: '00'.repeat(16), ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  { case: 15, key: K15, iv: 'cafebabefacedbaddecaf888', aad: '', plaintext: P15, ciphertext: C15, tag: 'b094dac5d93471bdec1a502270e3cc6c' },
  { case: 16, key: K15, iv: 'cafebabefacedbaddecaf888', aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2', plaintext: P15.slice(0, 120), ciphertext: C15.slice(0, 120), tag: '76fc6ece0f4e1768cddf8853bb2d551b' },
];

describe('GCM specification test cases (AES-256)', () => {
  test.each(GCM_SPEC)('case $case', async (vector) => {
    const gcm = new Aes256Gcm(hex(vector.key));
    const sealed = await gcm.encrypt(hex(vector.iv), hex(vector.plaintext), hex(vector.aad));
    expect(sealed.ciphertext.constructor).toBe(Uint8Array);
    expect(toHex(sealed.ciphertext)).toBe(vector.ciphertext);
    expect(toHex(sealed.tag)).toBe(vector.tag);
    expect(toHex(await gcm.decrypt(hex(vector.iv), hex(vector.ciphertext), hex(vector.tag), hex(vector.aad)))).toBe(vector.plaintext);
  });
});

interface AeadTest extends WycheproofTest {
  iv: string;
  key: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
}

describe('Wycheproof aes_gcm_test.json', () => {
  const file = loadWycheproof<AeadTest>('aes_gcm_test.json', 'AES-GCM');
  const tally = new VectorTally('aes_gcm_test.json');
  const rows = file.testGroups.flatMap((group) => group.tests.map((vector) => ({ ...vector, keySize: group.keySize as number, ivSize: group.ivSize as number, tagSize: group.tagSize as number })));

  test.each(rows)('tcId $tcId (key $keySize, IV $ivSize, tag $tagSize bits): $result $comment', async (vector) => {
    if (vector.keySize !== 256) {
      tally.record(vector.tcId, 'not applicable', '128/192-bit keys');
      return;
    }
    const [key, iv, aad, msg, ct, tag] = [vector.key, vector.iv, vector.aad, vector.msg, vector.ct, vector.tag].map(hex) as Uint8Array[];
    expect(iv!.length * 8).toBe(vector.ivSize);
    expect(tag!.length * 8).toBe(vector.tagSize);
    const gcm = new Aes256Gcm(key!);
    if (vector.tagSize !== 128) throw new Error(`tcId ${vector.tcId}: a ${vector.tagSize}-bit tag; decide how to count it`);
    if (iv!.length < AES_256_GCM_MIN_IV_LENGTH || iv!.length > AES_256_GCM_MAX_IV_LENGTH) {
      // Outside the supported sizes: refused as misuse on encryption and decryption alike.
      expect((await gcmError(gcm.encrypt(iv!, msg!, aad!))).cause).toBeInstanceOf(RangeError);
      expect((await gcmError(gcm.decrypt(iv!, ct!, tag!, aad!))).cause).toBeInstanceOf(RangeError);
      const reason = iv!.length < AES_256_GCM_MIN_IV_LENGTH ? `IV shorter than ${AES_256_GCM_MIN_IV_LENGTH} bytes` : `IV longer than ${AES_256_GCM_MAX_IV_LENGTH} bytes`;
      if (vector.result === 'valid') tally.record(vector.tcId, 'unsupported', reason);
      else tally.record(vector.tcId, 'invalid rejected');
      return;
    }
    switch (vector.result) {
      case 'valid': {
        const sealed = await gcm.encrypt(iv!, msg!, aad!);
        expect(toHex(sealed.ciphertext)).toBe(vector.ct);
        expect(toHex(sealed.tag)).toBe(vector.tag);
        expect(toHex(await gcm.decrypt(iv!, ct!, tag!, aad!))).toBe(vector.msg);
        tally.record(vector.tcId, 'valid passed');
        break;
      }
      case 'invalid':
        await expectTagMismatch(gcm.decrypt(iv!, ct!, tag!, aad!));
        tally.record(vector.tcId, 'invalid rejected');
        break;
      default:
        throw new Error(`tcId ${vector.tcId} is "${vector.result}": decide deliberately how AES-256-GCM treats it`);
    }
  });

  test('every vector is counted, and the 256-bit ones add up', () => {
    expect(rows.length).toBe(file.numberOfTests);
    tally.check(316, { 'valid passed': 63, 'invalid rejected': 29, unsupported: 13, 'not applicable': 211 });
  });
});

describe('authentication', () => {
  const key = hex(K15);
  const iv = hex('cafebabefacedbaddecaf888');
  const aad = utf8('header');
  const plaintext = utf8('attack at dawn, bring snacks');

  test('any change to ciphertext, tag, IV, AAD or key is rejected, never a wrong plaintext', async () => {
    const gcm = new Aes256Gcm(key);
    const { ciphertext, tag } = await gcm.encrypt(iv, plaintext, aad);
    const flip = (bytes: Uint8Array, index: number) => {
      const copy = bytes.slice();
      copy[index] = copy[index]! ^ 1;
      return copy;
    };
    await expectTagMismatch(gcm.decrypt(iv, flip(ciphertext, 3), tag, aad));
    await expectTagMismatch(gcm.decrypt(iv, ciphertext, flip(tag, 15), aad));
    await expectTagMismatch(gcm.decrypt(flip(iv, 0), ciphertext, tag, aad));
    await expectTagMismatch(gcm.decrypt(iv, ciphertext, tag, flip(aad, 5)));
    await expectTagMismatch(gcm.decrypt(iv, ciphertext, tag));
    await expectTagMismatch(new Aes256Gcm(flip(key, 31)).decrypt(iv, ciphertext, tag, aad));
    await expectTagMismatch(gcm.decrypt(iv, ciphertext.subarray(1), tag, aad));
    expect(toHex(await gcm.decrypt(iv, ciphertext, tag, aad))).toBe(toHex(plaintext));
  });

  test('IVs from 12 to 128 bytes work', async () => {
    const gcm = new Aes256Gcm(key);
    for (const length of [12, 13, 16, 64, 128]) {
      const longIv = new Uint8Array(length).fill(7);
      const { ciphertext, tag } = await gcm.encrypt(longIv, plaintext, aad);
      expect(toHex(await gcm.decrypt(longIv, ciphertext, tag, aad)), `IV of ${length} bytes`).toBe(toHex(plaintext));
    }
  });

  test('views into larger buffers and Node Buffers are used exactly; the key is copied', async () => {
    const backing = new Uint8Array(200).fill(0xee);
    backing.set(key, 5);
    const keyView = backing.subarray(5, 37);
    const gcm = new Aes256Gcm(keyView);
    keyView.fill(0);
    const { ciphertext, tag } = await gcm.encrypt(Buffer.from(iv), Buffer.from(plaintext), aad.subarray(0));
    expect(toHex(ciphertext) + toHex(tag)).toBe(await new Aes256Gcm(key).encrypt(iv, plaintext, aad).then((s) => toHex(s.ciphertext) + toHex(s.tag)));
  });
});

describe('errors', () => {
  const gcm = new Aes256Gcm(new Uint8Array(32));
  const iv = new Uint8Array(12);

  test.each([0, 16, 31, 33, 64])('a %i-byte key is refused', (length) => {
    expect(() => new Aes256Gcm(new Uint8Array(length))).toThrow(Aes256GcmError);
  });

  test.each([0, 1, 8, 11, 129, 257])('a %i-byte IV is refused (RangeError)', async (length) => {
    expect((await gcmError(gcm.encrypt(new Uint8Array(length), new Uint8Array(3)))).cause).toBeInstanceOf(RangeError);
  });

  test.each([0, 4, 8, 12, 15, 17])('a %i-byte tag is refused before decrypting (RangeError)', async (length) => {
    expect((await gcmError(gcm.decrypt(iv, new Uint8Array(3), new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
  });

  test.each([
    ['key', () => Promise.resolve().then(() => new Aes256Gcm('k' as unknown as Uint8Array))],
    ['iv', () => gcm.encrypt([1, 2] as unknown as Uint8Array, new Uint8Array(0))],
    ['plaintext', () => gcm.encrypt(iv, 'text' as unknown as Uint8Array)],
    ['aad', () => gcm.encrypt(iv, new Uint8Array(0), null as unknown as Uint8Array)],
    ['tag', () => gcm.decrypt(iv, new Uint8Array(0), {} as unknown as Uint8Array)],
  ])('a %s that is not a Uint8Array is an Aes256GcmError with a TypeError cause', async (_what, call) => {
    expect((await gcmError(call())).cause).toBeInstanceOf(TypeError);
  });
});
