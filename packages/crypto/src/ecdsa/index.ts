/**
 * ECDSA (FIPS 186-5) on NIST P-384, as openvmm's `ecdsa` module: generate a key pair, sign (the
 * message is hashed with the chosen {@link HashAlgorithm}), verify, and import and export public keys.
 *
 * Formats (openvmm's):
 * - signatures are `r ‖ s`, big-endian, each 48 bytes (96 bytes); {@link EcdsaPublicKey.verifyDer}
 *   also verifies a DER `ECDSA-Sig-Value` (as in X.509), accepting strict DER only;
 * - public keys are `Qx ‖ Qy` (96 bytes, {@link EcdsaPublicKey.publicKeyBytes}), the SEC 1
 *   uncompressed point `0x04 ‖ Qx ‖ Qy` (97 bytes), or a DER SubjectPublicKeyInfo.
 *
 * Every operation is async, because WebCrypto's are (the `native` backend). Signing is randomized
 * on every backend (two signatures of one message differ). High-S signatures verify, as in
 * OpenSSL and WebCrypto (no low-S rule). A signature that does not verify, including one of the
 * wrong length or a malformed DER, is `false`; {@link EcdsaError} is for misuse and real failures.
 * SHA-1 is accepted for verification of legacy signatures only: signing with it is refused.
 *
 * openvmm offers P-384 only (no P-256), and no private-key import or export; neither does this.
 */
import * as backend from '#backend';
import type { EcdsaKeyPairInner, EcdsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { HashAlgorithm, isHashAlgorithm } from '../hashes/algorithm.ts';
import { assertBytes, describe } from '../internal/bytes.ts';
import { KEY_SIZES, derSignatureToRaw, publicKeyFromSpki, spkiFromPublicKey } from './encoding.ts';

/** The curves of this module. */
export const EcdsaCurve = {
  /** NIST P-384 (secp384r1): 48-byte coordinates and scalars. */
  P384: 'P-384',
} as const;

export type EcdsaCurve = (typeof EcdsaCurve)[keyof typeof EcdsaCurve];

/** The one error of this module: "ECDSA operation failed", with the reason as `cause`. */
export class EcdsaError extends Error {
  override readonly name = 'EcdsaError';

  constructor(cause: unknown) {
    super('ECDSA operation failed', { cause });
  }
}

function checkCurve(curve: unknown): asserts curve is EcdsaCurve {
  if (curve !== EcdsaCurve.P384) throw new TypeError(`unknown curve ${typeof curve === 'string' ? JSON.stringify(curve) : describe(curve)}; expected "P-384"`);
}

function checkHash(hash: unknown): asserts hash is HashAlgorithm {
  if (!isHashAlgorithm(hash)) throw new TypeError(`unknown hash algorithm ${typeof hash === 'string' ? JSON.stringify(hash) : describe(hash)}`);
}

const TOKEN = Symbol('EcdsaPublicKey');
let innerOf: (key: EcdsaPublicKey) => EcdsaPublicKeyInner;

/** An ECDSA public key. Made by the static constructors, {@link EcdsaKeyPair.generate}, or `X509Certificate.publicKey()`. */
export class EcdsaPublicKey {
  readonly #inner: EcdsaPublicKeyInner;

  /** Not for use: keys come from the static constructors. */
  constructor(token: symbol, inner: EcdsaPublicKeyInner) {
    if (token !== TOKEN) throw new EcdsaError(new TypeError('use EcdsaPublicKey.fromPublicKeyBytes, fromUncompressedPoint or fromPublicKeyDer'));
    this.#inner = inner;
  }

  static {
    innerOf = (key) => key.#inner;
  }

  /** A key from `Qx ‖ Qy` (big-endian, each coordinate `keySize` bytes: 96 bytes for P-384). The point must be on the curve. */
  static async fromPublicKeyBytes(curve: EcdsaCurve, publicKey: Uint8Array): Promise<EcdsaPublicKey> {
    try {
      checkCurve(curve);
      assertBytes(publicKey, 'publicKey');
      if (publicKey.length !== 2 * KEY_SIZES[curve]) throw new RangeError(`a ${curve} public key is ${2 * KEY_SIZES[curve]} bytes (Qx ‖ Qy), got ${publicKey.length}`);
      return new EcdsaPublicKey(TOKEN, await backend.ecdsa.fromPublicKeyBytes(curve, new Uint8Array(publicKey)));
    } catch (error) {
      throw error instanceof EcdsaError ? error : new EcdsaError(error);
    }
  }

  /** A key from the SEC 1 uncompressed point `0x04 ‖ Qx ‖ Qy` (97 bytes for P-384). */
  static async fromUncompressedPoint(curve: EcdsaCurve, point: Uint8Array): Promise<EcdsaPublicKey> {
    try {
      checkCurve(curve);
      assertBytes(point, 'point');
      if (point.length !== 1 + 2 * KEY_SIZES[curve] || point[0] !== 0x04) throw new RangeError(`an uncompressed ${curve} point is 0x04 followed by ${2 * KEY_SIZES[curve]} bytes`);
    } catch (error) {
      throw new EcdsaError(error);
    }
    return EcdsaPublicKey.fromPublicKeyBytes(curve, point.subarray(1));
  }

  /** A key from a DER SubjectPublicKeyInfo (`PUBLIC KEY` PEM); the curve comes from the key and must be P-384. */
  static async fromPublicKeyDer(spki: Uint8Array): Promise<EcdsaPublicKey> {
    let publicKey: Uint8Array;
    try {
      assertBytes(spki, 'spki');
      publicKey = publicKeyFromSpki(spki);
    } catch (error) {
      throw new EcdsaError(error);
    }
    return EcdsaPublicKey.fromPublicKeyBytes(EcdsaCurve.P384, publicKey);
  }

  get curve(): EcdsaCurve {
    return this.#inner.curve;
  }

  /** The size of one coordinate or scalar in bytes (48 for P-384). */
  get keySize(): number {
    return KEY_SIZES[this.#inner.curve];
  }

  /** `Qx ‖ Qy`, big-endian (96 bytes for P-384). */
  publicKeyBytes(): OwnedBytes {
    return new Uint8Array(this.#inner.publicKeyBytes);
  }

  /** The SEC 1 uncompressed point `0x04 ‖ Qx ‖ Qy`. */
  uncompressedPoint(): OwnedBytes {
    const out = new Uint8Array(1 + this.#inner.publicKeyBytes.length);
    out[0] = 0x04;
    out.set(this.#inner.publicKeyBytes, 1);
    return out;
  }

  /** The DER SubjectPublicKeyInfo (id-ecPublicKey, named curve, uncompressed point). */
  publicKeyDer(): OwnedBytes {
    return spkiFromPublicKey(this.#inner.publicKeyBytes);
  }

  /**
   * Whether `signature` (`r ‖ s`, each `keySize` bytes) is a valid signature of `message` hashed
   * with `hashAlgorithm`. Any other signature, including one of the wrong length, is `false`.
   */
  async verify(message: Uint8Array, signature: Uint8Array, hashAlgorithm: HashAlgorithm): Promise<boolean> {
    try {
      assertBytes(message, 'message');
      assertBytes(signature, 'signature');
      checkHash(hashAlgorithm);
      if (signature.length !== 2 * this.keySize) return false;
      return await this.#inner.verify(message, signature, hashAlgorithm);
    } catch (error) {
      throw new EcdsaError(error);
    }
  }

  /**
   * As {@link verify}, for a DER `ECDSA-Sig-Value` (RFC 3279), as in X.509 and CMS. Only strict DER
   * is accepted: a BER or otherwise malformed encoding is `false`.
   */
  async verifyDer(message: Uint8Array, signature: Uint8Array, hashAlgorithm: HashAlgorithm): Promise<boolean> {
    try {
      assertBytes(signature, 'signature');
    } catch (error) {
      throw new EcdsaError(error);
    }
    const raw = derSignatureToRaw(signature, this.keySize);
    if (raw === undefined) {
      // Still validate the other arguments, so misuse is an error whatever the signature.
      await this.verify(message, new Uint8Array(0), hashAlgorithm);
      return false;
    }
    return this.verify(message, raw, hashAlgorithm);
  }
}

/** An ECDSA key pair; it is also its own public key (openvmm's `Deref`). */
export class EcdsaKeyPair extends EcdsaPublicKey {
  /** A new random key pair on `curve`. */
  static async generate(curve: EcdsaCurve): Promise<EcdsaKeyPair> {
    try {
      checkCurve(curve);
      return new EcdsaKeyPair(TOKEN, await backend.ecdsa.generate(curve));
    } catch (error) {
      throw new EcdsaError(error);
    }
  }

  /** The public half as a separate {@link EcdsaPublicKey}. */
  publicKey(): Promise<EcdsaPublicKey> {
    return EcdsaPublicKey.fromPublicKeyBytes(this.curve, this.publicKeyBytes());
  }

  /** Signs `data` hashed with `hashAlgorithm` (not SHA-1); the signature is `r ‖ s`, each `keySize` bytes. */
  async sign(data: Uint8Array, hashAlgorithm: HashAlgorithm): Promise<OwnedBytes> {
    try {
      assertBytes(data, 'data');
      checkHash(hashAlgorithm);
      if (hashAlgorithm === HashAlgorithm.Sha1) throw new RangeError('SHA-1 is accepted for verifying legacy signatures only, not for signing');
      const inner = innerOf(this) as EcdsaKeyPairInner;
      return await inner.sign(data, hashAlgorithm);
    } catch (error) {
      throw new EcdsaError(error);
    }
  }
}

/** The backend key inside `key` (for `x509`; not exported from the package). */
export function ecdsaInner(key: EcdsaPublicKey): EcdsaPublicKeyInner {
  return innerOf(key);
}

/** Wraps a backend key (for `x509`; not exported from the package). */
export function wrapEcdsaPublicKey(inner: EcdsaPublicKeyInner): EcdsaPublicKey {
  return new EcdsaPublicKey(TOKEN, inner);
}
