/**
 * X.509 certificates (RFC 5280), as openvmm's `x509` module: parse and re-encode DER, extract the
 * public key (as this package's {@link RsaPublicKey} or {@link EcdsaPublicKey}), verify the
 * certificate's signature under a given issuer key, check that one certificate issued another,
 * and read the subject common name, the issuer DN and the serial number.
 *
 * - `verify` supports RSA PKCS#1 v1.5 (SHA-1/256/384/512), RSASSA-PSS with the parameters the
 *   certificate carries (RFC 4055; AMD's ARK, ASK and VCEK use PSS with SHA-384, MGF1-SHA-384,
 *   salt 48) and ECDSA with SHA-256/384/512 (DER signatures, strictly decoded) on P-384. A key that
 *   does not fit the algorithm, or a signature that does not verify, is `false`; any other
 *   signature algorithm is an {@link X509Error}. Only the signature is checked: no validity
 *   period, extensions, revocation or chain (as openvmm).
 * - `issued` compares structure only (as openvmm, which documents it): the subject's issuer Name
 *   equals this certificate's subject Name, this certificate's keyUsage (if any) allows
 *   keyCertSign, the subject's authorityKeyIdentifier (if any) matches, and this certificate's key
 *   is of the kind the subject's signature algorithm needs (as OpenSSL 3). No signature check:
 *   call `verify` for that. `openssl` uses OpenSSL's `X509_check_issued`; the others compare the
 *   DER of the names, so names that differ only in string type or case match on `openssl` alone.
 * - `issuerDn` is an RFC 4514 string: RDNs last to first, `,` between RDNs, `+` inside a
 *   multi-valued RDN, the types CN, L, ST, O, OU, C, STREET, DC, UID by name and every other
 *   type as a dotted OID whose value is `#` and the hex of its DER; string values escaped as
 *   RFC 4514 section 2.4 (`"+,;<>\`, a leading `#` or space, a trailing space, NUL as `\00`).
 *   Example: `CN=ARK-Milan,O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering`.
 * - `serialNumber` is the INTEGER's content octets exactly as encoded (big-endian two's
 *   complement: serial 0 is `[0x00]`, 0x80 is `[0x00, 0x80]`).
 * - `version`, `validity`, `subjectDn`, `extensions` and `signatureAlgorithm` read the fields as
 *   encoded, for callers that check a certificate profile (AMD's VCEK and its custom extensions,
 *   for example): every extension is returned, recognised or not, with its critical flag and the
 *   DER inside its `extnValue`; nothing is interpreted or enforced here.
 *
 * Parsing is async because WebCrypto key import is (the `native` backend); the accessors are sync.
 */
import * as backend from '#backend';
import type { X509CertificateInner } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { EcdsaPublicKey, ecdsaInner, wrapEcdsaPublicKey } from '../ecdsa/index.ts';
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { assertBytes, describe } from '../internal/bytes.ts';
import { RsaPublicKey, rsaInner, wrapRsaPublicKey } from '../rsa/index.ts';

/** The one error of this module: "X.509 operation failed", with the reason as `cause`. */
export class X509Error extends Error {
  override readonly name = 'X509Error';

  constructor(cause: unknown) {
    super('X.509 operation failed', { cause });
  }
}

/** One extension as encoded: its OID (dotted), its critical flag, and the DER inside its `extnValue`. */
export interface X509Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: OwnedBytes;
}

/** The validity period (RFC 5280 section 4.1.2.5), both ends inclusive. */
export interface X509Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * A certificate's signature algorithm: RSA PKCS#1 v1.5, RSASSA-PSS with its RFC 4055 parameters
 * (AMD's: SHA-384, MGF1-SHA-384, salt 48), ECDSA, or one `verify` does not support.
 */
export type X509SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm; readonly mgf1Hash: HashAlgorithm; readonly saltLength: number }
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'unsupported'; readonly description: string };

/** A certificate's public key (openvmm's `X509PublicKey`). */
export type X509PublicKey = { readonly kind: 'rsa'; readonly key: RsaPublicKey } | { readonly kind: 'ecdsa'; readonly key: EcdsaPublicKey };

const TOKEN = Symbol('X509Certificate');

/** A parsed X.509 certificate. */
export class X509Certificate {
  readonly #inner: X509CertificateInner;

  /** Not for use: certificates come from {@link X509Certificate.fromDer}. */
  constructor(token: symbol, inner: X509CertificateInner) {
    if (token !== TOKEN) throw new X509Error(new TypeError('use X509Certificate.fromDer'));
    this.#inner = inner;
  }

  /** Parses one DER certificate (nothing may follow it). */
  static async fromDer(der: Uint8Array): Promise<X509Certificate> {
    try {
      assertBytes(der, 'der');
      return new X509Certificate(TOKEN, await backend.x509.fromDer(new Uint8Array(der)));
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** The certificate's DER, exactly as parsed. */
  toDer(): OwnedBytes {
    return new Uint8Array(this.#inner.der);
  }

  /** The subject public key: RSA, or ECDSA on P-384; any other key is an {@link X509Error}. */
  async publicKey(): Promise<X509PublicKey> {
    try {
      const key = await this.#inner.publicKey();
      return key.kind === 'rsa' ? { kind: 'rsa', key: wrapRsaPublicKey(key.key) } : { kind: 'ecdsa', key: wrapEcdsaPublicKey(key.key) };
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** Whether this certificate's signature verifies under `issuerPublicKey` (see the module doc). */
  async verify(issuerPublicKey: RsaPublicKey | EcdsaPublicKey): Promise<boolean> {
    try {
      let key;
      if (issuerPublicKey instanceof RsaPublicKey) key = rsaInner(issuerPublicKey);
      else if (issuerPublicKey instanceof EcdsaPublicKey) key = ecdsaInner(issuerPublicKey);
      else throw new TypeError(`issuerPublicKey must be an RsaPublicKey or EcdsaPublicKey, got ${describe(issuerPublicKey)}`);
      return await this.#inner.verify(key);
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** Whether this certificate, as issuer, issued `subject` (structure only; see the module doc). */
  issued(subject: X509Certificate): boolean {
    try {
      if (!(subject instanceof X509Certificate)) throw new TypeError(`subject must be an X509Certificate, got ${describe(subject)}`);
      return this.#inner.issued(subject.#inner);
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** The first common name (CN) of the subject, in encoding order, or undefined. */
  subjectCommonName(): string | undefined {
    try {
      return this.#inner.subjectCommonName();
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** The issuer's distinguished name as an RFC 4514 string (see the module doc). */
  issuerDn(): string {
    try {
      return this.#inner.issuerDn();
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** The serial number's INTEGER content octets, as encoded. */
  serialNumber(): OwnedBytes {
    try {
      return this.#inner.serialNumber();
    } catch (error) {
      throw new X509Error(error);
    }
  }

  /** The certificate's version: 1, 2 or 3 (the encoded value plus one). */
  version(): number {
    return this.#details().version;
  }

  /** The validity period as encoded (UTCTime or GeneralizedTime, to the second). */
  validity(): X509Validity {
    const { notBefore, notAfter } = this.#details();
    return { notBefore: new Date(notBefore.getTime()), notAfter: new Date(notAfter.getTime()) };
  }

  /** The subject's distinguished name as an RFC 4514 string (the format of {@link issuerDn}). */
  subjectDn(): string {
    return this.#details().subjectDn;
  }

  /** Every extension in encoding order, recognised or not (see the module doc). */
  extensions(): X509Extension[] {
    return this.#details().extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: new Uint8Array(e.value) }));
  }

  /** The (outer) signature algorithm, decoded. */
  signatureAlgorithm(): X509SignatureAlgorithm {
    const algorithm = this.#details().signatureAlgorithm;
    return algorithm.kind === 'rsa-pss' ? { kind: 'rsa-pss', ...algorithm.params } : { ...algorithm };
  }

  #details() {
    try {
      return this.#inner.details();
    } catch (error) {
      throw new X509Error(error);
    }
  }
}
