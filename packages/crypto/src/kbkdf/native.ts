/**
 * `kbkdf` on WebCrypto. WebCrypto has no SP 800-108 KDF (its `deriveBits` offers HKDF and PBKDF2
 * only), so the counter-mode loop runs here over WebCrypto's HMAC-SHA-256: the key is imported once
 * and the blocks, which are independent in counter mode, are signed concurrently. An empty key is
 * imported as 64 zero bytes (equal under RFC 2104; WebCrypto refuses empty HMAC keys), as in
 * `hmac_sha_256`.
 */
import type { OwnedBytes } from '../backend/backend.ts';
import { arrayBufferBacked } from '../internal/bytes.ts';
import { subtle } from '../internal/webcrypto.ts';

const PRF_LENGTH = 32;
const BLOCK_LENGTH = 64;
/** HMAC calls in flight at most. */
const MAX_CONCURRENT_BLOCKS = 256;

export async function deriveHmacSha256(key: Uint8Array, fixedInput: Uint8Array, length: number): Promise<OwnedBytes> {
  const raw = key.length === 0 ? new Uint8Array(BLOCK_LENGTH) : arrayBufferBacked(key);
  const cryptoKey = await subtle().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const out = new Uint8Array(length);
  const blocks = Math.ceil(length / PRF_LENGTH);
  for (let first = 1; first <= blocks; first += MAX_CONCURRENT_BLOCKS) {
    const pending: Promise<void>[] = [];
    for (let i = first; i <= Math.min(blocks, first + MAX_CONCURRENT_BLOCKS - 1); i++) {
      const message = new Uint8Array(4 + fixedInput.length);
      new DataView(message.buffer).setUint32(0, i, false);
      message.set(fixedInput, 4);
      const offset = (i - 1) * PRF_LENGTH;
      pending.push(
        subtle()
          .sign('HMAC', cryptoKey, message)
          .then((signature) => {
            const block = new Uint8Array(signature);
            out.set(block.subarray(0, Math.min(PRF_LENGTH, length - offset)), offset);
            block.fill(0);
          }),
      );
    }
    await Promise.all(pending);
  }
  return out;
}
