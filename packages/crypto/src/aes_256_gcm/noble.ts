/**
 * `aes_256_gcm` in pure JavaScript: `@noble/ciphers`' `gcm` (16-byte tag; it takes IVs of 8 bytes or more),
 * which appends the tag to the ciphertext: they are returned as two views of noble's output, and
 * passed back without a copy when still adjacent (`joined`). noble checks the tag in
 * constant time before decrypting, and throws on a mismatch.
 */
import { gcm } from '@noble/ciphers/aes.js';
import type { Aes256GcmContext, OwnedBytes } from '../backend/backend.ts';
import { joined, ownedCopy } from '../internal/bytes.ts';

const TAG_LENGTH = 16;

export function create(key: Uint8Array): Aes256GcmContext {
  const copy = ownedCopy(key);
  return {
    encrypt(iv, plaintext, aad) {
      const sealed: OwnedBytes = gcm(copy, iv, aad).encrypt(plaintext);
      const length = sealed.length - TAG_LENGTH;
      return { ciphertext: sealed.subarray(0, length), tag: sealed.subarray(length) };
    },
    decrypt(iv, ciphertext, tag, aad) {
      const sealed = joined(ciphertext, tag);
      try {
        return gcm(copy, iv, aad).decrypt(sealed);
      } catch (error) {
        if (error instanceof Error && /invalid tag/.test(error.message)) return undefined;
        throw error;
      }
    },
  };
}
