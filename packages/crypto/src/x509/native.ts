/**
 * `x509` on WebCrypto: WebCrypto parses no certificates, so they are parsed by `internal/asn1.ts`
 * (pure JS, `@peculiar/asn1-x509`) and their signatures checked with this backend's WebCrypto
 * `rsa` and `ecdsa` keys (see `parsed.ts`). An RSA-PSS certificate whose MGF1 hash differs from
 * its hash is therefore unsupported here, as for `rsa`.
 */
import type { X509CertificateInner } from '../backend/asymmetric.ts';
import { fromPublicKeyBytes } from '../ecdsa/native.ts';
import { fromPublicComponents } from '../rsa/native.ts';
import { ParsedCertificate } from './parsed.ts';

export function fromDer(der: Uint8Array): X509CertificateInner {
  return new ParsedCertificate(der, { rsa: fromPublicComponents, ecdsa: fromPublicKeyBytes });
}
