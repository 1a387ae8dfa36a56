/**
 * `rsa` in pure JavaScript: `micro-rsa-dsa-dh` (by the author of `@noble/*`, on `@noble/hashes`)
 * for OAEP (any hash, any MGF1 hash, label), PSS (any salt length) and PKCS#1 v1.5, on native
 * `bigint`. Key generation uses its FIPS 186-5 prime generation (`IFCPrimes`, appendix A.1.3);
 * PKCS#8 is encoded and decoded with `internal/asn1.ts`.
 *
 * NOT CONSTANT-TIME: `bigint` arithmetic and the library's private-key operations (RSADP without
 * CRT or blinding; OAEP unpadding that exits early) leak timing. Verification and encryption use
 * only public values. Checked against every applicable Wycheproof vector before adoption.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { IFCPrimes, OAEP, PKCS1_SHA1, PKCS1_SHA256, PKCS1_SHA384, PKCS1_SHA512, PSS, mgf1, type IPKCS } from 'micro-rsa-dsa-dh/rsa.js';
import type { RsaKeyPairInner, RsaOaepParams, RsaPrivateComponents, RsaPssParams, RsaPublicComponents, RsaPublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { decodeRsaPkcs8, encodeRsaPkcs8 } from '../internal/asn1.ts';
import { bigIntToBytes, bytesToBigInt, modInverse } from '../internal/bigint.ts';

const HASHES = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;
const PKCS1: Readonly<Record<HashAlgorithm, IPKCS>> = { 'SHA-1': PKCS1_SHA1, 'SHA-256': PKCS1_SHA256, 'SHA-384': PKCS1_SHA384, 'SHA-512': PKCS1_SHA512 };

const oaep = (params: RsaOaepParams) => OAEP(HASHES[params.hash], mgf1(HASHES[params.mgf1Hash]), params.label);
const pss = (params: RsaPssParams) => PSS(HASHES[params.hash], mgf1(HASHES[params.mgf1Hash]), params.saltLength);

class NobleRsaPublicKey implements RsaPublicKeyInner {
  readonly #key: { n: bigint; e: bigint };

  constructor(readonly components: RsaPublicComponents) {
    this.#key = { n: bytesToBigInt(components.n), e: bytesToBigInt(components.e) };
  }

  oaepEncrypt(plaintext: Uint8Array, params: RsaOaepParams): OwnedBytes {
    return oaep(params).encrypt(this.#key, plaintext) as OwnedBytes;
  }

  pkcs1Verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): boolean {
    try {
      return PKCS1[hash].verify(this.#key, message, signature);
    } catch {
      return false; // a signature not below the modulus
    }
  }

  pssVerify(message: Uint8Array, signature: Uint8Array, params: RsaPssParams): boolean {
    try {
      return pss(params).verify(this.#key, message, signature);
    } catch {
      return false;
    }
  }
}

class NobleRsaKeyPair extends NobleRsaPublicKey implements RsaKeyPairInner {
  readonly #key: { n: bigint; d: bigint };

  constructor(readonly privateComponents: RsaPrivateComponents) {
    super({ n: privateComponents.n, e: privateComponents.e });
    this.#key = { n: bytesToBigInt(privateComponents.n), d: bytesToBigInt(privateComponents.d) };
  }

  pkcs8Der(): OwnedBytes {
    return encodeRsaPkcs8(this.privateComponents);
  }

  oaepDecrypt(ciphertext: Uint8Array, params: RsaOaepParams): OwnedBytes {
    return new Uint8Array(oaep(params).decrypt(this.#key, ciphertext));
  }

  pkcs1Sign(data: Uint8Array, hash: HashAlgorithm): OwnedBytes {
    return PKCS1[hash].sign(this.#key, data) as OwnedBytes;
  }

  pssSign(data: Uint8Array, params: RsaPssParams): OwnedBytes {
    return pss(params).sign(this.#key, data) as OwnedBytes;
  }
}

export function generate(bits: number): RsaKeyPairInner {
  const e = 65537n;
  const { p, q } = IFCPrimes(bits, e);
  const [big, small] = p > q ? [p, q] : [q, p];
  const lambda = ((big - 1n) * (small - 1n)) / gcdOf(big - 1n, small - 1n);
  const d = modInverse(e, lambda);
  const b = (x: bigint) => bigIntToBytes(x);
  return new NobleRsaKeyPair({ n: b(big * small), e: b(e), d: b(d), p: b(big), q: b(small), dp: b(d % (big - 1n)), dq: b(d % (small - 1n)), qi: b(modInverse(small, big)) });
}

function gcdOf(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function fromPkcs8Der(der: Uint8Array): RsaKeyPairInner {
  return new NobleRsaKeyPair(decodeRsaPkcs8(der));
}

export function fromPrivateComponents(components: RsaPrivateComponents): RsaKeyPairInner {
  return new NobleRsaKeyPair(components);
}

export function fromPublicComponents(components: RsaPublicComponents): RsaPublicKeyInner {
  return new NobleRsaPublicKey(components);
}
