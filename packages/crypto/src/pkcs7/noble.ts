/**
 * `pkcs7` on the noble backend: pure JavaScript, so the SignedData is parsed by `internal/asn1.ts`
 * (`@peculiar/asn1-cms`). Every check of the UEFI verification runs in the public module through
 * this backend's `hashes`, `rsa` and `x509`.
 */
export { parseSignedData as parse } from '../internal/asn1.ts';
