/**
 * `node:crypto` helpers shared by the `openssl` backend files only.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
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

/** OpenSSL's name of a {@link HashAlgorithm} (for `sign`, `verify`, `oaepHash`). */
export const NODE_HASH_NAMES: Readonly<Record<HashAlgorithm, NodeHashName>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * The OpenSSL `KeyObject` behind each public key of the `openssl` backend's `rsa` and `ecdsa`,
 * for `x509/openssl.ts` (OpenSSL's `X509_verify` takes the key itself).
 */
export const PUBLIC_KEY_OBJECTS = new WeakMap<object, KeyObject>();
