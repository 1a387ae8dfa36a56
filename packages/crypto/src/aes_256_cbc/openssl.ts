/**
 * `aes_256_cbc` on `node:crypto`: OpenSSL's `aes-256-cbc` with `setAutoPadding(false)`. The key is
 * held as a `KeyObject` (a copy).
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { Aes256CbcContext, OwnedBytes } from '../backend/backend.ts';
import { adopt } from '../internal/bytes.ts';

function run(cipher: { update(data: Uint8Array): Uint8Array; final(): Uint8Array }, data: Uint8Array): OwnedBytes {
  const out = cipher.update(data);
  const rest = cipher.final();
  if (rest.length !== 0) throw new Error(`AES-256-CBC without padding returned ${rest.length} unexpected final bytes`);
  return adopt(out);
}

export function create(key: Uint8Array): Aes256CbcContext {
  const secret: KeyObject = createSecretKey(key);
  return {
    encrypt: (iv, data) => run(createCipheriv('aes-256-cbc', secret, iv).setAutoPadding(false), data),
    decrypt: (iv, data) => run(createDecipheriv('aes-256-cbc', secret, iv).setAutoPadding(false), data),
  };
}
