/**
 * `xts_aes_256` on WebCrypto, which has no XTS mode: XTS is assembled (`internal/xts.ts`) from raw
 * AES blocks that `internal/webcrypto_aes.ts` gets out of WebCrypto's `AES-CBC`:
 *
 * - the tweak T = AES(K2, i): one single-block encryption;
 * - decryption: all blocks of a data unit in one ECB decryption (two WebCrypto calls, through CBC
 *   decryption with a crafted padding block), plus one for ciphertext stealing;
 * - encryption: WebCrypto cannot encrypt independent blocks in one call (CBC encryption chains
 *   them), so each block is one call, all issued concurrently: 257 calls for a 4 KiB sector. This is
 *   correct but slow (about 1 MB/s in Node); use the `openssl` or `noble` backend for bulk disk
 *   encryption.
 *
 * Both keys are imported once, at the first operation.
 */
import type { XtsAes256Context } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';
import { type XtsBlockCiphers, xtsDecrypt, xtsEncrypt } from '../internal/xts.ts';
import { aesDecryptBlocks, aesEncryptBlock, aesEncryptBlocks, importAesCbcKey } from '../internal/webcrypto_aes.ts';

export function create(key: Uint8Array): XtsAes256Context {
  const raw = ownedCopy(key);
  let imported: Promise<[CryptoKey, CryptoKey]> | undefined;
  const keys = () => (imported ??= Promise.all([importAesCbcKey(raw.subarray(0, 32)), importAesCbcKey(raw.subarray(32))]).finally(() => raw.fill(0)));
  const ciphers: XtsBlockCiphers = {
    encryptTweak: async (block) => aesEncryptBlock((await keys())[1], block),
    encryptBlocks: async (blocks) => aesEncryptBlocks((await keys())[0], blocks),
    decryptBlocks: async (blocks) => aesDecryptBlocks((await keys())[0], blocks),
  };
  return {
    encrypt: (tweak, data) => xtsEncrypt(ciphers, tweak, data),
    decrypt: (tweak, data) => xtsDecrypt(ciphers, tweak, data),
  };
}
