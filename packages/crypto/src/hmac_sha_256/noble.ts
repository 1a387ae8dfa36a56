/**
 * `hmac_sha_256` in pure JavaScript: `@noble/hashes`' `hmac` over its `sha256`, compared with this
 * package's branch-free `constantTimeEqual` (noble/hashes exports no comparison).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { OwnedBytes } from '../backend/backend.ts';
import { constantTimeEqual } from '../internal/constant_time.ts';

export function mac(key: Uint8Array, data: Uint8Array): OwnedBytes {
  return hmac(sha256, key, data);
}

export function verify(key: Uint8Array, data: Uint8Array, tag: Uint8Array, tagLength: number): boolean {
  const expected = hmac(sha256, key, data);
  try {
    return constantTimeEqual(expected.subarray(0, tagLength), tag);
  } finally {
    expected.fill(0);
  }
}
