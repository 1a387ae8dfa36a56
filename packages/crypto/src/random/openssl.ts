/**
 * `random` on `node:crypto`: OpenSSL's CSPRNG through `randomFillSync`, which fills exactly the
 * view it is given.
 */
import { randomFillSync } from 'node:crypto';

export function fill(buffer: Uint8Array): void {
  randomFillSync(buffer);
}
