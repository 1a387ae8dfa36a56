/**
 * Builds a detached PKCS#7 SignedData at test time, as openvmm's `Pkcs7SignedData::sign`: one
 * SignerInfo (`@peculiar/asn1-cms`) per signer, identified by issuer and serial number, SHA-256
 * with RSA PKCS#1 v1.5, no signed attributes (the signature covers the content). The embedded
 * certificates are inserted byte for byte (a re-encoding could change the signed bytes).
 */
import { IssuerAndSerialNumber, SignerIdentifier, SignerInfo } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';

export interface SignerSpec {
  /** The signer's certificate (its issuer and serial identify the signer). */
  certificate: Uint8Array;
  /** The RSA PKCS#1 v1.5 SHA-256 signature over the content. */
  signature: Uint8Array;
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (content.set(p, offset), offset + p.length), 0);
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.of(tag, ...length, ...content);
}

const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (h) => Number.parseInt(h, 16));

/** A DER ContentInfo/SignedData with `signers` and `certificates` embedded, content detached. */
export function buildSignedData(signers: SignerSpec[], certificates: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const sha256 = hex('0609608648016503040201' + '0500');
  const signerInfos = signers.map(({ certificate, signature }) => {
    const tbs = AsnConvert.parse(certificate, Certificate).tbsCertificate;
    const info = new SignerInfo({
      version: 1,
      sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: tbs.issuer, serialNumber: tbs.serialNumber }) }),
      digestAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1', parameters: null }),
      signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }),
      signature: new OctetString(signature.slice().buffer),
    });
    return new Uint8Array(AsnConvert.serialize(info));
  });
  const signedData = tlv(
    0x30,
    Uint8Array.of(0x02, 0x01, 0x01), // version 1
    tlv(0x31, tlv(0x30, sha256)), // digestAlgorithms
    tlv(0x30, hex('06092a864886f70d010701')), // encapContentInfo: id-data, no content
    tlv(0xa0, ...certificates),
    tlv(0x31, ...signerInfos),
  );
  return new Uint8Array(tlv(0x30, hex('06092a864886f70d010702'), tlv(0xa0, signedData)));
}
