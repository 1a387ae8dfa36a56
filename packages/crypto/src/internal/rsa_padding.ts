/**
 * RSA encodings of RFC 8017 in plain TypeScript over a caller-supplied hash: EME-OAEP (section
 * 7.1) and EMSA-PSS (section 9.1) with MGF1 (appendix B.2.1).
 *
 * Used by the `openssl` backend where `node:crypto` exposes no parameter for what OpenSSL can do
 * (an MGF1 hash other than the OAEP/PSS hash): it then runs only the RSA primitive in OpenSSL
 * (`RSA_NO_PADDING`, with OpenSSL's blinding) and the encoding here. OAEP decoding follows the
 * RFC's advice and checks every condition without an early exit, reporting one error at the end.
 */
import type { RsaOaepParams, RsaPssParams } from '../backend/asymmetric.ts';
import { HASH_LENGTHS, type HashAlgorithm } from '../hashes/algorithm.ts';

/** A synchronous digest function, such as `node:crypto`'s. */
export type SyncHash = (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array;

/** A source of `length` random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** MGF1 (RFC 8017 appendix B.2.1): `length` bytes from `seed`. */
export function mgf1(hash: SyncHash, algorithm: HashAlgorithm, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  const hLen = HASH_LENGTHS[algorithm];
  for (let counter = 0, offset = 0; offset < length; counter++, offset += hLen) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    out.set(hash(algorithm, input).subarray(0, Math.min(hLen, length - offset)), offset);
  }
  return out;
}

function xorInto(target: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= mask[i]!;
}

/** EME-OAEP encoding of `message` into `k` bytes (RFC 8017 section 7.1.1 step 2). Throws if it is too long. */
export function oaepEncode(hash: SyncHash, params: RsaOaepParams, message: Uint8Array, k: number, random: RandomBytes): Uint8Array {
  const hLen = HASH_LENGTHS[params.hash];
  if (message.length > k - 2 * hLen - 2) throw new RangeError(`message too long: at most ${k - 2 * hLen - 2} bytes for this key and hash`);
  const db = new Uint8Array(k - hLen - 1);
  db.set(hash(params.hash, params.label));
  db[db.length - message.length - 1] = 0x01;
  db.set(message, db.length - message.length);
  const seed = random(hLen);
  xorInto(db, mgf1(hash, params.mgf1Hash, seed, db.length));
  xorInto(seed, mgf1(hash, params.mgf1Hash, db, hLen));
  const em = new Uint8Array(k);
  em.set(seed, 1);
  em.set(db, 1 + hLen);
  return em;
}

/**
 * EME-OAEP decoding of the `k`-byte `em` (RFC 8017 section 7.1.2 step 3). Every check is made
 * without an early exit or a data-dependent branch; any failure throws the one "decryption error".
 */
export function oaepDecode(hash: SyncHash, params: RsaOaepParams, em: Uint8Array): Uint8Array {
  const hLen = HASH_LENGTHS[params.hash];
  const k = em.length;
  if (k < 2 * hLen + 2) throw new Error('decryption error');
  const seed = em.slice(1, 1 + hLen);
  const db = em.slice(1 + hLen);
  xorInto(seed, mgf1(hash, params.mgf1Hash, db, hLen));
  xorInto(db, mgf1(hash, params.mgf1Hash, seed, db.length));
  const lHash = hash(params.hash, params.label);
  let bad = em[0]!;
  for (let i = 0; i < hLen; i++) bad |= db[i]! ^ lHash[i]!;
  // Find the 0x01 separator after the zero padding without branching on the data.
  let found = 0; // 1 once the separator has been seen
  let index = 0;
  for (let i = hLen; i < db.length; i++) {
    const byte = db[i]!;
    const isOne = ((byte ^ 1) - 1) >>> 31; // 1 iff byte === 1
    const isZero = (byte - 1) >>> 31; // 1 iff byte === 0
    const firstOne = isOne & (found ^ 1);
    index |= -firstOne & i;
    bad |= (found ^ 1) & (isZero ^ 1) & (isOne ^ 1); // a non-zero, non-one byte before the separator
    found |= isOne;
  }
  bad |= found ^ 1;
  if (bad !== 0) throw new Error('decryption error');
  return db.slice(index + 1);
}

/** EMSA-PSS encoding (RFC 8017 section 9.1.1) for an `emBits`-bit modulus minus one. */
export function pssEncode(hash: SyncHash, params: RsaPssParams, message: Uint8Array, emBits: number, random: RandomBytes): Uint8Array {
  const hLen = HASH_LENGTHS[params.hash];
  const emLen = Math.ceil(emBits / 8);
  const sLen = params.saltLength;
  if (emLen < hLen + sLen + 2) throw new RangeError('encoding error: the key is too short for this hash and salt length');
  const mHash = hash(params.hash, message);
  const salt = random(sLen);
  const mPrime = new Uint8Array(8 + hLen + sLen);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const h = hash(params.hash, mPrime);
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - sLen - hLen - 2] = 0x01;
  db.set(salt, emLen - sLen - hLen - 1);
  xorInto(db, mgf1(hash, params.mgf1Hash, h, db.length));
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS verification (RFC 8017 section 9.1.2) of `em` (`ceil(emBits / 8)` bytes). */
export function pssVerify(hash: SyncHash, params: RsaPssParams, message: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const hLen = HASH_LENGTHS[params.hash];
  const emLen = Math.ceil(emBits / 8);
  const sLen = params.saltLength;
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >>> (8 * emLen - emBits);
  if ((db[0]! & ~topMask & 0xff) !== 0) return false;
  xorInto(db, mgf1(hash, params.mgf1Hash, h, db.length));
  db[0]! &= topMask;
  const separator = emLen - hLen - sLen - 2;
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  const mPrime = new Uint8Array(8 + hLen + sLen);
  mPrime.set(hash(params.hash, message), 8);
  mPrime.set(db.subarray(db.length - sLen), 8 + hLen);
  const hPrime = hash(params.hash, mPrime);
  let difference = 0;
  for (let i = 0; i < hLen; i++) difference |= hPrime[i]! ^ h[i]!;
  return difference === 0;
}
