/**
 * XTS-AES-256 (IEEE Std 1619-2007, NIST SP 800-38E) for sector encryption, as openvmm's
 * `xts_aes_256`: `new XtsAes256(key, dataUnitSize)` with a 64-byte key (K1, the data key, then K2,
 * the tweak key), then `encrypt(tweak, data)` / `decrypt(tweak, data)`.
 *
 * The tweak is the data unit's sequence number (for a disk, the sector number), an unsigned
 * integer below 2^128 encoded as 16 little-endian bytes, as openvmm's `u128` tweak and OpenSSL's
 * IV. `data` is one or more whole data units of `dataUnitSize` bytes; unit k (from 0) is encrypted
 * with tweak `tweak + k`, so a run of consecutive sectors can be passed at once (IEEE 1619
 * section 5.1; Windows' BCrypt XTS does the same, and openvmm's disk layer loops one sector at a time
 * with the same numbering). With exactly one data unit this is exactly openvmm's `cipher(tweak, data)`.
 *
 * Sizes: a data unit is 16 bytes to 16 MiB (2^20 blocks, the IEEE 1619 maximum); a size that is not
 * a multiple of 16 uses ciphertext stealing. The two key halves must differ (SP 800-38E; OpenSSL
 * refuses equal halves too). Output is a fresh array; XTS has no integrity.
 *
 * Async because the `native` backend is WebCrypto, which has no XTS: it is built from WebCrypto AES
 * (`internal/xts.ts`, `internal/webcrypto_aes.ts`); so is the `noble` backend's, on noble's AES-ECB.
 */
import * as backend from '#backend';
import type { Awaitable, OwnedBytes, XtsAes256Context } from '../backend/backend.ts';
import { assertBytes, describe, isIntegerIn } from '../internal/bytes.ts';
import { constantTimeEqual } from '../internal/constant_time.ts';
import { settle } from '../internal/promise.ts';

/** The key length in bytes: two AES-256 keys. */
export const XTS_AES_256_KEY_LENGTH = 64;

/** The smallest data unit in bytes (one AES block). */
export const XTS_AES_256_MIN_DATA_UNIT_SIZE = 16;

/** The largest data unit in bytes: 2^20 AES blocks (IEEE Std 1619-2007 section 5.1). */
export const XTS_AES_256_MAX_DATA_UNIT_SIZE = 16 * 2 ** 20;

/** The largest tweak, 2^128 - 1. */
export const XTS_AES_256_MAX_TWEAK = (1n << 128n) - 1n;

/** The one error of this module: "XTS-AES-256 operation failed", with the reason as `cause`. */
export class XtsAes256Error extends Error {
  override readonly name = 'XtsAes256Error';

  constructor(cause: unknown) {
    super('XTS-AES-256 operation failed', { cause });
  }
}

/** `tweak` as a bigint, or a `RangeError`/`TypeError` unless it is an integer in 0..2^128-1. */
function tweakValue(tweak: unknown): bigint {
  if (typeof tweak === 'number') {
    if (!Number.isSafeInteger(tweak) || tweak < 0) throw new RangeError(`tweak must be a non-negative safe integer or a bigint, got ${describe(tweak)}`);
    return BigInt(tweak);
  }
  if (typeof tweak !== 'bigint') throw new TypeError(`tweak must be a bigint or a number, got ${describe(tweak)}`);
  if (tweak < 0n || tweak > XTS_AES_256_MAX_TWEAK) throw new RangeError('tweak must be from 0 to 2^128 - 1');
  return tweak;
}

const U64 = (1n << 64n) - 1n;

/** The 16 little-endian bytes of `tweak`, after checking it (see {@link tweakValue}). */
function tweakBytes(tweak: unknown): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  if (typeof tweak === 'number' && Number.isSafeInteger(tweak) && tweak >= 0) {
    view.setUint32(0, tweak % 2 ** 32, true);
    view.setUint32(4, Math.floor(tweak / 2 ** 32), true);
    return out;
  }
  if (typeof tweak === 'bigint' && tweak >= 0n && tweak <= U64) {
    view.setBigUint64(0, tweak, true);
    return out;
  }
  const value = tweakValue(tweak);
  view.setBigUint64(0, value & U64, true);
  if (value > U64) view.setBigUint64(8, value >> 64n, true);
  return out;
}

const wrap = (error: unknown) => new XtsAes256Error(error);

type UnitOperation = (context: XtsAes256Context, tweak: Uint8Array, data: Uint8Array) => Awaitable<OwnedBytes>;

/** XTS-AES-256 under one 64-byte key and one data unit size. */
export class XtsAes256 {
  readonly #context: XtsAes256Context;
  readonly #dataUnitSize: number;

  /**
   * Throws {@link XtsAes256Error} unless `key` is 64 bytes with differing halves and `dataUnitSize`
   * an integer from 16 to 16 MiB. The key is copied.
   */
  constructor(key: Uint8Array, dataUnitSize: number) {
    try {
      assertBytes(key, 'key');
      if (key.length !== XTS_AES_256_KEY_LENGTH) throw new RangeError(`key must be ${XTS_AES_256_KEY_LENGTH} bytes, got ${key.length}`);
      if (constantTimeEqual(key.subarray(0, 32), key.subarray(32))) throw new RangeError('the two halves of the key must differ (NIST SP 800-38E)');
      if (!isIntegerIn(dataUnitSize, XTS_AES_256_MIN_DATA_UNIT_SIZE, XTS_AES_256_MAX_DATA_UNIT_SIZE)) {
        throw new RangeError(`dataUnitSize must be an integer from ${XTS_AES_256_MIN_DATA_UNIT_SIZE} to ${XTS_AES_256_MAX_DATA_UNIT_SIZE}, got ${describe(dataUnitSize)}`);
      }
      this.#dataUnitSize = dataUnitSize;
      this.#context = backend.xts_aes_256.create(key);
    } catch (error) {
      throw new XtsAes256Error(error);
    }
  }

  /** The data unit size in bytes, as given to the constructor. */
  get dataUnitSize(): number {
    return this.#dataUnitSize;
  }

  /** Encrypts `data`, one or more whole data units, the first with `tweak` (bigint or safe integer). */
  encrypt(tweak: bigint | number, data: Uint8Array): Promise<OwnedBytes> {
    return this.#run(tweak, data, (context, t, unit) => context.encrypt(t, unit));
  }

  /** Decrypts `data`, one or more whole data units, the first with `tweak` (bigint or safe integer). */
  decrypt(tweak: bigint | number, data: Uint8Array): Promise<OwnedBytes> {
    return this.#run(tweak, data, (context, t, unit) => context.decrypt(t, unit));
  }

  /**
   * Validates, then runs `operation` on each data unit. Not an `async` function: a synchronous
   * backend's result is wrapped in one resolved promise, which keeps the fixed cost per sector low.
   */
  #run(tweak: bigint | number, data: Uint8Array, operation: UnitOperation): Promise<OwnedBytes> {
    try {
      assertBytes(data, 'data');
      const size = this.#dataUnitSize;
      if (data.length === 0 || data.length % size !== 0) throw new RangeError(`data must be one or more whole data units of ${size} bytes, got ${data.length}`);
      const units = data.length / size;
      if (units === 1) return settle(operation(this.#context, tweakBytes(tweak), data), wrap);
      const first = tweakValue(tweak);
      if (first + BigInt(units - 1) > XTS_AES_256_MAX_TWEAK) throw new RangeError('the tweak of the last data unit would exceed 2^128 - 1');
      const results: Awaitable<OwnedBytes>[] = [];
      for (let k = 0; k < units; k++) results.push(operation(this.#context, tweakBytes(first + BigInt(k)), data.subarray(k * size, (k + 1) * size)));
      return settle(
        Promise.all(results).then((done) => {
          const out = new Uint8Array(data.length);
          done.forEach((unit, k) => out.set(unit, k * size));
          return out;
        }),
        wrap,
      );
    } catch (error) {
      return Promise.reject(new XtsAes256Error(error));
    }
  }

}
