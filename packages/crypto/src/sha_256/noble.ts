/**
 * `sha_256` in pure JavaScript: `@noble/hashes`' `sha256`, whose `create()` state streams (it copies
 * a partial block into its own buffer, never keeping the caller's array).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { HashState, OwnedBytes } from '../backend/backend.ts';

export function digest(data: Uint8Array): OwnedBytes {
  return sha256(data);
}

export function create(): HashState {
  const inner = sha256.create();
  return {
    update(data) {
      inner.update(data);
    },
    finish() {
      return inner.digest();
    },
  };
}
