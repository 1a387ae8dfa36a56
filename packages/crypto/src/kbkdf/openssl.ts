/**
 * `kbkdf` on `node:crypto`. Node exposes no SP 800-108 KDF (OpenSSL's `KBKDF` is not reachable from
 * `node:crypto`), so the counter-mode loop runs here over OpenSSL's HMAC-SHA-256 (`createHmac`).
 */
import { createHmac } from 'node:crypto';
import type { OwnedBytes } from '../backend/backend.ts';

const PRF_LENGTH = 32;

export function deriveHmacSha256(key: Uint8Array, fixedInput: Uint8Array, length: number): OwnedBytes {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);
  for (let i = 1, offset = 0; offset < length; i++, offset += PRF_LENGTH) {
    view.setUint32(0, i, false);
    const block = createHmac('sha256', key).update(counter).update(fixedInput).digest();
    out.set(block.subarray(0, Math.min(PRF_LENGTH, length - offset)), offset);
    block.fill(0);
  }
  return out;
}
