/**
 * The backend contract of the public-key modules: `ecdsa`, `rsa`, `x509`, `pkcs7`
 * (the part of {@link Backend} in `backend.ts` they add; kept in its own file).
 *
 * A backend hands out *inner* objects (a key, a certificate) that implement the interfaces below;
 * the public modules wrap them (`EcdsaKeyPair`, `RsaPublicKey`, `X509Certificate`, ...) so no
 * backend type reaches the public API. Inner objects of one backend are only ever given back to
 * the same backend (exactly one is linked), so a backend may rely on its own concrete classes.
 *
 * As for the rest of the contract, inputs are validated by the public module first: lengths,
 * sizes, hash names and option ranges are checked, RSA components are complete and consistent.
 * A backend that cannot do an operation throws `UnsupportedError` (`internal/unsupported.ts`).
 *
 * @see ./backend.ts
 */
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import type { Awaitable, OwnedBytes } from './backend.ts';

/** The curves of `ecdsa` (openvmm's `EcdsaCurve`: P-384 only). */
export type EcdsaCurveName = 'P-384';

/** An ECDSA public key. */
export interface EcdsaPublicKeyInner {
  readonly curve: EcdsaCurveName;
  /** `Qx ‖ Qy`, big-endian, each coordinate the curve's key size (48 bytes for P-384). */
  readonly publicKeyBytes: OwnedBytes;
  /**
   * Whether `signature` (`r ‖ s`, already checked to be exactly twice the key size) is a valid
   * signature of `hash(message)`. Any `r`, `s` out of range is `false`.
   */
  verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): Awaitable<boolean>;
}

/** An ECDSA key pair. */
export interface EcdsaKeyPairInner extends EcdsaPublicKeyInner {
  /** A randomized signature of `hash(data)` as `r ‖ s`. */
  sign(data: Uint8Array, hash: HashAlgorithm): Awaitable<OwnedBytes>;
}

/** `ecdsa`. */
export interface EcdsaBackend {
  generate(curve: EcdsaCurveName): Awaitable<EcdsaKeyPairInner>;
  /** A key from `Qx ‖ Qy` (right length); a point not on the curve must throw. */
  fromPublicKeyBytes(curve: EcdsaCurveName, publicKey: Uint8Array): Awaitable<EcdsaPublicKeyInner>;
}

/** RSA public components, big-endian, without leading zero bytes. */
export interface RsaPublicComponents {
  readonly n: OwnedBytes;
  readonly e: OwnedBytes;
}

/** RSA private components (two primes), big-endian, without leading zero bytes. */
export interface RsaPrivateComponents extends RsaPublicComponents {
  readonly d: OwnedBytes;
  readonly p: OwnedBytes;
  readonly q: OwnedBytes;
  /** `d mod (p - 1)` */
  readonly dp: OwnedBytes;
  /** `d mod (q - 1)` */
  readonly dq: OwnedBytes;
  /** `q⁻¹ mod p` */
  readonly qi: OwnedBytes;
}

/** RSAES-OAEP parameters (RFC 8017 section 7.1). */
export interface RsaOaepParams {
  readonly hash: HashAlgorithm;
  readonly mgf1Hash: HashAlgorithm;
  readonly label: Uint8Array;
}

/** RSASSA-PSS parameters (RFC 8017 section 8.1); the trailer field is always 0xbc. */
export interface RsaPssParams {
  readonly hash: HashAlgorithm;
  readonly mgf1Hash: HashAlgorithm;
  readonly saltLength: number;
}

/** An RSA public key. */
export interface RsaPublicKeyInner {
  readonly components: RsaPublicComponents;
  oaepEncrypt(plaintext: Uint8Array, params: RsaOaepParams): Awaitable<OwnedBytes>;
  /** `signature` is already checked to have the modulus length. */
  pkcs1Verify(message: Uint8Array, signature: Uint8Array, hash: HashAlgorithm): Awaitable<boolean>;
  /** `signature` is already checked to have the modulus length. */
  pssVerify(message: Uint8Array, signature: Uint8Array, params: RsaPssParams): Awaitable<boolean>;
}

/** An RSA key pair. */
export interface RsaKeyPairInner extends RsaPublicKeyInner {
  readonly privateComponents: RsaPrivateComponents;
  /** PKCS#8 `PrivateKeyInfo` (version 0, rsaEncryption with NULL parameters). */
  pkcs8Der(): Awaitable<OwnedBytes>;
  /** Throws on any decryption or padding failure (never returns a wrong plaintext). */
  oaepDecrypt(ciphertext: Uint8Array, params: RsaOaepParams): Awaitable<OwnedBytes>;
  pkcs1Sign(data: Uint8Array, hash: HashAlgorithm): Awaitable<OwnedBytes>;
  pssSign(data: Uint8Array, params: RsaPssParams): Awaitable<OwnedBytes>;
}

/** `rsa`. */
export interface RsaBackend {
  /** A new key of `bits` (2048, 3072 or 4096) with public exponent 65537. */
  generate(bits: number): Awaitable<RsaKeyPairInner>;
  /** Parses PKCS#8 DER; the public module then checks the components. */
  fromPkcs8Der(der: Uint8Array): Awaitable<RsaKeyPairInner>;
  /** From complete, checked components. */
  fromPrivateComponents(components: RsaPrivateComponents): Awaitable<RsaKeyPairInner>;
  /** From checked components. */
  fromPublicComponents(components: RsaPublicComponents): Awaitable<RsaPublicKeyInner>;
}

/** The public key of a certificate, as this package's key types. */
export type X509PublicKeyInner = { readonly kind: 'rsa'; readonly key: RsaPublicKeyInner } | { readonly kind: 'ecdsa'; readonly key: EcdsaPublicKeyInner };

/** One X.509 extension as encoded: its OID, its critical flag and the content of its `extnValue` OCTET STRING. */
export interface X509ExtensionInner {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: OwnedBytes;
}

/** A certificate's signature algorithm, decoded (RFC 4055 parameters for RSASSA-PSS). */
export type X509SignatureAlgorithmInner =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly params: RsaPssParams }
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'unsupported'; readonly description: string };

/** The fields of a certificate read from its DER (by `internal/asn1.ts`, the same on every backend). */
export interface X509CertificateDetails {
  /** 1, 2 or 3. */
  readonly version: number;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** RFC 4514, the format of `issuerDn`. */
  readonly subjectDn: string;
  /** Every extension, in encoding order. */
  readonly extensions: readonly X509ExtensionInner[];
  /** The outer `signatureAlgorithm`. */
  readonly signatureAlgorithm: X509SignatureAlgorithmInner;
}

/** A parsed X.509 certificate. */
export interface X509CertificateInner {
  /** The certificate's encoding exactly as given to `fromDer`. */
  readonly der: OwnedBytes;
  publicKey(): Awaitable<X509PublicKeyInner>;
  /** Whether the certificate's signature verifies under `issuerKey` (false when the key does not fit the algorithm). */
  verify(issuerKey: RsaPublicKeyInner | EcdsaPublicKeyInner): Awaitable<boolean>;
  /** Whether this certificate, as issuer, issued `subject` (names, key usage, key identifiers; no signature check). */
  issued(subject: X509CertificateInner): boolean;
  subjectCommonName(): string | undefined;
  issuerDn(): string;
  serialNumber(): OwnedBytes;
  /** Version, validity, subject DN, extensions and signature algorithm. */
  details(): X509CertificateDetails;
}

/** `x509`. */
export interface X509Backend {
  fromDer(der: Uint8Array): Awaitable<X509CertificateInner>;
}

/** One SignerInfo of a SignedData, as plain data (RFC 5652 section 5.3). */
export interface Pkcs7SignerData {
  /**
   * The signer's `issuerAndSerialNumber`: the issuer as an RFC 4514 string (the format of
   * `X509Certificate.issuerDn()`) and the serial's content octets; absent for a subjectKeyIdentifier.
   */
  readonly issuerAndSerial: { readonly issuerDn: string; readonly serial: OwnedBytes } | undefined;
  readonly digestAlgorithm: string;
  readonly signatureAlgorithm: string;
  /** The DER of the `signedAttrs` re-tagged as `SET OF` (what the signature covers), if present. */
  readonly signedAttributes: OwnedBytes | undefined;
  /** The values of the messageDigest attribute (DER OCTET STRING content) and the content-type attribute. */
  readonly messageDigests: readonly OwnedBytes[];
  readonly contentTypes: readonly string[];
  readonly signature: OwnedBytes;
}

/** A parsed SignedData, as plain data: everything `pkcs7` needs for UEFI verification. */
export interface Pkcs7SignedDataInner {
  readonly der: OwnedBytes;
  readonly contentType: string;
  /** Attached content, if any (UEFI signatures are detached). */
  readonly content: OwnedBytes | undefined;
  readonly certificates: readonly OwnedBytes[];
  readonly signers: readonly Pkcs7SignerData[];
}

/** `pkcs7`. */
export interface Pkcs7Backend {
  /** Parses a DER ContentInfo holding a SignedData; throws on anything else. */
  parse(der: Uint8Array): Pkcs7SignedDataInner;
}
