/**
 * The {@link HashAlgorithm} enum and its digest lengths. Kept apart from `index.ts` (which imports
 * the backend) so that backends and `backend/backend.ts` can name the type without a cycle.
 */

/**
 * A hash algorithm of FIPS 180-4. The values are WebCrypto's algorithm names.
 *
 * `Sha1` is for legacy formats only: SHA-1 has practical collision attacks and must not be used
 * where collision resistance matters (openvmm marks it deprecated).
 */
export const HashAlgorithm = {
  Sha1: 'SHA-1',
  Sha256: 'SHA-256',
  Sha384: 'SHA-384',
  Sha512: 'SHA-512',
} as const;

export type HashAlgorithm = (typeof HashAlgorithm)[keyof typeof HashAlgorithm];

/** Digest length in bytes of each algorithm. */
export const HASH_LENGTHS: Readonly<Record<HashAlgorithm, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** Whether `value` is one of the {@link HashAlgorithm} values. */
export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HASH_LENGTHS, value);
}
