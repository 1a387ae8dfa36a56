/**
 * `hashes` on `node:crypto` (OpenSSL's EVP digests).
 */
import type { OwnedBytes } from '../backend/backend.ts';
import { nodeDigest, type NodeHashName } from '../internal/node.ts';
import type { HashAlgorithm } from './algorithm.ts';

const NODE_NAMES: Readonly<Record<HashAlgorithm, NodeHashName>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export function digest(algorithm: HashAlgorithm, data: Uint8Array): OwnedBytes {
  return nodeDigest(NODE_NAMES[algorithm], data);
}
