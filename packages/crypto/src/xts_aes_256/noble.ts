/**
 * `xts_aes_256` in pure JavaScript. `@noble/ciphers` has no XTS mode, so XTS is assembled
 * (`internal/xts.ts`) from noble's AES-256-ECB without padding: one bulk ECB call for all full
 * blocks of a data unit, one more single-block call for ciphertext stealing, and one for the tweak.
 * A new noble cipher per call (noble ciphers are single-use); the context keeps a copy of the key.
 */
import { ecb } from '@noble/ciphers/aes.js';
import type { XtsAes256Context } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';
import { type XtsBlockCiphers, xtsDecrypt, xtsEncrypt } from '../internal/xts.ts';

export function create(key: Uint8Array): XtsAes256Context {
  const dataKey = ownedCopy(key.subarray(0, 32));
  const tweakKey = ownedCopy(key.subarray(32, 64));
  const ciphers: XtsBlockCiphers = {
    encryptTweak: (block) => ecb(tweakKey, { disablePadding: true }).encrypt(block),
    encryptBlocks: (blocks) => ecb(dataKey, { disablePadding: true }).encrypt(blocks),
    decryptBlocks: (blocks) => ecb(dataKey, { disablePadding: true }).decrypt(blocks),
  };
  return {
    encrypt: (tweak, data) => xtsEncrypt(ciphers, tweak, data),
    decrypt: (tweak, data) => xtsDecrypt(ciphers, tweak, data),
  };
}
