/**
 * WebCrypto helpers shared by the `native` backend files only.
 *
 * Incremental hashing: WebCrypto's `subtle.digest` is one-shot, with no streaming interface, so
 * {@link BufferedHashState} copies every `update` into one growing buffer and digests it at
 * `finish`. This keeps the `native` backend native (no pure-JS hash is linked in) and is exact,
 * at the cost of memory: a hasher holds its whole input until `finish` (at most about twice the
 * input while the buffer grows; `Uint8Array` length limits apply). The buffer is zeroed after use.
 * If a caller needs to stream gigabytes, the `openssl` or `noble` backends hash in constant memory.
 */
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import { arrayBufferBacked } from './bytes.ts';

/** `globalThis.crypto`, or an error saying this runtime has no WebCrypto. */
export function webCrypto(): Crypto {
  const crypto = globalThis.crypto as Crypto | undefined;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
    throw new Error('WebCrypto is not available: globalThis.crypto.getRandomValues is missing');
  }
  return crypto;
}

/** `globalThis.crypto.subtle`, or an error (it is missing outside secure contexts in browsers). */
export function subtle(): SubtleCrypto {
  const subtle = webCrypto().subtle as SubtleCrypto | undefined;
  if (subtle === undefined) throw new Error('WebCrypto is not available: globalThis.crypto.subtle is missing');
  return subtle;
}

/** WebCrypto's names of the digests this package uses. */
export type WebHashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** One-shot `subtle.digest`. */
export async function webDigest(hash: WebHashName, data: Uint8Array): Promise<OwnedBytes> {
  return new Uint8Array(await subtle().digest(hash, arrayBufferBacked(data)));
}

const INITIAL_CAPACITY = 1024;

/** An incremental hash over WebCrypto's one-shot digest, by buffering (see the module doc). */
export class BufferedHashState implements HashState {
  readonly #hash: WebHashName;
  #buffer = new Uint8Array(0);
  #length = 0;

  constructor(hash: WebHashName) {
    this.#hash = hash;
  }

  update(data: Uint8Array): void {
    const needed = this.#length + data.length;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2, INITIAL_CAPACITY));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer.fill(0);
      this.#buffer = grown;
    }
    this.#buffer.set(data, this.#length);
    this.#length = needed;
  }

  async finish(): Promise<OwnedBytes> {
    const buffer = this.#buffer;
    const length = this.#length;
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    try {
      return await webDigest(this.#hash, buffer.subarray(0, length));
    } finally {
      buffer.fill(0);
    }
  }
}
