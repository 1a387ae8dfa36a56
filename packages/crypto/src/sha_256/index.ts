/**
 * SHA-256 (FIPS 180-4): the one-shot {@link sha256} and the incremental {@link Sha256} hasher.
 *
 * Sync or async: `update` is synchronous on every backend; `sha256()` and `finish()` return
 * promises because WebCrypto's digest is asynchronous (the `native` backend). WebCrypto has no
 * incremental digest, so on `native` a hasher buffers its input until `finish` (memory grows with
 * the input); `openssl` and `noble` hash in constant memory. Results are identical on all three.
 * The logic lives in `internal/incremental_hash.ts`, shared with `sha_384`; this module binds it to
 * `backend.sha_256` and {@link Sha256Error}.
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { IncrementalHasher, digestOnce } from '../internal/incremental_hash.ts';

/** The length of a SHA-256 digest in bytes. */
export const SHA_256_LENGTH = 32;

/** The one error of this module: "SHA-256 operation failed", with the reason as `cause`. */
export class Sha256Error extends Error {
  override readonly name = 'Sha256Error';

  constructor(cause: unknown) {
    super('SHA-256 operation failed', { cause });
  }
}

/** The SHA-256 digest of `data`. */
export function sha256(data: Uint8Array): Promise<OwnedBytes> {
  return digestOnce(backend.sha_256, Sha256Error, data);
}

/**
 * Incremental SHA-256. Equal to {@link sha256} of the concatenation of everything passed to
 * {@link Sha256.update}. `finish` consumes the hasher: afterwards, and after any failed call,
 * `update` and `finish` throw {@link Sha256Error}. `update` keeps no reference to its argument.
 */
export class Sha256 extends IncrementalHasher {
  constructor() {
    super(backend.sha_256, Sha256Error);
  }
}
