/**
 * `aes_key_wrap_with_padding` in pure JavaScript: `@noble/ciphers`' `aeskwp` (RFC 5649), which
 * throws when an unwrap fails its integrity check. A new noble cipher per call (single-use).
 */
import { aeskwp } from '@noble/ciphers/aes.js';
import type { AesKeyWrapWithPaddingContext } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';

export function create(kek: Uint8Array): AesKeyWrapWithPaddingContext {
  const copy = ownedCopy(kek);
  return {
    wrap: (payload) => aeskwp(copy).encrypt(payload),
    unwrap(wrapped) {
      try {
        return aeskwp(copy).decrypt(wrapped);
      } catch {
        return undefined;
      }
    },
  };
}
