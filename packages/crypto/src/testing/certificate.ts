/**
 * Builds X.509 certificates at test time (`@peculiar/asn1-x509` for the structure), signed by a
 * caller-supplied function, so that one backend's keys sign and the others verify: openvmm's
 * `build_self_signed` (C, ST, L, O, CN; serial 1; never expiring) plus issuer, serial, key-usage
 * and key-identifier choices, with RSA PKCS#1 v1.5, RSA-PSS or ECDSA signatures.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1, id_sha256WithRSAEncryption, id_sha384 } from '@peculiar/asn1-rsa';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';

/** A Name from `[type OID or short name, value]` pairs, one RDN each, in encoding order. */
export function name(attributes: [string, string][]): Name {
  const OIDS: Record<string, string> = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };
  return new Name(
    attributes.map(([type, value]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type: OIDS[type] ?? type, value: new AttributeValue(type === 'C' ? { printableString: value } : { utf8String: value }) })])),
  );
}

/** openvmm's test subject: C=US, ST=Washington, L=Redmond, O=Test, CN=`commonName`. */
export function openvmmName(commonName: string, organization = 'Test'): Name {
  return name([
    ['C', 'US'],
    ['ST', 'Washington'],
    ['L', 'Redmond'],
    ['O', organization],
    ['CN', commonName],
  ]);
}

export type SignatureKind = 'rsa-pkcs1-sha256' | 'rsa-pss-sha384' | 'ecdsa-sha384';

function hashAlgorithm(oid: string) {
  return new AlgorithmIdentifier({ algorithm: oid, parameters: null });
}

/** The AlgorithmIdentifier of a signature kind (PSS: SHA-384, MGF1-SHA-384, salt 48, as AMD's). */
export function signatureAlgorithm(kind: SignatureKind): AlgorithmIdentifier {
  if (kind === 'rsa-pkcs1-sha256') return new AlgorithmIdentifier({ algorithm: id_sha256WithRSAEncryption, parameters: null });
  if (kind === 'ecdsa-sha384') return new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' });
  const params = new RsaSaPssParams({
    hashAlgorithm: hashAlgorithm(id_sha384),
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(hashAlgorithm(id_sha384)) }),
    saltLength: 48,
  });
  return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
}

export interface CertificateTemplate {
  subject: Name;
  issuer: Name;
  serial?: Uint8Array;
  /** The subject's public key as SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  signature: SignatureKind;
  /** keyCertSign (and a CA basicConstraints) when true; digitalSignature only when false; no keyUsage when undefined. */
  ca?: boolean;
  subjectKeyId?: Uint8Array;
}

/** Builds the TBS and signs it with `sign` (which returns the raw signature bits: RSA, or DER ECDSA). */
export async function buildCertificate(template: CertificateTemplate, sign: (tbs: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const algorithm = signatureAlgorithm(template.signature);
  const extensions: Extension[] = [];
  if (template.ca !== undefined) {
    const usage = new KeyUsage(template.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature);
    extensions.push(new Extension({ extnID: id_ce_keyUsage, critical: true, extnValue: new OctetString(AsnConvert.serialize(usage)) }));
    if (template.ca) extensions.push(new Extension({ extnID: id_ce_basicConstraints, critical: true, extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: true }))) }));
  }
  if (template.subjectKeyId) {
    extensions.push(new Extension({ extnID: id_ce_subjectKeyIdentifier, extnValue: new OctetString(AsnConvert.serialize(new SubjectKeyIdentifier(template.subjectKeyId))) }));
  }
  const tbs = new TBSCertificate({
    version: 2,
    serialNumber: (template.serial ?? Uint8Array.of(1)).slice().buffer,
    signature: algorithm,
    issuer: template.issuer,
    validity: new Validity({ notBefore: new Date(0), notAfter: new Date('2100-01-01T00:00:00Z') }),
    subject: template.subject,
    subjectPublicKeyInfo: AsnConvert.parse(template.spki, SubjectPublicKeyInfo),
    ...(extensions.length ? { extensions: new Extensions(extensions) } : {}),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await sign(tbsDer);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: signature.slice().buffer });
  return new Uint8Array(AsnConvert.serialize(cert));
}

/** The SubjectPublicKeyInfo DER of an RSA key from its modulus and exponent. */
export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Uint8Array<ArrayBuffer> {
  const int = (b: Uint8Array) => (b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b);
  const tlv = (tag: number, content: Uint8Array): Uint8Array => {
    const n = content.length;
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return Uint8Array.of(tag, ...length, ...content);
  };
  const rsaPublicKey = tlv(0x30, Uint8Array.of(...tlv(0x02, int(modulus)), ...tlv(0x02, int(publicExponent))));
  const algorithm = Uint8Array.from([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
  return new Uint8Array(tlv(0x30, Uint8Array.of(...algorithm, ...tlv(0x03, Uint8Array.of(0, ...rsaPublicKey)))));
}
