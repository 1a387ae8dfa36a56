/**
 * The AMD SEV ABI's ECDSA formats (SNP ABI specification, "ECDSA Signature Format" and "ECDSA
 * Public Key Format") and `@tsvmm/crypto`'s: a report signature is R and S as 72-byte
 * little-endian fields (a P-384 value uses the low 48 bytes; the rest must be zero); crypto takes
 * `r ‖ s` big-endian, 48 bytes each. A public key (an ID or author key) is CURVE (u32, 2 = P-384)
 * then QX and QY as 72-byte little-endian fields, 0x404 bytes in all; its SHA-384 is what a report
 * carries in ID_KEY_DIGEST and AUTHOR_KEY_DIGEST.
 */
import { type EcdsaPublicKey, sha384 } from '@tsvmm/crypto';
import { isZero, reversed } from './bytes.ts';

/** Length of one ABI component (R, S, QX, QY). */
export const AMD_COMPONENT_LENGTH = 72;

/** Length of a P-384 scalar or coordinate. */
export const P384_LENGTH = 48;

/** Length of an ABI ECDSA public key. */
export const AMD_ECDSA_PUBLIC_KEY_LENGTH = 0x404;

/** The ABI's curve number of P-384. */
export const AMD_CURVE_P384 = 2;

/**
 * `r ‖ s` big-endian (96 bytes) from the ABI's 72-byte little-endian R and S, or undefined when a
 * component is not 72 bytes or has a non-zero byte above its low 48 (virtee/sev keeps the low 48
 * bytes and ignores the rest; here such a signature is refused, so no two encodings verify).
 */
export function amdSignatureToRaw(r: Uint8Array, s: Uint8Array): Uint8Array | undefined {
  if (r.length !== AMD_COMPONENT_LENGTH || s.length !== AMD_COMPONENT_LENGTH) return undefined;
  if (!isZero(r, P384_LENGTH) || !isZero(s, P384_LENGTH)) return undefined;
  const out = new Uint8Array(2 * P384_LENGTH);
  out.set(reversed(r.subarray(0, P384_LENGTH)), 0);
  out.set(reversed(s.subarray(0, P384_LENGTH)), P384_LENGTH);
  return out;
}

/** The ABI's R and S (72 bytes each, little-endian) of an `r ‖ s` big-endian P-384 signature. */
export function rawSignatureToAmd(signature: Uint8Array): { r: Uint8Array; s: Uint8Array } {
  if (signature.length !== 2 * P384_LENGTH) throw new RangeError(`a P-384 signature is ${2 * P384_LENGTH} bytes (r ‖ s), got ${signature.length}`);
  const r = new Uint8Array(AMD_COMPONENT_LENGTH);
  const s = new Uint8Array(AMD_COMPONENT_LENGTH);
  r.set(reversed(signature.subarray(0, P384_LENGTH)));
  s.set(reversed(signature.subarray(P384_LENGTH)));
  return { r, s };
}

/** The ABI encoding (0x404 bytes) of a P-384 public key. */
export function amdEcdsaPublicKey(key: EcdsaPublicKey): Uint8Array {
  const q = key.publicKeyBytes();
  const out = new Uint8Array(AMD_ECDSA_PUBLIC_KEY_LENGTH);
  out[0] = AMD_CURVE_P384;
  out.set(reversed(q.subarray(0, P384_LENGTH)), 4);
  out.set(reversed(q.subarray(P384_LENGTH)), 4 + AMD_COMPONENT_LENGTH);
  return out;
}

/** SHA-384 of {@link amdEcdsaPublicKey}: the value of ID_KEY_DIGEST / AUTHOR_KEY_DIGEST for this key. */
export async function amdEcdsaPublicKeyDigest(key: EcdsaPublicKey): Promise<Uint8Array> {
  return sha384(amdEcdsaPublicKey(key));
}
