/**
 * `sha_384` in pure JavaScript: `@noble/hashes`' `sha384`, whose `create()` state streams (it copies
 * a partial block into its own buffer, never keeping the caller's array).
 */
import { sha384 } from '@noble/hashes/sha2.js';
import type { HashState, OwnedBytes } from '../backend/backend.ts';

export function digest(data: Uint8Array): OwnedBytes {
  return sha384(data);
}

export function create(): HashState {
  const inner = sha384.create();
  return {
    update(data) {
      inner.update(data);
    },
    finish() {
      return inner.digest();
    },
  };
}
