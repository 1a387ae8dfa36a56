/**
 * Policy validation of an SEV-SNP report, as go-sev-guest's `validate` package: what the report
 * says, checked against what the verifier requires. It does not check signatures (that is
 * `verify.ts`'s): validate a report that verified.
 *
 * {@link validateReport} runs every check the policy asks for and returns **every** failure, each
 * with its report field and a stable check ID; {@link assertReportValid} throws them as one
 * `policyViolation` {@link SnpError}. Options that are themselves invalid (a 65-byte
 * `reportData`, `vmpl: 4`, `minimumVersion: "0."`, a guest policy without its reserved bit 17)
 * throw `policyOptions`, again listing every problem.
 *
 * | option | check (failure `check` ID) |
 * |---|---|
 * | `guestPolicy` | the report's POLICY within this maximum: ABI version at least, SMT / MIGRATE_MA / DEBUG / CXL only if allowed, SINGLE_SOCKET / MEM_AES_256_XTS / RAPL_DIS / CIPHERTEXT_HIDING / PAGE_SWAP_DISABLE if required; bit 17 set (`guestPolicy.*`) |
 * | `minimumGuestSvn` | GUEST_SVN (`guestSvn`) |
 * | `reportData`, `hostData`, `familyId`, `imageId`, `reportId`, `reportIdMa`, `measurement`, `chipId` | equal, byte for byte |
 * | `minimumTcb` | REPORTED_TCB at least, every byte (`tcb.minimum`) |
 * | `minimumLaunchTcb` | LAUNCH_TCB at least (`tcb.minimumLaunch`) |
 * | `permitProvisionalFirmware` | false (default): COMMITTED = CURRENT TCB and firmware version; true: COMMITTED at most CURRENT, TCB byte by byte, versions as major.minor.build (`tcb.provisional`, `firmware.provisional`) |
 * | `minimumBuild`, `minimumVersion` | CURRENT_BUILD, CURRENT_MAJOR.CURRENT_MINOR at least (`firmware.*`) |
 * | `platformInfo` | PLATFORM_INFO within this maximum: SMT, TSME, SEV-TIO only if allowed; ECC, RAPL disabled, ciphertext hiding, alias check if required; no unknown bit (`platformInfo.*`) |
 * | `requireAuthorKey` | AUTHOR_KEY_EN, and AUTHOR_KEY_DIGEST trusted (`keys.authorKey`) |
 * | `requireIdBlock` | ID_KEY_DIGEST trusted, or a trusted author key (`keys.idKey`) |
 * | `vmpl` | VMPL equal (`vmpl`) |
 * | `minimumLaunchMitVector`, `minimumCurrentMitVector` | every bit set in the version-5 vector (`mitigation.*`) |
 * | (a verified endorsement key given) | REPORTED_TCB = certificate TCB, certificate TCB at most CURRENT_TCB, CHIP_ID = hwID (`tcb.certificate`, `tcb.certificateCurrent`, `chipId.certificate`) |
 *
 * Absent options are not checked. Trusted keys are given as digests (SHA-384 of the key in the
 * SEV ABI format, 48 bytes) or as `EcdsaPublicKey`s.
 */
import { EcdsaPublicKey } from '@tsvmm/crypto';
import { bytesEqual, fromHex, toHex } from './bytes.ts';
import { SnpError, type SnpFailure } from './error.ts';
import { type GuestPolicy, type GuestPolicyFlags, GUEST_POLICY_RESERVED_MASK, decodeGuestPolicy, encodeGuestPolicy } from './guest_policy.ts';
import { type PlatformInfo, type PlatformInfoFlags, PLATFORM_INFO_KNOWN_MASK, decodePlatformInfo, encodePlatformInfo } from './platform_info.ts';
import { AttestationReport } from './report.ts';
import { amdEcdsaPublicKeyDigest } from './signature.ts';
import { type TcbParts, type TcbVersion, describeTcb, encodeTcb, tcbAtLeast } from './tcb.ts';
import { type VerifiedAttestation, type VerifiedEndorsementKey } from './verify.ts';

/** Bytes, or their hex (whitespace ignored). */
export type BytesLike = Uint8Array | string;

/** A TCB: the raw 64-bit value, or named SPLs (encoded in the report's layout). */
export type TcbLike = bigint | TcbParts;

export interface SnpValidationPolicy {
  /** The most the guest policy may allow (and what it must require): a raw 64-bit value or flags. */
  readonly guestPolicy?: bigint | GuestPolicyFlags;
  readonly minimumGuestSvn?: number;
  readonly reportData?: BytesLike;
  readonly hostData?: BytesLike;
  readonly familyId?: BytesLike;
  readonly imageId?: BytesLike;
  readonly reportId?: BytesLike;
  readonly reportIdMa?: BytesLike;
  readonly measurement?: BytesLike;
  readonly chipId?: BytesLike;
  readonly minimumTcb?: TcbLike;
  readonly minimumLaunchTcb?: TcbLike;
  readonly permitProvisionalFirmware?: boolean;
  /** Minimum CURRENT_BUILD, 0-255. */
  readonly minimumBuild?: number;
  /** Minimum firmware API version: `"major.minor"` (each 0-255) or numbers. */
  readonly minimumVersion?: string | { readonly major: number; readonly minor: number };
  /** The most PLATFORM_INFO may have (and what it must have): a raw 64-bit value or flags. */
  readonly platformInfo?: bigint | PlatformInfoFlags;
  readonly requireAuthorKey?: boolean;
  readonly requireIdBlock?: boolean;
  readonly trustedAuthorKeys?: readonly EcdsaPublicKey[];
  readonly trustedAuthorKeyDigests?: readonly BytesLike[];
  readonly trustedIdKeys?: readonly EcdsaPublicKey[];
  readonly trustedIdKeyDigests?: readonly BytesLike[];
  /** The VMPL, 0-3. */
  readonly vmpl?: number;
  readonly minimumLaunchMitVector?: bigint;
  readonly minimumCurrentMitVector?: bigint;
}

export interface SnpValidationResult {
  readonly ok: boolean;
  readonly failures: readonly SnpFailure[];
}

const SIZES = { reportData: 64, hostData: 32, familyId: 16, imageId: 16, reportId: 32, reportIdMa: 32, measurement: 48, chipId: 64 } as const;
const FIELDS: Record<keyof typeof SIZES, string> = {
  reportData: 'REPORT_DATA',
  hostData: 'HOST_DATA',
  familyId: 'FAMILY_ID',
  imageId: 'IMAGE_ID',
  reportId: 'REPORT_ID',
  reportIdMa: 'REPORT_ID_MA',
  measurement: 'MEASUREMENT',
  chipId: 'CHIP_ID',
};

const U64_MAX = (1n << 64n) - 1n;

/** Options after checking, in the forms the checks use. */
interface Checked {
  guestPolicy?: GuestPolicy;
  bytes: Partial<Record<keyof typeof SIZES, Uint8Array>>;
  minimumVersion?: { major: number; minor: number };
  platformInfo?: PlatformInfo;
  authorDigests: Uint8Array[];
  idDigests: Uint8Array[];
}

async function checkOptions(policy: SnpValidationPolicy): Promise<Checked> {
  const problems: SnpFailure[] = [];
  const bad = (field: string, message: string) => problems.push({ field, check: 'option', message });
  const out: Checked = { bytes: {}, authorDigests: [], idDigests: [] };
  const toBytes = (field: string, value: BytesLike, size: number): Uint8Array | undefined => {
    let bytes: Uint8Array;
    if (typeof value === 'string') {
      try {
        bytes = fromHex(value);
      } catch {
        bad(field, `"${value}" is not hex`);
        return undefined;
      }
    } else if (value instanceof Uint8Array) bytes = value;
    else {
      bad(field, 'must be bytes or hex');
      return undefined;
    }
    if (bytes.length !== size) {
      bad(field, `is ${bytes.length} bytes, expected ${size}`);
      return undefined;
    }
    return bytes;
  };

  for (const name of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
    const value = policy[name];
    if (value !== undefined) {
      const bytes = toBytes(name, value, SIZES[name]);
      if (bytes !== undefined) out.bytes[name] = bytes;
    }
  }
  if (policy.guestPolicy !== undefined) {
    let raw: bigint | undefined;
    if (typeof policy.guestPolicy === 'bigint') raw = policy.guestPolicy;
    else {
      try {
        raw = encodeGuestPolicy(policy.guestPolicy);
      } catch (error) {
        bad('guestPolicy', error instanceof Error ? error.message : String(error));
      }
    }
    if (raw !== undefined) {
      if (raw < 0n || raw > U64_MAX) bad('guestPolicy', 'is not a 64-bit value');
      else if (((raw >> 17n) & 1n) === 0n) bad('guestPolicy', `0x${raw.toString(16)} does not have the reserved bit 17 set, so no guest can have it`);
      else if ((raw & GUEST_POLICY_RESERVED_MASK) !== 0n) bad('guestPolicy', `0x${raw.toString(16)} has reserved bits 63:26 set`);
      else out.guestPolicy = decodeGuestPolicy(raw);
    }
  }
  for (const name of ['minimumGuestSvn', 'minimumBuild', 'vmpl'] as const) {
    const value = policy[name];
    const max = name === 'minimumGuestSvn' ? 0xffffffff : name === 'minimumBuild' ? 255 : 3;
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) bad(name, `is ${String(value)}, expected an integer 0-${max}`);
  }
  if (policy.minimumVersion !== undefined) {
    const v = policy.minimumVersion;
    let parsed: { major: number; minor: number } | undefined;
    if (typeof v === 'string') {
      const m = /^(\d{1,3})\.(\d{1,3})$/.exec(v);
      if (m !== null) parsed = { major: Number(m[1]), minor: Number(m[2]) };
      else bad('minimumVersion', `"${v}" is not "major.minor"`);
    } else parsed = { major: v.major, minor: v.minor };
    if (parsed !== undefined) {
      if ([parsed.major, parsed.minor].some((n) => !Number.isInteger(n) || n < 0 || n > 255)) bad('minimumVersion', 'major and minor must be integers 0-255');
      else out.minimumVersion = parsed;
    }
  }
  for (const name of ['minimumTcb', 'minimumLaunchTcb'] as const) {
    const value = policy[name];
    if (typeof value === 'bigint' && (value < 0n || value > U64_MAX)) bad(name, 'is not a 64-bit value');
    else if (value !== undefined && typeof value !== 'bigint') {
      try {
        encodeTcb(value, value.fmc === undefined ? 'milan-genoa' : 'turin');
      } catch (error) {
        bad(name, error instanceof Error ? error.message : String(error));
      }
    }
  }
  for (const name of ['minimumLaunchMitVector', 'minimumCurrentMitVector'] as const) {
    const value = policy[name];
    if (value !== undefined && (typeof value !== 'bigint' || value < 0n || value > U64_MAX)) bad(name, 'is not a 64-bit value');
  }
  if (policy.platformInfo !== undefined) {
    if (typeof policy.platformInfo === 'bigint') {
      const raw = policy.platformInfo;
      if (raw < 0n || raw > U64_MAX) bad('platformInfo', 'is not a 64-bit value');
      else if ((raw & ~PLATFORM_INFO_KNOWN_MASK) !== 0n) bad('platformInfo', `0x${raw.toString(16)} has reserved or unknown bits`);
      else out.platformInfo = decodePlatformInfo(raw);
    } else {
      out.platformInfo = decodePlatformInfo(encodePlatformInfo(policy.platformInfo));
    }
  }
  for (const [name, list, into] of [
    ['trustedAuthorKeyDigests', policy.trustedAuthorKeyDigests, out.authorDigests],
    ['trustedIdKeyDigests', policy.trustedIdKeyDigests, out.idDigests],
  ] as const) {
    for (const [i, value] of (list ?? []).entries()) {
      const bytes = toBytes(`${name}[${i}]`, value, 48);
      if (bytes !== undefined) into.push(bytes);
    }
  }
  for (const [name, list, into] of [
    ['trustedAuthorKeys', policy.trustedAuthorKeys, out.authorDigests],
    ['trustedIdKeys', policy.trustedIdKeys, out.idDigests],
  ] as const) {
    for (const [i, key] of (list ?? []).entries()) {
      if (!(key instanceof EcdsaPublicKey)) bad(`${name}[${i}]`, 'must be an EcdsaPublicKey');
      else into.push(await amdEcdsaPublicKeyDigest(key));
    }
  }
  if (problems.length > 0) throw new SnpError('policyOptions', `invalid validation options (${problems.length})`, { field: 'options', failures: problems });
  return out;
}

function tcbOf(value: TcbLike, report: AttestationReport): bigint {
  return typeof value === 'bigint' ? value : encodeTcb(value, report.product.layout);
}

function checkTcbAtLeast(failures: SnpFailure[], field: string, check: string, actual: TcbVersion, minimum: bigint, what: string): void {
  if (!tcbAtLeast(actual.raw, minimum)) failures.push({ field, check, message: `${describeTcb(actual)} is below the ${what} 0x${minimum.toString(16).padStart(16, '0')} in at least one component` });
}

const versionNumber = (v: { major: number; minor: number }) => (v.major << 8) | v.minor;

/**
 * Checks `report` (or a verified attestation, which adds the certificate checks) against `policy`
 * and returns every failure. Throws `policyOptions` for invalid options.
 */
export async function validateReport(report: AttestationReport | VerifiedAttestation, policy: SnpValidationPolicy): Promise<SnpValidationResult> {
  const key: VerifiedEndorsementKey | undefined = report instanceof AttestationReport ? undefined : report.endorsementKey;
  const r = report instanceof AttestationReport ? report : report.report;
  if (!(r instanceof AttestationReport)) throw new SnpError('policyOptions', 'validateReport takes an AttestationReport or a verified attestation', { field: 'report' });
  const o = await checkOptions(policy);
  const failures: SnpFailure[] = [];
  const fail = (field: string, check: string, message: string) => failures.push({ field, check, message });

  if (policy.minimumGuestSvn !== undefined && r.guestSvn < policy.minimumGuestSvn) fail('GUEST_SVN', 'guestSvn', `${r.guestSvn} is below the minimum ${policy.minimumGuestSvn}`);

  if (o.guestPolicy !== undefined) {
    const max = o.guestPolicy;
    const p = r.policy;
    if (!p.reserved17) fail('POLICY', 'guestPolicy.reserved17', 'bit 17 is reserved and must be one');
    if (versionNumber({ major: max.abiMajor, minor: max.abiMinor }) > versionNumber({ major: p.abiMajor, minor: p.abiMinor })) {
      fail('POLICY', 'guestPolicy.abi', `the required ABI version ${max.abiMajor}.${max.abiMinor} is above the report's ${p.abiMajor}.${p.abiMinor}`);
    }
    const allowed = [
      ['smt', 'SMT'],
      ['migrateMa', 'MIGRATE_MA'],
      ['debug', 'DEBUG'],
      ['cxlAllowed', 'CXL_ALLOW'],
    ] as const;
    for (const [flag, name] of allowed) if (p[flag] && !max[flag]) fail('POLICY', `guestPolicy.${flag}`, `${name} is allowed by the guest policy but not by the validation policy`);
    const required = [
      ['singleSocket', 'SINGLE_SOCKET'],
      ['memAes256Xts', 'MEM_AES_256_XTS'],
      ['raplDisabled', 'RAPL_DIS'],
      ['ciphertextHiding', 'CIPHERTEXT_HIDING'],
      ['pageSwapDisabled', 'PAGE_SWAP_DISABLE'],
    ] as const;
    for (const [flag, name] of required) if (max[flag] && !p[flag]) fail('POLICY', `guestPolicy.${flag}`, `${name} is required but not in the guest policy`);
  }

  for (const [name, expected] of Object.entries(o.bytes) as [keyof typeof SIZES, Uint8Array][]) {
    const actual = r[name];
    if (!bytesEqual(actual, expected)) fail(FIELDS[name], name, `is ${toHex(actual)}, expected ${toHex(expected)}`);
  }

  if (policy.minimumTcb !== undefined) checkTcbAtLeast(failures, 'REPORTED_TCB', 'tcb.minimum', r.reportedTcb, tcbOf(policy.minimumTcb, r), 'minimum TCB');
  if (policy.minimumLaunchTcb !== undefined) checkTcbAtLeast(failures, 'LAUNCH_TCB', 'tcb.minimumLaunch', r.launchTcb, tcbOf(policy.minimumLaunchTcb, r), 'minimum launch TCB');
  const provisional = policy.permitProvisionalFirmware === true;
  if (provisional ? !tcbAtLeast(r.currentTcb.raw, r.committedTcb.raw) : r.committedTcb.raw !== r.currentTcb.raw) {
    fail('COMMITTED_TCB', 'tcb.provisional', `COMMITTED_TCB ${describeTcb(r.committedTcb)} is ${provisional ? 'above' : 'not'} CURRENT_TCB ${describeTcb(r.currentTcb)}${provisional ? '' : ' (provisional firmware is not permitted)'}`);
  }
  const current = r.currentVersion;
  const committed = r.committedVersion;
  // Versions compare as (major, minor, build): a build number counts within its major.minor
  // (go-sev-guest compares the build alone, which refuses 1.49.6 committed under 1.51.3 current).
  const order = (v: { major: number; minor: number; build: number }) => (versionNumber(v) << 8) | v.build;
  if (provisional ? order(committed) > order(current) : order(committed) !== order(current)) {
    fail('COMMITTED_BUILD', 'firmware.provisional', `committed firmware ${committed.major}.${committed.minor}.${committed.build} is ${provisional ? 'above' : 'not'} the current ${current.major}.${current.minor}.${current.build}${provisional ? '' : ' (provisional firmware is not permitted)'}`);
  }
  if (policy.minimumBuild !== undefined && current.build < policy.minimumBuild) fail('CURRENT_BUILD', 'firmware.minimumBuild', `${current.build} is below the minimum ${policy.minimumBuild}`);
  if (o.minimumVersion !== undefined && versionNumber(current) < versionNumber(o.minimumVersion)) {
    fail('CURRENT_MAJOR', 'firmware.minimumVersion', `${current.major}.${current.minor} is below the minimum ${o.minimumVersion.major}.${o.minimumVersion.minor}`);
  }

  if (o.platformInfo !== undefined) {
    const max = o.platformInfo;
    const p = r.platformInfo;
    if ((p.raw & ~PLATFORM_INFO_KNOWN_MASK) !== 0n) fail('PLATFORM_INFO', 'platformInfo.unknown', `0x${p.raw.toString(16)} has reserved or unknown bits`);
    for (const [flag, name] of [['smtEnabled', 'SMT'], ['tsmeEnabled', 'TSME'], ['tioEnabled', 'SEV-TIO']] as const) {
      if (p[flag] && !max[flag]) fail('PLATFORM_INFO', `platformInfo.${flag}`, `${name} is enabled but not allowed`);
    }
    for (const [flag, name] of [['eccEnabled', 'ECC memory'], ['raplDisabled', 'RAPL disabled'], ['ciphertextHidingEnabled', 'ciphertext hiding'], ['aliasCheckComplete', 'the alias check']] as const) {
      if (max[flag] && !p[flag]) fail('PLATFORM_INFO', `platformInfo.${flag}`, `${name} is required but not reported`);
    }
  }

  const needIdBlock = policy.requireAuthorKey === true || policy.requireIdBlock === true;
  if (policy.requireAuthorKey && !r.keyInfo.authorKeyEnabled) fail('KEY_INFO', 'keys.authorKeyEnabled', 'AUTHOR_KEY_EN is 0 but an author key is required');
  if (needIdBlock) {
    const authorTrusted = r.keyInfo.authorKeyEnabled && o.authorDigests.some((d) => bytesEqual(d, r.authorKeyDigest));
    if (policy.requireAuthorKey && !authorTrusted) fail('AUTHOR_KEY_DIGEST', 'keys.authorKey', `author key ${toHex(r.authorKeyDigest)} is not trusted`);
    else if (!authorTrusted && !o.idDigests.some((d) => bytesEqual(d, r.idKeyDigest))) fail('ID_KEY_DIGEST', 'keys.idKey', `ID key ${toHex(r.idKeyDigest)} is not trusted (nor signed by a trusted author key)`);
  }

  if (policy.vmpl !== undefined && r.vmpl !== policy.vmpl) fail('VMPL', 'vmpl', `is ${r.vmpl}, expected ${policy.vmpl}`);

  for (const [name, field, value] of [
    ['minimumLaunchMitVector', 'LAUNCH_MIT_VECTOR', r.launchMitVector],
    ['minimumCurrentMitVector', 'CURRENT_MIT_VECTOR', r.currentMitVector],
  ] as const) {
    const minimum = policy[name];
    if (minimum !== undefined && ((value ?? 0n) & minimum) !== minimum) {
      fail(field, `mitigation.${name}`, `${value === undefined ? 'is absent (report version < 5)' : `0x${value.toString(16)}`} lacks required bits 0x${(minimum & ~(value ?? 0n)).toString(16)}`);
    }
  }

  if (key !== undefined) {
    if (r.reportedTcb.raw !== key.tcb.raw) fail('REPORTED_TCB', 'tcb.certificate', `${describeTcb(r.reportedTcb)} is not the ${key.kind.toUpperCase()}'s TCB ${describeTcb(key.tcb)}`);
    if (!tcbAtLeast(r.currentTcb.raw, key.tcb.raw)) fail('CURRENT_TCB', 'tcb.certificateCurrent', `${describeTcb(r.currentTcb)} is below the ${key.kind.toUpperCase()}'s TCB ${describeTcb(key.tcb)}`);
    if (key.kind === 'vcek' && !r.chipIdMasked && key.extensions.hwId !== undefined) {
      const expected = new Uint8Array(64);
      expected.set(key.extensions.hwId);
      if (!bytesEqual(r.chipId, expected)) fail('CHIP_ID', 'chipId.certificate', `is not the VCEK's hwID ${toHex(key.extensions.hwId)}`);
    }
  }

  return { ok: failures.length === 0, failures };
}

/** {@link validateReport}, throwing every failure as one `policyViolation` {@link SnpError}. */
export async function assertReportValid(report: AttestationReport | VerifiedAttestation, policy: SnpValidationPolicy): Promise<void> {
  const { failures } = await validateReport(report, policy);
  if (failures.length > 0) throw new SnpError('policyViolation', `the report breaks the validation policy (${failures.length} failed check${failures.length === 1 ? '' : 's'})`, { field: 'report', failures });
}
