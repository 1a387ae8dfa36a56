/**
 * Big-integer helpers on native `bigint`, shared by the public `rsa` module (checking and
 * completing components) and the `noble` backend. Not constant-time: used on public values, and on
 * private ones only where the README says so (the pure-JS backend, and recovering the primes of a
 * key given as `n, e, d` once at import).
 */
import type { OwnedBytes } from '../backend/backend.ts';

/** The unsigned big-endian integer of `bytes` (empty is 0). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** `value` as big-endian bytes: minimal (no leading zeros; 0 is one zero byte), or left-padded to `length`. */
export function bigIntToBytes(value: bigint, length?: number): OwnedBytes {
  if (value < 0n) throw new RangeError('negative integer');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const minimal = hex.length / 2;
  const size = length ?? minimal;
  if (minimal > size) throw new RangeError(`integer does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  for (let i = 0; i < minimal; i++) out[size - minimal + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** `bytes` without leading zero bytes (at least one byte is kept). */
export function stripLeadingZeros(bytes: Uint8Array): OwnedBytes {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return new Uint8Array(bytes.subarray(i));
}

/** The bit length of `value` (0 for 0). */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** `base ** exponent mod modulus`, square and multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** `a⁻¹ mod m`; throws if it does not exist. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

/**
 * The primes `p > q` of `n` from `e` and `d` (NIST SP 800-56B rev. 2, appendix C.2: `k = de - 1`
 * is a multiple of λ(n); a random `g` finds a square root of 1 that is not ±1 within a few tries).
 * Throws if `(n, e, d)` is not a two-prime RSA key.
 */
export function recoverPrimes(n: bigint, e: bigint, d: bigint): { p: bigint; q: bigint } {
  const k = d * e - 1n;
  if (k <= 0n || k % 2n !== 0n) throw new RangeError('d * e - 1 must be even and positive');
  let t = 0;
  let r = k;
  while (r % 2n === 0n) {
    r /= 2n;
    t++;
  }
  // Deterministic small bases are enough: each one succeeds with probability at least 1/2.
  for (let g = 2n; g < 2n + 200n; g++) {
    let y = modPow(g, r, n);
    if (y === 1n || y === n - 1n) continue;
    for (let i = 1; i <= t; i++) {
      const x = (y * y) % n;
      if (x === 1n) {
        const p = gcd(y - 1n, n);
        if (p === 1n || p === n) break;
        const q = n / p;
        return p > q ? { p, q } : { p: q, q: p };
      }
      if (x === n - 1n) break;
      y = x;
    }
  }
  throw new RangeError('cannot factor n from e and d: not a consistent two-prime RSA key');
}
