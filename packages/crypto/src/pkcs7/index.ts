/**
 * PKCS#7 / CMS SignedData (RFC 5652) verification for UEFI authenticated variables and Secure
 * Boot signature databases, as openvmm's `pkcs7` module: parse a DER SignedData and verify its
 * detached signature over the given content against trusted certificates. It is deliberately
 * not a general PKCS#7 verifier.
 *
 * {@link Pkcs7SignedData.verifyUefi} follows openvmm's shared (non-OpenSSL) flow:
 * 1. the SignedData has exactly one SignerInfo, identified by issuer and serial number, whose
 *    certificate is among the embedded certificates (otherwise a {@link Pkcs7Error});
 * 2. the signer's RSA PKCS#1 v1.5 signature (digest SHA-256, SHA-384, SHA-512 or, for legacy
 *    variables, SHA-1) verifies over the content, or, when signed attributes are present, over
 *    their DER, with a content-type attribute and a messageDigest attribute equal to the
 *    content's digest (RFC 5652 section 5.4, which OpenSSL's `PKCS7_verify` also checks);
 * 3. a chain walk from the signer certificate: it succeeds at a certificate that is itself
 *    trusted, or that a trusted certificate issued and signed; otherwise it steps to an embedded
 *    certificate that issued and signed it (a loop ends the walk).
 * Any trusted certificate may be the anchor (OpenSSL's PARTIAL_CHAIN); validity periods, key
 * usages and revocation are not checked (UEFI signing certificates are often expired).
 *
 * A signature, digest, signer key or trust failure is `false`; a malformed or unsupported
 * structure is an error. Difference from openvmm, on purpose: "itself trusted" compares the whole
 * certificate (DER), not only its issuer name and serial number, so an embedded certificate that
 * copies a trusted certificate's issuer and serial with another key is not trusted. Attached
 * content, if any, is ignored: the caller's `signedContent` is what is verified.
 */
import * as backend from '#backend';
import type { Pkcs7SignedDataInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { hash } from '../hashes/index.ts';
import { assertBytes, describe } from '../internal/bytes.ts';
import { constantTimeEqual } from '../internal/constant_time.ts';
import { X509Certificate } from '../x509/index.ts';

/** The one error of this module: "PKCS#7 operation failed", with the reason as `cause`. */
export class Pkcs7Error extends Error {
  override readonly name = 'Pkcs7Error';

  constructor(cause: unknown) {
    super('PKCS#7 operation failed', { cause });
  }
}

const DIGESTS: Readonly<Record<string, HashAlgorithm>> = {
  '1.3.14.3.2.26': HashAlgorithm.Sha1,
  '2.16.840.1.101.3.4.2.1': HashAlgorithm.Sha256,
  '2.16.840.1.101.3.4.2.2': HashAlgorithm.Sha384,
  '2.16.840.1.101.3.4.2.3': HashAlgorithm.Sha512,
};

/** rsaEncryption, or the sha*WithRSAEncryption matching the digest. */
const RSA_SIGNATURES: Readonly<Record<string, HashAlgorithm | 'any'>> = {
  '1.2.840.113549.1.1.1': 'any',
  '1.2.840.113549.1.1.5': HashAlgorithm.Sha1,
  '1.2.840.113549.1.1.11': HashAlgorithm.Sha256,
  '1.2.840.113549.1.1.12': HashAlgorithm.Sha384,
  '1.2.840.113549.1.1.13': HashAlgorithm.Sha512,
};

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const TOKEN = Symbol('Pkcs7SignedData');

/** A parsed PKCS#7 SignedData. */
export class Pkcs7SignedData {
  readonly #inner: Pkcs7SignedDataInner;
  readonly #certificates: readonly X509Certificate[];

  /** Not for use: made by {@link Pkcs7SignedData.fromDer}. */
  constructor(token: symbol, inner: Pkcs7SignedDataInner, certificates: readonly X509Certificate[]) {
    if (token !== TOKEN) throw new Pkcs7Error(new TypeError('use Pkcs7SignedData.fromDer'));
    this.#inner = inner;
    this.#certificates = certificates;
  }

  /** Parses a DER `ContentInfo` holding a SignedData (nothing may follow it). */
  static async fromDer(der: Uint8Array): Promise<Pkcs7SignedData> {
    try {
      assertBytes(der, 'der');
      const inner = backend.pkcs7.parse(new Uint8Array(der));
      const certificates = await Promise.all(inner.certificates.map((cert) => X509Certificate.fromDer(cert)));
      return new Pkcs7SignedData(TOKEN, inner, certificates);
    } catch (error) {
      throw new Pkcs7Error(error);
    }
  }

  /** The DER, exactly as parsed. */
  toDer(): OwnedBytes {
    return new Uint8Array(this.#inner.der);
  }

  /** Every certificate embedded in the SignedData, in order. */
  embeddedCertificates(): X509Certificate[] {
    return [...this.#certificates];
  }

  /** The only signer's certificate and signature (openvmm's `signer_cert_sig`); an error unless there is exactly one signer with an embedded certificate. */
  signerCertificate(): { certificate: X509Certificate; signature: OwnedBytes } {
    try {
      return this.#signer();
    } catch (error) {
      throw new Pkcs7Error(error);
    }
  }

  #signer(): { certificate: X509Certificate; signature: OwnedBytes } {
    if (this.#inner.signers.length !== 1) throw new Error(`expected exactly one signer, found ${this.#inner.signers.length}`);
    const id = this.#inner.signers[0]!.issuerAndSerial;
    if (id === undefined) throw new Error('a signer identified by subjectKeyIdentifier is not supported');
    const certificate = this.#certificates.find((c) => c.issuerDn() === id.issuerDn && toHex(c.serialNumber()) === toHex(id.serial));
    if (certificate === undefined) throw new Error('no embedded certificate matches the signer');
    return { certificate, signature: new Uint8Array(this.#inner.signers[0]!.signature) };
  }

  /** Verifies the detached signature over `signedContent` against `trustedCertificates` (see the module doc). */
  async verifyUefi(trustedCertificates: readonly X509Certificate[], signedContent: Uint8Array): Promise<boolean> {
    try {
      assertBytes(signedContent, 'signedContent');
      if (!Array.isArray(trustedCertificates) || !trustedCertificates.every((c) => c instanceof X509Certificate)) {
        throw new TypeError(`trustedCertificates must be an array of X509Certificate, got ${describe(trustedCertificates)}`);
      }
      const { certificate: signer, signature } = this.#signer();
      if (!(await this.#signatureVerifies(signer, signature, signedContent))) return false;
      return await this.#chainIsTrusted(signer, trustedCertificates);
    } catch (error) {
      throw new Pkcs7Error(error);
    }
  }

  async #signatureVerifies(signer: X509Certificate, signature: Uint8Array, content: Uint8Array): Promise<boolean> {
    const info = this.#inner.signers[0]!;
    const digest = DIGESTS[info.digestAlgorithm];
    const scheme = RSA_SIGNATURES[info.signatureAlgorithm];
    if (digest === undefined || scheme === undefined || (scheme !== 'any' && scheme !== digest)) return false;
    const key = await signer.publicKey();
    if (key.kind !== 'rsa') return false; // UEFI signers are RSA (as openvmm: any other key is false)
    let signed = content;
    if (info.signedAttributes !== undefined) {
      if (info.contentTypes.length !== 1 || info.contentTypes[0] !== this.#inner.contentType) return false;
      if (info.messageDigests.length !== 1 || !constantTimeEqual(info.messageDigests[0]!, await hash(digest, content))) return false;
      signed = info.signedAttributes;
    }
    return key.key.pkcs1Verify(signed, signature, digest);
  }

  async #chainIsTrusted(signer: X509Certificate, trusted: readonly X509Certificate[]): Promise<boolean> {
    const issuerOf = async (issuer: X509Certificate, subject: X509Certificate) => issuer.issued(subject) && (await subject.verify((await issuer.publicKey()).key));
    const visited = new Set<string>();
    let current = signer;
    for (;;) {
      const id = toHex(current.toDer());
      if (visited.has(id)) return false;
      visited.add(id);
      for (const anchor of trusted) {
        if (toHex(anchor.toDer()) === id || (await issuerOf(anchor, current))) return true;
      }
      let next: X509Certificate | undefined;
      for (const candidate of this.#certificates) {
        if (await issuerOf(candidate, current)) {
          next = candidate;
          break;
        }
      }
      if (next === undefined) return false;
      current = next;
    }
  }
}
