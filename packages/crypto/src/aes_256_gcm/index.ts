/**
 * AES-256-GCM authenticated encryption (NIST SP 800-38D), as openvmm's `aes_256_gcm`, with
 * additional authenticated data (AAD).
 *
 * `new Aes256Gcm(key)` keeps one 32-byte key. `encrypt(iv, plaintext, aad?)` returns the ciphertext
 * and the 16-byte tag; `decrypt(iv, ciphertext, tag, aad?)` returns the plaintext, or throws
 * {@link Aes256GcmError} when the tag does not verify (no plaintext is ever released then). Both are
 * async because WebCrypto is (the `native` backend).
 *
 * Sizes supported on every backend:
 * - **IV**: 12 to 128 bytes. 12 bytes (96 bits) is the recommended size (SP 800-38D section
 *   8.2.1); longer IVs derive the counter block with GHASH. SP 800-38D lets implementations
 *   restrict IV lengths, and the backends differ at the edges: Node's WebCrypto (the `native`
 *   backend) refuses IVs shorter than 12 bytes, OpenSSL (`openssl`) longer than 128, and
 *   `@noble/ciphers` (`noble`) shorter than 8. The API accepts exactly the range all three share,
 *   on every backend, so a program behaves the same whichever backend its app links.
 * - **Tag**: 16 bytes only (the full 128-bit tag). SP 800-38D also allows 96 to 120-bit tags, but
 *   truncated tags weaken forgery resistance and neither openvmm's callers nor `@noble/ciphers` use
 *   them; a tag of another length is refused as misuse, before any decryption.
 * Never reuse an IV with the same key: GCM then loses both confidentiality and integrity.
 */
import * as backend from '#backend';
import type { Aes256GcmContext, OwnedBytes } from '../backend/backend.ts';
import { assertBytes } from '../internal/bytes.ts';
import { settle } from '../internal/promise.ts';

/** The key length in bytes. */
export const AES_256_GCM_KEY_LENGTH = 32;

/** The recommended IV length in bytes (96 bits). */
export const AES_256_GCM_IV_LENGTH = 12;

/** The shortest IV accepted, in bytes. */
export const AES_256_GCM_MIN_IV_LENGTH = 12;

/** The longest IV accepted, in bytes. */
export const AES_256_GCM_MAX_IV_LENGTH = 128;

/** The tag length in bytes (the only one supported). */
export const AES_256_GCM_TAG_LENGTH = 16;

/** The one error of this module: "AES-256-GCM operation failed", with the reason as `cause`. */
export class Aes256GcmError extends Error {
  override readonly name = 'Aes256GcmError';

  constructor(cause: unknown) {
    super('AES-256-GCM operation failed', { cause });
  }
}

/**
 * The output of {@link Aes256Gcm.encrypt}: fresh arrays the caller owns. On some backends they are
 * two views of one new buffer, the tag right after the ciphertext (as GCM libraries return them);
 * passing them back to `decrypt` unchanged then needs no copy.
 */
export interface Aes256GcmSealed {
  ciphertext: OwnedBytes;
  /** The 16-byte authentication tag. */
  tag: OwnedBytes;
}

/** The message of the `cause` of the {@link Aes256GcmError} thrown when a tag does not verify. */
export const AES_256_GCM_TAG_MISMATCH = 'the authentication tag does not verify (wrong ciphertext, tag, IV, AAD or key)';

const EMPTY = new Uint8Array(0);

const wrap = (error: unknown) => new Aes256GcmError(error);

/** The error of a tag that does not verify. */
const tagMismatch = () => new Aes256GcmError(new Error(AES_256_GCM_TAG_MISMATCH));

/** The plaintext, or the tag-mismatch error when the backend released none. */
function authenticated(plaintext: OwnedBytes | undefined): OwnedBytes {
  if (plaintext === undefined) throw tagMismatch();
  return plaintext;
}

function checkIvAndAad(iv: unknown, aad: unknown): void {
  assertBytes(iv, 'iv');
  assertBytes(aad, 'aad');
  if (iv.length < AES_256_GCM_MIN_IV_LENGTH || iv.length > AES_256_GCM_MAX_IV_LENGTH) {
    throw new RangeError(`iv must be ${AES_256_GCM_MIN_IV_LENGTH} to ${AES_256_GCM_MAX_IV_LENGTH} bytes (12 recommended), got ${iv.length}`);
  }
}

/** AES-256-GCM encryption and decryption under one 32-byte key. */
export class Aes256Gcm {
  readonly #context: Aes256GcmContext;

  /** Throws {@link Aes256GcmError} unless `key` is a 32-byte `Uint8Array`. The key is copied. */
  constructor(key: Uint8Array) {
    try {
      assertBytes(key, 'key');
      if (key.length !== AES_256_GCM_KEY_LENGTH) throw new RangeError(`key must be ${AES_256_GCM_KEY_LENGTH} bytes, got ${key.length}`);
      this.#context = backend.aes_256_gcm.create(key);
    } catch (error) {
      throw new Aes256GcmError(error);
    }
  }

  /**
   * Encrypts and authenticates `plaintext` (any length) and `aad` under `iv`. (Not an `async`
   * function, to keep the fixed cost per call low; it always returns a promise.)
   */
  encrypt(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Promise<Aes256GcmSealed> {
    try {
      checkIvAndAad(iv, aad);
      assertBytes(plaintext, 'plaintext');
      return settle(this.#context.encrypt(iv, plaintext, aad), wrap);
    } catch (error) {
      return Promise.reject(new Aes256GcmError(error));
    }
  }

  /**
   * The plaintext of `ciphertext`, after checking `tag` (16 bytes) over it and `aad`. Throws
   * {@link Aes256GcmError} whose `cause` is an `Error` with message {@link AES_256_GCM_TAG_MISMATCH}
   * if the tag does not verify; then no plaintext is returned or kept.
   */
  decrypt(iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array = EMPTY): Promise<OwnedBytes> {
    try {
      checkIvAndAad(iv, aad);
      assertBytes(ciphertext, 'ciphertext');
      assertBytes(tag, 'tag');
      if (tag.length !== AES_256_GCM_TAG_LENGTH) throw new RangeError(`tag must be ${AES_256_GCM_TAG_LENGTH} bytes, got ${tag.length}`);
      const result = this.#context.decrypt(iv, ciphertext, tag, aad);
      if (!(result instanceof Promise)) return result === undefined ? Promise.reject(tagMismatch()) : Promise.resolve(result);
      return settle(result, wrap).then(authenticated);
    } catch (error) {
      return Promise.reject(new Aes256GcmError(error));
    }
  }
}
