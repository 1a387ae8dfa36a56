/**
 * Pure-JavaScript ASN.1 parsing (no cryptography) for what the backends' own libraries do not
 * parse: X.509 names, serial numbers and extensions, signature-algorithm parameters, PKCS#7
 * SignedData, and RSA PKCS#8 for the `noble` backend. On `@peculiar/asn1-schema`,
 * `@peculiar/asn1-x509`, `@peculiar/asn1-rsa` and `@peculiar/asn1-cms`.
 *
 * Shared by all three backends: `node:crypto` has no PKCS#7 API and gives names only as display
 * strings, and WebCrypto parses no certificates at all. The cryptographic checks stay in each
 * backend's own library. Signatures are always checked over the bytes exactly as received (the
 * certificate's TBS, a SignerInfo's signed attributes), never over a re-encoding.
 *
 * Strictness: `asn1js` underneath accepts some BER. Every top-level input must be one definite-length
 * TLV spanning the whole input, with nothing after it; certificate bytes inside a SignedData are
 * taken as they appear.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData, id_contentType, id_messageDigest, id_signedData } from '@peculiar/asn1-cms';
import {
  RSAPrivateKey,
  RSAPublicKey,
  RsaSaPssParams,
  id_RSASSA_PSS,
  id_mgf1,
  id_rsaEncryption,
  id_sha1,
  id_sha1WithRSAEncryption,
  id_sha256,
  id_sha256WithRSAEncryption,
  id_sha384,
  id_sha384WithRSAEncryption,
  id_sha512,
  id_sha512WithRSAEncryption,
} from '@peculiar/asn1-rsa';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  Certificate,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { Pkcs7SignedDataInner, Pkcs7SignerData, RsaPrivateComponents, RsaPssParams, X509CertificateDetails } from '../backend/asymmetric.ts';
import type { OwnedBytes } from '../backend/backend.ts';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { stripLeadingZeros } from './bigint.ts';

const bytes = (buffer: ArrayBuffer | ArrayBufferView): OwnedBytes =>
  buffer instanceof ArrayBuffer ? new Uint8Array(buffer.slice(0)) : new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)) as OwnedBytes;

// ---------------------------------------------------------------------------------------------
// TLV framing

/** One DER TLV: its tag byte, and the offsets of its content and its end. */
interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the TLV at `offset` (single-byte tags, definite lengths in minimal form). */
function readTlv(input: Uint8Array, offset: number): Tlv {
  if (offset + 2 > input.length) throw new Error('truncated ASN.1 value');
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte ASN.1 tags are not supported');
  const first = input[offset + 1]!;
  let length: number;
  let contentStart = offset + 2;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new Error('indefinite-length encoding (BER) is not DER');
    if (count > 4) throw new Error('ASN.1 length too large');
    if (contentStart + count > input.length) throw new Error('truncated ASN.1 length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[contentStart + i]!;
    if (input[contentStart] === 0 || length < 0x80) throw new Error('non-minimal ASN.1 length (not DER)');
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > input.length) throw new Error('truncated ASN.1 value');
  return { tag, start: offset, contentStart, end };
}

/** Throws unless `input` is exactly one definite-length TLV with tag `tag`. */
export function assertSingleTlv(input: Uint8Array, tag: number, what: string): void {
  const tlv = readTlv(input, 0);
  if (tlv.tag !== tag) throw new Error(`${what}: unexpected ASN.1 tag 0x${tlv.tag.toString(16)}`);
  if (tlv.end !== input.length) throw new Error(`${what}: ${input.length - tlv.end} bytes after the end of the ASN.1 value`);
}

/** The TLVs directly inside the constructed TLV `outer`. */
function children(input: Uint8Array, outer: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = outer.contentStart; offset < outer.end; ) {
    const tlv = readTlv(input, offset);
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Names (RFC 4514)

/** RFC 4514 section 3: the attribute types with a string name; everything else is a dotted OID. */
const RFC_4514_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const COMMON_NAME = '2.5.4.3';

function hex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** RFC 4514 section 2.4 escaping of a string value. */
function escapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

type AttributeValueLike = { utf8String?: string; printableString?: string; teletexString?: string; bmpString?: string; universalString?: string; ia5String?: string; anyValue?: ArrayBuffer };

/** The string of a DirectoryString-like value, or undefined if it is not a string type. */
function stringOf(value: AttributeValueLike): string | undefined {
  return value.utf8String ?? value.printableString ?? value.teletexString ?? value.bmpString ?? value.universalString ?? value.ia5String;
}

/**
 * A Name as an RFC 4514 string: RDNs in reverse order separated by `,`, multi-valued RDNs joined by
 * `+`; types of RFC 4514's table by name (CN, L, ST, O, OU, C, STREET, DC, UID), others as dotted
 * OIDs; string values escaped as section 2.4 says; a non-string value, or any value of a dotted
 * type, as `#` and the hex of its DER.
 */
export function formatName(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      [...rdn]
        .map((atv) => {
          const short = RFC_4514_NAMES[atv.type];
          const text = stringOf(atv.value);
          if (short !== undefined && text !== undefined) return `${short}=${escapeValue(text)}`;
          return `${short ?? atv.type}=#${hex(bytes(AsnConvert.serialize(atv.value)))}`;
        })
        .join('+'),
    )
    .join(',');
}

/** The first CN of a Name (in encoding order), or undefined. */
function commonNameOf(name: Name): string | undefined {
  for (const rdn of name) {
    for (const atv of rdn) {
      if (atv.type === COMMON_NAME) {
        const text = stringOf(atv.value);
        if (text === undefined) throw new Error('the common name is not a string');
        return text;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Algorithms

const HASH_OIDS: Readonly<Record<string, HashAlgorithm>> = {
  [id_sha1]: HashAlgorithm.Sha1,
  [id_sha256]: HashAlgorithm.Sha256,
  [id_sha384]: HashAlgorithm.Sha384,
  [id_sha512]: HashAlgorithm.Sha512,
};

const RSA_PKCS1_OIDS: Readonly<Record<string, HashAlgorithm>> = {
  [id_sha1WithRSAEncryption]: HashAlgorithm.Sha1,
  [id_sha256WithRSAEncryption]: HashAlgorithm.Sha256,
  [id_sha384WithRSAEncryption]: HashAlgorithm.Sha384,
  [id_sha512WithRSAEncryption]: HashAlgorithm.Sha512,
};

const ECDSA_OIDS: Readonly<Record<string, HashAlgorithm>> = {
  '1.2.840.10045.4.3.2': HashAlgorithm.Sha256,
  '1.2.840.10045.4.3.3': HashAlgorithm.Sha384,
  '1.2.840.10045.4.3.4': HashAlgorithm.Sha512,
};

const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** A certificate's (or SignerInfo's) signature algorithm, decoded. */
export type SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly params: RsaPssParams }
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'unsupported'; readonly description: string };

const NULL_DER = '0500';

function isAbsentOrNull(parameters: ArrayBuffer | null | undefined): boolean {
  return parameters === undefined || parameters === null || hex(bytes(parameters)) === NULL_DER;
}

/** The hash of a hash AlgorithmIdentifier (parameters absent or NULL), or undefined. */
export function hashOf(algorithm: AlgorithmIdentifier): HashAlgorithm | undefined {
  const hash = HASH_OIDS[algorithm.algorithm];
  return hash !== undefined && isAbsentOrNull(algorithm.parameters) ? hash : undefined;
}

/** Decodes a signature AlgorithmIdentifier: RSA PKCS#1 v1.5, RSASSA-PSS (RFC 4055 parameters) or ECDSA. */
export function decodeSignatureAlgorithm(algorithm: AlgorithmIdentifier): SignatureAlgorithm {
  const oid = algorithm.algorithm;
  const pkcs1 = RSA_PKCS1_OIDS[oid];
  if (pkcs1 !== undefined) {
    return isAbsentOrNull(algorithm.parameters) ? { kind: 'rsa-pkcs1', hash: pkcs1 } : { kind: 'unsupported', description: `${oid} with parameters` };
  }
  const ecdsa = ECDSA_OIDS[oid];
  if (ecdsa !== undefined) {
    return algorithm.parameters === undefined || algorithm.parameters === null ? { kind: 'ecdsa', hash: ecdsa } : { kind: 'unsupported', description: `${oid} with parameters` };
  }
  if (oid === id_RSASSA_PSS) {
    // RFC 4055 section 3.1: absent fields are SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
    const params = algorithm.parameters ? AsnConvert.parse(algorithm.parameters, RsaSaPssParams) : new RsaSaPssParams();
    const hash = hashOf(params.hashAlgorithm);
    if (hash === undefined) return { kind: 'unsupported', description: `RSASSA-PSS with hash ${params.hashAlgorithm.algorithm}` };
    if (params.maskGenAlgorithm.algorithm !== id_mgf1 || !params.maskGenAlgorithm.parameters) {
      return { kind: 'unsupported', description: `RSASSA-PSS with mask generation ${params.maskGenAlgorithm.algorithm}` };
    }
    const mgf1Hash = hashOf(AsnConvert.parse(params.maskGenAlgorithm.parameters, AlgorithmIdentifier));
    if (mgf1Hash === undefined) return { kind: 'unsupported', description: 'RSASSA-PSS with an unsupported MGF1 hash' };
    if (params.trailerField !== 1) return { kind: 'unsupported', description: `RSASSA-PSS with trailer field ${params.trailerField}` };
    return { kind: 'rsa-pss', params: { hash, mgf1Hash, saltLength: params.saltLength } };
  }
  return { kind: 'unsupported', description: `signature algorithm ${oid}` };
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** A certificate's subject public key, decoded. */
export type SpkiFields =
  | { readonly kind: 'rsa'; readonly n: OwnedBytes; readonly e: OwnedBytes }
  | { readonly kind: 'ec-p384'; readonly publicKeyBytes: OwnedBytes }
  | { readonly kind: 'unsupported'; readonly description: string };

/** What the backends need of a certificate beyond their own library. */
export interface CertificateFields {
  readonly tbs: OwnedBytes;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The signature BIT STRING's content (an RSA signature, or a DER ECDSA-Sig-Value). */
  readonly signature: OwnedBytes;
  /** The TBS's inner `signature` algorithm equals the outer one (RFC 5280 section 4.1.1.2). */
  readonly algorithmsMatch: boolean;
  readonly issuerDn: string;
  readonly subjectDn: string;
  /** The Names re-encoded in DER, compared structurally for issuer/subject matching. */
  readonly issuerName: string;
  readonly subjectName: string;
  readonly subjectCommonName: string | undefined;
  /** The serial number's INTEGER content octets, exactly as encoded. */
  readonly serialNumber: OwnedBytes;
  readonly spki: SpkiFields;
  /** Whether keyUsage has keyCertSign; undefined without a keyUsage extension. */
  readonly keyCertSign: boolean | undefined;
  readonly authorityKeyId: { readonly keyId?: string; readonly serial?: string; readonly issuerNames: readonly string[] } | undefined;
  readonly subjectKeyId: string | undefined;
  /** Version, validity, subject DN, every extension and the signature algorithm (`X509Certificate`'s accessors). */
  readonly details: X509CertificateDetails;
}

function decodeSpki(algorithm: AlgorithmIdentifier, subjectPublicKey: ArrayBuffer): SpkiFields {
  if (algorithm.algorithm === id_rsaEncryption) {
    if (!isAbsentOrNull(algorithm.parameters)) return { kind: 'unsupported', description: 'rsaEncryption key with parameters' };
    const key = AsnConvert.parse(subjectPublicKey, RSAPublicKey);
    return { kind: 'rsa', n: stripLeadingZeros(bytes(key.modulus)), e: stripLeadingZeros(bytes(key.publicExponent)) };
  }
  if (algorithm.algorithm === ID_EC_PUBLIC_KEY) {
    const curve = algorithm.parameters ? hex(bytes(algorithm.parameters)) : '';
    if (curve !== '06052b81040022') return { kind: 'unsupported', description: 'an elliptic curve other than P-384 (secp384r1)' };
    const point = bytes(subjectPublicKey);
    if (point.length !== 97 || point[0] !== 0x04) return { kind: 'unsupported', description: 'a P-384 point that is not uncompressed' };
    return { kind: 'ec-p384', publicKeyBytes: point.slice(1) };
  }
  return { kind: 'unsupported', description: `public key algorithm ${algorithm.algorithm}` };
}

const nameKey = (name: Name): string => hex(bytes(AsnConvert.serialize(name)));

/**
 * RFC 5280 4.1.1.2: the outer `signatureAlgorithm` MUST be the same as the TBS `signature` field,
 * compared here byte for byte as encoded (re-serialising would hide a changed encoding), and the
 * signature BIT STRING must have no unused bits. OpenSSL refuses both; checking them here makes
 * every backend refuse a certificate whose unsigned outer fields were re-encoded.
 */
function outerFieldsStrict(der: Uint8Array): boolean {
  const [tbs, outerAlgorithm, signature] = children(der, readTlv(der, 0));
  if (tbs === undefined || outerAlgorithm === undefined || signature === undefined || signature.tag !== 0x03) return false;
  if (signature.end - signature.contentStart < 1 || der[signature.contentStart] !== 0) return false;
  const fields = children(der, tbs);
  const inner = fields[fields[0]?.tag === 0xa0 ? 2 : 1];
  if (inner === undefined) return false;
  const raw = (t: Tlv) => hex(der.subarray(t.start, t.end));
  return raw(inner) === raw(outerAlgorithm);
}

/** Parses a DER certificate into {@link CertificateFields}. */
export function parseCertificate(der: Uint8Array): CertificateFields {
  assertSingleTlv(der, 0x30, 'certificate');
  const cert = AsnConvert.parse(der, Certificate);
  if (cert.tbsCertificateRaw === undefined) throw new Error('certificate: no TBS bytes');
  const tbs = cert.tbsCertificate;
  const extension = (oid: string) => tbs.extensions?.find((e) => e.extnID === oid);
  const ku = extension(id_ce_keyUsage);
  const akidExt = extension(id_ce_authorityKeyIdentifier);
  const skidExt = extension(id_ce_subjectKeyIdentifier);
  let authorityKeyId: CertificateFields['authorityKeyId'];
  if (akidExt) {
    const akid = AsnConvert.parse(akidExt.extnValue, AuthorityKeyIdentifier);
    authorityKeyId = {
      ...(akid.keyIdentifier ? { keyId: hex(bytes(akid.keyIdentifier.buffer)) } : {}),
      ...(akid.authorityCertSerialNumber ? { serial: hex(bytes(akid.authorityCertSerialNumber)) } : {}),
      issuerNames: (akid.authorityCertIssuer ?? []).flatMap((g) => (g.directoryName ? [nameKey(g.directoryName)] : [])),
    };
  }
  return {
    tbs: bytes(cert.tbsCertificateRaw),
    signatureAlgorithm: decodeSignatureAlgorithm(cert.signatureAlgorithm),
    signature: bytes(cert.signatureValue),
    algorithmsMatch: outerFieldsStrict(der),
    issuerDn: formatName(tbs.issuer),
    subjectDn: formatName(tbs.subject),
    issuerName: nameKey(tbs.issuer),
    subjectName: nameKey(tbs.subject),
    subjectCommonName: commonNameOf(tbs.subject),
    serialNumber: bytes(tbs.serialNumber),
    spki: decodeSpki(tbs.subjectPublicKeyInfo.algorithm, tbs.subjectPublicKeyInfo.subjectPublicKey),
    keyCertSign: ku ? (AsnConvert.parse(ku.extnValue, KeyUsage).toNumber() & KeyUsageFlags.keyCertSign) !== 0 : undefined,
    authorityKeyId,
    subjectKeyId: skidExt ? hex(bytes(AsnConvert.parse(skidExt.extnValue, SubjectKeyIdentifier).buffer)) : undefined,
    details: {
      version: tbs.version + 1,
      notBefore: new Date(tbs.validity.notBefore.getTime().getTime()),
      notAfter: new Date(tbs.validity.notAfter.getTime().getTime()),
      subjectDn: formatName(tbs.subject),
      extensions: (tbs.extensions ?? []).map((e) => ({ oid: e.extnID, critical: e.critical, value: bytes(e.extnValue.buffer) })),
      signatureAlgorithm: decodeSignatureAlgorithm(cert.signatureAlgorithm),
    },
  };
}

/**
 * Whether `issuer` issued `subject`, by structure only (no signature check), as openvmm's
 * `x509-cert` backends decide: the subject's issuer Name equals the issuer's subject Name (DER);
 * the issuer's keyUsage, if present, has keyCertSign; the subject's authorityKeyIdentifier, if
 * present, matches the issuer's subjectKeyIdentifier, serial number and name in the fields it has;
 * and, as OpenSSL 3's `X509_check_issued` adds, the issuer's key is of the kind the subject's
 * signature algorithm needs (RSA for PKCS#1 and PSS, EC for ECDSA).
 */
export function issuedBy(issuer: CertificateFields, subject: CertificateFields): boolean {
  if (subject.issuerName !== issuer.subjectName) return false;
  const algorithm = subject.signatureAlgorithm.kind;
  const key = issuer.spki.kind;
  if (!((key === 'rsa' && (algorithm === 'rsa-pkcs1' || algorithm === 'rsa-pss')) || (key === 'ec-p384' && algorithm === 'ecdsa'))) return false;
  if (issuer.keyCertSign === false) return false;
  const akid = subject.authorityKeyId;
  if (akid !== undefined) {
    if (akid.keyId !== undefined && akid.keyId !== issuer.subjectKeyId) return false;
    if (akid.serial !== undefined && akid.serial !== hex(issuer.serialNumber)) return false;
    if (akid.issuerNames.length > 0 && !akid.issuerNames.includes(issuer.issuerName)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// PKCS#7 SignedData

/** The dotted form of a DER OBJECT IDENTIFIER TLV. */
function decodeOid(der: Uint8Array): string {
  assertSingleTlv(der, 0x06, 'OBJECT IDENTIFIER');
  const { contentStart, end } = readTlv(der, 0);
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = contentStart; i < end; i++) {
    value = (value << 7n) | BigInt(der[i]! & 0x7f);
    if ((der[i]! & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (arcs.length === 0 || (der[end - 1]! & 0x80) !== 0) throw new Error('malformed OBJECT IDENTIFIER');
  const first = arcs[0]! < 80n ? arcs[0]! / 40n : 2n;
  return [first, arcs[0]! - first * 40n, ...arcs.slice(1)].join('.');
}

/** Parses a DER ContentInfo holding a SignedData (RFC 5652) into plain data. */
export function parseSignedData(der: Uint8Array): Pkcs7SignedDataInner {
  assertSingleTlv(der, 0x30, 'PKCS#7 ContentInfo');
  const info = AsnConvert.parse(der, ContentInfo);
  if (info.contentType !== id_signedData) throw new Error(`PKCS#7 content type is ${info.contentType}, not signedData`);
  const signedData = AsnConvert.parse(info.content, SignedData);

  // The certificates exactly as encoded: ContentInfo [0] SignedData { version, digestAlgorithms,
  // encapContentInfo, [0] IMPLICIT certificates?, ... }.
  const outer = readTlv(der, 0);
  const explicit = children(der, outer)[1];
  if (explicit === undefined || explicit.tag !== 0xa0) throw new Error('PKCS#7 ContentInfo has no content');
  const sd = children(der, explicit)[0];
  if (sd === undefined || sd.tag !== 0x30) throw new Error('PKCS#7 SignedData is not a SEQUENCE');
  const sdFields = children(der, sd);
  const certSet = sdFields[3];
  const certificates = certSet?.tag === 0xa0 ? children(der, certSet).filter((c) => c.tag === 0x30).map((c) => der.slice(c.start, c.end)) : [];
  // The signerInfos SET is the last field; each SignerInfo's signedAttrs, if any, is its [0] (fourth field).
  const signerTlvs = children(der, sdFields[sdFields.length - 1]!);
  if (signerTlvs.length !== signedData.signerInfos.length) throw new Error('PKCS#7 signerInfos could not be located');

  const signers: Pkcs7SignerData[] = [...signedData.signerInfos].map((signer, index) => {
    const ias = signer.sid.issuerAndSerialNumber;
    let signedAttributes: OwnedBytes | undefined;
    const attrs = children(der, signerTlvs[index]!)[3];
    if (signer.signedAttrs !== undefined) {
      if (attrs?.tag !== 0xa0) throw new Error('PKCS#7 signedAttrs are not [0] IMPLICIT');
      signedAttributes = der.slice(attrs.start, attrs.end);
      signedAttributes[0] = 0x31; // RFC 5652 section 5.4: the signature covers the EXPLICIT SET OF tag
    }
    const attributes = signer.signedAttrs ?? [];
    const valuesOf = (oid: string) => attributes.filter((a) => a.attrType === oid).flatMap((a) => a.attrValues);
    return {
      issuerAndSerial: ias ? { issuerDn: formatName(ias.issuer), serial: bytes(ias.serialNumber) } : undefined,
      digestAlgorithm: signer.digestAlgorithm.algorithm + (isAbsentOrNull(signer.digestAlgorithm.parameters) ? '' : ' (with parameters)'),
      signatureAlgorithm: signer.signatureAlgorithm.algorithm + (isAbsentOrNull(signer.signatureAlgorithm.parameters) ? '' : ' (with parameters)'),
      signedAttributes,
      messageDigests: valuesOf(id_messageDigest).map((v) => bytes(AsnConvert.parse(v, OctetString).buffer)),
      contentTypes: valuesOf(id_contentType).map((v) => decodeOid(bytes(v))),
      signature: bytes(signer.signature.buffer),
    };
  });
  const single = signedData.encapContentInfo.eContent?.single;
  return {
    der: new Uint8Array(der),
    contentType: signedData.encapContentInfo.eContentType,
    content: single ? bytes(single.buffer) : undefined,
    certificates,
    signers,
  };
}

// ---------------------------------------------------------------------------------------------
// RSA keys (PKCS#8), for the pure-JS backend

/** DER of `tag` around `content`. */
function tlv(tag: number, content: Uint8Array): OwnedBytes {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + length.length + n);
  out[0] = tag;
  out.set(length, 1);
  out.set(content, 1 + length.length);
  return out;
}

/** `AlgorithmIdentifier { rsaEncryption, NULL }` in DER. */
const RSA_ENCRYPTION_ALGORITHM = '300d06092a864886f70d0101010500';

/**
 * Decodes an RSA PKCS#8 PrivateKeyInfo (RFC 5208: version 0, rsaEncryption with NULL or absent
 * parameters, a two-prime RSAPrivateKey; attributes are ignored).
 */
export function decodeRsaPkcs8(der: Uint8Array): RsaPrivateComponents {
  assertSingleTlv(der, 0x30, 'PKCS#8 PrivateKeyInfo');
  const [version, algorithm, privateKey] = children(der, readTlv(der, 0));
  if (version === undefined || algorithm === undefined || privateKey === undefined) throw new Error('PKCS#8 PrivateKeyInfo is truncated');
  if (hex(der.subarray(version.start, version.end)) !== '020100') throw new Error('PKCS#8 version is not 0');
  const algorithmDer = der.subarray(algorithm.start, algorithm.end);
  const identifier = AsnConvert.parse(algorithmDer, AlgorithmIdentifier);
  if (identifier.algorithm !== id_rsaEncryption) throw new Error(`PKCS#8 key algorithm ${identifier.algorithm} is not rsaEncryption`);
  if (!isAbsentOrNull(identifier.parameters)) throw new Error('rsaEncryption parameters must be NULL');
  if (privateKey.tag !== 0x04) throw new Error('PKCS#8 privateKey is not an OCTET STRING');
  const keyDer = der.slice(privateKey.contentStart, privateKey.end);
  assertSingleTlv(keyDer, 0x30, 'RSAPrivateKey');
  const key = AsnConvert.parse(keyDer, RSAPrivateKey);
  if (key.version !== 0 || key.otherPrimeInfos !== undefined) throw new Error('multi-prime RSA keys are not supported');
  const c = (b: ArrayBuffer) => stripLeadingZeros(bytes(b));
  return { n: c(key.modulus), e: c(key.publicExponent), d: c(key.privateExponent), p: c(key.prime1), q: c(key.prime2), dp: c(key.exponent1), dq: c(key.exponent2), qi: c(key.coefficient) };
}

/** Encodes RSA components as a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption with NULL parameters). */
export function encodeRsaPkcs8(components: RsaPrivateComponents): OwnedBytes {
  const int = (b: Uint8Array) => (b[0]! & 0x80 ? Uint8Array.of(0, ...b) : new Uint8Array(b)).buffer;
  const key = new RSAPrivateKey({
    version: 0,
    modulus: int(components.n),
    publicExponent: int(components.e),
    privateExponent: int(components.d),
    prime1: int(components.p),
    prime2: int(components.q),
    exponent1: int(components.dp),
    exponent2: int(components.dq),
    coefficient: int(components.qi),
  });
  const algorithm = Uint8Array.from(RSA_ENCRYPTION_ALGORITHM.match(/../g)!, (h) => Number.parseInt(h, 16));
  const inner = [Uint8Array.of(0x02, 0x01, 0x00), algorithm, tlv(0x04, bytes(AsnConvert.serialize(key)))];
  const content = new Uint8Array(inner.reduce((n, part) => n + part.length, 0));
  inner.reduce((offset, part) => (content.set(part, offset), offset + part.length), 0);
  return tlv(0x30, content);
}
