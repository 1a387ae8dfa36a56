/**
 * `aes_key_wrap_with_padding` on `node:crypto`: OpenSSL's `id-aes{128,192,256}-wrap-pad` (RFC 5649)
 * with the alternative initial value A65959A6 as IV. OpenSSL throws when an unwrap fails its
 * integrity check; the partial output is zeroed and dropped.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { AesKeyWrapWithPaddingContext } from '../backend/backend.ts';
import { adopt } from '../internal/bytes.ts';

const ALTERNATIVE_IV = Uint8Array.of(0xa6, 0x59, 0x59, 0xa6);

export function create(kek: Uint8Array): AesKeyWrapWithPaddingContext {
  const cipherName = `id-aes${kek.length * 8}-wrap-pad`;
  const secret: KeyObject = createSecretKey(kek);
  return {
    wrap(payload) {
      const cipher = createCipheriv(cipherName, secret, ALTERNATIVE_IV);
      const out = cipher.update(payload);
      const rest = cipher.final();
      return rest.length === 0 ? adopt(out) : new Uint8Array(Buffer.concat([out, rest]));
    },
    unwrap(wrapped) {
      const decipher = createDecipheriv(cipherName, secret, ALTERNATIVE_IV);
      let out: Buffer | undefined;
      try {
        out = decipher.update(wrapped);
        const rest = decipher.final();
        return rest.length === 0 ? adopt(out) : new Uint8Array(Buffer.concat([out, rest]));
      } catch {
        out?.fill(0);
        return undefined;
      }
    },
  };
}
