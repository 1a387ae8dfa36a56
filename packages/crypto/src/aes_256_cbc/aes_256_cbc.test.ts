/**
 * Tests of `aes_256_cbc` (no padding) through the public API; backend-agnostic (run once per
 * backend).
 *
 * - NIST SP 800-38A appendix F.2.5 / F.2.6 (CBC-AES256.Encrypt / .Decrypt), as literals;
 * - Wycheproof `aes_cbc_pkcs5_test.json`, 256-bit keys: that file is CBC *with* PKCS#5 padding, so
 *   each valid vector is run here on the padded message (the test adds the padding itself): the
 *   unpadded cipher must map msg || padding to ct and back. Its invalid vectors are all about the
 *   padding layer (bad or missing padding), which this module does not have: not applicable, as are
 *   other key sizes.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { Aes256Cbc, Aes256CbcError } from './index.ts';

const SP800_38A = {
  key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
  iv: '000102030405060708090a0b0c0d0e0f',
  plaintext: '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710',
  ciphertext: 'f58c4c04d6e5f1ba779eabfb5f7bfbd6' + '9cfc4e967edb808d679f777bc6702c7d' + '39f23369a9d9bacfa530e26304231461' + 'b2eb05e2c39be9fcda6c19078c6a9d1b',
};

async function cbcError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Aes256CbcError);
  expect((error as Error).message).toBe('AES-256-CBC operation failed');
  return error as Error;
}

describe('NIST SP 800-38A F.2.5 / F.2.6 (CBC-AES256)', () => {
  const cbc = new Aes256Cbc(hex(SP800_38A.key));

  test('encrypts the four blocks', async () => {
    const out = await cbc.encrypt(hex(SP800_38A.iv), hex(SP800_38A.plaintext));
    expect(out.constructor).toBe(Uint8Array);
    expect(toHex(out)).toBe(SP800_38A.ciphertext);
  });

  test('decrypts the four blocks', async () => {
    expect(toHex(await cbc.decrypt(hex(SP800_38A.iv), hex(SP800_38A.ciphertext)))).toBe(SP800_38A.plaintext);
  });

  test('every prefix of whole blocks is the prefix of the ciphertext (no padding block)', async () => {
    for (let blocks = 0; blocks <= 4; blocks++) {
      const length = blocks * 16;
      const out = await cbc.encrypt(hex(SP800_38A.iv), hex(SP800_38A.plaintext).subarray(0, length));
      expect(toHex(out)).toBe(SP800_38A.ciphertext.slice(0, 2 * length));
      expect(toHex(await cbc.decrypt(hex(SP800_38A.iv), hex(SP800_38A.ciphertext).subarray(0, length)))).toBe(SP800_38A.plaintext.slice(0, 2 * length));
    }
  });
});

interface IndCpaTest extends WycheproofTest {
  key: string;
  iv: string;
  msg: string;
  ct: string;
}

describe('Wycheproof aes_cbc_pkcs5_test.json', () => {
  const file = loadWycheproof<IndCpaTest>('aes_cbc_pkcs5_test.json', 'AES-CBC-PKCS5');
  const tally = new VectorTally('aes_cbc_pkcs5_test.json');
  const rows = file.testGroups.flatMap((group) => group.tests.map((vector) => ({ ...vector, keySize: group.keySize as number })));

  test.each(rows)('tcId $tcId (key $keySize bits): $result $comment', async (vector) => {
    if (vector.keySize !== 256) return tally.record(vector.tcId, 'not applicable', '128/192-bit keys');
    if (vector.result !== 'valid') return tally.record(vector.tcId, 'not applicable', 'padding-layer vectors; this module has no padding');
    const msg = hex(vector.msg);
    const padLength = 16 - (msg.length % 16);
    const padded = new Uint8Array(msg.length + padLength).fill(padLength);
    padded.set(msg);
    const cbc = new Aes256Cbc(hex(vector.key));
    expect(toHex(await cbc.encrypt(hex(vector.iv), padded))).toBe(vector.ct);
    expect(toHex(await cbc.decrypt(hex(vector.iv), hex(vector.ct)))).toBe(toHex(padded));
    tally.record(vector.tcId, 'valid passed');
  });

  test('every vector is counted, and the 256-bit ones add up', () => {
    expect(rows.length).toBe(file.numberOfTests);
    tally.check(216, { 'valid passed': 24, 'not applicable': 192 });
  });
});

describe('errors', () => {
  const cbc = new Aes256Cbc(new Uint8Array(32));

  test.each([0, 16, 24, 31, 33])('a %i-byte key is refused', (length) => {
    expect(() => new Aes256Cbc(new Uint8Array(length))).toThrow(Aes256CbcError);
  });

  test.each([0, 12, 15, 17, 32])('a %i-byte IV is refused (RangeError)', async (length) => {
    expect((await cbcError(cbc.encrypt(new Uint8Array(length), new Uint8Array(16)))).cause).toBeInstanceOf(RangeError);
  });

  test.each([1, 15, 17, 33])('%i bytes of data (not whole blocks) are refused (RangeError)', async (length) => {
    expect((await cbcError(cbc.encrypt(new Uint8Array(16), new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
    expect((await cbcError(cbc.decrypt(new Uint8Array(16), new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
  });

  test('inputs that are not Uint8Arrays are refused (TypeError)', async () => {
    expect((await cbcError(cbc.encrypt('iv' as unknown as Uint8Array, new Uint8Array(16)))).cause).toBeInstanceOf(TypeError);
    expect((await cbcError(cbc.decrypt(new Uint8Array(16), [0] as unknown as Uint8Array))).cause).toBeInstanceOf(TypeError);
    expect(() => new Aes256Cbc(null as unknown as Uint8Array)).toThrow(Aes256CbcError);
  });

  test('the key is copied: changing it afterwards changes nothing', async () => {
    const key = hex(SP800_38A.key);
    const keyed = new Aes256Cbc(key);
    key.fill(0);
    expect(toHex(await keyed.encrypt(hex(SP800_38A.iv), hex(SP800_38A.plaintext)))).toBe(SP800_38A.ciphertext);
  });
});
