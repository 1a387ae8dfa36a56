/**
 * The contract between the public API and a backend.
 *
 * Each backend module (`openssl.ts`, `noble.ts`, `native.ts`) is one ES module that the build
 * resolves for the `#backend` import specifier; its exports must have the shape of {@link Backend}.
 * `backend.test.ts` checks all three (and the placeholder) against this interface at compile time,
 * including that no backend exports anything the interface does not name, so the public modules
 * cannot come to depend on one backend's extras.
 *
 * Backends receive inputs already validated by the public module (the "door"); they never see a
 * non-`Uint8Array` or an out-of-range length. They return fresh buffers the caller owns (never a
 * Node `Buffer` or a view of a shared pool). A backend may return a value or a promise where the
 * public operation is async ({@link Awaitable}); where the public operation is sync, every backend
 * must be sync.
 */
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import type { EcdsaBackend, Pkcs7Backend, RsaBackend, X509Backend } from './asymmetric.ts';

/** The backends of the `backend` exclusive group in package.json, in declaration order. */
export const BACKEND_NAMES = ['openssl', 'noble', 'native'] as const;

/** One backend's name, as in package.json's `guard.exclusive.backend.exactlyOne`. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A value, or a promise of it: what a backend may return for an operation that is public-async. */
export type Awaitable<T> = T | Promise<T>;

/** Bytes that the receiver owns, backed by a plain (non-shared) `ArrayBuffer`. */
export type OwnedBytes = Uint8Array<ArrayBuffer>;

/** `random`: the platform CSPRNG. Sync on every backend. */
export interface RandomBackend {
  /** Fills all of `buffer` (any length, any view offset) with cryptographically secure random bytes. */
  fill(buffer: Uint8Array): void;
}

/** `hashes`: one-shot digests of every {@link HashAlgorithm}. */
export interface HashesBackend {
  digest(algorithm: HashAlgorithm, data: Uint8Array): Awaitable<OwnedBytes>;
}

/** The state of one incremental hash. `update` is sync on every backend; `finish` is called once. */
export interface HashState {
  /** Appends `data`; the state must not keep a reference to `data` (the caller may reuse it). */
  update(data: Uint8Array): void;
  finish(): Awaitable<OwnedBytes>;
}

/** `sha_256`, `sha_384`: one fixed hash, one-shot and incremental. */
export interface IncrementalHashBackend {
  digest(data: Uint8Array): Awaitable<OwnedBytes>;
  create(): HashState;
}

/** `hmac_sha_256`: HMAC-SHA-256 (RFC 2104). */
export interface HmacSha256Backend {
  /** The full 32-byte tag. `key` may be of any length, including empty. */
  mac(key: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes>;
  /**
   * Whether `tag` equals the first `tagLength` bytes of the tag, compared in constant time.
   * The public module has already checked `tag.length === tagLength` and `16 <= tagLength <= 32`.
   */
  verify(key: Uint8Array, data: Uint8Array, tag: Uint8Array, tagLength: number): Awaitable<boolean>;
}

/**
 * `aes_256_cbc`: AES-256-CBC without padding. The public module has checked that the key is 32
 * bytes, the IV 16 bytes and the data a multiple of 16 bytes (possibly empty).
 */
export interface Aes256CbcBackend {
  /** A context for one key; `key` may be reused by the caller afterwards (copy what you keep). */
  create(key: Uint8Array): Aes256CbcContext;
}

export interface Aes256CbcContext {
  encrypt(iv: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes>;
  decrypt(iv: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes>;
}

/** One AES-256-GCM encryption's output. */
export interface Aes256GcmSealed {
  ciphertext: OwnedBytes;
  /** The full 16-byte tag. */
  tag: OwnedBytes;
}

/**
 * `aes_256_gcm`: AES-256-GCM (NIST SP 800-38D). Checked by the public module: a 32-byte key, an IV
 * of 12 to 128 bytes, a 16-byte tag.
 */
export interface Aes256GcmBackend {
  create(key: Uint8Array): Aes256GcmContext;
}

export interface Aes256GcmContext {
  encrypt(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Awaitable<Aes256GcmSealed>;
  /** The plaintext, or `undefined` when the tag does not verify (no plaintext is released then). */
  decrypt(iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Awaitable<OwnedBytes | undefined>;
}

/**
 * `xts_aes_256`: XTS-AES-256 (IEEE Std 1619-2007) on one data unit. Checked by the public module:
 * a 64-byte key whose halves differ, a 16-byte tweak (the data unit's sequence number, little-endian),
 * and a data unit of 16 bytes to 16 MiB (any length: a partial last block uses ciphertext stealing).
 */
export interface XtsAes256Backend {
  create(key: Uint8Array): XtsAes256Context;
}

export interface XtsAes256Context {
  encrypt(tweak: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes>;
  decrypt(tweak: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes>;
}

/**
 * `aes_key_wrap_with_padding`: AES key wrap with padding (RFC 5649, NIST SP 800-38F KWP). Checked
 * by the public module: a 16-, 24- or 32-byte KEK, a payload of 1 to 2^32 - 1 bytes, a wrapped
 * input that is a multiple of 8 bytes and at least 16.
 */
export interface AesKeyWrapWithPaddingBackend {
  create(kek: Uint8Array): AesKeyWrapWithPaddingContext;
}

export interface AesKeyWrapWithPaddingContext {
  wrap(payload: Uint8Array): Awaitable<OwnedBytes>;
  /** The payload, or `undefined` when the integrity check (AIV, length or padding) fails. */
  unwrap(wrapped: Uint8Array): Awaitable<OwnedBytes | undefined>;
}

/**
 * `kbkdf`: NIST SP 800-108 KDF in counter mode with HMAC-SHA-256 as the PRF and a 32-bit counter
 * before the fixed input: K(i) = HMAC(key, [i]_32 || fixedInput), i = 1, 2, ... The public module
 * builds `fixedInput` (Label || 0x00 || Context || [L]_32) and checks `1 <= length < 2^29`.
 */
export interface KbkdfBackend {
  /** The first `length` bytes of K(1) || K(2) || ... `key` may be of any length, including empty. */
  deriveHmacSha256(key: Uint8Array, fixedInput: Uint8Array, length: number): Awaitable<OwnedBytes>;
}

/** What `#backend` must export. */
export interface Backend {
  readonly name: BackendName;
  /** True only for the placeholder, which is never shippable (see `ensure_single_backend.ts`). */
  readonly placeholder: boolean;
  readonly random: RandomBackend;
  readonly hashes: HashesBackend;
  readonly sha_256: IncrementalHashBackend;
  readonly sha_384: IncrementalHashBackend;
  readonly hmac_sha_256: HmacSha256Backend;
  readonly aes_256_cbc: Aes256CbcBackend;
  readonly aes_256_gcm: Aes256GcmBackend;
  readonly xts_aes_256: XtsAes256Backend;
  readonly aes_key_wrap_with_padding: AesKeyWrapWithPaddingBackend;
  readonly kbkdf: KbkdfBackend;
  readonly ecdsa: EcdsaBackend;
  readonly rsa: RsaBackend;
  readonly x509: X509Backend;
  readonly pkcs7: Pkcs7Backend;
}
