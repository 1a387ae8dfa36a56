/**
 * `ecdsa` in pure JavaScript: `@noble/curves`' `p384` over a digest from `@noble/hashes`
 * (`prehash: false`, so the chosen hash is used, not the curve's default). Verification allows
 * high-S signatures (`lowS: false`, as OpenSSL); signing is hedged (`extraEntropy: true`: RFC 6979
 * nonces mixed with fresh randomness). Public keys are checked to be on the curve.
 * noble's scalar multiplication is written to be constant-time, within what JavaScript allows.
 */
import { p384 } from '@noble/curves/nist.js';
import type { EcdsaCurveName, EcdsaKeyPairInner, EcdsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { digest } from '../hashes/noble.ts';

class NobleEcdsaPublicKey implements EcdsaPublicKeyInner {
  readonly #point: Uint8Array;

  constructor(
    readonly curve: EcdsaCurveName,
    readonly publicKeyBytes: OwnedBytes,
  ) {
    this.#point = Uint8Array.of(0x04, ...publicKeyBytes);
  }

  verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): boolean {
    try {
      return p384.verify(signature, digest(hash, message), this.#point, { prehash: false, lowS: false, format: 'compact' });
    } catch {
      return false; // r or s out of range
    }
  }
}

class NobleEcdsaKeyPair extends NobleEcdsaPublicKey implements EcdsaKeyPairInner {
  readonly #secretKey: Uint8Array;

  constructor(curve: EcdsaCurveName, secretKey: Uint8Array) {
    super(curve, p384.getPublicKey(secretKey, false).slice(1));
    this.#secretKey = secretKey;
  }

  sign(data: Uint8Array, hash: HashAlgorithm): OwnedBytes {
    return p384.sign(digest(hash, data), this.#secretKey, { prehash: false, lowS: false, extraEntropy: true, format: 'compact' }) as OwnedBytes;
  }
}

export function generate(curve: EcdsaCurveName): EcdsaKeyPairInner {
  return new NobleEcdsaKeyPair(curve, p384.utils.randomSecretKey());
}

export function fromPublicKeyBytes(curve: EcdsaCurveName, publicKey: Uint8Array): EcdsaPublicKeyInner {
  p384.Point.fromBytes(Uint8Array.of(0x04, ...publicKey)).assertValidity();
  return new NobleEcdsaPublicKey(curve, new Uint8Array(publicKey));
}
