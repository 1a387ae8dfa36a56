/**
 * Key derivation with NIST SP 800-108 (KBKDF) in counter mode, HMAC-SHA-256 as the PRF, as
 * openvmm's `kdf::kbkdf_hmac_sha256(key, context, salt, output_len)` (its `salt` is SP 800-108's
 * Label; OpenSSL's KBKDF, which openvmm calls, names the label "salt" too):
 *
 *   K(i) = HMAC-SHA-256(key, [i]_32 || Label || 0x00 || Context || [L]_32),   i = 1, 2, ...
 *   output = the first `length` bytes of K(1) || K(2) || ...
 *
 * with the 32-bit big-endian counter before the fixed input, and L the output length in bits as a
 * 32-bit big-endian integer: SymCrypt's and OpenSSL's default SP 800-108 encoding, and openvmm's.
 * `options` can leave out the 0x00 separator and L, as OpenSSL's `use-separator` and `use-l`
 * parameters do; then the fixed input is Label || Context, which is how NIST's CAVP vectors
 * (an opaque fixed input after the counter) are expressed.
 *
 * Async because HMAC is async in WebCrypto (the `native` backend). Every backend computes the
 * same HMAC chain; only the HMAC differs (OpenSSL, noble, WebCrypto).
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { assertBytes, describe, isIntegerIn } from '../internal/bytes.ts';

/** The longest output in bytes: L, in bits, must fit in 32 bits. */
export const KBKDF_MAX_OUTPUT_LENGTH = 2 ** 29 - 1;

/** The one error of this module: "KBKDF operation failed", with the reason as `cause`. */
export class KbkdfError extends Error {
  override readonly name = 'KbkdfError';

  constructor(cause: unknown) {
    super('KBKDF operation failed', { cause });
  }
}

/** Options of {@link kbkdfHmacSha256}; the defaults are openvmm's (and OpenSSL's) encoding. */
export interface KbkdfOptions {
  /** Put a 0x00 byte between Label and Context (default true). */
  separator?: boolean;
  /** Append L, the output length in bits, as 32 bits big-endian (default true). */
  encodeLength?: boolean;
}

/**
 * `length` bytes (1 to {@link KBKDF_MAX_OUTPUT_LENGTH}) derived from `key` (any length) with
 * SP 800-108 counter-mode KBKDF over HMAC-SHA-256. Argument order as openvmm's: key, context,
 * label, length.
 */
export async function kbkdfHmacSha256(key: Uint8Array, context: Uint8Array, label: Uint8Array, length: number, options: KbkdfOptions = {}): Promise<OwnedBytes> {
  try {
    assertBytes(key, 'key');
    assertBytes(context, 'context');
    assertBytes(label, 'label');
    if (!isIntegerIn(length, 1, KBKDF_MAX_OUTPUT_LENGTH)) throw new RangeError(`length must be an integer from 1 to ${KBKDF_MAX_OUTPUT_LENGTH}, got ${describe(length)}`);
    const separator = options.separator ?? true;
    const encodeLength = options.encodeLength ?? true;
    const fixedInput = new Uint8Array(label.length + (separator ? 1 : 0) + context.length + (encodeLength ? 4 : 0));
    fixedInput.set(label, 0);
    fixedInput.set(context, label.length + (separator ? 1 : 0));
    if (encodeLength) new DataView(fixedInput.buffer).setUint32(fixedInput.length - 4, length * 8, false);
    return await backend.kbkdf.deriveHmacSha256(key, fixedInput, length);
  } catch (error) {
    throw new KbkdfError(error);
  }
}
