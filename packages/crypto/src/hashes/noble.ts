/**
 * `hashes` in pure JavaScript: `@noble/hashes` (`sha1` from its `legacy` module, the SHA-2 family
 * from `sha2`).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from './algorithm.ts';

const HASHES: Readonly<Record<HashAlgorithm, (data: Uint8Array) => OwnedBytes>> = {
  'SHA-1': sha1,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
};

export function digest(algorithm: HashAlgorithm, data: Uint8Array): OwnedBytes {
  return HASHES[algorithm](data);
}
