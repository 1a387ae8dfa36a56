/**
 * `aes_256_gcm` on WebCrypto: `AES-GCM` with `tagLength: 128`. WebCrypto returns ciphertext and tag
 * as one buffer; they are returned as two views of it (`joined` in `internal/bytes.ts`), and
 * decryption passes them on without a copy when they are still adjacent, else joins them. A tag
 * mismatch is WebCrypto's `OperationError`. The key is imported once, at the first operation.
 */
import type { Aes256GcmContext } from '../backend/backend.ts';
import { arrayBufferBacked, joined, ownedCopy } from '../internal/bytes.ts';
import { subtle } from '../internal/webcrypto.ts';

const TAG_LENGTH = 16;

export function create(key: Uint8Array): Aes256GcmContext {
  const copy = ownedCopy(key);
  let imported: Promise<CryptoKey> | undefined;
  const cryptoKey = () => (imported ??= subtle().importKey('raw', copy, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']).finally(() => copy.fill(0)));
  return {
    async encrypt(iv, plaintext, aad) {
      const params: AesGcmParams = { name: 'AES-GCM', iv: arrayBufferBacked(iv), additionalData: arrayBufferBacked(aad), tagLength: TAG_LENGTH * 8 };
      const sealed = await subtle().encrypt(params, await cryptoKey(), arrayBufferBacked(plaintext));
      const length = sealed.byteLength - TAG_LENGTH;
      return { ciphertext: new Uint8Array(sealed, 0, length), tag: new Uint8Array(sealed, length, TAG_LENGTH) };
    },
    async decrypt(iv, ciphertext, tag, aad) {
      const sealed = arrayBufferBacked(joined(ciphertext, tag));
      const params: AesGcmParams = { name: 'AES-GCM', iv: arrayBufferBacked(iv), additionalData: arrayBufferBacked(aad), tagLength: TAG_LENGTH * 8 };
      try {
        return new Uint8Array(await subtle().decrypt(params, await cryptoKey(), sealed));
      } catch (error) {
        if (error instanceof Error && error.name === 'OperationError') return undefined;
        throw error;
      }
    },
  };
}
