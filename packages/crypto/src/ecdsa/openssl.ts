/**
 * `ecdsa` on `node:crypto`: OpenSSL's EC keys (`KeyObject`), `crypto.sign`/`crypto.verify` with
 * `dsaEncoding: 'ieee-p1363'` (`r ‖ s`). Public keys are imported as JWK coordinates, which
 * OpenSSL checks are a point on the curve.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { EcdsaCurveName, EcdsaKeyPairInner, EcdsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { ownedCopy } from '../internal/bytes.ts';
import { NODE_HASH_NAMES, PUBLIC_KEY_OBJECTS } from '../internal/node.ts';
import { KEY_SIZES } from './encoding.ts';

const NAMED_CURVES: Readonly<Record<EcdsaCurveName, string>> = { 'P-384': 'secp384r1' };

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function coordinate(value: string | undefined, size: number): Uint8Array {
  const bytes = Buffer.from(value ?? '', 'base64url');
  if (bytes.length > size) throw new Error('EC coordinate longer than the curve');
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

/** An OpenSSL EC public key (its `KeyObject` is registered for `x509/openssl.ts`). */
class OpensslEcdsaPublicKey implements EcdsaPublicKeyInner {
  readonly publicKeyBytes: OwnedBytes;

  constructor(
    readonly curve: EcdsaCurveName,
    readonly key: KeyObject,
  ) {
    const jwk = key.export({ format: 'jwk' });
    const size = KEY_SIZES[curve];
    const out = new Uint8Array(2 * size);
    out.set(coordinate(jwk.x, size));
    out.set(coordinate(jwk.y, size), size);
    this.publicKeyBytes = out;
    PUBLIC_KEY_OBJECTS.set(this, key);
  }

  verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): boolean {
    try {
      return verify(NODE_HASH_NAMES[hash], message, { key: this.key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      // OpenSSL reports r or s out of range as an error rather than a failed verification.
      return false;
    }
  }
}

class OpensslEcdsaKeyPair extends OpensslEcdsaPublicKey implements EcdsaKeyPairInner {
  readonly #privateKey: KeyObject;

  constructor(curve: EcdsaCurveName, publicKey: KeyObject, privateKey: KeyObject) {
    super(curve, publicKey);
    this.#privateKey = privateKey;
  }

  sign(data: Uint8Array, hash: HashAlgorithm): OwnedBytes {
    return ownedCopy(sign(NODE_HASH_NAMES[hash], data, { key: this.#privateKey, dsaEncoding: 'ieee-p1363' }));
  }
}

export function generate(curve: EcdsaCurveName): EcdsaKeyPairInner {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: NAMED_CURVES[curve] });
  return new OpensslEcdsaKeyPair(curve, publicKey, privateKey);
}

export function fromPublicKeyBytes(curve: EcdsaCurveName, publicKey: Uint8Array): EcdsaPublicKeyInner {
  const size = KEY_SIZES[curve];
  const key = createPublicKey({
    key: { kty: 'EC', crv: curve, x: b64url(publicKey.subarray(0, size)), y: b64url(publicKey.subarray(size)) },
    format: 'jwk',
  });
  return new OpensslEcdsaPublicKey(curve, key);
}
