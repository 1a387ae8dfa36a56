/**
 * AES key wrap with padding (RFC 5649; NIST SP 800-38F's KWP), as openvmm's AES key wrap module:
 * `new AesKeyWrapWithPadding(kek)` with a 16-, 24- or 32-byte key-encryption key, then
 * `wrap(payload)` (1 byte or more; the output is the payload rounded up to 8 bytes, plus 8) and
 * `unwrap(wrapped)`. Unwrapping checks RFC 5649's integrity (the alternative initial value
 * A65959A6, the 32-bit message length and zero padding); any failure is an
 * {@link AesKeyWrapWithPaddingError} and releases nothing.
 *
 * Async because the `native` backend is WebCrypto, whose `AES-KW` is RFC 3394 only (fixed IV, no
 * padding) and cannot be used for RFC 5649: the `native` backend runs RFC 5649's wrapping function
 * itself on single AES blocks from WebCrypto (see its `native.ts`). A 24-byte KEK needs a runtime
 * whose WebCrypto supports AES-192 (Node does; Chromium does not).
 */
import * as backend from '#backend';
import type { AesKeyWrapWithPaddingContext, OwnedBytes } from '../backend/backend.ts';
import { assertBytes } from '../internal/bytes.ts';

/** The accepted key-encryption key lengths in bytes: AES-128, AES-192, AES-256. */
export const AES_KEY_WRAP_WITH_PADDING_KEK_LENGTHS: readonly number[] = [16, 24, 32];

/** The longest payload in bytes: RFC 5649's 32-bit message length indicator. */
export const AES_KEY_WRAP_WITH_PADDING_MAX_PAYLOAD_LENGTH = 2 ** 32 - 1;

/** The one error of this module: "AES key wrap with padding operation failed", with the reason as `cause`. */
export class AesKeyWrapWithPaddingError extends Error {
  override readonly name = 'AesKeyWrapWithPaddingError';

  constructor(cause: unknown) {
    super('AES key wrap with padding operation failed', { cause });
  }
}

/** The message of the `cause` when an unwrap fails RFC 5649's integrity check. */
export const AES_KEY_WRAP_WITH_PADDING_INTEGRITY_FAILURE = 'the wrapped key does not unwrap: its integrity check failed (wrong KEK, or corrupted)';

/** RFC 5649 key wrap and unwrap under one key-encryption key. */
export class AesKeyWrapWithPadding {
  readonly #context: AesKeyWrapWithPaddingContext;

  /** Throws {@link AesKeyWrapWithPaddingError} unless `kek` is 16, 24 or 32 bytes. The key is copied. */
  constructor(kek: Uint8Array) {
    try {
      assertBytes(kek, 'kek');
      if (!AES_KEY_WRAP_WITH_PADDING_KEK_LENGTHS.includes(kek.length)) throw new RangeError(`kek must be 16, 24 or 32 bytes, got ${kek.length}`);
      this.#context = backend.aes_key_wrap_with_padding.create(kek);
    } catch (error) {
      throw new AesKeyWrapWithPaddingError(error);
    }
  }

  /** Wraps `payload` (1 to 2^32 - 1 bytes). */
  async wrap(payload: Uint8Array): Promise<OwnedBytes> {
    try {
      assertBytes(payload, 'payload');
      if (payload.length === 0 || payload.length > AES_KEY_WRAP_WITH_PADDING_MAX_PAYLOAD_LENGTH) throw new RangeError(`payload must be 1 to 2^32 - 1 bytes, got ${payload.length}`);
      return await this.#context.wrap(payload);
    } catch (error) {
      throw new AesKeyWrapWithPaddingError(error);
    }
  }

  /** The payload of `wrapped` (a multiple of 8 bytes, at least 16), after RFC 5649's integrity check. */
  async unwrap(wrapped: Uint8Array): Promise<OwnedBytes> {
    let payload: OwnedBytes | undefined;
    try {
      assertBytes(wrapped, 'wrapped');
      if (wrapped.length < 16 || wrapped.length % 8 !== 0) throw new RangeError(`wrapped must be a multiple of 8 bytes and at least 16, got ${wrapped.length}`);
      payload = await this.#context.unwrap(wrapped);
    } catch (error) {
      throw new AesKeyWrapWithPaddingError(error);
    }
    if (payload === undefined) throw new AesKeyWrapWithPaddingError(new Error(AES_KEY_WRAP_WITH_PADDING_INTEGRITY_FAILURE));
    return payload;
  }
}
