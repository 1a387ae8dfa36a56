/**
 * `x509` on `node:crypto`: OpenSSL parses the certificate (`X509Certificate`), extracts its key,
 * verifies its signature (`X509_verify`, which reads RSA-PSS parameters itself) and checks
 * issuance (`X509_check_issued`: names, key identifiers, key usage). `node:crypto` gives names
 * only as display strings and no signature algorithm, so the issuer DN, subject CN and serial
 * number, and the check that the signature algorithm is one `x509` supports (the same list on
 * every backend), come from `internal/asn1.ts`.
 */
import { X509Certificate } from 'node:crypto';
import type { EcdsaPublicKeyInner, RsaPublicKeyInner, X509CertificateDetails, X509CertificateInner, X509PublicKeyInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { fromPublicKeyBytes } from '../ecdsa/openssl.ts';
import { parseCertificate, type CertificateFields } from '../internal/asn1.ts';
import { PUBLIC_KEY_OBJECTS } from '../internal/node.ts';
import { fromPublicComponents } from '../rsa/openssl.ts';
import { checkSignatureAlgorithm } from './parsed.ts';

class OpensslCertificate implements X509CertificateInner {
  readonly der: OwnedBytes;
  readonly #cert: X509Certificate;
  readonly #fields: CertificateFields;

  constructor(der: Uint8Array) {
    this.der = new Uint8Array(der);
    this.#cert = new X509Certificate(this.der);
    this.#fields = parseCertificate(this.der);
  }

  publicKey(): X509PublicKeyInner {
    const spki = this.#fields.spki;
    // Handed over as components (imported by `node:crypto` as JWK, which checks them again), so
    // which key kinds are supported is decided the same way on every backend.
    if (spki.kind === 'rsa') return { kind: 'rsa', key: fromPublicComponents({ n: spki.n, e: spki.e }) };
    if (spki.kind === 'ec-p384') return { kind: 'ecdsa', key: fromPublicKeyBytes('P-384', spki.publicKeyBytes) };
    throw new Error(`unsupported certificate key: ${spki.description}`);
  }

  verify(issuerKey: RsaPublicKeyInner | EcdsaPublicKeyInner): boolean {
    checkSignatureAlgorithm(this.#fields);
    const key = PUBLIC_KEY_OBJECTS.get(issuerKey);
    if (key === undefined) throw new Error('not a key of the openssl backend');
    return this.#cert.verify(key);
  }

  issued(subject: X509CertificateInner): boolean {
    return (subject as OpensslCertificate).#cert.checkIssued(this.#cert);
  }

  subjectCommonName(): string | undefined {
    return this.#fields.subjectCommonName;
  }

  issuerDn(): string {
    return this.#fields.issuerDn;
  }

  serialNumber(): OwnedBytes {
    return new Uint8Array(this.#fields.serialNumber);
  }

  details(): X509CertificateDetails {
    return this.#fields.details;
  }
}

export function fromDer(der: Uint8Array): X509CertificateInner {
  return new OpensslCertificate(der);
}
