/**
 * `rsa` on WebCrypto: `RSA-OAEP`, `RSA-PSS` and `RSASSA-PKCS1-v1_5` keys. A WebCrypto key is bound
 * to one algorithm and hash, so this backend keeps the key as JWK and imports (and caches) one
 * `CryptoKey` per algorithm and hash it is used with. Components go in and out as JWK, PKCS#8 as
 * `pkcs8`.
 *
 * WebCrypto limits (each an `UnsupportedError`):
 * - RSA-OAEP and RSA-PSS always use MGF1 with the OAEP/PSS hash itself (Web Cryptography API,
 *   sections on RsaOaepParams and RsaPssParams have no MGF1 parameter), so another MGF1 hash is
 *   unsupported;
 * - key generation takes any `publicExponent`; this package asks for 65537 only (browsers accept
 *   only 3 and 65537).
 */
import type { RsaKeyPairInner, RsaOaepParams, RsaPrivateComponents, RsaPssParams, RsaPublicComponents, RsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { arrayBufferBacked } from '../internal/bytes.ts';
import { UnsupportedError } from '../internal/unsupported.ts';
import { subtle } from '../internal/webcrypto.ts';

type RsaAlgorithm = 'RSA-OAEP' | 'RSA-PSS' | 'RSASSA-PKCS1-v1_5';

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
function unb64(text: string | undefined): OwnedBytes {
  const binary = atob((text ?? '').replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function sameMgf1(params: { hash: HashAlgorithm; mgf1Hash: HashAlgorithm }, what: string): void {
  if (params.mgf1Hash !== params.hash) {
    throw new UnsupportedError('native', `${what} with ${params.hash} and MGF1-${params.mgf1Hash}`, 'WebCrypto always uses MGF1 with the same hash');
  }
}

class NativeRsaPublicKey implements RsaPublicKeyInner {
  readonly #jwk: JsonWebKey;
  readonly #keys = new Map<string, Promise<CryptoKey>>();

  constructor(
    readonly components: RsaPublicComponents,
    jwk: JsonWebKey,
  ) {
    this.#jwk = jwk;
  }

  /** The `CryptoKey` for `algorithm` and `hash`, imported once (public or private, as the JWK is). */
  protected key(algorithm: RsaAlgorithm, hash: HashAlgorithm, usage: KeyUsage): Promise<CryptoKey> {
    const id = `${algorithm}/${hash}/${usage}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      const jwk = usage === 'encrypt' || usage === 'verify' ? { kty: 'RSA', n: this.#jwk.n, e: this.#jwk.e } : this.#jwk;
      key = subtle().importKey('jwk', jwk, { name: algorithm, hash }, false, [usage]);
      this.#keys.set(id, key);
    }
    return key;
  }

  async oaepEncrypt(plaintext: Uint8Array, params: RsaOaepParams): Promise<OwnedBytes> {
    sameMgf1(params, 'RSA-OAEP');
    const key = await this.key('RSA-OAEP', params.hash, 'encrypt');
    return new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP', label: arrayBufferBacked(params.label) }, key, arrayBufferBacked(plaintext)));
  }

  async pkcs1Verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): Promise<boolean> {
    const key = await this.key('RSASSA-PKCS1-v1_5', hash, 'verify');
    return subtle().verify('RSASSA-PKCS1-v1_5', key, arrayBufferBacked(signature), arrayBufferBacked(message));
  }

  async pssVerify(message: Uint8Array, signature: Uint8Array, params: RsaPssParams): Promise<boolean> {
    sameMgf1(params, 'RSA-PSS');
    const key = await this.key('RSA-PSS', params.hash, 'verify');
    return subtle().verify({ name: 'RSA-PSS', saltLength: params.saltLength }, key, arrayBufferBacked(signature), arrayBufferBacked(message));
  }
}

class NativeRsaKeyPair extends NativeRsaPublicKey implements RsaKeyPairInner {
  constructor(
    readonly privateComponents: RsaPrivateComponents,
    jwk: JsonWebKey,
  ) {
    super({ n: privateComponents.n, e: privateComponents.e }, jwk);
  }

  async pkcs8Der(): Promise<OwnedBytes> {
    const key = await subtle().importKey('jwk', toJwk(this.privateComponents), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['sign']);
    return new Uint8Array(await subtle().exportKey('pkcs8', key));
  }

  async oaepDecrypt(ciphertext: Uint8Array, params: RsaOaepParams): Promise<OwnedBytes> {
    sameMgf1(params, 'RSA-OAEP');
    const key = await this.key('RSA-OAEP', params.hash, 'decrypt');
    return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP', label: arrayBufferBacked(params.label) }, key, arrayBufferBacked(ciphertext)));
  }

  async pkcs1Sign(data: Uint8Array, hash: HashAlgorithm): Promise<OwnedBytes> {
    const key = await this.key('RSASSA-PKCS1-v1_5', hash, 'sign');
    return new Uint8Array(await subtle().sign('RSASSA-PKCS1-v1_5', key, arrayBufferBacked(data)));
  }

  async pssSign(data: Uint8Array, params: RsaPssParams): Promise<OwnedBytes> {
    sameMgf1(params, 'RSA-PSS');
    const key = await this.key('RSA-PSS', params.hash, 'sign');
    return new Uint8Array(await subtle().sign({ name: 'RSA-PSS', saltLength: params.saltLength }, key, arrayBufferBacked(data)));
  }
}

function toJwk(c: RsaPrivateComponents): JsonWebKey {
  return { kty: 'RSA', n: b64(c.n), e: b64(c.e), d: b64(c.d), p: b64(c.p), q: b64(c.q), dp: b64(c.dp), dq: b64(c.dq), qi: b64(c.qi) };
}

function fromJwk(jwk: JsonWebKey): RsaKeyPairInner {
  const c: RsaPrivateComponents = { n: unb64(jwk.n), e: unb64(jwk.e), d: unb64(jwk.d), p: unb64(jwk.p), q: unb64(jwk.q), dp: unb64(jwk.dp), dq: unb64(jwk.dq), qi: unb64(jwk.qi) };
  return new NativeRsaKeyPair(c, toJwk(c));
}

export async function generate(bits: number): Promise<RsaKeyPairInner> {
  const pair = await subtle().generateKey({ name: 'RSA-PSS', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
  return fromJwk(await subtle().exportKey('jwk', pair.privateKey));
}

export async function fromPkcs8Der(der: Uint8Array): Promise<RsaKeyPairInner> {
  const key = await subtle().importKey('pkcs8', arrayBufferBacked(der), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['sign']);
  return fromJwk(await subtle().exportKey('jwk', key));
}

export async function fromPrivateComponents(components: RsaPrivateComponents): Promise<RsaKeyPairInner> {
  const jwk = toJwk(components);
  // Import once now, so a key WebCrypto refuses fails here rather than at first use.
  await subtle().importKey('jwk', jwk, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  return new NativeRsaKeyPair(components, jwk);
}

export async function fromPublicComponents(components: RsaPublicComponents): Promise<RsaPublicKeyInner> {
  const jwk: JsonWebKey = { kty: 'RSA', n: b64(components.n), e: b64(components.e) };
  await subtle().importKey('jwk', jwk, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
  return new NativeRsaPublicKey(components, jwk);
}
