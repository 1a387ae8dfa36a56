/**
 * `validate.ts`: go-sev-guest's `tools/check/check_test.go` table against `attestation.bin` (every
 * good value passes, every bad one fails: as a policy violation, or as invalid options where the
 * value cannot be a policy at all), LIT's provisional-firmware report, and the remaining checks on
 * reports built here. Several failures are always reported together.
 */
import { EcdsaCurve, EcdsaKeyPair } from '@tsvmm/crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { toHex } from './bytes.ts';
import { SnpError } from './error.ts';
import { AttestationReport } from './report.ts';
import { amdEcdsaPublicKeyDigest } from './signature.ts';
import { DATA, GO_VCEK_TIME, sevFile, sevText } from './testing/data.ts';
import { CPUID_OF, buildReport, mintChain, mintReport } from './testing/mint.ts';
import { SnpTrustRoots } from './trust_roots.ts';
import { type SnpValidationPolicy, assertReportValid, validateReport } from './validate.ts';
import { type VerifiedAttestation, verifyAttestation } from './verify.ts';

const CHIP_ID = '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d';
const GOOD_TCB = 4901323769462652930n;

/** check_test.go's good values, all at once. */
const GOOD: SnpValidationPolicy = {
  reportData: `0102030405${'00'.repeat(59)}`,
  hostData: '00'.repeat(32),
  familyId: '00'.repeat(16),
  imageId: '00'.repeat(16),
  reportId: '8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a',
  reportIdMa: 'ff'.repeat(32),
  measurement: 'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01',
  chipId: CHIP_ID,
  minimumTcb: GOOD_TCB,
  minimumLaunchTcb: GOOD_TCB,
  guestPolicy: 0xb0000n,
  minimumBuild: 0,
  minimumVersion: '1.49',
  permitProvisionalFirmware: true,
  requireAuthorKey: false,
  requireIdBlock: false,
  vmpl: 0,
  platformInfo: 1n,
};

type Bad = [keyof SnpValidationPolicy, unknown, 'policyViolation' | 'policyOptions', string];

/** check_test.go's bad values: the option, the value, how it fails, and the field it names. */
const BAD: Bad[] = [
  ['reportData', `${'00'.repeat(63)}01`, 'policyViolation', 'REPORT_DATA'],
  ['reportData', '00'.repeat(65), 'policyOptions', 'reportData'],
  ['reportData', 'not hex', 'policyOptions', 'reportData'],
  ['hostData', `${'00'.repeat(31)}01`, 'policyViolation', 'HOST_DATA'],
  ['hostData', '00'.repeat(33), 'policyOptions', 'hostData'],
  ['familyId', `${'00'.repeat(15)}01`, 'policyViolation', 'FAMILY_ID'],
  ['imageId', `${'00'.repeat(15)}01`, 'policyViolation', 'IMAGE_ID'],
  ['reportId', '00'.repeat(32), 'policyViolation', 'REPORT_ID'],
  ['reportIdMa', '00'.repeat(32), 'policyViolation', 'REPORT_ID_MA'],
  ['measurement', '00'.repeat(48), 'policyViolation', 'MEASUREMENT'],
  ['chipId', `${CHIP_ID}00`, 'policyOptions', 'chipId'],
  ['chipId', `${CHIP_ID.slice(0, -2)}5e`, 'policyViolation', 'CHIP_ID'],
  ['minimumTcb', GOOD_TCB + 1n, 'policyViolation', 'REPORTED_TCB'],
  ['minimumLaunchTcb', GOOD_TCB + 1n, 'policyViolation', 'LAUNCH_TCB'],
  ['guestPolicy', 0n, 'policyOptions', 'guestPolicy'],
  ['minimumBuild', 257, 'policyOptions', 'minimumBuild'],
  ['minimumBuild', 90, 'policyViolation', 'CURRENT_BUILD'],
  ['minimumVersion', '1.50', 'policyViolation', 'CURRENT_MAJOR'],
  ['minimumVersion', '0.0.0', 'policyOptions', 'minimumVersion'],
  ['minimumVersion', '0.', 'policyOptions', 'minimumVersion'],
  ['minimumVersion', '.0', 'policyOptions', 'minimumVersion'],
  ['requireAuthorKey', true, 'policyViolation', 'KEY_INFO'],
  ['requireIdBlock', true, 'policyViolation', 'ID_KEY_DIGEST'],
  ['vmpl', 1, 'policyViolation', 'VMPL'],
  ['vmpl', 4, 'policyOptions', 'vmpl'],
  ['vmpl', -1, 'policyOptions', 'vmpl'],
  ['platformInfo', 0n, 'policyViolation', 'PLATFORM_INFO'],
];

async function rejection(run: () => Promise<unknown>): Promise<SnpError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnpError);
  return error as SnpError;
}

describe('go-sev-guest tools/check against attestation.bin', () => {
  let attestation: VerifiedAttestation;
  beforeAll(async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.trust.milan));
    attestation = await verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME });
  });

  test('every good value at once passes (on the verified attestation, with the certificate checks, and on the bare report)', async () => {
    expect(await validateReport(attestation, GOOD)).toEqual({ ok: true, failures: [] });
    expect(await validateReport(attestation.report, GOOD)).toEqual({ ok: true, failures: [] });
    await assertReportValid(attestation, GOOD);
    // provisional=false passes too: current and committed are equal here.
    expect((await validateReport(attestation, { ...GOOD, permitProvisionalFirmware: false })).ok).toBe(true);
    // The same values as bytes and as named flags.
    const asBytes = { ...GOOD, measurement: attestation.report.measurement, guestPolicy: { smt: true, debug: true }, platformInfo: { smtEnabled: true }, minimumVersion: { major: 1, minor: 49 } };
    expect((await validateReport(attestation, asBytes)).ok).toBe(true);
  });

  test.each(BAD)('bad %s = %s fails (%s, %s)', async (option, value, code, field) => {
    const policy = { ...GOOD, [option]: value } as SnpValidationPolicy;
    if (code === 'policyOptions') {
      expect(await rejection(() => validateReport(attestation, policy))).toMatchObject({ code, failures: [expect.objectContaining({ field, check: 'option' })] });
      return;
    }
    const result = await validateReport(attestation, policy);
    expect(result.ok).toBe(false);
    // Exactly the named field (requireAuthorKey also names AUTHOR_KEY_DIGEST: no key is trusted either).
    expect(result.failures.map((f) => f.field)).toEqual(option === 'requireAuthorKey' ? [field, 'AUTHOR_KEY_DIGEST'] : [field]);
    expect(await rejection(() => assertReportValid(attestation, policy))).toMatchObject({ code, failures: result.failures });
  });

  test('every failure is listed, not only the first', async () => {
    const policy: SnpValidationPolicy = { ...GOOD, measurement: '00'.repeat(48), vmpl: 2, minimumTcb: GOOD_TCB + 1n, platformInfo: 0n, guestPolicy: 0x20000n, reportData: '11'.repeat(64) };
    const { failures } = await validateReport(attestation, policy);
    expect(failures.map((f) => `${f.field}:${f.check}`)).toEqual([
      'POLICY:guestPolicy.smt',
      'POLICY:guestPolicy.debug',
      'REPORT_DATA:reportData',
      'MEASUREMENT:measurement',
      'REPORTED_TCB:tcb.minimum',
      'PLATFORM_INFO:platformInfo.smtEnabled',
      'VMPL:vmpl',
    ]);
    const error = await rejection(() => assertReportValid(attestation, policy));
    expect(error.message.split('\n').length).toBe(8);
    // Invalid options are listed together too.
    const options = await rejection(() => validateReport(attestation, { vmpl: 7, measurement: 'zz', minimumVersion: '1', trustedIdKeyDigests: ['00'] }));
    expect(options.failures.map((f) => f.field).sort()).toEqual(['measurement', 'minimumVersion', 'trustedIdKeyDigests[0]', 'vmpl']);
  });
});

describe('firmware versions and TCBs (LIT guest_report.bin: provisional firmware)', () => {
  test('committed below current: refused unless provisional firmware is permitted', async () => {
    const report = AttestationReport.parse(sevFile(DATA.litReport));
    const strict = await validateReport(report, {});
    expect(strict.failures.map((f) => f.check)).toEqual(['tcb.provisional', 'firmware.provisional']);
    expect((await validateReport(report, { permitProvisionalFirmware: true })).ok).toBe(true);
    // Minimums apply to CURRENT_BUILD and CURRENT_MAJOR.CURRENT_MINOR (1.51.3).
    expect((await validateReport(report, { permitProvisionalFirmware: true, minimumVersion: '1.51', minimumBuild: 3 })).ok).toBe(true);
    expect((await validateReport(report, { permitProvisionalFirmware: true, minimumVersion: '1.52', minimumBuild: 4 })).failures.map((f) => f.check)).toEqual(['firmware.minimumBuild', 'firmware.minimumVersion']);
    // TCB minimums by name, in the report's layout: REPORTED_TCB is bl=2 tee=0 snp=5 ucode=0x73.
    expect((await validateReport(report, { permitProvisionalFirmware: true, minimumTcb: { bootloader: 2, tee: 0, snp: 5, microcode: 0x73 } })).ok).toBe(true);
    expect((await validateReport(report, { permitProvisionalFirmware: true, minimumTcb: { bootloader: 2, tee: 0, snp: 6, microcode: 0 } })).failures.map((f) => f.field)).toEqual(['REPORTED_TCB']);
  });

  test('firmware versions compare as major.minor.build: committed 1.49.6 is below current 1.51.3 (go-sev-guest compares the build alone and would refuse)', async () => {
    const r = AttestationReport.parse(sevFile(DATA.litReport));
    expect(r.committedVersion.build).toBeGreaterThan(r.currentVersion.build);
    expect((await validateReport(r, { permitProvisionalFirmware: true })).failures).toEqual([]);
  });

  test('provisional permitted, but committed above current: refused', async () => {
    const r = AttestationReport.parse(buildReport({ chipId: new Uint8Array(64).fill(3), currentTcb: 1n, committedTcb: 2n, current: { major: 1, minor: 55, build: 3 }, committed: { major: 1, minor: 56, build: 3 } }));
    expect((await validateReport(r, { permitProvisionalFirmware: true })).failures.map((f) => f.check)).toEqual(['tcb.provisional', 'firmware.provisional']);
  });
});

describe('keys: ID block and author key (LIT VALID_REPORT has AUTHOR_KEY_EN and both digests)', () => {
  const report = () => AttestationReport.parse(sevFile(DATA.litWasmValid), { allowZeroPadding: true, product: 'Milan' });

  test('trusted digests', async () => {
    const r = report();
    const base = { permitProvisionalFirmware: true } as const;
    expect((await validateReport(r, { ...base, requireAuthorKey: true, trustedAuthorKeyDigests: [r.authorKeyDigest] })).ok).toBe(true);
    expect((await validateReport(r, { ...base, requireIdBlock: true, trustedIdKeyDigests: [toHex(r.idKeyDigest)] })).ok).toBe(true);
    // A trusted author key also vouches for the ID key.
    expect((await validateReport(r, { ...base, requireIdBlock: true, trustedAuthorKeyDigests: [r.authorKeyDigest] })).ok).toBe(true);
    // Untrusted.
    expect((await validateReport(r, { ...base, requireAuthorKey: true, trustedIdKeyDigests: [r.idKeyDigest] })).failures.map((f) => f.check)).toEqual(['keys.authorKey']);
    expect((await validateReport(r, { ...base, requireIdBlock: true })).failures.map((f) => f.check)).toEqual(['keys.idKey']);
  });

  test('trusted keys given as EcdsaPublicKeys are digested in the ABI format', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const digest = await amdEcdsaPublicKeyDigest(key);
    const r = AttestationReport.parse(buildReport({ chipId: new Uint8Array(64).fill(1), idKeyDigest: digest }));
    expect((await validateReport(r, { requireIdBlock: true, trustedIdKeys: [key] })).ok).toBe(true);
    expect((await validateReport(r, { requireIdBlock: true, trustedIdKeys: [await EcdsaKeyPair.generate(EcdsaCurve.P384)] })).ok).toBe(false);
    expect(await rejection(() => validateReport(r, { trustedIdKeys: ['key' as never] }))).toMatchObject({ code: 'policyOptions' });
  });
});

describe('guest policy, platform info, mitigation vectors, GUEST_SVN (reports built here)', () => {
  const chip = new Uint8Array(64).fill(5);

  test('guest policy: allowed bits, required bits, ABI version, reserved bit 17', async () => {
    const r = AttestationReport.parse(buildReport({ chipId: chip, policy: 0x30000n | (1n << 18n) | (1n << 21n) | 0x0137n }));
    expect((await validateReport(r, { guestPolicy: { smt: true, migrateMa: true, cxlAllowed: true, abiMajor: 1, abiMinor: 55 } })).ok).toBe(true);
    const { failures } = await validateReport(r, { guestPolicy: { abiMajor: 1, abiMinor: 56, singleSocket: true, memAes256Xts: true, raplDisabled: true, ciphertextHiding: true, pageSwapDisabled: true } });
    expect(failures.map((f) => f.check)).toEqual([
      'guestPolicy.abi',
      'guestPolicy.smt',
      'guestPolicy.migrateMa',
      'guestPolicy.cxlAllowed',
      'guestPolicy.singleSocket',
      'guestPolicy.memAes256Xts',
      'guestPolicy.raplDisabled',
      'guestPolicy.ciphertextHiding',
      'guestPolicy.pageSwapDisabled',
    ]);
    const zero = AttestationReport.parse(buildReport({ chipId: chip, policy: 0n }));
    expect((await validateReport(zero, { guestPolicy: {} })).failures.map((f) => f.check)).toEqual(['guestPolicy.reserved17']);
    expect(await rejection(() => validateReport(zero, { guestPolicy: (1n << 17n) | (1n << 40n) }))).toMatchObject({ code: 'policyOptions' });
  });

  test('platform info: allowed and required bits, unknown bits in the report or the option', async () => {
    const r = AttestationReport.parse(buildReport({ chipId: chip, platformInfo: 0b1000_0011n }));
    expect((await validateReport(r, { platformInfo: { smtEnabled: true, tsmeEnabled: true, tioEnabled: true } })).ok).toBe(true);
    expect((await validateReport(r, { platformInfo: { eccEnabled: true, raplDisabled: true, ciphertextHidingEnabled: true, aliasCheckComplete: true } })).failures.map((f) => f.check)).toEqual([
      'platformInfo.smtEnabled',
      'platformInfo.tsmeEnabled',
      'platformInfo.tioEnabled',
      'platformInfo.eccEnabled',
      'platformInfo.raplDisabled',
      'platformInfo.ciphertextHidingEnabled',
      'platformInfo.aliasCheckComplete',
    ]);
    const unknown = AttestationReport.parse(buildReport({ chipId: chip, platformInfo: 1n << 6n }));
    expect((await validateReport(unknown, { platformInfo: 0x83n })).failures.map((f) => f.check)).toEqual(['platformInfo.unknown']);
    expect(await rejection(() => validateReport(unknown, { platformInfo: 1n << 6n }))).toMatchObject({ code: 'policyOptions' });
  });

  test('mitigation vectors (version 5) and GUEST_SVN', async () => {
    const v5 = AttestationReport.parse(buildReport({ version: 5, cpuid: CPUID_OF.Turin, launchMitVector: 0b1010n, currentMitVector: 0b1110n, guestSvn: 4 }));
    expect((await validateReport(v5, { minimumLaunchMitVector: 0b1010n, minimumCurrentMitVector: 0b0110n, minimumGuestSvn: 4 })).ok).toBe(true);
    expect((await validateReport(v5, { minimumLaunchMitVector: 0b0001n, minimumGuestSvn: 5 })).failures.map((f) => `${f.field}:${f.check}`)).toEqual(['GUEST_SVN:guestSvn', 'LAUNCH_MIT_VECTOR:mitigation.minimumLaunchMitVector']);
    const v3 = AttestationReport.parse(buildReport({ version: 3, cpuid: CPUID_OF.Milan }));
    expect((await validateReport(v3, { minimumCurrentMitVector: 1n })).failures[0]!.message).toContain('absent');
  });

  test('with a verified key: CURRENT_TCB below the certificate TCB is refused', async () => {
    const chain = await mintChain({ line: 'Genoa' });
    const low = await mintReport(chain, { currentTcb: 0x7308000000000002n, committedTcb: 0x7308000000000002n });
    const attestation = await verifyAttestation(low, chain.endorsement, { roots: chain.roots, now: new Date('2025-01-01T00:00:00Z') });
    expect((await validateReport(attestation, {})).failures.map((f) => f.check)).toEqual(['tcb.certificateCurrent']);
  });

  test('not a report: policyOptions', async () => {
    expect(await rejection(() => validateReport({} as never, {}))).toMatchObject({ code: 'policyOptions', field: 'report' });
  });
});
