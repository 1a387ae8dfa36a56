/**
 * `xts_aes_256` on `node:crypto`: OpenSSL's `aes-256-xts`, one cipher per data unit with the tweak
 * as its 16-byte IV (OpenSSL implements ciphertext stealing). The key is held as a `KeyObject`.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { OwnedBytes, XtsAes256Context } from '../backend/backend.ts';
import { adopt } from '../internal/bytes.ts';

function run(cipher: { update(data: Uint8Array): Uint8Array; final(): Uint8Array }, data: Uint8Array): OwnedBytes {
  const out = cipher.update(data);
  if (cipher.final().length !== 0) throw new Error('XTS-AES-256 returned unexpected final bytes');
  return adopt(out);
}

export function create(key: Uint8Array): XtsAes256Context {
  const secret: KeyObject = createSecretKey(key);
  return {
    encrypt: (tweak, data) => run(createCipheriv('aes-256-xts', secret, tweak), data),
    decrypt: (tweak, data) => run(createDecipheriv('aes-256-xts', secret, tweak), data),
  };
}
