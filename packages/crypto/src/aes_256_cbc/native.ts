/**
 * `aes_256_cbc` on WebCrypto. WebCrypto's `AES-CBC` always applies PKCS#7 padding, so unpadded CBC
 * is built from it (`internal/webcrypto_aes.ts`): encryption drops the final padding block;
 * decryption appends a crafted block that decrypts to a full, valid padding block (one extra call).
 * The key is imported once, at the first operation.
 */
import type { Aes256CbcContext } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';
import { cbcDecryptNoPadding, cbcEncryptNoPadding, importAesCbcKey } from '../internal/webcrypto_aes.ts';

export function create(key: Uint8Array): Aes256CbcContext {
  const copy = ownedCopy(key);
  let imported: Promise<CryptoKey> | undefined;
  const cryptoKey = () => (imported ??= importAesCbcKey(copy).finally(() => copy.fill(0)));
  return {
    encrypt: async (iv, data) => cbcEncryptNoPadding(await cryptoKey(), iv, data),
    decrypt: async (iv, data) => cbcDecryptNoPadding(await cryptoKey(), iv, data),
  };
}
