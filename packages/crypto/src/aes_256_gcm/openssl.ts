/**
 * `aes_256_gcm` on `node:crypto`: OpenSSL's `aes-256-gcm` with a 16-byte tag. The key is held as a
 * `KeyObject` (a copy). On a tag mismatch OpenSSL's `final` throws; the plaintext already produced
 * by `update` is zeroed and dropped.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { Aes256GcmContext } from '../backend/backend.ts';
import { adopt } from '../internal/bytes.ts';

const TAG_LENGTH = 16;

export function create(key: Uint8Array): Aes256GcmContext {
  const secret: KeyObject = createSecretKey(key);
  return {
    encrypt(iv, plaintext, aad) {
      const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_LENGTH });
      if (aad.length !== 0) cipher.setAAD(aad);
      const ciphertext = cipher.update(plaintext);
      if (cipher.final().length !== 0) throw new Error('AES-256-GCM returned unexpected final bytes');
      return { ciphertext: adopt(ciphertext), tag: adopt(cipher.getAuthTag()) };
    },
    decrypt(iv, ciphertext, tag, aad) {
      const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_LENGTH });
      decipher.setAuthTag(tag);
      if (aad.length !== 0) decipher.setAAD(aad);
      const plaintext = decipher.update(ciphertext);
      try {
        decipher.final();
      } catch {
        plaintext.fill(0);
        return undefined;
      }
      return adopt(plaintext);
    },
  };
}
