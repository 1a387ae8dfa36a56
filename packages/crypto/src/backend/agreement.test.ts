/**
 * Property tests: the `openssl`, `noble` and `native` backends, imported directly (not through
 * `#backend`), give identical results on random valid inputs for `aes_256_cbc`, `aes_256_gcm`,
 * `xts_aes_256`, `aes_key_wrap_with_padding` and `kbkdf`, and each round-trips. Together with the
 * known-answer and Wycheproof tests, which run on each linked backend, this checks that the
 * constructions the `noble` and `native` backends build themselves (unpadded CBC and XTS on
 * WebCrypto, XTS on noble's ECB, KWP on WebCrypto, KBKDF on three HMACs) match OpenSSL's on inputs
 * no vector file covers. The result does not depend on the linked backend.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { agree, BACKENDS, blocks, bytes, bytesBetween } from '../testing/backends.ts';
import { toHex } from '../testing/hex.ts';

const RUNS = { numRuns: 40 };

describe('aes_256_cbc (no padding)', () => {
  test('encryption agrees, and every backend decrypts it back', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(32), bytes(16), blocks(8), async (key, iv, data) => {
        const ciphertext = await agree<string>((b) => b.aes_256_cbc.create(key).encrypt(iv, data));
        expect(ciphertext.length).toBe(2 * data.length);
        for (const b of BACKENDS) expect(toHex(await b.aes_256_cbc.create(key).decrypt(iv, Buffer.from(ciphertext, 'hex')))).toBe(toHex(data));
      }),
      RUNS,
    );
  });

  test('decryption of arbitrary blocks agrees', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(32), bytes(16), blocks(8), async (key, iv, data) => {
        await agree((b) => b.aes_256_cbc.create(key).decrypt(iv, data));
      }),
      RUNS,
    );
  });
});

describe('aes_256_gcm', () => {
  const iv = fc.oneof({ weight: 3, arbitrary: bytes(12) }, { weight: 1, arbitrary: bytesBetween(13, 128) });

  test('encryption agrees, every backend decrypts it, and every backend rejects a changed tag', async () => {
    await fc.assert(
      fc.asyncProperty(bytes(32), iv, bytesBetween(0, 300), bytesBetween(0, 64), fc.nat(15), async (key, nonce, plaintext, aad, flip) => {
        const sealed = await agree<{ ciphertext: string; tag: string }>((b) => b.aes_256_gcm.create(key).encrypt(nonce, plaintext, aad));
        const ciphertext = Buffer.from(sealed.ciphertext, 'hex');
        const tag = Buffer.from(sealed.tag, 'hex');
        const badTag = Uint8Array.from(tag);
        badTag[flip] = badTag[flip]! ^ 0x01;
        for (const b of BACKENDS) {
          const context = b.aes_256_gcm.create(key);
          expect(toHex((await context.decrypt(nonce, ciphertext, tag, aad))!), b.name).toBe(toHex(plaintext));
          expect(await context.decrypt(nonce, ciphertext, badTag, aad), b.name).toBeUndefined();
        }
      }),
      RUNS,
    );
  });
});

describe('xts_aes_256', () => {
  const key = bytes(64).filter((k) => toHex(k.subarray(0, 32)) !== toHex(k.subarray(32)));

  test('encryption agrees for data units of 16 to 300 bytes (with ciphertext stealing), and every backend decrypts it', async () => {
    await fc.assert(
      fc.asyncProperty(key, bytes(16), bytesBetween(16, 300), async (k, tweak, data) => {
        const ciphertext = await agree<string>((b) => b.xts_aes_256.create(k).encrypt(tweak, data));
        for (const b of BACKENDS) expect(toHex(await b.xts_aes_256.create(k).decrypt(tweak, Buffer.from(ciphertext, 'hex'))), b.name).toBe(toHex(data));
      }),
      { numRuns: 25 },
    );
  });

  test('decryption of arbitrary data agrees', async () => {
    await fc.assert(
      fc.asyncProperty(key, bytes(16), bytesBetween(16, 300), async (k, tweak, data) => {
        await agree((b) => b.xts_aes_256.create(k).decrypt(tweak, data));
      }),
      { numRuns: 25 },
    );
  });
});

describe('aes_key_wrap_with_padding', () => {
  const kek = fc.constantFrom(16, 24, 32).chain((length) => bytes(length));

  test('wrapping agrees, and every backend unwraps it', async () => {
    await fc.assert(
      fc.asyncProperty(kek, bytesBetween(1, 100), async (k, payload) => {
        const wrapped = await agree<string>((b) => b.aes_key_wrap_with_padding.create(k).wrap(payload));
        for (const b of BACKENDS) expect(toHex((await b.aes_key_wrap_with_padding.create(k).unwrap(Buffer.from(wrapped, 'hex')))!), b.name).toBe(toHex(payload));
      }),
      RUNS,
    );
  });

  test('every backend refuses random and altered wrapped keys alike', async () => {
    await fc.assert(
      fc.asyncProperty(kek, fc.integer({ min: 2, max: 12 }).chain((n) => bytes(8 * n)), async (k, wrapped) => {
        expect(await agree((b) => b.aes_key_wrap_with_padding.create(k).unwrap(wrapped))).toBeNull();
      }),
      RUNS,
    );
  });
});

describe('kbkdf', () => {
  test('HMAC-SHA-256 counter mode agrees for any key, fixed input and length', async () => {
    await fc.assert(
      fc.asyncProperty(bytesBetween(0, 100), bytesBetween(0, 100), fc.integer({ min: 1, max: 200 }), async (key, fixedInput, length) => {
        const out = await agree<string>((b) => b.kbkdf.deriveHmacSha256(key, fixedInput, length));
        expect(out.length).toBe(2 * length);
      }),
      RUNS,
    );
  });
});
