/**
 * AES-256-CBC without padding (NIST SP 800-38A section 6.2), as openvmm's `aes_256_cbc`: the data
 * is a multiple of 16 bytes and the output has the same length. There is no integrity: use it only
 * where a protocol needs raw CBC (such as a format that authenticates separately).
 *
 * `new Aes256Cbc(key)` keeps one key; `encrypt(iv, data)` and `decrypt(iv, data)` take a 16-byte IV
 * each call and return a fresh array. Both are async because the `native` backend is WebCrypto,
 * whose `AES-CBC` always pads: it builds unpadded CBC from it (see `internal/webcrypto_aes.ts`).
 */
import * as backend from '#backend';
import type { Aes256CbcContext, OwnedBytes } from '../backend/backend.ts';
import { assertBytes } from '../internal/bytes.ts';

/** The key length in bytes. */
export const AES_256_CBC_KEY_LENGTH = 32;

/** The IV length (and block size) in bytes. */
export const AES_256_CBC_IV_LENGTH = 16;

/** The one error of this module: "AES-256-CBC operation failed", with the reason as `cause`. */
export class Aes256CbcError extends Error {
  override readonly name = 'Aes256CbcError';

  constructor(cause: unknown) {
    super('AES-256-CBC operation failed', { cause });
  }
}

function checkInput(iv: unknown, data: unknown): asserts data is Uint8Array {
  assertBytes(iv, 'iv');
  assertBytes(data, 'data');
  if (iv.length !== AES_256_CBC_IV_LENGTH) throw new RangeError(`iv must be ${AES_256_CBC_IV_LENGTH} bytes, got ${iv.length}`);
  if (data.length % AES_256_CBC_IV_LENGTH !== 0) throw new RangeError(`data must be a multiple of 16 bytes (no padding), got ${data.length}`);
}

/** AES-256-CBC encryption and decryption, without padding, under one 32-byte key. */
export class Aes256Cbc {
  readonly #context: Aes256CbcContext;

  /** Throws {@link Aes256CbcError} unless `key` is a 32-byte `Uint8Array`. The key is copied. */
  constructor(key: Uint8Array) {
    try {
      assertBytes(key, 'key');
      if (key.length !== AES_256_CBC_KEY_LENGTH) throw new RangeError(`key must be ${AES_256_CBC_KEY_LENGTH} bytes, got ${key.length}`);
      this.#context = backend.aes_256_cbc.create(key);
    } catch (error) {
      throw new Aes256CbcError(error);
    }
  }

  /** Encrypts `data` (a multiple of 16 bytes, possibly empty) with `iv` (16 bytes). */
  async encrypt(iv: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
    try {
      checkInput(iv, data);
      return await this.#context.encrypt(iv, data);
    } catch (error) {
      throw new Aes256CbcError(error);
    }
  }

  /** Decrypts `data` (a multiple of 16 bytes, possibly empty) with `iv` (16 bytes). */
  async decrypt(iv: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
    try {
      checkInput(iv, data);
      return await this.#context.decrypt(iv, data);
    } catch (error) {
      throw new Aes256CbcError(error);
    }
  }
}
