/**
 * SHA-384 (FIPS 180-4): the one-shot {@link sha384} and the incremental {@link Sha384} hasher.
 *
 * Sync or async: `update` is synchronous on every backend; `sha384()` and `finish()` return
 * promises because WebCrypto's digest is asynchronous (the `native` backend). WebCrypto has no
 * incremental digest, so on `native` a hasher buffers its input until `finish` (memory grows with
 * the input); `openssl` and `noble` hash in constant memory. Results are identical on all three.
 * The logic lives in `internal/incremental_hash.ts`, shared with `sha_256`; this module binds it to
 * `backend.sha_384` and {@link Sha384Error}.
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { IncrementalHasher, digestOnce } from '../internal/incremental_hash.ts';

/** The length of a SHA-384 digest in bytes. */
export const SHA_384_LENGTH = 48;

/** The one error of this module: "SHA-384 operation failed", with the reason as `cause`. */
export class Sha384Error extends Error {
  override readonly name = 'Sha384Error';

  constructor(cause: unknown) {
    super('SHA-384 operation failed', { cause });
  }
}

/** The SHA-384 digest of `data`. */
export function sha384(data: Uint8Array): Promise<OwnedBytes> {
  return digestOnce(backend.sha_384, Sha384Error, data);
}

/**
 * Incremental SHA-384. Equal to {@link sha384} of the concatenation of everything passed to
 * {@link Sha384.update}. `finish` consumes the hasher: afterwards, and after any failed call,
 * `update` and `finish` throw {@link Sha384Error}. `update` keeps no reference to its argument.
 */
export class Sha384 extends IncrementalHasher {
  constructor() {
    super(backend.sha_384, Sha384Error);
  }
}
