/**
 * `rsa` on `node:crypto`: OpenSSL RSA keys (`KeyObject`), `crypto.sign`/`crypto.verify` with
 * `RSA_PKCS1_PADDING` or `RSA_PKCS1_PSS_PADDING` and an exact `saltLength`, and
 * `publicEncrypt`/`privateDecrypt` with `RSA_PKCS1_OAEP_PADDING`, `oaepHash` and `oaepLabel`.
 *
 * `node:crypto` has no option for the MGF1 hash (OpenSSL then uses the OAEP/PSS hash). For an
 * MGF1 hash that differs, this backend runs only the RSA primitive in OpenSSL (`RSA_NO_PADDING`:
 * `privateDecrypt` is the private-key operation, with OpenSSL's blinding; `publicEncrypt` the
 * public one) and the RFC 8017 encoding in `internal/rsa_padding.ts`.
 * Components go in and out as JWK.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { RsaKeyPairInner, RsaOaepParams, RsaPrivateComponents, RsaPssParams, RsaPublicComponents, RsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { bitLength, bytesToBigInt } from '../internal/bigint.ts';
import { ownedCopy } from '../internal/bytes.ts';
import { NODE_HASH_NAMES, PUBLIC_KEY_OBJECTS } from '../internal/node.ts';
import { oaepDecode, oaepEncode, pssEncode, pssVerify, type SyncHash } from '../internal/rsa_padding.ts';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const unb64 = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? '', 'base64url'));
const hash: SyncHash = (algorithm, data) => createHash(NODE_HASH_NAMES[algorithm]).update(data).digest();
const random = (length: number) => new Uint8Array(randomBytes(length));

function publicJwk(c: RsaPublicComponents): JsonWebKey {
  return { kty: 'RSA', n: b64(c.n), e: b64(c.e) };
}

/** An OpenSSL RSA public key (its `KeyObject` is registered for `x509/openssl.ts`). */
class OpensslRsaPublicKey implements RsaPublicKeyInner {
  readonly components: RsaPublicComponents;
  readonly #bits: number;

  constructor(readonly key: KeyObject) {
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`not an RSA key: ${key.asymmetricKeyType}`);
    const jwk = key.export({ format: 'jwk' });
    this.components = { n: unb64(jwk.n), e: unb64(jwk.e) };
    this.#bits = bitLength(bytesToBigInt(this.components.n));
    PUBLIC_KEY_OBJECTS.set(this, key);
  }

  /** The RSA primitive with the public key: `input^e mod n`, `k` bytes. Throws if `input >= n`. */
  protected rawPublic(input: Uint8Array): Uint8Array {
    return publicEncrypt({ key: this.key, padding: constants.RSA_NO_PADDING }, input);
  }

  oaepEncrypt(plaintext: Uint8Array, params: RsaOaepParams): OwnedBytes {
    if (params.mgf1Hash === params.hash) {
      return ownedCopy(publicEncrypt({ key: this.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: NODE_HASH_NAMES[params.hash], oaepLabel: params.label }, plaintext));
    }
    return ownedCopy(this.rawPublic(oaepEncode(hash, params, plaintext, this.components.n.length, random)));
  }

  pkcs1Verify(message: Uint8Array, signature: Uint8Array, hashAlgorithm: HashAlgorithm): boolean {
    return verify(NODE_HASH_NAMES[hashAlgorithm], message, { key: this.key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }

  pssVerify(message: Uint8Array, signature: Uint8Array, params: RsaPssParams): boolean {
    if (params.mgf1Hash === params.hash) {
      return verify(NODE_HASH_NAMES[params.hash], message, { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, signature);
    }
    let m: Uint8Array;
    try {
      m = this.rawPublic(signature);
    } catch {
      return false; // the signature is not below the modulus
    }
    const emBits = this.#bits - 1;
    const emLen = Math.ceil(emBits / 8);
    if (m.length > emLen && m[0] !== 0) return false;
    return pssVerify(hash, params, message, m.subarray(m.length - emLen), emBits);
  }
}

class OpensslRsaKeyPair extends OpensslRsaPublicKey implements RsaKeyPairInner {
  readonly privateComponents: RsaPrivateComponents;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    super(createPublicKey(privateKey));
    if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`not an RSA key: ${privateKey.asymmetricKeyType}`);
    this.#privateKey = privateKey;
    const jwk = privateKey.export({ format: 'jwk' });
    this.privateComponents = { n: unb64(jwk.n), e: unb64(jwk.e), d: unb64(jwk.d), p: unb64(jwk.p), q: unb64(jwk.q), dp: unb64(jwk.dp), dq: unb64(jwk.dq), qi: unb64(jwk.qi) };
  }

  /** The RSA primitive with the private key (blinded by OpenSSL): `input^d mod n`, `k` bytes. */
  #rawPrivate(input: Uint8Array): Uint8Array {
    return privateDecrypt({ key: this.#privateKey, padding: constants.RSA_NO_PADDING }, input);
  }

  pkcs8Der(): OwnedBytes {
    return ownedCopy(this.#privateKey.export({ format: 'der', type: 'pkcs8' }));
  }

  oaepDecrypt(ciphertext: Uint8Array, params: RsaOaepParams): OwnedBytes {
    if (params.mgf1Hash === params.hash) {
      return ownedCopy(privateDecrypt({ key: this.#privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: NODE_HASH_NAMES[params.hash], oaepLabel: params.label }, ciphertext));
    }
    const em = this.#rawPrivate(ciphertext);
    try {
      return ownedCopy(oaepDecode(hash, params, em));
    } finally {
      em.fill(0);
    }
  }

  pkcs1Sign(data: Uint8Array, hashAlgorithm: HashAlgorithm): OwnedBytes {
    return ownedCopy(sign(NODE_HASH_NAMES[hashAlgorithm], data, { key: this.#privateKey, padding: constants.RSA_PKCS1_PADDING }));
  }

  pssSign(data: Uint8Array, params: RsaPssParams): OwnedBytes {
    if (params.mgf1Hash === params.hash) {
      return ownedCopy(sign(NODE_HASH_NAMES[params.hash], data, { key: this.#privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }));
    }
    const bits = bitLength(bytesToBigInt(this.components.n));
    const em = pssEncode(hash, params, data, bits - 1, random);
    const k = this.components.n.length;
    const padded = new Uint8Array(k);
    padded.set(em, k - em.length);
    return ownedCopy(this.#rawPrivate(padded));
  }
}

export function generate(bits: number): RsaKeyPairInner {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return new OpensslRsaKeyPair(privateKey);
}

export function fromPkcs8Der(der: Uint8Array): RsaKeyPairInner {
  return new OpensslRsaKeyPair(createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }));
}

export function fromPrivateComponents(c: RsaPrivateComponents): RsaKeyPairInner {
  const jwk: JsonWebKey = { ...publicJwk(c), d: b64(c.d), p: b64(c.p), q: b64(c.q), dp: b64(c.dp), dq: b64(c.dq), qi: b64(c.qi) };
  return new OpensslRsaKeyPair(createPrivateKey({ key: jwk, format: 'jwk' }));
}

export function fromPublicComponents(c: RsaPublicComponents): RsaPublicKeyInner {
  return new OpensslRsaPublicKey(createPublicKey({ key: publicJwk(c), format: 'jwk' }));
}
