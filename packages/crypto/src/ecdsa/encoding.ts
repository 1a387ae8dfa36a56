/**
 * Encodings of `ecdsa` keys and signatures, decoded strictly at the public module's door (and by
 * `x509` for ECDSA-signed certificates), the same on every backend:
 *
 * - SubjectPublicKeyInfo (RFC 5480) for P-384: `id-ecPublicKey` with the named curve `secp384r1`
 *   and an uncompressed point. DER has exactly one encoding of that, 120 bytes, so a key is read
 *   by checking the fixed 24-byte prefix and taking `Qx ‖ Qy`. Compressed points and explicit
 *   curve parameters are refused.
 * - SEC 1 uncompressed points: `0x04 ‖ Qx ‖ Qy`.
 * - DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 section 2.2.3), converted
 *   to `r ‖ s`. Only DER is accepted: definite minimal lengths, minimal non-negative integers,
 *   nothing after the sequence. Anything else is not a signature (`undefined`, so verification is
 *   `false`), which is what Wycheproof's BER and "InvalidEncoding" vectors demand.
 */
import type { EcdsaCurveName } from '../backend/asymmetric.ts';

/** Bytes of one coordinate or scalar (openvmm's `EcdsaCurve::key_size`). */
export const KEY_SIZES: Readonly<Record<EcdsaCurveName, number>> = { 'P-384': 48 };

/** `SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING (0 unused bits) 0x04 ...` */
const P384_SPKI_PREFIX = Uint8Array.from('3076301006072a8648ce3d020106052b81040022036200'.match(/../g)!, (h) => Number.parseInt(h, 16));

/** `Qx ‖ Qy` of a P-384 SubjectPublicKeyInfo; throws for anything else. */
export function publicKeyFromSpki(der: Uint8Array): Uint8Array {
  const size = KEY_SIZES['P-384'];
  if (der.length !== P384_SPKI_PREFIX.length + 1 + 2 * size) throw new RangeError(`not a P-384 SubjectPublicKeyInfo with an uncompressed point: ${der.length} bytes, expected 120`);
  for (let i = 0; i < P384_SPKI_PREFIX.length; i++) {
    if (der[i] !== P384_SPKI_PREFIX[i]) throw new RangeError('not a P-384 SubjectPublicKeyInfo with an uncompressed point (id-ecPublicKey, secp384r1)');
  }
  if (der[P384_SPKI_PREFIX.length] !== 0x04) throw new RangeError('the P-384 point is not uncompressed (0x04)');
  return der.subarray(P384_SPKI_PREFIX.length + 1);
}

/** The SubjectPublicKeyInfo DER of a P-384 key given as `Qx ‖ Qy`. */
export function spkiFromPublicKey(publicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(P384_SPKI_PREFIX.length + 1 + publicKey.length);
  out.set(P384_SPKI_PREFIX);
  out[P384_SPKI_PREFIX.length] = 0x04;
  out.set(publicKey, P384_SPKI_PREFIX.length + 1);
  return out;
}

/** Reads a definite DER length at `offset`; returns [length, offset after it], or undefined if not minimal DER. */
function readLength(der: Uint8Array, offset: number): [number, number] | undefined {
  const first = der[offset];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, offset + 1];
  if (first !== 0x81) return undefined; // an ECDSA-Sig-Value is always shorter than 256 bytes
  const length = der[offset + 1];
  if (length === undefined || length < 0x80) return undefined;
  return [length, offset + 2];
}

/** Reads a DER INTEGER at `offset` as a non-negative magnitude; undefined unless minimal and non-negative. */
function readInteger(der: Uint8Array, offset: number, end: number): [Uint8Array, number] | undefined {
  if (der[offset] !== 0x02) return undefined;
  const length = readLength(der, offset + 1);
  if (length === undefined) return undefined;
  const [size, start] = length;
  const stop = start + size;
  if (size === 0 || stop > end) return undefined;
  if (der[start]! & 0x80) return undefined; // negative
  if (der[start] === 0 && size > 1 && (der[start + 1]! & 0x80) === 0) return undefined; // non-minimal
  return [der.subarray(der[start] === 0 && size > 1 ? start + 1 : start, stop), stop];
}

/**
 * `r ‖ s` (each `size` bytes) of a strict DER ECDSA-Sig-Value, or undefined if the encoding is
 * not DER or an integer is longer than `size` bytes (so it cannot be below the group order).
 */
export function derSignatureToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  if (der[0] !== 0x30) return undefined;
  const length = readLength(der, 1);
  if (length === undefined) return undefined;
  const [total, start] = length;
  if (start + total !== der.length) return undefined;
  const r = readInteger(der, start, der.length);
  if (r === undefined) return undefined;
  const s = readInteger(der, r[1], der.length);
  if (s === undefined || s[1] !== der.length) return undefined;
  if (r[0].length > size || s[0].length > size) return undefined;
  const raw = new Uint8Array(2 * size);
  raw.set(r[0], size - r[0].length);
  raw.set(s[0], 2 * size - s[0].length);
  return raw;
}

/** The DER ECDSA-Sig-Value of `r ‖ s` (for tests and for building certificates). */
export function rawSignatureToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const half = raw.length / 2;
  const integer = (value: Uint8Array) => {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    const magnitude = value.subarray(i);
    const padded = magnitude[0]! & 0x80 ? Uint8Array.of(0, ...magnitude) : magnitude;
    return [0x02, padded.length, ...padded];
  };
  const body = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return Uint8Array.from(body.length < 0x80 ? [0x30, body.length, ...body] : [0x30, 0x81, body.length, ...body]);
}
