/**
 * `x509` in pure JavaScript: parsed by `internal/asn1.ts` (`@peculiar/asn1-x509`), verified with
 * this backend's `rsa` (`micro-rsa-dsa-dh`) and `ecdsa` (`@noble/curves`) keys (see `parsed.ts`).
 */
import type { X509CertificateInner } from '../backend/asymmetric.ts';
import { fromPublicKeyBytes } from '../ecdsa/noble.ts';
import { fromPublicComponents } from '../rsa/noble.ts';
import { ParsedCertificate } from './parsed.ts';

export function fromDer(der: Uint8Array): X509CertificateInner {
  return new ParsedCertificate(der, { rsa: fromPublicComponents, ecdsa: fromPublicKeyBytes });
}
