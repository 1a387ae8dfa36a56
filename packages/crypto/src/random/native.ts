/**
 * `random` on WebCrypto: `crypto.getRandomValues`, which is synchronous and fills at most 65,536
 * bytes a call (a `QuotaExceededError` above), so large buffers are filled view by view.
 */
import { webCrypto } from '../internal/webcrypto.ts';

const MAX_CHUNK = 65_536;

export function fill(buffer: Uint8Array): void {
  const crypto = webCrypto();
  for (let offset = 0; offset < buffer.length; offset += MAX_CHUNK) {
    crypto.getRandomValues(buffer.subarray(offset, offset + MAX_CHUNK));
  }
}
