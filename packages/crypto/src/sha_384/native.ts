/**
 * `sha_384` on WebCrypto: `subtle.digest('SHA-384')`. WebCrypto has no streaming digest, so the
 * incremental hasher buffers its input until `finish` (see `internal/webcrypto.ts`).
 */
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import { BufferedHashState, webDigest } from '../internal/webcrypto.ts';

export function digest(data: Uint8Array): Promise<OwnedBytes> {
  return webDigest('SHA-384', data);
}

export function create(): HashState {
  return new BufferedHashState('SHA-384');
}
