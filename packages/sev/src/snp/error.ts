/**
 * The one error of the SEV-SNP modules: {@link SnpError}. Its `code` is a stable ID (tests and
 * tools match on it, never on the prose); `field` and `offset` say where: a report field by its
 * name in the SNP ABI specification (`CHIP_ID`, offset 0x1A0), a certificate field by role and
 * name (`VCEK.extensions.hwID`), an option by its name (`measurement`). `failures` lists every
 * problem when there are several (a certificate profile, policy validation): all of them are
 * reported at once, never only the first. The underlying error, if any, is the standard `cause`.
 *
 * A report or certificate that parses but does not verify is also an `SnpError` (verification
 * either returns a verified object or throws): an attestation must not be usable by accident.
 */

/**
 * What went wrong, as a stable ID:
 *
 * | code | when |
 * |---|---|
 * | `reportTruncated` | the input ends inside `field` (`offset` is where the field starts) |
 * | `reportTrailingData` | bytes after the 1184-byte report (`offset` is the first unexpected byte) |
 * | `reportVersion` | a VERSION this package does not read (2, 3 and 5 are read) |
 * | `reportReserved` | a reserved range or bit that must be zero is not (`offset` is the first non-zero byte) |
 * | `reportInvalid` | a field holds a value the ABI does not allow (a reserved SIGNING_KEY, ...) |
 * | `reportProduct` | the processor product (and so the TCB layout) cannot be told from the report |
 * | `certificateMalformed` | bytes that are not a certificate (DER, PEM) |
 * | `certificateProfile` | a certificate that is not what AMD's KDS specification says it is (names, algorithms, keys, extensions) |
 * | `certificateSignature` | a certificate that its issuer did not sign, or does not verify under the trusted roots |
 * | `certificateValidity` | a certificate not valid at the verification time |
 * | `certificateRevoked` | a certificate whose serial number the CRL lists |
 * | `trustRoots` | no or unusable trusted ARK/ASK/ASVK for the product |
 * | `crlMalformed` | bytes that are not a CRL |
 * | `crlInvalid` | a CRL not signed by the ARK, of another issuer, or out of date |
 * | `reportSignature` | the report's signature does not verify, or the report is not signed |
 * | `reportMismatch` | report and endorsement certificate disagree (TCB, CHIP_ID, signing key, product) |
 * | `policyOptions` | validation options that are themselves invalid (every problem in `failures`) |
 * | `policyViolation` | a report that breaks the validation policy (every failed check in `failures`) |
 */
export type SnpErrorCode =
  | 'reportTruncated'
  | 'reportTrailingData'
  | 'reportVersion'
  | 'reportReserved'
  | 'reportInvalid'
  | 'reportProduct'
  | 'certificateMalformed'
  | 'certificateProfile'
  | 'certificateSignature'
  | 'certificateValidity'
  | 'certificateRevoked'
  | 'trustRoots'
  | 'crlMalformed'
  | 'crlInvalid'
  | 'reportSignature'
  | 'reportMismatch'
  | 'policyOptions'
  | 'policyViolation';

/** One failed check: the field it is about, a stable check ID and the explanation. */
export interface SnpFailure {
  /** A report field (`MEASUREMENT`), certificate field (`VCEK.subject.CN`) or option (`vmpl`). */
  readonly field: string;
  /** A stable ID of the check, e.g. `guestPolicy.debug`, `tcb.minimum`, `measurement`. */
  readonly check: string;
  readonly message: string;
}

export interface SnpErrorDetails {
  readonly field?: string;
  readonly offset?: number;
  readonly failures?: readonly SnpFailure[];
  readonly cause?: unknown;
}

const hex = (offset: number) => `0x${offset.toString(16).toUpperCase().padStart(3, '0')}`;

/** An SEV-SNP report, certificate, CRL or policy problem (see the module doc and {@link SnpErrorCode}). */
export class SnpError extends Error {
  override readonly name = 'SnpError';
  readonly code: SnpErrorCode;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  readonly failures: readonly SnpFailure[];

  constructor(code: SnpErrorCode, message: string, details: SnpErrorDetails = {}) {
    const where = details.field === undefined ? '' : details.offset === undefined ? `${details.field}: ` : `${details.field} at ${hex(details.offset)}: `;
    const list = details.failures?.length ? `\n${details.failures.map((f) => `  - ${f.field}: ${f.message} [${f.check}]`).join('\n')}` : '';
    super(`[${code}] ${where}${message}${list}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.field = details.field;
    this.offset = details.offset;
    this.failures = details.failures ?? [];
  }
}

/** Whether `error` is an {@link SnpError} with `code` (any code when omitted). */
export function isSnpError(error: unknown, code?: SnpErrorCode): error is SnpError {
  return error instanceof SnpError && (code === undefined || error.code === code);
}
