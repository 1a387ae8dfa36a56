/**
 * `aes_256_cbc` in pure JavaScript: `@noble/ciphers`' `cbc` with `disablePadding`. A new noble
 * cipher per call (noble ciphers are single-use); the context keeps a copy of the key.
 */
import { cbc } from '@noble/ciphers/aes.js';
import type { Aes256CbcContext } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';

export function create(key: Uint8Array): Aes256CbcContext {
  const copy = ownedCopy(key);
  return {
    encrypt: (iv, data) => cbc(copy, iv, { disablePadding: true }).encrypt(data),
    decrypt: (iv, data) => cbc(copy, iv, { disablePadding: true }).decrypt(data),
  };
}
