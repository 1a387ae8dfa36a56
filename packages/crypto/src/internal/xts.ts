/**
 * XTS-AES (IEEE Std 1619-2007, NIST SP 800-38E) assembled from a block cipher, for the backends
 * whose library has no XTS mode: `noble` (on `@noble/ciphers`' AES-ECB) and `native` (on WebCrypto
 * AES, see `internal/webcrypto_aes.ts`). The `openssl` backend uses OpenSSL's own `aes-256-xts`.
 * Backend-neutral: the backend supplies the AES operations, sync or async.
 *
 * One data unit P of L >= 16 bytes, m = floor(L / 16) full blocks, r = L mod 16, tweak i:
 *
 *   T_0 = AES-256(K2, i);  T_{j+1} = T_j * alpha in GF(2^128) (little-endian, x^128 + x^7 + x^2 + x + 1)
 *   C_j = AES-256(K1, P_j xor T_j) xor T_j
 *
 * and, when r > 0, ciphertext stealing (IEEE 1619 section 5.3.2): the last full block is encrypted
 * with T_{m-1} into CC; the partial output block is the first r bytes of CC; the block before it is
 * the encryption, with T_m, of the r plaintext bytes followed by the last 16 - r bytes of CC.
 * Decryption mirrors it (section 5.4.2), using T_m before T_{m-1}.
 *
 * All full blocks go to the block cipher in one bulk call (independent blocks, ECB); stealing adds
 * one single-block call after it.
 */
import type { Awaitable, OwnedBytes } from '../backend/backend.ts';

export const BLOCK = 16;

/** The AES operations XTS needs, sync or async. Each returns a new array and keeps no reference. */
export interface XtsBlockCiphers {
  /** AES-256 encryption of one block under the tweak key K2. */
  encryptTweak(block: Uint8Array): Awaitable<Uint8Array>;
  /** AES-256 encryption of every 16-byte block under the data key K1, independently (ECB). */
  encryptBlocks(blocks: Uint8Array): Awaitable<Uint8Array>;
  /** AES-256 decryption of every 16-byte block under K1, independently (ECB). */
  decryptBlocks(blocks: Uint8Array): Awaitable<Uint8Array>;
}

/** `fn(value)`, synchronously when `value` is not a promise (keeps the `noble` path sync). */
function then<T, U>(value: Awaitable<T>, fn: (value: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Whether this platform stores a `Uint32Array` little-endian (then the fast word paths below apply). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** `count` consecutive tweaks T_0, T_0 * alpha, ... as one array of `count` blocks. */
export function tweakSequence(t0: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * BLOCK);
  out.set(t0.subarray(0, BLOCK));
  if (!LITTLE_ENDIAN) {
    for (let j = 1; j < count; j++) {
      let carry = 0;
      for (let k = 0; k < BLOCK; k++) {
        const byte = out[(j - 1) * BLOCK + k]!;
        out[j * BLOCK + k] = ((byte << 1) | carry) & 0xff;
        carry = byte >>> 7;
      }
      if (carry) out[j * BLOCK] = out[j * BLOCK]! ^ 0x87;
    }
    return out;
  }
  // The tweak as four little-endian 32-bit words w0 (least significant) .. w3; doubling shifts the
  // 128-bit integer left by one and folds the carry out of bit 127 back in as 0x87.
  const words = new Uint32Array(out.buffer);
  let w0 = words[0]!;
  let w1 = words[1]!;
  let w2 = words[2]!;
  let w3 = words[3]!;
  for (let j = 1, i = 4; j < count; j++, i += 4) {
    const carry = w3 >>> 31;
    w3 = ((w3 << 1) | (w2 >>> 31)) >>> 0;
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1 = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    w0 = ((w0 << 1) ^ (carry * 0x87)) >>> 0;
    words[i] = w0;
    words[i + 1] = w1;
    words[i + 2] = w2;
    words[i + 3] = w3;
  }
  return out;
}

/** `out[i] = a[i] ^ b[i]` for `i < length` (32 bits at a time when all three are word-aligned). */
export function xorInto(out: Uint8Array, a: Uint8Array, b: Uint8Array, length = out.length): Uint8Array {
  if (((out.byteOffset | a.byteOffset | b.byteOffset | length) & 3) === 0) {
    const o = new Uint32Array(out.buffer, out.byteOffset, length >>> 2);
    const x = new Uint32Array(a.buffer, a.byteOffset, length >>> 2);
    const y = new Uint32Array(b.buffer, b.byteOffset, length >>> 2);
    for (let i = 0; i < o.length; i++) o[i] = x[i]! ^ y[i]!;
    return out;
  }
  for (let i = 0; i < length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** XTS-AES encryption of one data unit (see the module doc). `data.length >= 16`. */
export function xtsEncrypt(ciphers: XtsBlockCiphers, tweak: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes> {
  const full = Math.floor(data.length / BLOCK);
  const partial = data.length % BLOCK;
  return then(ciphers.encryptTweak(tweak), (t0) => {
    const tweaks = tweakSequence(t0, partial === 0 ? full : full + 1);
    const bulk = full * BLOCK;
    const x = xorInto(new Uint8Array(bulk), data, tweaks, bulk);
    return then(ciphers.encryptBlocks(x), (y) => {
      const out = new Uint8Array(data.length);
      xorInto(out, y, tweaks, bulk);
      if (partial === 0) return out;
      // Ciphertext stealing: CC is the last full block's output, now at [bulk - 16, bulk).
      const last = bulk - BLOCK;
      const cc = out.slice(last, bulk);
      out.set(cc.subarray(0, partial), bulk);
      const pp = cc;
      pp.set(data.subarray(bulk), 0);
      const tm = tweaks.subarray(bulk, bulk + BLOCK);
      xorInto(pp, pp, tm);
      return then(ciphers.encryptBlocks(pp), (block) => {
        xorInto(out.subarray(last, bulk), block, tm, BLOCK);
        return out;
      });
    });
  });
}

/** XTS-AES decryption of one data unit (see the module doc). `data.length >= 16`. */
export function xtsDecrypt(ciphers: XtsBlockCiphers, tweak: Uint8Array, data: Uint8Array): Awaitable<OwnedBytes> {
  const full = Math.floor(data.length / BLOCK);
  const partial = data.length % BLOCK;
  return then(ciphers.encryptTweak(tweak), (t0) => {
    const count = partial === 0 ? full : full + 1;
    const tweaks = tweakSequence(t0, count);
    const bulk = full * BLOCK;
    // With stealing, the last full ciphertext block is decrypted with T_m instead of T_{m-1}.
    let used = tweaks;
    if (partial !== 0) {
      used = tweaks.slice(0, bulk);
      used.set(tweaks.subarray(bulk, bulk + BLOCK), bulk - BLOCK);
    }
    const x = xorInto(new Uint8Array(bulk), data, used, bulk);
    return then(ciphers.decryptBlocks(x), (y) => {
      const out = new Uint8Array(data.length);
      xorInto(out, y, used, bulk);
      if (partial === 0) return out;
      // PP is at [bulk - 16, bulk): its first r bytes are the partial plaintext block; CC is the
      // partial ciphertext followed by the rest of PP, decrypted with T_{m-1}.
      const last = bulk - BLOCK;
      const pp = out.slice(last, bulk);
      out.set(pp.subarray(0, partial), bulk);
      const cc = pp;
      cc.set(data.subarray(bulk), 0);
      const tPrevious = tweaks.subarray(last, bulk);
      xorInto(cc, cc, tPrevious);
      return then(ciphers.decryptBlocks(cc), (block) => {
        xorInto(out.subarray(last, bulk), block, tPrevious, BLOCK);
        return out;
      });
    });
  });
}
