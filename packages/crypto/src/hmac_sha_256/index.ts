/**
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1): compute a tag, and verify one in constant time.
 *
 * Both operations are async because WebCrypto's `sign`/`verify` are (the `native` backend).
 *
 * Verification follows openvmm's rule: a tag that does not match, including one of the wrong
 * length, is `false`, not an error; an error ({@link HmacSha256Error}) is reserved for misuse and
 * real failures. Truncated tags (RFC 2104 section 5) are supported only when the caller states the
 * expected length: `verifyHmacSha256(key, data, tag, { tagLength: 16 })`. The length is never taken
 * from the received tag, since that would let an attacker send a one-byte tag. RFC 2104 asks for
 * at least half the hash output and at least 80 bits, so `tagLength` is 16 to 32 bytes.
 */
import * as backend from '#backend';
import type { OwnedBytes } from '../backend/backend.ts';
import { assertBytes, describe, isIntegerIn } from '../internal/bytes.ts';

/** The length of a full HMAC-SHA-256 tag in bytes. */
export const HMAC_SHA_256_LENGTH = 32;

/** The shortest truncated tag {@link verifyHmacSha256} accepts: half the output (RFC 2104 section 5). */
export const HMAC_SHA_256_MIN_TAG_LENGTH = 16;

/** The one error of this module: "HMAC-SHA-256 operation failed", with the reason as `cause`. */
export class HmacSha256Error extends Error {
  override readonly name = 'HmacSha256Error';

  constructor(cause: unknown) {
    super('HMAC-SHA-256 operation failed', { cause });
  }
}

/** Options of {@link verifyHmacSha256}. */
export interface VerifyHmacSha256Options {
  /**
   * The tag length the protocol defines, in bytes, from {@link HMAC_SHA_256_MIN_TAG_LENGTH} to
   * {@link HMAC_SHA_256_LENGTH} (the default). A shorter length checks a truncated tag: the leftmost
   * `tagLength` bytes of the HMAC.
   */
  tagLength?: number;
}

/** The 32-byte HMAC-SHA-256 tag of `data` under `key` (a key of any length; 32 bytes or more is recommended). */
export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
  try {
    assertBytes(key, 'key');
    assertBytes(data, 'data');
    return await backend.hmac_sha_256.mac(key, data);
  } catch (error) {
    throw new HmacSha256Error(error);
  }
}

/**
 * Whether `tag` is the HMAC-SHA-256 tag of `data` under `key`, truncated to `options.tagLength`
 * bytes (default 32). Compared in constant time. A tag of another length is `false`.
 */
export async function verifyHmacSha256(key: Uint8Array, data: Uint8Array, tag: Uint8Array, options: VerifyHmacSha256Options = {}): Promise<boolean> {
  try {
    assertBytes(key, 'key');
    assertBytes(data, 'data');
    assertBytes(tag, 'tag');
    const tagLength = options.tagLength ?? HMAC_SHA_256_LENGTH;
    if (!isIntegerIn(tagLength, HMAC_SHA_256_MIN_TAG_LENGTH, HMAC_SHA_256_LENGTH)) {
      throw new RangeError(`tagLength must be an integer from ${HMAC_SHA_256_MIN_TAG_LENGTH} to ${HMAC_SHA_256_LENGTH}, got ${describe(tagLength)}`);
    }
    if (tag.length !== tagLength) return false;
    return await backend.hmac_sha_256.verify(key, data, tag, tagLength);
  } catch (error) {
    throw new HmacSha256Error(error);
  }
}
