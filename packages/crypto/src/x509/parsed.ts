/**
 * The part of `x509` the `noble` and `native` backends share: a certificate parsed by
 * `internal/asn1.ts` (neither pure JS nor WebCrypto parses X.509 otherwise) whose signature is
 * checked with that backend's own `rsa` and `ecdsa` keys. Each backend passes its key constructors
 * in, so this file uses no backend library. The `openssl` backend uses OpenSSL for parsing and
 * verification and only {@link checkSignatureAlgorithm} and the name fields from here.
 */
import type { EcdsaPublicKeyInner, RsaPublicComponents, RsaPublicKeyInner, X509CertificateDetails, X509CertificateInner, X509PublicKeyInner } from '../backend/asymmetric.ts';
import type { Awaitable, OwnedBytes } from '../backend/backend.ts';
import { HASH_LENGTHS } from '../hashes/algorithm.ts';
import { derSignatureToRaw, KEY_SIZES } from '../ecdsa/encoding.ts';
import { bitLength, bytesToBigInt } from '../internal/bigint.ts';
import { issuedBy, parseCertificate, type CertificateFields, type SignatureAlgorithm } from '../internal/asn1.ts';

/** The signature algorithms `x509` verifies; throws for any other (the same on every backend). */
export function checkSignatureAlgorithm(fields: CertificateFields): Exclude<SignatureAlgorithm, { kind: 'unsupported' }> {
  const algorithm = fields.signatureAlgorithm;
  if (algorithm.kind === 'unsupported') throw new Error(`unsupported certificate signature: ${algorithm.description}`);
  return algorithm;
}

const isRsa = (key: RsaPublicKeyInner | EcdsaPublicKeyInner): key is RsaPublicKeyInner => 'components' in key;

/**
 * Whether the certificate's signature verifies under `key`: RSA PKCS#1 v1.5, RSASSA-PSS with the
 * certificate's parameters, or ECDSA (DER signature, strictly decoded). A key of the wrong kind,
 * a signature of the wrong size, or outer and inner algorithms that differ are `false`.
 */
export async function verifyCertificate(fields: CertificateFields, key: RsaPublicKeyInner | EcdsaPublicKeyInner): Promise<boolean> {
  const algorithm = checkSignatureAlgorithm(fields);
  if (!fields.algorithmsMatch) return false;
  if (algorithm.kind === 'ecdsa') {
    if (isRsa(key)) return false;
    const raw = derSignatureToRaw(fields.signature, KEY_SIZES[key.curve]);
    return raw !== undefined && (await key.verify(fields.tbs, raw, algorithm.hash));
  }
  if (!isRsa(key)) return false;
  if (fields.signature.length !== key.components.n.length) return false;
  if (algorithm.kind === 'rsa-pkcs1') return key.pkcs1Verify(fields.tbs, fields.signature, algorithm.hash);
  const emLen = Math.ceil((bitLength(bytesToBigInt(key.components.n)) - 1) / 8);
  if (algorithm.params.saltLength > emLen - HASH_LENGTHS[algorithm.params.hash] - 2) return false;
  return key.pssVerify(fields.tbs, fields.signature, algorithm.params);
}

/** The key constructors of one backend. */
export interface KeyFactory {
  rsa(components: RsaPublicComponents): Awaitable<RsaPublicKeyInner>;
  ecdsa(curve: 'P-384', publicKey: Uint8Array): Awaitable<EcdsaPublicKeyInner>;
}

/** A certificate of the `noble` or `native` backend. */
export class ParsedCertificate implements X509CertificateInner {
  readonly der: OwnedBytes;
  readonly fields: CertificateFields;
  readonly #keys: KeyFactory;

  constructor(der: Uint8Array, keys: KeyFactory) {
    this.der = new Uint8Array(der);
    this.fields = parseCertificate(this.der);
    this.#keys = keys;
  }

  async publicKey(): Promise<X509PublicKeyInner> {
    const spki = this.fields.spki;
    if (spki.kind === 'rsa') return { kind: 'rsa', key: await this.#keys.rsa({ n: spki.n, e: spki.e }) };
    if (spki.kind === 'ec-p384') return { kind: 'ecdsa', key: await this.#keys.ecdsa('P-384', spki.publicKeyBytes) };
    throw new Error(`unsupported certificate key: ${spki.description}`);
  }

  verify(issuerKey: RsaPublicKeyInner | EcdsaPublicKeyInner): Promise<boolean> {
    return verifyCertificate(this.fields, issuerKey);
  }

  issued(subject: X509CertificateInner): boolean {
    return issuedBy(this.fields, (subject as ParsedCertificate).fields);
  }

  subjectCommonName(): string | undefined {
    return this.fields.subjectCommonName;
  }

  issuerDn(): string {
    return this.fields.issuerDn;
  }

  serialNumber(): OwnedBytes {
    return new Uint8Array(this.fields.serialNumber);
  }

  details(): X509CertificateDetails {
    return this.fields.details;
  }
}
