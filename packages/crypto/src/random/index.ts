/**
 * Cryptographically secure random bytes from the linked backend's CSPRNG.
 *
 * Synchronous on every backend: `openssl` uses OpenSSL's `RAND_bytes` (`randomFillSync`), `noble`
 * and `native` use the platform's `crypto.getRandomValues`, which they call in chunks of at most
 * 65,536 bytes (the WebCrypto per-call limit), so any length works.
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { assertBytes, describe, isIntegerIn } from '../internal/bytes.ts';

/** The largest length {@link getRandomBytes} accepts (2 GiB - 1, what `randomFillSync` takes). */
export const MAX_RANDOM_LENGTH = 2 ** 31 - 1;

/** The one error of this module: "random number generation failed", with the reason as `cause`. */
export class RandomError extends Error {
  override readonly name = 'RandomError';

  constructor(cause: unknown) {
    super('random number generation failed', { cause });
  }
}

/** Fills all of `buffer` (the view only, not the rest of its `ArrayBuffer`) and returns it. */
export function fillRandom<T extends Uint8Array>(buffer: T): T {
  try {
    assertBytes(buffer, 'buffer');
    if (buffer.length > MAX_RANDOM_LENGTH) throw new RangeError(`buffer is longer than ${MAX_RANDOM_LENGTH} bytes`);
    backend.random.fill(buffer);
    return buffer;
  } catch (error) {
    throw new RandomError(error);
  }
}

/** `length` new random bytes; `length` is an integer from 0 to {@link MAX_RANDOM_LENGTH}. */
export function getRandomBytes(length: number): OwnedBytes {
  try {
    if (!isIntegerIn(length, 0, MAX_RANDOM_LENGTH)) {
      throw new RangeError(`length must be an integer from 0 to ${MAX_RANDOM_LENGTH}, got ${describe(length)}`);
    }
    const bytes = new Uint8Array(length);
    backend.random.fill(bytes);
    return bytes;
  } catch (error) {
    throw new RandomError(error);
  }
}
