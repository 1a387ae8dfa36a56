/**
 * `hmac_sha_256` on WebCrypto: `subtle.importKey('raw', …, { name: 'HMAC', hash: 'SHA-256' })`, then
 * `sign`, or `verify` for a full-length tag (WebCrypto compares in constant time). WebCrypto cannot
 * verify a truncated tag, so for one this signs and compares the prefix with `constantTimeEqual`.
 *
 * Empty keys: WebCrypto refuses a zero-length HMAC key ("Zero-length key is not supported"), but
 * RFC 2104 section 2 pads every key shorter than the 64-byte block with zeros, so an empty key and
 * 64 zero bytes give the same HMAC; this backend imports the latter. Keys of any other length go
 * to WebCrypto unchanged (it hashes keys longer than the block itself).
 */
import type { OwnedBytes } from '../backend/backend.ts';
import { arrayBufferBacked } from '../internal/bytes.ts';
import { constantTimeEqual } from '../internal/constant_time.ts';
import { subtle } from '../internal/webcrypto.ts';

const BLOCK_LENGTH = 64;
const FULL_LENGTH = 32;

function importKey(key: Uint8Array, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const raw = key.length === 0 ? new Uint8Array(BLOCK_LENGTH) : arrayBufferBacked(key);
  return subtle().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

export async function mac(key: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
  const cryptoKey = await importKey(key, 'sign');
  return new Uint8Array(await subtle().sign('HMAC', cryptoKey, arrayBufferBacked(data)));
}

export async function verify(key: Uint8Array, data: Uint8Array, tag: Uint8Array, tagLength: number): Promise<boolean> {
  if (tagLength === FULL_LENGTH) {
    const cryptoKey = await importKey(key, 'verify');
    return subtle().verify('HMAC', cryptoKey, arrayBufferBacked(tag), arrayBufferBacked(data));
  }
  const expected = await mac(key, data);
  try {
    return constantTimeEqual(expected.subarray(0, tagLength), tag);
  } finally {
    expected.fill(0);
  }
}
