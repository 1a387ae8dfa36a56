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
}
