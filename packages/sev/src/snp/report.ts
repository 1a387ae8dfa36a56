/**
 * ATTESTATION_REPORT (SEV-SNP ABI specification, table "ATTESTATION_REPORT Structure"): 1184
 * (0x4A0) bytes, little-endian, signed by the VCEK or VLEK with ECDSA P-384 over bytes
 * 0x000-0x29F. {@link AttestationReport.parse} is the one door: it reads versions 2, 3 and 5,
 * checks every reserved range, decodes every field and works out the product line (so the TCB
 * layout), or throws an {@link SnpError} naming the field and its offset.
 *
 * Versions: 3 adds CPUID_FAM_ID, CPUID_MOD_ID and CPUID_STEP at 0x188-0x18A; 5 adds
 * LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR at 0x1F8 and 0x200. Version 4 is refused: virtee/sev
 * reads it as version 3 and go-sev-guest as version 5, and no report of it is at hand to decide.
 *
 * Product and TCB layout: from CPUID family/model in versions 3 and 5; in version 2 from CHIP_ID
 * (Turin-like: 8 bytes then 56 zeros → Turin; otherwise Milan or Genoa, which share a layout and
 * are told apart later by the VCEK's productName). A masked CHIP_ID (all zero) in a version-2
 * report, or an unknown CPUID, needs `options.product`; a contradicting option is an error.
 *
 * Input size: exactly 1184 bytes. With `allowZeroPadding` (for the form some services return:
 * the 3968-byte report area of a 4000-byte MSG_REPORT_RSP, LIT Protocol's `VALID_REPORT`), up to
 * 3968 bytes are accepted when everything after byte 1184 is zero.
 */
import { firstNonZero, isZero, u32, u64 } from './bytes.ts';
import { SnpError } from './error.ts';
import { type GuestPolicy, GUEST_POLICY_RESERVED_MASK, decodeGuestPolicy } from './guest_policy.ts';
import { type KeyInfo, decodeKeyInfo } from './key_info.ts';
import { type PlatformInfo, decodePlatformInfo } from './platform_info.ts';
import { type ProductLine, isProductLine, isTurinLikeChipId, productFromCpuid } from './product.ts';
import { type TcbLayout, type TcbVersion, decodeTcb, tcbLayoutOf } from './tcb.ts';

/** Size of an ATTESTATION_REPORT. */
export const REPORT_SIZE = 0x4a0;

/** Offset of SIGNATURE: the signature covers bytes 0 to this, exclusive. */
export const SIGNATURE_OFFSET = 0x2a0;

/** The largest zero-padded input `allowZeroPadding` accepts: a 4000-byte MSG_REPORT_RSP minus its 32-byte header. */
export const PADDED_REPORT_SIZE = 3968;

/** The report versions this package reads. */
export const REPORT_VERSIONS = [2, 3, 5] as const;

/** SIGNATURE_ALGO value of ECDSA P-384 with SHA-384, the only one defined. */
export const SIGNATURE_ALGO_ECDSA_P384_SHA384 = 1;

/** A field of the report: its ABI name, offset and size. */
export interface ReportField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** Every field and reserved range in order (names as in the SNP ABI; `RESERVED_<offset>` for reserved ranges). */
export const REPORT_FIELDS: readonly ReportField[] = [
  ['VERSION', 0x00, 4],
  ['GUEST_SVN', 0x04, 4],
  ['POLICY', 0x08, 8],
  ['FAMILY_ID', 0x10, 16],
  ['IMAGE_ID', 0x20, 16],
  ['VMPL', 0x30, 4],
  ['SIGNATURE_ALGO', 0x34, 4],
  ['CURRENT_TCB', 0x38, 8],
  ['PLATFORM_INFO', 0x40, 8],
  ['KEY_INFO', 0x48, 4],
  ['RESERVED_0x04C', 0x4c, 4],
  ['REPORT_DATA', 0x50, 64],
  ['MEASUREMENT', 0x90, 48],
  ['HOST_DATA', 0xc0, 32],
  ['ID_KEY_DIGEST', 0xe0, 48],
  ['AUTHOR_KEY_DIGEST', 0x110, 48],
  ['REPORT_ID', 0x140, 32],
  ['REPORT_ID_MA', 0x160, 32],
  ['REPORTED_TCB', 0x180, 8],
  ['CPUID_FAM_ID', 0x188, 1],
  ['CPUID_MOD_ID', 0x189, 1],
  ['CPUID_STEP', 0x18a, 1],
  ['RESERVED_0x18B', 0x18b, 0x15],
  ['CHIP_ID', 0x1a0, 64],
  ['COMMITTED_TCB', 0x1e0, 8],
  ['CURRENT_BUILD', 0x1e8, 1],
  ['CURRENT_MINOR', 0x1e9, 1],
  ['CURRENT_MAJOR', 0x1ea, 1],
  ['RESERVED_0x1EB', 0x1eb, 1],
  ['COMMITTED_BUILD', 0x1ec, 1],
  ['COMMITTED_MINOR', 0x1ed, 1],
  ['COMMITTED_MAJOR', 0x1ee, 1],
  ['RESERVED_0x1EF', 0x1ef, 1],
  ['LAUNCH_TCB', 0x1f0, 8],
  ['LAUNCH_MIT_VECTOR', 0x1f8, 8],
  ['CURRENT_MIT_VECTOR', 0x200, 8],
  ['RESERVED_0x208', 0x208, 0x98],
  ['SIGNATURE.R', 0x2a0, 72],
  ['SIGNATURE.S', 0x2e8, 72],
  ['SIGNATURE.RESERVED', 0x330, 0x170],
].map(([name, offset, size]) => ({ name: name as string, offset: offset as number, size: size as number }));

/** The field containing byte `offset`. */
export function fieldAt(offset: number): ReportField | undefined {
  return REPORT_FIELDS.find((f) => offset >= f.offset && offset < f.offset + f.size);
}

/** A firmware version as the report gives it (major.minor, build). */
export interface FirmwareVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
}

/** The processor family, model and stepping of a version 3+ report. */
export interface ReportCpuid {
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
}

/**
 * Where the report's product came from: `cpuid` (v3+), `chipId` (v2: Turin-like or not) or
 * `option` (`ParseReportOptions.product`). `line` is undefined for a v2 Milan-or-Genoa report.
 */
export interface ReportProduct {
  readonly line: ProductLine | undefined;
  readonly layout: TcbLayout;
  readonly source: 'cpuid' | 'chipId' | 'option';
}

export interface ParseReportOptions {
  /** Accept input up to {@link PADDED_REPORT_SIZE} bytes whose bytes after the report are all zero (see the module doc). */
  readonly allowZeroPadding?: boolean;
  /** The product line, for reports that cannot say (v2 with a masked CHIP_ID, an unknown CPUID). */
  readonly product?: ProductLine;
}

const TOKEN = Symbol('AttestationReport');

const fieldNamed = (name: string) => REPORT_FIELDS.find((f) => f.name === name)!;

function reserved(bytes: Uint8Array, start: number, end: number): void {
  const at = firstNonZero(bytes, start, end);
  if (at >= 0) {
    const field = fieldAt(at)!;
    throw new SnpError('reportReserved', `must be zero, byte 0x${at.toString(16)} is 0x${bytes[at]!.toString(16).padStart(2, '0')}`, { field: field.name, offset: at });
  }
}

/** A parsed, structurally valid attestation report (not yet verified: see `verify.ts`). */
export class AttestationReport {
  readonly #bytes: Uint8Array;
  /** 2, 3 or 5. */
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: GuestPolicy;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  /** 1 for ECDSA P-384 with SHA-384; other values are kept and refused by verification. */
  readonly signatureAlgorithm: number;
  readonly currentTcb: TcbVersion;
  readonly platformInfo: PlatformInfo;
  readonly keyInfo: KeyInfo;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: TcbVersion;
  /** Version 3 and later. */
  readonly cpuid: ReportCpuid | undefined;
  readonly chipId: Uint8Array;
  /** CHIP_ID is all zero: the host masked it (SNP_CONFIG MASK_CHIP_ID). */
  readonly chipIdMasked: boolean;
  readonly committedTcb: TcbVersion;
  readonly currentVersion: FirmwareVersion;
  readonly committedVersion: FirmwareVersion;
  readonly launchTcb: TcbVersion;
  /** Version 5 and later. */
  readonly launchMitVector: bigint | undefined;
  readonly currentMitVector: bigint | undefined;
  /** SIGNATURE's R and S, 72 bytes each, little-endian, as in the report. */
  readonly signature: { readonly r: Uint8Array; readonly s: Uint8Array };
  readonly product: ReportProduct;

  /** Not for use: reports come from {@link AttestationReport.parse}. */
  constructor(token: symbol, bytes: Uint8Array, options: ParseReportOptions) {
    if (token !== TOKEN) throw new TypeError('use AttestationReport.parse');
    const b = bytes;
    this.#bytes = b;
    const slice = (name: string) => {
      const f = fieldNamed(name);
      return b.slice(f.offset, f.offset + f.size);
    };

    this.version = u32(b, 0x00);
    if (!(REPORT_VERSIONS as readonly number[]).includes(this.version)) {
      throw new SnpError('reportVersion', `version ${this.version} is not supported (${REPORT_VERSIONS.join(', ')} are)`, { field: 'VERSION', offset: 0 });
    }
    const v3 = this.version >= 3;
    const v5 = this.version >= 5;

    // Reserved ranges first: they are structural.
    reserved(b, 0x4c, 0x50);
    reserved(b, v3 ? 0x18b : 0x188, 0x1a0);
    reserved(b, 0x1eb, 0x1ec);
    reserved(b, 0x1ef, 0x1f0);
    reserved(b, v5 ? 0x208 : 0x1f8, SIGNATURE_OFFSET);

    const policy = u64(b, 0x08);
    if ((policy & GUEST_POLICY_RESERVED_MASK) !== 0n) {
      let bit = 26;
      while (((policy >> BigInt(bit)) & 1n) === 0n) bit++;
      throw new SnpError('reportReserved', `bits 63:26 must be zero, bit ${bit} is set (0x${policy.toString(16)})`, { field: 'POLICY', offset: 0x08 + (bit >> 3) });
    }
    this.policy = decodeGuestPolicy(policy);

    const keyInfo = decodeKeyInfo(u32(b, 0x48));
    if (typeof keyInfo === 'string') throw new SnpError(keyInfo.startsWith('reserved') ? 'reportReserved' : 'reportInvalid', keyInfo, { field: 'KEY_INFO', offset: 0x48 });
    this.keyInfo = keyInfo;

    this.signatureAlgorithm = u32(b, 0x34);
    if (this.signatureAlgorithm === SIGNATURE_ALGO_ECDSA_P384_SHA384) {
      // P-384 values use the low 48 bytes of each 72-byte component; the rest of SIGNATURE is reserved.
      reserved(b, 0x2a0 + 48, 0x2a0 + 72);
      reserved(b, 0x2e8 + 48, 0x2e8 + 72);
      reserved(b, 0x330, REPORT_SIZE);
    }

    this.chipId = slice('CHIP_ID');
    this.chipIdMasked = isZero(this.chipId);
    this.cpuid = v3 ? { family: b[0x188]!, model: b[0x189]!, stepping: b[0x18a]! } : undefined;
    this.product = resolveProduct(this, options);
    const layout = this.product.layout;

    this.guestSvn = u32(b, 0x04);
    this.familyId = slice('FAMILY_ID');
    this.imageId = slice('IMAGE_ID');
    this.vmpl = u32(b, 0x30);
    this.currentTcb = decodeTcb(u64(b, 0x38), layout);
    this.platformInfo = decodePlatformInfo(u64(b, 0x40));
    this.reportData = slice('REPORT_DATA');
    this.measurement = slice('MEASUREMENT');
    this.hostData = slice('HOST_DATA');
    this.idKeyDigest = slice('ID_KEY_DIGEST');
    this.authorKeyDigest = slice('AUTHOR_KEY_DIGEST');
    this.reportId = slice('REPORT_ID');
    this.reportIdMa = slice('REPORT_ID_MA');
    this.reportedTcb = decodeTcb(u64(b, 0x180), layout);
    this.committedTcb = decodeTcb(u64(b, 0x1e0), layout);
    this.currentVersion = { build: b[0x1e8]!, minor: b[0x1e9]!, major: b[0x1ea]! };
    this.committedVersion = { build: b[0x1ec]!, minor: b[0x1ed]!, major: b[0x1ee]! };
    this.launchTcb = decodeTcb(u64(b, 0x1f0), layout);
    this.launchMitVector = v5 ? u64(b, 0x1f8) : undefined;
    this.currentMitVector = v5 ? u64(b, 0x200) : undefined;
    this.signature = { r: slice('SIGNATURE.R'), s: slice('SIGNATURE.S') };
  }

  /**
   * Parses `bytes` (see the module doc). Throws {@link SnpError}: `reportTruncated`,
   * `reportTrailingData`, `reportVersion`, `reportReserved`, `reportInvalid` or `reportProduct`,
   * with the field and its offset.
   */
  static parse(bytes: Uint8Array, options: ParseReportOptions = {}): AttestationReport {
    if (!(bytes instanceof Uint8Array)) throw new SnpError('reportInvalid', 'the report must be a Uint8Array', { field: 'report' });
    if (options.product !== undefined && !isProductLine(options.product)) throw new SnpError('reportProduct', `unknown product line ${JSON.stringify(options.product)}`, { field: 'options.product' });
    if (bytes.length < REPORT_SIZE) {
      const field = REPORT_FIELDS.find((f) => f.offset + f.size > bytes.length)!;
      throw new SnpError('reportTruncated', `the report is ${REPORT_SIZE} bytes; the input ends after ${bytes.length}, inside ${field.name} (0x${field.offset.toString(16)}-0x${(field.offset + field.size).toString(16)})`, {
        field: field.name,
        offset: field.offset,
      });
    }
    if (bytes.length > REPORT_SIZE) {
      const extra = bytes.length - REPORT_SIZE;
      if (!options.allowZeroPadding) {
        throw new SnpError('reportTrailingData', `${extra} bytes after the ${REPORT_SIZE}-byte report (pass allowZeroPadding for a zero-padded report)`, { field: 'report', offset: REPORT_SIZE });
      }
      if (bytes.length > PADDED_REPORT_SIZE) {
        throw new SnpError('reportTrailingData', `a zero-padded report is at most ${PADDED_REPORT_SIZE} bytes, got ${bytes.length}`, { field: 'report', offset: PADDED_REPORT_SIZE });
      }
      const at = firstNonZero(bytes, REPORT_SIZE);
      if (at >= 0) throw new SnpError('reportTrailingData', `padding after the report must be zero, byte 0x${at.toString(16)} is not`, { field: 'report', offset: at });
    }
    return new AttestationReport(TOKEN, bytes.slice(0, REPORT_SIZE), options);
  }

  /** The report's 1184 bytes (a copy). */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** Bytes 0x000-0x29F: what the signature covers (a copy). */
  signedBytes(): Uint8Array {
    return this.#bytes.slice(0, SIGNATURE_OFFSET);
  }
}

function resolveProduct(report: AttestationReport, options: ParseReportOptions): ReportProduct {
  const option = options.product;
  if (report.cpuid !== undefined) {
    const line = productFromCpuid(report.cpuid.family, report.cpuid.model);
    if (line === undefined) {
      if (option !== undefined) return { line: option, layout: tcbLayoutOf(option), source: 'option' };
      throw new SnpError('reportProduct', `CPUID family 0x${report.cpuid.family.toString(16)} model 0x${report.cpuid.model.toString(16)} is not a known SEV-SNP product; pass options.product`, { field: 'CPUID_FAM_ID', offset: 0x188 });
    }
    if (option !== undefined && option !== line) throw new SnpError('reportProduct', `CPUID says ${line}, options.product says ${option}`, { field: 'CPUID_FAM_ID', offset: 0x188 });
    return { line, layout: tcbLayoutOf(line), source: 'cpuid' };
  }
  if (report.chipIdMasked) {
    if (option !== undefined) return { line: option, layout: tcbLayoutOf(option), source: 'option' };
    throw new SnpError('reportProduct', 'a version-2 report with a masked (all-zero) CHIP_ID does not say its product, so its TCB layout is unknown; pass options.product', { field: 'CHIP_ID', offset: 0x1a0 });
  }
  const turin = isTurinLikeChipId(report.chipId);
  if (option !== undefined) {
    if ((option === 'Turin') !== turin) throw new SnpError('reportProduct', `CHIP_ID is ${turin ? '' : 'not '}Turin-like, options.product says ${option}`, { field: 'CHIP_ID', offset: 0x1a0 });
    return { line: option, layout: tcbLayoutOf(option), source: 'option' };
  }
  return turin ? { line: 'Turin', layout: 'turin', source: 'chipId' } : { line: undefined, layout: 'milan-genoa', source: 'chipId' };
}
