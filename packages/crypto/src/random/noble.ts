/**
 * `random` for the pure-JS backend: `@noble/hashes`' `randomBytes`, which reads the platform CSPRNG
 * (`crypto.getRandomValues`); pure JavaScript has no entropy source of its own. `randomBytes` takes
 * at most 65,536 bytes a call, so large buffers are filled in chunks; each chunk is wiped after
 * it is copied.
 */
import { randomBytes } from '@noble/hashes/utils.js';

const MAX_CHUNK = 65_536;

export function fill(buffer: Uint8Array): void {
  for (let offset = 0; offset < buffer.length; offset += MAX_CHUNK) {
    const chunk = randomBytes(Math.min(MAX_CHUNK, buffer.length - offset));
    buffer.set(chunk, offset);
    chunk.fill(0);
  }
}
