/**
 * `kbkdf` in pure JavaScript. `@noble/hashes` has no SP 800-108 KDF, so the counter-mode loop runs
 * here over noble's HMAC-SHA-256, keyed once and cloned for each block.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { OwnedBytes } from '../backend/backend.ts';

const PRF_LENGTH = 32;

export function deriveHmacSha256(key: Uint8Array, fixedInput: Uint8Array, length: number): OwnedBytes {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);
  const keyed = hmac.create(sha256, key);
  try {
    for (let i = 1, offset = 0; offset < length; i++, offset += PRF_LENGTH) {
      view.setUint32(0, i, false);
      const block = keyed.clone().update(counter).update(fixedInput).digest();
      out.set(block.subarray(0, Math.min(PRF_LENGTH, length - offset)), offset);
      block.fill(0);
    }
  } finally {
    keyed.destroy();
  }
  return out;
}
