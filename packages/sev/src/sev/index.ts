/**
 * Legacy SEV (and SEV-ES) certificates: AMD's ARK and ASK in AMD format, the platform's PDH, PEK,
 * OCA and CEK in SEV format, their chains, and verification on `@tsvmm/crypto` (whichever backend
 * the app links). Modelled on virtee/sev's `certs::sev`; the SEV API spec (AMD publication 55766),
 * appendices B and C, defines the formats.
 *
 * One door for untrusted bytes: `decode` turns them into frozen, validated objects or throws a
 * located {@link SevFormatError}; `encode` gives the same bytes back. Verification never throws
 * for a bad signature: it resolves with a result that says why (`SevVerifyFailure`).
 */
export { SevFormatError, type SevFormatErrorCode } from './error.ts';
export {
  SevAlgorithm,
  SevCurve,
  SevUsage,
  algorithmName as sevAlgorithmName,
  curveName as sevCurveName,
  usageName as sevUsageName,
} from './usage.ts';
export { SEV_CA_HEADER_SIZE, SEV_CA_KEY_BITS, SevCaCertificate, type SevCaCertificateFields } from './ca_certificate.ts';
export {
  SEV_CERTIFICATE_BODY_SIZE,
  SEV_CERTIFICATE_SIZE,
  SEV_SIGNATURE_SIZE,
  SevCertificate,
  type SevCertificateFields,
  type SevEccKey,
  type SevPlatformUsage,
  type SevPublicKey,
  type SevRsaKey,
  type SevSignatureSlot,
} from './certificate.ts';
export { verifySevSignature, type SevAnyCertificate, type SevVerifyFailure, type SevVerifyResult } from './verify.ts';
export { SevCaChain, SevChain, SevPlatformChain, type SevChainCheck, type SevChainReport } from './chain.ts';
export { SEV_GENERATIONS, identifySevCekGeneration, sevBuiltinCaChain, sevBuiltinGeneration, type SevGeneration } from './builtin.ts';
