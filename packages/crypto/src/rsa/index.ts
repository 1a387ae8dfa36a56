/**
 * RSA (RFC 8017), as openvmm's `rsa` module plus the parameters its callers need: key generation
 * (2048, 3072 or 4096 bits, e = 65537), PKCS#8 import and export, import and export of components
 * (n, e, d, p, q, ...), RSAES-OAEP encryption and decryption (any OAEP hash, any MGF1 hash, a
 * label), RSASSA-PKCS1-v1_5 and RSASSA-PSS signatures (any salt length; the default is openvmm's:
 * MGF1 with the message hash and a salt as long as the hash, which is what AMD's ARK and ASK use
 * with SHA-384).
 *
 * Every operation is async, because WebCrypto's are (the `native` backend). A signature that does
 * not verify, including one that is not exactly the modulus length, is `false`; {@link RsaError}
 * is for misuse and real failures. A failed OAEP decryption is an error (no plaintext is ever
 * returned for a bad ciphertext). An operation the linked backend cannot do fails with an
 * `RsaError` whose `cause` is an `UnsupportedError` (`isUnsupported(error)`); README.md lists them.
 *
 * Keys: the modulus is 2048 to 16384 bits; the public exponent is odd, at least 3 and at most 64
 * bits (OpenSSL's limit). SHA-1 is accepted for OAEP and for verifying legacy signatures, never
 * for making a signature.
 *
 * Timing: the `openssl` and `native` backends use OpenSSL (with RSA blinding). The `noble`
 * backend is pure JavaScript on `bigint`, which is not constant-time: its private-key operations
 * (decryption, signing) leak timing. Use it only where that is acceptable.
 */
import * as backend from '#backend';
import type { RsaKeyPairInner, RsaOaepParams, RsaPrivateComponents, RsaPssParams, RsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { HASH_LENGTHS, HashAlgorithm, isHashAlgorithm } from '../hashes/algorithm.ts';
import { bigIntToBytes, bitLength, bytesToBigInt, gcd, modInverse, recoverPrimes, stripLeadingZeros } from '../internal/bigint.ts';
import { assertBytes, describe, isIntegerIn } from '../internal/bytes.ts';

/** The key sizes {@link RsaKeyPair.generate} makes. */
export const RSA_GENERATE_BITS = [2048, 3072, 4096] as const;

/** The smallest and largest modulus accepted on import, in bits. */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 16384;

/** The one error of this module: "RSA operation failed", with the reason as `cause`. */
export class RsaError extends Error {
  override readonly name = 'RsaError';

  constructor(cause: unknown) {
    super('RSA operation failed', { cause });
  }
}

/** The public components of an RSA key, big-endian (openvmm's `RsaPublicKeyComponents`). */
export interface RsaPublicKeyComponents {
  modulus: Uint8Array;
  publicExponent: Uint8Array;
}

/**
 * The private components of a two-prime RSA key, big-endian (the fields of PKCS#1's
 * `RSAPrivateKey`). On import only `modulus`, `publicExponent` and `privateExponent` are required:
 * missing primes are recovered from them (NIST SP 800-56B appendix C), missing CRT values computed.
 */
export interface RsaPrivateKeyComponents extends RsaPublicKeyComponents {
  privateExponent: Uint8Array;
  prime1?: Uint8Array;
  prime2?: Uint8Array;
  exponent1?: Uint8Array;
  exponent2?: Uint8Array;
  coefficient?: Uint8Array;
}

/** Options of OAEP: the MGF1 hash (default: the OAEP hash) and the label (default: empty). */
export interface RsaOaepOptions {
  mgf1Hash?: HashAlgorithm;
  label?: Uint8Array;
}

/** Options of PSS: the salt length in bytes (default: the hash length) and the MGF1 hash (default: the message hash). */
export interface RsaPssOptions {
  saltLength?: number;
  mgf1Hash?: HashAlgorithm;
}

function checkHash(hash: unknown, what = 'hash algorithm'): asserts hash is HashAlgorithm {
  if (!isHashAlgorithm(hash)) throw new TypeError(`unknown ${what} ${typeof hash === 'string' ? JSON.stringify(hash) : describe(hash)}`);
}

function checkSigningHash(hash: unknown): asserts hash is HashAlgorithm {
  checkHash(hash);
  if (hash === HashAlgorithm.Sha1) throw new RangeError('SHA-1 is accepted for verifying legacy signatures only, not for signing');
}

/** Checks the public components; returns them as bigints. */
function checkPublic(n: Uint8Array, e: Uint8Array): { n: bigint; e: bigint } {
  const nn = bytesToBigInt(n);
  const ee = bytesToBigInt(e);
  const bits = bitLength(nn);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw new RangeError(`the modulus is ${bits} bits; ${RSA_MIN_BITS} to ${RSA_MAX_BITS} are accepted`);
  if (nn % 2n === 0n) throw new RangeError('the modulus is even');
  if (ee < 3n || ee % 2n === 0n || bitLength(ee) > 64) throw new RangeError('the public exponent must be odd, at least 3 and at most 64 bits');
  return { n: nn, e: ee };
}

/** Completes and checks private components (see {@link RsaPrivateKeyComponents}). */
function completePrivate(c: RsaPrivateKeyComponents): RsaPrivateComponents {
  for (const [field, value] of Object.entries(c)) if (value !== undefined) assertBytes(value, field);
  const { n, e } = checkPublic(c.modulus, c.publicExponent);
  const d = bytesToBigInt(c.privateExponent);
  if (d <= 1n || d >= n) throw new RangeError('the private exponent is out of range');
  let p: bigint;
  let q: bigint;
  if (c.prime1 === undefined && c.prime2 === undefined) {
    ({ p, q } = recoverPrimes(n, e, d));
  } else {
    if (c.prime1 === undefined || c.prime2 === undefined) throw new TypeError('give both primes or neither');
    p = bytesToBigInt(c.prime1);
    q = bytesToBigInt(c.prime2);
  }
  if (p <= 1n || q <= 1n || p * q !== n) throw new RangeError('prime1 * prime2 is not the modulus');
  if ((d * e) % (p - 1n) !== 1n % (p - 1n) || (d * e) % (q - 1n) !== 1n % (q - 1n)) throw new RangeError('the private exponent does not match the public exponent');
  if (gcd(e, (p - 1n) * (q - 1n)) !== 1n) throw new RangeError('the public exponent is not invertible');
  const dp = d % (p - 1n);
  const dq = d % (q - 1n);
  const qi = modInverse(q, p);
  const given: [Uint8Array | undefined, bigint, string][] = [
    [c.exponent1, dp, 'exponent1'],
    [c.exponent2, dq, 'exponent2'],
    [c.coefficient, qi, 'coefficient'],
  ];
  for (const [value, expected, field] of given) {
    if (value !== undefined && bytesToBigInt(value) !== expected) throw new RangeError(`${field} does not match the key`);
  }
  const b = (x: bigint) => bigIntToBytes(x);
  return { n: b(n), e: b(e), d: b(d), p: b(p), q: b(q), dp: b(dp), dq: b(dq), qi: b(qi) };
}

const TOKEN = Symbol('RsaPublicKey');
let innerOf: (key: RsaPublicKey) => RsaPublicKeyInner;

/** An RSA public key. Made by {@link RsaPublicKey.fromComponents}, {@link RsaKeyPair}, or `X509Certificate.publicKey()`. */
export class RsaPublicKey {
  readonly #inner: RsaPublicKeyInner;
  readonly #bits: number;

  /** Not for use: keys come from the static constructors. */
  constructor(token: symbol, inner: RsaPublicKeyInner) {
    if (token !== TOKEN) throw new RsaError(new TypeError('use RsaPublicKey.fromComponents or RsaKeyPair'));
    this.#inner = inner;
    this.#bits = bitLength(bytesToBigInt(inner.components.n));
  }

  static {
    innerOf = (key) => key.#inner;
  }

  /** A key from the big-endian modulus `n` and public exponent `e` (openvmm's `from_components`). */
  static async fromComponents(n: Uint8Array, e: Uint8Array): Promise<RsaPublicKey> {
    try {
      assertBytes(n, 'n');
      assertBytes(e, 'e');
      checkPublic(n, e);
      return new RsaPublicKey(TOKEN, await backend.rsa.fromPublicComponents({ n: stripLeadingZeros(n), e: stripLeadingZeros(e) }));
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** The modulus size in bytes (the length of every signature and ciphertext). */
  modulusSize(): number {
    return this.#inner.components.n.length;
  }

  /** The modulus size in bits. */
  modulusBits(): number {
    return this.#bits;
  }

  /** The public components, big-endian without leading zeros. */
  toComponents(): { modulus: OwnedBytes; publicExponent: OwnedBytes } {
    const { n, e } = this.#inner.components;
    return { modulus: new Uint8Array(n), publicExponent: new Uint8Array(e) };
  }

  /** Checks OAEP arguments; returns the parameters. */
  protected oaepParams(hash: HashAlgorithm, options: RsaOaepOptions): RsaOaepParams {
    checkHash(hash);
    const mgf1Hash = options.mgf1Hash ?? hash;
    checkHash(mgf1Hash, 'MGF1 hash');
    const label = options.label ?? new Uint8Array(0);
    assertBytes(label, 'label');
    if (this.modulusSize() < 2 * HASH_LENGTHS[hash] + 2) throw new RangeError(`the key is too short for OAEP with ${hash}`);
    return { hash, mgf1Hash, label: new Uint8Array(label) };
  }

  /** Checks PSS arguments; returns the parameters. */
  protected pssParams(hash: HashAlgorithm, options: RsaPssOptions): RsaPssParams {
    checkHash(hash);
    const mgf1Hash = options.mgf1Hash ?? hash;
    checkHash(mgf1Hash, 'MGF1 hash');
    const saltLength = options.saltLength ?? HASH_LENGTHS[hash];
    const emLen = Math.ceil((this.modulusBits() - 1) / 8);
    const maxSalt = emLen - HASH_LENGTHS[hash] - 2;
    if (!isIntegerIn(saltLength, 0, maxSalt)) throw new RangeError(`saltLength must be an integer from 0 to ${maxSalt} for this key and hash, got ${describe(saltLength)}`);
    return { hash, mgf1Hash, saltLength };
  }

  /** Encrypts `input` with RSAES-OAEP (`hashAlgorithm`, MGF1 with `options.mgf1Hash` or the same hash, `options.label`). */
  async oaepEncrypt(input: Uint8Array, hashAlgorithm: HashAlgorithm, options: RsaOaepOptions = {}): Promise<OwnedBytes> {
    try {
      assertBytes(input, 'input');
      const params = this.oaepParams(hashAlgorithm, options);
      const max = this.modulusSize() - 2 * HASH_LENGTHS[params.hash] - 2;
      if (input.length > max) throw new RangeError(`OAEP with ${params.hash} encrypts at most ${max} bytes under this key, got ${input.length}`);
      return await this.#inner.oaepEncrypt(input, params);
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `message` with `hashAlgorithm`. */
  async pkcs1Verify(message: Uint8Array, signature: Uint8Array, hashAlgorithm: HashAlgorithm): Promise<boolean> {
    try {
      assertBytes(message, 'message');
      assertBytes(signature, 'signature');
      checkHash(hashAlgorithm);
      if (signature.length !== this.modulusSize()) return false;
      return await this.#inner.pkcs1Verify(message, signature, hashAlgorithm);
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /**
   * Whether `signature` is a valid RSASSA-PSS signature of `message` with `hashAlgorithm`, MGF1
   * with `options.mgf1Hash` (default: the same hash) and a salt of exactly `options.saltLength`
   * bytes (default: the hash length).
   */
  async pssVerify(message: Uint8Array, signature: Uint8Array, hashAlgorithm: HashAlgorithm, options: RsaPssOptions = {}): Promise<boolean> {
    try {
      assertBytes(message, 'message');
      assertBytes(signature, 'signature');
      const params = this.pssParams(hashAlgorithm, options);
      if (signature.length !== this.modulusSize()) return false;
      return await this.#inner.pssVerify(message, signature, params);
    } catch (error) {
      throw new RsaError(error);
    }
  }
}

/** An RSA key pair; it is also its own public key (openvmm's `Deref`). */
export class RsaKeyPair extends RsaPublicKey {
  #pair(): RsaKeyPairInner {
    return innerOf(this) as RsaKeyPairInner;
  }

  /** A new key of `bits` (2048, 3072 or 4096) with public exponent 65537. */
  static async generate(bits: (typeof RSA_GENERATE_BITS)[number]): Promise<RsaKeyPair> {
    try {
      if (!(RSA_GENERATE_BITS as readonly unknown[]).includes(bits)) throw new RangeError(`bits must be one of ${RSA_GENERATE_BITS.join(', ')}, got ${describe(bits)}`);
      return new RsaKeyPair(TOKEN, await backend.rsa.generate(bits));
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** A key from PKCS#8 `PrivateKeyInfo` DER (`PRIVATE KEY` PEM) holding a two-prime rsaEncryption key. */
  static async fromPkcs8Der(der: Uint8Array): Promise<RsaKeyPair> {
    try {
      assertBytes(der, 'der');
      const inner = await backend.rsa.fromPkcs8Der(new Uint8Array(der));
      const c = inner.privateComponents;
      completePrivate({ modulus: c.n, publicExponent: c.e, privateExponent: c.d, prime1: c.p, prime2: c.q, exponent1: c.dp, exponent2: c.dq, coefficient: c.qi });
      return new RsaKeyPair(TOKEN, inner);
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** A key from its private components (see {@link RsaPrivateKeyComponents}: primes and CRT values are optional). */
  static async fromPrivateComponents(components: RsaPrivateKeyComponents): Promise<RsaKeyPair> {
    try {
      if (typeof components !== 'object' || components === null) throw new TypeError(`components must be an object, got ${describe(components)}`);
      return new RsaKeyPair(TOKEN, await backend.rsa.fromPrivateComponents(completePrivate(components)));
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** The public half as a separate {@link RsaPublicKey}. */
  publicKey(): Promise<RsaPublicKey> {
    const { modulus, publicExponent } = this.toComponents();
    return RsaPublicKey.fromComponents(modulus, publicExponent);
  }

  /** PKCS#8 `PrivateKeyInfo` DER (version 0, rsaEncryption, NULL parameters). openvmm has this for tests only. */
  async toPkcs8Der(): Promise<OwnedBytes> {
    try {
      return await this.#pair().pkcs8Der();
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** All private components, big-endian without leading zeros. */
  toPrivateComponents(): Required<{ [K in keyof RsaPrivateKeyComponents]: OwnedBytes }> {
    const c = this.#pair().privateComponents;
    const copy = (x: Uint8Array) => new Uint8Array(x);
    return { modulus: copy(c.n), publicExponent: copy(c.e), privateExponent: copy(c.d), prime1: copy(c.p), prime2: copy(c.q), exponent1: copy(c.dp), exponent2: copy(c.dq), coefficient: copy(c.qi) };
  }

  /** Decrypts an RSAES-OAEP ciphertext (exactly the modulus length); any failure is an {@link RsaError}. */
  async oaepDecrypt(input: Uint8Array, hashAlgorithm: HashAlgorithm, options: RsaOaepOptions = {}): Promise<OwnedBytes> {
    try {
      assertBytes(input, 'input');
      const params = this.oaepParams(hashAlgorithm, options);
      if (input.length !== this.modulusSize()) throw new RangeError(`an OAEP ciphertext is ${this.modulusSize()} bytes under this key, got ${input.length}`);
      return await this.#pair().oaepDecrypt(input, params);
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** Signs `data` with RSASSA-PKCS1-v1_5 and `hashAlgorithm` (not SHA-1). */
  async pkcs1Sign(data: Uint8Array, hashAlgorithm: HashAlgorithm): Promise<OwnedBytes> {
    try {
      assertBytes(data, 'data');
      checkSigningHash(hashAlgorithm);
      return await this.#pair().pkcs1Sign(data, hashAlgorithm);
    } catch (error) {
      throw new RsaError(error);
    }
  }

  /** Signs `data` with RSASSA-PSS and `hashAlgorithm` (not SHA-1); see {@link RsaPssOptions} for the defaults. */
  async pssSign(data: Uint8Array, hashAlgorithm: HashAlgorithm, options: RsaPssOptions = {}): Promise<OwnedBytes> {
    try {
      assertBytes(data, 'data');
      checkSigningHash(hashAlgorithm);
      return await this.#pair().pssSign(data, this.pssParams(hashAlgorithm, options));
    } catch (error) {
      throw new RsaError(error);
    }
  }
}

/** The backend key inside `key` (for `x509`; not exported from the package). */
export function rsaInner(key: RsaPublicKey): RsaPublicKeyInner {
  return innerOf(key);
}

/** Wraps a backend key after checking its components (for `x509`; not exported from the package). */
export function wrapRsaPublicKey(inner: RsaPublicKeyInner): RsaPublicKey {
  checkPublic(inner.components.n, inner.components.e);
  return new RsaPublicKey(TOKEN, inner);
}

