/**
 * The shared body of the fixed-hash modules (`sha_256`, `sha_384`): the one-shot digest and the
 * incremental hasher, over one {@link IncrementalHashBackend} and the calling module's error class.
 *
 * Each algorithm module keeps its own doc, constants, error class and public names, and passes its
 * `#backend` member (`backend.sha_256`, ...) in: this file never imports `#backend`, so the build's
 * backend resolution stays in the algorithm modules. Arguments are checked here (the door) before
 * the backend sees them; every failure is thrown as the module's error with the reason as `cause`.
 */
import type { HashState, IncrementalHashBackend, OwnedBytes } from '../backend/backend.ts';
import { assertBytes } from './bytes.ts';

/** A module's one error class: built from the reason, which it keeps as `cause`. */
export type ModuleErrorClass = new (cause: unknown) => Error;

/** The digest of `data` by `hash`; any failure is thrown as a `moduleError`. */
export async function digestOnce(hash: IncrementalHashBackend, moduleError: ModuleErrorClass, data: Uint8Array): Promise<OwnedBytes> {
  try {
    assertBytes(data, 'data');
    return await hash.digest(data);
  } catch (error) {
    throw new moduleError(error);
  }
}

/**
 * An incremental hasher over `hash`, failing with `moduleError`. `finish` consumes the hasher:
 * afterwards, and after any failed call, `update` and `finish` throw. `update` keeps no reference
 * to its argument (the backend's {@link HashState} contract).
 */
export abstract class IncrementalHasher {
  #state: HashState | undefined;
  readonly #moduleError: ModuleErrorClass;

  protected constructor(hash: IncrementalHashBackend, moduleError: ModuleErrorClass) {
    this.#moduleError = moduleError;
    try {
      this.#state = hash.create();
    } catch (error) {
      throw new moduleError(error);
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
      throw new this.#moduleError(error);
    }
  }

  /** The digest of everything appended; the hasher cannot be used afterwards. */
  async finish(): Promise<OwnedBytes> {
    try {
      return await this.#take().finish();
    } catch (error) {
      throw new this.#moduleError(error);
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
