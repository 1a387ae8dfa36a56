/**
 * One-shot hashing with a choice of algorithm: SHA-1, SHA-256, SHA-384, SHA-512 (FIPS 180-4).
 *
 * `hash()` is async because WebCrypto's digest is (the `native` backend); the other backends
 * compute synchronously and resolve at once. For incremental hashing see `sha_256` and `sha_384`.
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { assertBytes, describe } from '../internal/bytes.ts';
import { HASH_LENGTHS, HashAlgorithm, isHashAlgorithm } from './algorithm.ts';

export { HashAlgorithm } from './algorithm.ts';

/** The one error of this module: "hash operation failed", with the reason as `cause`. */
export class HashError extends Error {
  override readonly name = 'HashError';

  constructor(cause: unknown) {
    super('hash operation failed', { cause });
  }
}

function checkAlgorithm(algorithm: unknown): asserts algorithm is HashAlgorithm {
  if (!isHashAlgorithm(algorithm)) {
    throw new TypeError(`unknown hash algorithm ${typeof algorithm === 'string' ? JSON.stringify(algorithm) : describe(algorithm)}; expected one of ${Object.values(HashAlgorithm).join(', ')}`);
  }
}

/** The digest length of `algorithm` in bytes (20, 32, 48 or 64). Sync; needs no backend. */
export function hashLength(algorithm: HashAlgorithm): number {
  try {
    checkAlgorithm(algorithm);
    return HASH_LENGTHS[algorithm];
  } catch (error) {
    throw new HashError(error);
  }
}

/** The `algorithm` digest of `data`. */
export async function hash(algorithm: HashAlgorithm, data: Uint8Array): Promise<OwnedBytes> {
  try {
    checkAlgorithm(algorithm);
    assertBytes(data, 'data');
    return await backend.hashes.digest(algorithm, data);
  } catch (error) {
    throw new HashError(error);
  }
}
