/**
 * `hmac_sha_256` on `node:crypto`: OpenSSL's HMAC, compared with `crypto.timingSafeEqual`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OwnedBytes } from '../backend/backend.ts';
import { ownedCopy } from '../internal/bytes.ts';

export function mac(key: Uint8Array, data: Uint8Array): OwnedBytes {
  return ownedCopy(createHmac('sha256', key).update(data).digest());
}

export function verify(key: Uint8Array, data: Uint8Array, tag: Uint8Array, tagLength: number): boolean {
  const expected = createHmac('sha256', key).update(data).digest();
  try {
    return timingSafeEqual(expected.subarray(0, tagLength), tag);
  } finally {
    expected.fill(0);
  }
}
