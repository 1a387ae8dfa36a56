/**
 * SHA-384 (FIPS 180-4): the one-shot {@link sha384} and the incremental {@link Sha384} hasher.
 *
 * Sync or async: `update` is synchronous on every backend; `sha384()` and `finish()` return
 * promises because WebCrypto's digest is asynchronous (the `native` backend). WebCrypto has no
 * incremental digest, so on `native` a hasher buffers its input until `finish` (memory grows with
 * the input); `openssl` and `noble` hash in constant memory. Results are identical on all three.
 */
import * as backend from '#backend';
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import { assertBytes } from '../internal/bytes.ts';

/** The length of a SHA-384 digest in bytes. */
export const SHA_384_LENGTH = 48;

/** The one error of this module: "SHA-384 operation failed", with the reason as `cause`. */
export class Sha384Error extends Error {
  override readonly name = 'Sha384Error';

  constructor(cause: unknown) {
    super('SHA-384 operation failed', { cause });
  }
}

/** The SHA-384 digest of `data`. */
export async function sha384(data: Uint8Array): Promise<OwnedBytes> {
  try {
    assertBytes(data, 'data');
    return await backend.sha_384.digest(data);
  } catch (error) {
    throw new Sha384Error(error);
  }
}

/**
 * Incremental SHA-384. Equal to {@link sha384} of the concatenation of everything passed to
 * {@link Sha384.update}. `finish` consumes the hasher: afterwards, and after any failed call,
 * `update` and `finish` throw {@link Sha384Error}. `update` keeps no reference to its argument.
 */
export class Sha384 {
  #state: HashState | undefined;

  constructor() {
    try {
      this.#state = backend.sha_384.create();
    } catch (error) {
      throw new Sha384Error(error);
    }
  }

  /** Appends `data` to the hashed message; returns `this` for chaining. */
  update(data: Uint8Array): this {
    try {
      const state = this.#take();
      assertBytes(data, 'data');
      state.update(data);
      this.#state = state;
      return this;
    } catch (error) {
      throw new Sha384Error(error);
    }
  }

  /** The digest of everything appended; the hasher cannot be used afterwards. */
  async finish(): Promise<OwnedBytes> {
    try {
      return await this.#take().finish();
    } catch (error) {
      throw new Sha384Error(error);
    }
  }

  /** The live state, detached until the caller puts it back: a failed call leaves the hasher spent. */
  #take(): HashState {
    const state = this.#state;
    if (state === undefined) throw new Error('the hasher was already finished, or a previous call failed');
    this.#state = undefined;
    return state;
  }
}
