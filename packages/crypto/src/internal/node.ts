/**
 * `node:crypto` helpers shared by the `openssl` backend files only.
 */
import { createHash } from 'node:crypto';
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import { ownedCopy } from './bytes.ts';

/** OpenSSL's digest names. */
export type NodeHashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** One-shot digest, returned as a plain `Uint8Array` (not a `Buffer`). */
export function nodeDigest(hash: NodeHashName, data: Uint8Array): OwnedBytes {
  return ownedCopy(createHash(hash).update(data).digest());
}

/** An incremental hash on OpenSSL's own streaming state (`EVP_DigestUpdate`); `update` copies nothing. */
export function nodeHashState(hash: NodeHashName): HashState {
  const inner = createHash(hash);
  return {
    update(data) {
      inner.update(data);
    },
    finish() {
      return ownedCopy(inner.digest());
    },
  };
}
