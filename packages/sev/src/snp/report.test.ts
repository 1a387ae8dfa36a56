/**
 * `report.ts` on the real reports of the shared test data (what each MANIFEST says they hold) and
 * on reports built here: versions 2, 3 and 5, both TCB layouts, products from CPUID and CHIP_ID,
 * every reserved range, and the typed errors (code, field, offset) for truncated, oversized and
 * malformed input. Backend-agnostic: runs once per crypto backend.
 */
import { sha256, sha384 } from '@tsvmm/crypto';
import { describe, expect, test } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { SnpError } from './error.ts';
import { AttestationReport, PADDED_REPORT_SIZE, REPORT_FIELDS, REPORT_SIZE, fieldAt } from './report.ts';
import { DATA, sevFile, sevText } from './testing/data.ts';
import { CPUID_OF, buildReport } from './testing/mint.ts';

/** The SnpError `run` throws (fails the test if it throws anything else, or nothing). */
function errorOf(run: () => unknown): SnpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SnpError);
    return error as SnpError;
  }
  throw new Error('expected an SnpError');
}

const goReport = () => sevFile(DATA.goReport);
const virteeReport = () => fromHex(sevText(DATA.virteeReportHex));

describe('real reports (MANIFEST expectations)', () => {
  test('go-sev-guest attestation.bin: v2 Milan-or-Genoa report, every field as the MANIFEST lists', () => {
    const r = AttestationReport.parse(goReport());
    expect(r.version).toBe(2);
    expect(r.policy.raw).toBe(0xb0000n);
    expect(r.policy).toMatchObject({ smt: true, reserved17: true, debug: true, migrateMa: false, abiMajor: 0, abiMinor: 0 });
    expect(r.vmpl).toBe(0);
    expect(r.signatureAlgorithm).toBe(1);
    expect(r.keyInfo).toEqual({ raw: 0, authorKeyEnabled: false, maskChipKey: false, signingKey: 'vcek' });
    expect(r.platformInfo.raw).toBe(1n);
    expect(r.platformInfo.smtEnabled).toBe(true);
    for (const tcb of [r.currentTcb, r.reportedTcb, r.committedTcb, r.launchTcb]) {
      expect(tcb.raw).toBe(4901323769462652930n);
      expect(tcb).toMatchObject({ layout: 'milan-genoa', bootloader: 2, tee: 0, snp: 5, microcode: 68, fmc: undefined });
    }
    expect(r.currentVersion).toEqual({ major: 1, minor: 49, build: 3 });
    expect(r.committedVersion).toEqual({ major: 1, minor: 49, build: 3 });
    expect(toHex(r.reportData)).toBe(`0102030405${'00'.repeat(59)}`);
    expect(toHex(r.measurement)).toBe('b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01');
    expect(toHex(r.reportId)).toBe('8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a');
    expect(toHex(r.reportIdMa)).toBe('ff'.repeat(32));
    expect(toHex(r.chipId)).toBe('3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d');
    expect(r.chipIdMasked).toBe(false);
    expect(r.cpuid).toBeUndefined();
    expect(r.launchMitVector).toBeUndefined();
    // v2 and not Turin-like: the layout is Milan/Genoa's; the line comes from the VCEK later.
    expect(r.product).toEqual({ line: undefined, layout: 'milan-genoa', source: 'chipId' });
    expect(toHex(r.bytes())).toBe(toHex(goReport()));
  });

  test('virtee report_milan.hex: v2, policy 0x30000, TCB bl=3 tee=0 snp=8 ucode=0x73, version 1.52.4', () => {
    const r = AttestationReport.parse(virteeReport());
    expect(r.version).toBe(2);
    expect(r.policy.raw).toBe(0x30000n);
    expect(r.vmpl).toBe(0);
    expect(r.signatureAlgorithm).toBe(1);
    expect(r.keyInfo.signingKey).toBe('vcek');
    expect(r.platformInfo.raw).toBe(1n);
    expect(toHex(r.bytes().subarray(0x180, 0x188))).toBe('0300000000000873');
    expect(r.reportedTcb).toMatchObject({ bootloader: 3, tee: 0, snp: 8, microcode: 0x73 });
    expect(r.currentVersion).toEqual({ major: 1, minor: 52, build: 4 });
    expect(r.committedVersion).toEqual(r.currentVersion);
    expect(toHex(r.reportIdMa)).toBe('ff'.repeat(32));
    expect(toHex(r.chipId)).toMatch(/^d49554ec.*541eb6$/);
    expect(toHex(r.reportData)).toMatch(/^d447b55d.*93ebfd$/);
    expect(toHex(r.measurement)).toMatch(/^7a1e5c26.*81841f$/);
  });

  test('LIT guest_report.bin: provisional firmware (current TCB and version above committed), and its signed-body digests', async () => {
    const r = AttestationReport.parse(sevFile(DATA.litReport));
    expect(r.version).toBe(2);
    expect(r.policy.raw).toBe(0x30000n);
    expect(r.keyInfo.signingKey).toBe('vcek');
    expect(toHex(r.bytes().subarray(0x38, 0x40))).toBe('0200000000000673');
    expect(toHex(r.bytes().subarray(0x180, 0x188))).toBe('0200000000000573');
    for (const tcb of [r.committedTcb, r.launchTcb]) expect(tcb.raw).toBe(r.reportedTcb.raw);
    expect(r.reportedTcb).toMatchObject({ bootloader: 2, tee: 0, snp: 5, microcode: 0x73 });
    expect(r.currentTcb).toMatchObject({ bootloader: 2, tee: 0, snp: 6, microcode: 0x73 });
    expect(r.currentTcb.raw).not.toBe(r.committedTcb.raw);
    expect(r.currentVersion).toEqual({ major: 1, minor: 51, build: 3 });
    expect(r.committedVersion).toEqual({ major: 1, minor: 49, build: 6 });
    expect(toHex(r.chipId)).toMatch(/^9e1235cc.*1ff77e$/);
    expect(toHex(await sha256(r.signedBytes()))).toBe('365daa8187cc7678f057574561b00a60520bc315b957c2079675095603a1861a');
    expect(toHex(await sha384(r.signedBytes()))).toBe('8ac02cb042d3909a0e67ecc8a89a4869d6838f0c243a5e4d417757d6c06d10ae15d84d2b728fe80a355792f671afd6b4');
  });

  test.each([DATA.litBadSig, DATA.litWasmBadSig])('%s (1185 bytes: a changed REPORT_ID byte and a trailing 0x0a) is refused, and its signed body is not the original', async (path) => {
    const bytes = sevFile(path);
    expect(bytes.length).toBe(1185);
    const error = errorOf(() => AttestationReport.parse(bytes));
    expect(error).toMatchObject({ code: 'reportTrailingData', field: 'report', offset: REPORT_SIZE });
    // Not zero padding either.
    expect(errorOf(() => AttestationReport.parse(bytes, { allowZeroPadding: true }))).toMatchObject({ code: 'reportTrailingData', offset: REPORT_SIZE });
    // The first 1184 bytes parse, but the signed body differs from guest_report.bin at REPORT_ID (0x15b), so its signature cannot verify.
    const body = AttestationReport.parse(bytes.subarray(0, REPORT_SIZE)).signedBytes();
    const original = AttestationReport.parse(sevFile(DATA.litReport));
    expect(fieldAt(0x15b)?.name).toBe('REPORT_ID');
    expect([...body.keys()].filter((i) => body[i] !== original.signedBytes()[i])).toEqual([0x15b]);
    expect(toHex(await sha384(body))).toMatch(/^125a8e57.*bf9455cd$/);
    expect(toHex(AttestationReport.parse(bytes.subarray(0, REPORT_SIZE)).signature.r)).toBe(toHex(original.signature.r));
  });

  test.each([DATA.litCorrupt, DATA.litWasmCorrupt])('%s (793 bytes) is truncated inside SIGNATURE.S', (path) => {
    const error = errorOf(() => AttestationReport.parse(sevFile(path)));
    expect(error).toMatchObject({ code: 'reportTruncated', field: 'SIGNATURE.S', offset: 0x2e8 });
    expect(error.message).toContain('ends after 793');
  });

  test('LIT VALID_REPORT (3968 bytes, zero-padded) needs allowZeroPadding; then it is a v2 report with an author key', () => {
    const bytes = sevFile(DATA.litWasmValid);
    expect(bytes.length).toBe(PADDED_REPORT_SIZE);
    expect(errorOf(() => AttestationReport.parse(bytes))).toMatchObject({ code: 'reportTrailingData', field: 'report', offset: REPORT_SIZE });
    const r = AttestationReport.parse(bytes, { allowZeroPadding: true });
    expect(r.version).toBe(2);
    expect(r.keyInfo).toMatchObject({ authorKeyEnabled: true, signingKey: 'vcek' });
    expect(toHex(r.familyId)).not.toBe('00'.repeat(16));
    expect(toHex(r.imageId)).not.toBe('00'.repeat(16));
    expect(toHex(r.idKeyDigest)).not.toBe('00'.repeat(48));
    expect(toHex(r.authorKeyDigest)).not.toBe('00'.repeat(48));
    expect(toHex(r.bytes().subarray(0x180, 0x188))).toBe('0300000000000aa9');
    expect(r.reportedTcb).toMatchObject({ bootloader: 3, tee: 0, snp: 10, microcode: 169 });
    expect(r.currentVersion).toEqual({ major: 1, minor: 54, build: 1 });
    expect(r.bytes().length).toBe(REPORT_SIZE);
  });

  test('zero padding: a non-zero padding byte, or more than 3968 bytes, is refused at its offset', () => {
    const padded = new Uint8Array(PADDED_REPORT_SIZE);
    padded.set(goReport());
    expect(AttestationReport.parse(padded, { allowZeroPadding: true }).version).toBe(2);
    padded[3000] = 1;
    expect(errorOf(() => AttestationReport.parse(padded, { allowZeroPadding: true }))).toMatchObject({ code: 'reportTrailingData', offset: 3000 });
    const long = new Uint8Array(PADDED_REPORT_SIZE + 1);
    long.set(goReport());
    expect(errorOf(() => AttestationReport.parse(long, { allowZeroPadding: true }))).toMatchObject({ code: 'reportTrailingData', offset: PADDED_REPORT_SIZE });
  });
});

describe('virtee/sev inline vectors (src/firmware/guest/types/snp.rs)', () => {
  test('a v2 report that is all zeros except VERSION and a CHIP_ID parses; CHIP_ID d49554ec… is not Turin-like, 8 bytes then zeros is', () => {
    const chip = virteeReport().slice(0x1a0, 0x1e0);
    const milanLike = new Uint8Array(REPORT_SIZE);
    milanLike[0] = 2;
    milanLike.set(chip, 0x1a0);
    expect(AttestationReport.parse(milanLike).product).toEqual({ line: undefined, layout: 'milan-genoa', source: 'chipId' });
    const turinLike = new Uint8Array(REPORT_SIZE);
    turinLike[0] = 2;
    turinLike.set(chip.subarray(0, 8), 0x1a0);
    const turin = AttestationReport.parse(turinLike);
    expect(turin.product).toEqual({ line: 'Turin', layout: 'turin', source: 'chipId' });
    expect(turin.policy.reserved17).toBe(false); // kept; validation reports it
  });

  test('a 100-byte input is an error (truncated inside REPORT_DATA), not a crash', () => {
    expect(errorOf(() => AttestationReport.parse(new Uint8Array(100)))).toMatchObject({ code: 'reportTruncated', field: 'REPORT_DATA', offset: 0x50 });
  });
});

describe('versions, products and TCB layouts', () => {
  test.each([
    ['Milan', 0x19, 0x01],
    ['Genoa', 0x19, 0x11],
    ['Genoa', 0x19, 0xa0],
    ['Turin', 0x1a, 0x02],
    ['Turin', 0x1a, 0x11],
  ] as const)('v3 %s from CPUID family 0x%s model %s', (line, family, model) => {
    const r = AttestationReport.parse(buildReport({ version: 3, cpuid: { family, model, stepping: 1 }, reportedTcb: 0x0900000004000201n }));
    expect(r.product).toEqual({ line, layout: line === 'Turin' ? 'turin' : 'milan-genoa', source: 'cpuid' });
    expect(r.cpuid).toEqual({ family, model, stepping: 1 });
    if (line === 'Turin') expect(r.reportedTcb).toMatchObject({ fmc: 1, bootloader: 2, tee: 0, snp: 4, microcode: 9 });
    else expect(r.reportedTcb).toMatchObject({ fmc: undefined, bootloader: 1, tee: 2, snp: 0, microcode: 9 });
  });

  test('v5: LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR; in v2 and v3 those bytes are reserved', () => {
    const v5 = AttestationReport.parse(buildReport({ version: 5, cpuid: CPUID_OF.Turin, launchMitVector: 0x5n, currentMitVector: 0x7n }));
    expect(v5.launchMitVector).toBe(5n);
    expect(v5.currentMitVector).toBe(7n);
    const v3 = buildReport({ version: 3, cpuid: CPUID_OF.Milan });
    v3[0x1f8] = 1;
    expect(errorOf(() => AttestationReport.parse(v3))).toMatchObject({ code: 'reportReserved', field: 'LAUNCH_MIT_VECTOR', offset: 0x1f8 });
  });

  test('v2: the CPUID bytes are reserved', () => {
    const v2 = buildReport({ version: 2, chipId: virteeReport().slice(0x1a0, 0x1e0) });
    v2[0x189] = 0x11;
    expect(errorOf(() => AttestationReport.parse(v2))).toMatchObject({ code: 'reportReserved', field: 'CPUID_MOD_ID', offset: 0x189 });
  });

  test.each([0, 1, 4, 6, 0xffffffff])('version %i is refused at VERSION', (version) => {
    const bytes = buildReport({ version: 2 });
    new DataView(bytes.buffer).setUint32(0, version, true);
    expect(errorOf(() => AttestationReport.parse(bytes))).toMatchObject({ code: 'reportVersion', field: 'VERSION', offset: 0 });
  });

  test('an unknown CPUID (Venice, zeros) needs options.product; a contradicting option is refused', () => {
    const venice = buildReport({ version: 3, cpuid: { family: 0x1a, model: 0x50, stepping: 0 } });
    expect(errorOf(() => AttestationReport.parse(venice))).toMatchObject({ code: 'reportProduct', field: 'CPUID_FAM_ID', offset: 0x188 });
    expect(AttestationReport.parse(venice, { product: 'Turin' }).product).toEqual({ line: 'Turin', layout: 'turin', source: 'option' });
    const milan = buildReport({ version: 3, cpuid: CPUID_OF.Milan });
    expect(errorOf(() => AttestationReport.parse(milan, { product: 'Genoa' }))).toMatchObject({ code: 'reportProduct', field: 'CPUID_FAM_ID' });
    expect(AttestationReport.parse(milan, { product: 'Milan' }).product.source).toBe('cpuid');
  });

  test('a v2 report with a masked CHIP_ID needs options.product (its TCB layout is otherwise unknown)', () => {
    const masked = buildReport({ version: 2 });
    const error = errorOf(() => AttestationReport.parse(masked));
    expect(error).toMatchObject({ code: 'reportProduct', field: 'CHIP_ID', offset: 0x1a0 });
    const r = AttestationReport.parse(masked, { product: 'Genoa' });
    expect(r.chipIdMasked).toBe(true);
    expect(r.product).toEqual({ line: 'Genoa', layout: 'milan-genoa', source: 'option' });
    expect(AttestationReport.parse(masked, { product: 'Turin' }).product.layout).toBe('turin');
    // A Turin-like CHIP_ID contradicts a Milan option, and a Milan-like one a Turin option.
    const turinChip = new Uint8Array(64).fill(0);
    turinChip.set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(errorOf(() => AttestationReport.parse(buildReport({ chipId: turinChip }), { product: 'Milan' }))).toMatchObject({ code: 'reportProduct', field: 'CHIP_ID' });
    expect(errorOf(() => AttestationReport.parse(goReport(), { product: 'Turin' }))).toMatchObject({ code: 'reportProduct', field: 'CHIP_ID' });
    expect(() => AttestationReport.parse(goReport(), { product: 'Mars' as never })).toThrow(SnpError);
  });
});

describe('reserved ranges and malformed fields', () => {
  const reservedRanges = REPORT_FIELDS.filter((f) => f.name.startsWith('RESERVED') || f.name === 'SIGNATURE.RESERVED');

  test.each(reservedRanges.flatMap((f) => [f.offset, f.offset + f.size - 1].map((offset) => [f.name, offset] as const)))('%s: a non-zero byte at 0x%s is refused at that offset', (name, offset) => {
    const bytes = goReport();
    bytes[offset] = 0x40;
    expect(errorOf(() => AttestationReport.parse(bytes))).toMatchObject({ code: 'reportReserved', field: name, offset });
  });

  test('the unused high 24 bytes of SIGNATURE.R and .S must be zero (when SIGNATURE_ALGO is 1)', () => {
    for (const offset of [0x2a0 + 48, 0x2a0 + 71, 0x2e8 + 48, 0x2e8 + 71]) {
      const bytes = goReport();
      bytes[offset] = 1;
      expect(errorOf(() => AttestationReport.parse(bytes))).toMatchObject({ code: 'reportReserved', field: offset < 0x2e8 ? 'SIGNATURE.R' : 'SIGNATURE.S', offset });
    }
    // With another SIGNATURE_ALGO the signature area is opaque (and verification refuses the report).
    const other = goReport();
    other[0x34] = 0;
    other[0x400] = 9;
    expect(AttestationReport.parse(other).signatureAlgorithm).toBe(0);
  });

  test.each([26, 31, 32, 63])('POLICY bit %i (reserved, must be zero) is refused at its byte', (bit) => {
    const bytes = goReport();
    bytes[0x08 + (bit >> 3)]! |= 1 << (bit & 7);
    expect(errorOf(() => AttestationReport.parse(bytes))).toMatchObject({ code: 'reportReserved', field: 'POLICY', offset: 0x08 + (bit >> 3) });
  });

  test('POLICY bits 24 and 25 (ciphertext hiding, page swap disable) are read', () => {
    const r = AttestationReport.parse(buildReport({ chipId: goReport().slice(0x1a0, 0x1e0), policy: 0x30000n | (1n << 24n) | (1n << 25n) | 0x0102n }));
    expect(r.policy).toMatchObject({ ciphertextHiding: true, pageSwapDisabled: true, abiMajor: 1, abiMinor: 2 });
  });

  test('KEY_INFO: reserved bits and reserved SIGNING_KEY values are refused; VLEK, none, author key, mask chip key read', () => {
    const withKeyInfo = (value: number) => buildReport({ keyInfo: value, chipId: goReport().slice(0x1a0, 0x1e0) });
    expect(errorOf(() => AttestationReport.parse(withKeyInfo(1 << 5)))).toMatchObject({ code: 'reportReserved', field: 'KEY_INFO', offset: 0x48 });
    for (const key of [2, 3, 4, 5, 6]) expect(errorOf(() => AttestationReport.parse(withKeyInfo(key << 2)))).toMatchObject({ code: 'reportInvalid', field: 'KEY_INFO', offset: 0x48 });
    expect(AttestationReport.parse(withKeyInfo(1 << 2)).keyInfo.signingKey).toBe('vlek');
    expect(AttestationReport.parse(withKeyInfo(7 << 2)).keyInfo.signingKey).toBe('none');
    expect(AttestationReport.parse(withKeyInfo(3)).keyInfo).toMatchObject({ authorKeyEnabled: true, maskChipKey: true });
  });

  test('PLATFORM_INFO: unknown bits are kept (validation refuses them), known ones decoded', () => {
    const r = AttestationReport.parse(buildReport({ platformInfo: 0xbfn | (1n << 40n), chipId: goReport().slice(0x1a0, 0x1e0) }));
    expect(r.platformInfo).toMatchObject({ smtEnabled: true, tsmeEnabled: true, eccEnabled: true, raplDisabled: true, ciphertextHidingEnabled: true, aliasCheckComplete: true, tioEnabled: true });
    expect(r.platformInfo.raw).toBe(0xbfn | (1n << 40n));
  });

  test('truncation names the first incomplete field, for every length', () => {
    const bytes = goReport();
    for (let length = 0; length < REPORT_SIZE; length += 7) {
      const error = errorOf(() => AttestationReport.parse(bytes.subarray(0, length)));
      const field = REPORT_FIELDS.find((f) => f.offset + f.size > length)!;
      expect(error).toMatchObject({ code: 'reportTruncated', field: field.name, offset: field.offset });
    }
  });

  test('not a Uint8Array: an SnpError', () => {
    expect(errorOf(() => AttestationReport.parse('report' as never))).toMatchObject({ code: 'reportInvalid' });
  });

  test('the parsed fields are copies: changing them changes neither bytes() nor signedBytes()', () => {
    const r = AttestationReport.parse(goReport());
    r.measurement.fill(0);
    r.signature.r.fill(0);
    expect(toHex(r.bytes())).toBe(toHex(goReport()));
    expect(r.signedBytes().length).toBe(0x2a0);
  });

  test('REPORT_FIELDS tile the report exactly', () => {
    let offset = 0;
    for (const f of REPORT_FIELDS) {
      expect(f.offset).toBe(offset);
      offset += f.size;
    }
    expect(offset).toBe(REPORT_SIZE);
  });
});
