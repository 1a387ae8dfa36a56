/**
 * `ecdsa` on WebCrypto: `ECDSA` keys on the named curve, `subtle.sign`/`subtle.verify` with the
 * chosen hash. WebCrypto's ECDSA signatures are already `r ‖ s` (IEEE P1363); public keys are
 * imported in the `raw` format (the uncompressed point), which WebCrypto checks is on the curve.
 */
import type { EcdsaCurveName, EcdsaKeyPairInner, EcdsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { arrayBufferBacked } from '../internal/bytes.ts';
import { subtle } from '../internal/webcrypto.ts';

class NativeEcdsaPublicKey implements EcdsaPublicKeyInner {
  constructor(
    readonly curve: EcdsaCurveName,
    readonly publicKeyBytes: OwnedBytes,
    readonly key: CryptoKey,
  ) {}

  verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): Promise<boolean> {
    return subtle().verify({ name: 'ECDSA', hash }, this.key, arrayBufferBacked(signature), arrayBufferBacked(message));
  }
}

class NativeEcdsaKeyPair extends NativeEcdsaPublicKey implements EcdsaKeyPairInner {
  readonly #privateKey: CryptoKey;

  constructor(curve: EcdsaCurveName, publicKeyBytes: OwnedBytes, publicKey: CryptoKey, privateKey: CryptoKey) {
    super(curve, publicKeyBytes, publicKey);
    this.#privateKey = privateKey;
  }

  async sign(data: Uint8Array, hash: HashAlgorithm): Promise<OwnedBytes> {
    return new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, this.#privateKey, arrayBufferBacked(data)));
  }
}

export async function generate(curve: EcdsaCurveName): Promise<EcdsaKeyPairInner> {
  const pair = await subtle().generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return new NativeEcdsaKeyPair(curve, raw.slice(1), pair.publicKey, pair.privateKey);
}

export async function fromPublicKeyBytes(curve: EcdsaCurveName, publicKey: Uint8Array): Promise<EcdsaPublicKeyInner> {
  const point = Uint8Array.of(0x04, ...publicKey);
  const key = await subtle().importKey('raw', point, { name: 'ECDSA', namedCurve: curve }, true, ['verify']);
  return new NativeEcdsaPublicKey(curve, new Uint8Array(publicKey), key);
}
