/**
 * `hashes` on WebCrypto: `subtle.digest`, whose algorithm names are the {@link HashAlgorithm} values.
 */
import type { OwnedBytes } from '../backend/backend.ts';
import { webDigest } from '../internal/webcrypto.ts';
import type { HashAlgorithm } from './algorithm.ts';

export function digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<OwnedBytes> {
  return webDigest(algorithm, data);
}
