/**
 * `@tsvmm/sev/snp`: AMD SEV-SNP attestation on the workspace crypto (`@tsvmm/crypto`, whichever
 * backend the app links), modelled on virtee/sev (`firmware::guest`, `certs::snp`) and
 * google/go-sev-guest (`abi`, `kds`, `verify`, `validate`).
 *
 * - `report.ts`: the one door for report bytes, {@link AttestationReport.parse} (versions 2, 3, 5;
 *   Milan/Genoa and Turin TCB layouts), with `tcb.ts`, `guest_policy.ts`, `platform_info.ts`,
 *   `key_info.ts`, `product.ts`; `guest_message.ts` for MSG_REPORT_RSP / MSG_KEY_RSP.
 * - `trust_roots.ts`: caller-supplied AMD roots ({@link SnpTrustRoots}); `amd_certificate.ts`:
 *   AMD's certificate profile and extensions; `crl.ts`: AMD's CRLs.
 * - `verify.ts`: the chain ARK → ASK/ASVK → VCEK/VLEK → report ({@link verifyEndorsementKey},
 *   {@link VerifiedEndorsementKey.verifyReport}, {@link verifyAttestation}).
 * - `validate.ts`: policy checks ({@link validateReport}), every failure listed.
 * - `kds.ts`: AMD KDS URLs (strings only; nothing is fetched).
 *
 * Every failure is an {@link SnpError} with a stable `code` and the field (and offset) it is about.
 */
export { SnpError, isSnpError, type SnpErrorCode, type SnpErrorDetails, type SnpFailure } from './error.ts';
export { PRODUCT_LINES, TURIN_HWID_LENGTH, isProductLine, isTurinLikeChipId, parseProductName, productFromCpuid, type ProductLine, type ProductName } from './product.ts';
export { decodeTcb, describeTcb, encodeTcb, tcbAtLeast, tcbLayoutOf, type TcbLayout, type TcbParts, type TcbVersion } from './tcb.ts';
export { GUEST_POLICY_RESERVED_MASK, decodeGuestPolicy, encodeGuestPolicy, type GuestPolicy, type GuestPolicyFlags } from './guest_policy.ts';
export { PLATFORM_INFO_KNOWN_MASK, decodePlatformInfo, encodePlatformInfo, type PlatformInfo, type PlatformInfoFlags } from './platform_info.ts';
export { KEY_INFO_RESERVED_MASK, decodeKeyInfo, encodeKeyInfo, type KeyInfo, type SigningKey } from './key_info.ts';
export {
  AttestationReport,
  PADDED_REPORT_SIZE,
  REPORT_FIELDS,
  REPORT_SIZE,
  REPORT_VERSIONS,
  SIGNATURE_ALGO_ECDSA_P384_SHA384,
  SIGNATURE_OFFSET,
  fieldAt,
  type FirmwareVersion,
  type ParseReportOptions,
  type ReportCpuid,
  type ReportField,
  type ReportProduct,
} from './report.ts';
export { DERIVED_KEY_LENGTH, GUEST_RESPONSE_HEADER_SIZE, parseDerivedKeyResponse, parseReportResponse, type DerivedKeyResponse, type ReportResponse } from './guest_message.ts';
export { AMD_COMPONENT_LENGTH, AMD_ECDSA_PUBLIC_KEY_LENGTH, amdEcdsaPublicKey, amdEcdsaPublicKeyDigest, amdSignatureToRaw, rawSignatureToAmd } from './signature.ts';
export { kdsCertChainUrl, kdsCrlUrl, kdsVcekUrl, kdsVlekUrl, type KdsKeyKind, type KdsSplOptions } from './kds.ts';
export {
  AMD_LOCATION,
  AMD_OID,
  caRoleOf,
  checkCaProfile,
  checkEndorsementProfile,
  commonNameOf,
  type AmdExtensions,
  type AmdRole,
  type AmdSpls,
} from './amd_certificate.ts';
export { AmdCrl, type RevokedCertificate } from './crl.ts';
export { SnpTrustRoots, type ProductRoots } from './trust_roots.ts';
export {
  VerifiedEndorsementKey,
  verifyAttestation,
  verifyEndorsementKey,
  type ExpectedProduct,
  type SnpClock,
  type SnpVerifyOptions,
  type VerifiedAttestation,
} from './verify.ts';
export { assertReportValid, validateReport, type BytesLike, type SnpValidationPolicy, type SnpValidationResult, type TcbLike } from './validate.ts';
