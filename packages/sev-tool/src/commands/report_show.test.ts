/**
 * `sev-tool report show` on the real reports of shared/testdata/sev: raw (go-sev-guest, LIT),
 * hex text (virtee-sev), zero-padded to 3968 bytes (LIT's service); the field values the
 * MANIFESTs state; JSON; the truncated and bad-signature LIT files as input errors naming the field.
 */
import { describe, expect, test } from 'vitest';
import { scratchDir, sevPath, sevTool } from '../testing/run.ts';

const MILAN_HEX = () => sevPath('virtee-sev/tests/certs_data/report_milan.hex');
const GO_SEV_GUEST = () => sevPath('go-sev-guest/verify/testdata/attestation.bin');
const LIT_PADDED = () => sevPath('lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/valid_report.bin');
const LIT = () => sevPath('lit-sev-snp-utils/resources/test/guest_report.bin');

/** The value column of the `NAME  value` line. */
function field(stdout: string, name: string): string | undefined {
  return stdout
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.slice(20);
}

describe('text', () => {
  test("virtee-sev's Milan report (hex text): the MANIFEST's values", async () => {
    const run = await sevTool('report', 'show', MILAN_HEX());
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(field(run.stdout, 'VERSION')).toBe('2');
    expect(field(run.stdout, 'POLICY')).toBe('0x0000000000030000: ABI 0.0; SMT, reserved bit 17');
    expect(field(run.stdout, 'VMPL')).toBe('0');
    expect(field(run.stdout, 'KEY_INFO')).toBe('0x0: signed by the VCEK');
    expect(field(run.stdout, 'PLATFORM_INFO')).toBe('0x0000000000000001: SMT enabled');
    expect(field(run.stdout, 'REPORTED_TCB')).toBe('bl=3 tee=0 snp=8 ucode=115 (0x7308000000000003)');
    expect(field(run.stdout, 'CURRENT_VERSION')).toBe('1.52 build 4');
    expect(field(run.stdout, 'REPORT_ID_MA')).toBe('ff'.repeat(32));
    expect(field(run.stdout, 'CHIP_ID')).toMatch(/^d49554ec.*541eb6$/);
    expect(field(run.stdout, 'REPORT_DATA')).toMatch(/^d447b55d.*93ebfd$/);
    expect(field(run.stdout, 'MEASUREMENT')).toMatch(/^7a1e5c26.*81841f$/);
    expect(field(run.stdout, 'product')).toBe('Milan or Genoa (TCB layout milan-genoa, from CHIP_ID)');
  });

  test("go-sev-guest's report (raw): policy 0xb0000 with DEBUG, TCB 0x0200000000000544 bytes", async () => {
    const run = await sevTool('report', 'show', GO_SEV_GUEST());
    expect(run.status).toBe(0);
    expect(field(run.stdout, 'POLICY')).toBe('0x00000000000b0000: ABI 0.0; SMT, reserved bit 17, DEBUG');
    expect(field(run.stdout, 'CURRENT_TCB')).toBe('bl=2 tee=0 snp=5 ucode=68 (0x4405000000000002)');
    expect(field(run.stdout, 'CURRENT_VERSION')).toBe('1.49 build 3');
    expect(field(run.stdout, 'REPORT_DATA')).toBe(`0102030405${'00'.repeat(59)}`);
    expect(field(run.stdout, 'MEASUREMENT')).toBe('b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01');
  });

  test("LIT's provisional-firmware report: current 1.51.3, committed 1.49.6", async () => {
    const run = await sevTool('report', 'show', LIT());
    expect(field(run.stdout, 'CURRENT_VERSION')).toBe('1.51 build 3');
    expect(field(run.stdout, 'COMMITTED_VERSION')).toBe('1.49 build 6');
    expect(field(run.stdout, 'CURRENT_TCB')).toBe('bl=2 tee=0 snp=6 ucode=115 (0x7306000000000002)');
  });

  test("the 3968-byte zero-padded report, with --product Milan: the KDS VCEK URL (LIT's, without zero padding)", async () => {
    const run = await sevTool('report', 'show', LIT_PADDED(), '--product', 'milan');
    expect(run.status).toBe(0);
    expect(field(run.stdout, 'KEY_INFO')).toBe('0x1: signed by the VCEK, AUTHOR_KEY_EN');
    expect(field(run.stdout, 'REPORTED_TCB')).toBe('bl=3 tee=0 snp=10 ucode=169 (0xa90a000000000003)');
    const url = (await import('node:fs')).readFileSync(sevPath('lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/valid_report_vcek_url.txt'), 'utf8').trim();
    expect(run.stdout).toContain(`VCEK: ${url.replace(/SPL=0(\d)/g, 'SPL=$1')}`);
    expect(field(run.stdout, 'product')).toBe('Milan (TCB layout milan-genoa, from --product)');
  });
});

describe('JSON', () => {
  test('every field, bytes as hex, 64-bit values as 0x strings', async () => {
    const run = await sevTool('report', 'show', '--json', GO_SEV_GUEST());
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      version: 2,
      guestSvn: 0,
      vmpl: 0,
      signatureAlgorithm: 1,
      policy: { raw: '0x00000000000b0000', smt: true, debug: true, reserved17: true, migrateMa: false },
      keyInfo: { raw: 0, signingKey: 'vcek', authorKeyEnabled: false },
      platformInfo: { raw: '0x0000000000000001', smtEnabled: true },
      reportedTcb: { raw: '0x4405000000000002', bootloader: 2, tee: 0, snp: 5, microcode: 68 },
      currentVersion: { major: 1, minor: 49, build: 3 },
      reportId: '8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a',
      reportIdMa: 'ff'.repeat(32),
      cpuid: null,
      launchMitVector: null,
      product: { line: null, layout: 'milan-genoa', source: 'chipId' },
    });
    expect(json.chipId).toMatch(/^3ac3fe21.*8b006b5d$/);
  });
});

describe('malformed reports: exit 2, naming the field and offset', () => {
  test("LIT's 793-byte corrupt report is truncated inside SIGNATURE.S", async () => {
    const run = await sevTool('report', 'show', sevPath('lit-sev-snp-utils/resources/test/guest_report_corrupt.bin'));
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[reportTruncated] SIGNATURE.S at 0x2E8: the report is 1184 bytes; the input ends after 793');
  });

  test("LIT's bad-signature report has a non-zero byte after the report", async () => {
    const run = await sevTool('report', 'show', sevPath('lit-sev-snp-utils/resources/test/guest_report_bad_sig.bin'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[reportTrailingData] report at 0x4A0');
  });

  test('a reserved byte set, a bad --product, a missing file', async () => {
    const bytes = new Uint8Array((await import('node:fs')).readFileSync(GO_SEV_GUEST()));
    bytes[0x4c] = 1;
    const dir = scratchDir({ 'r.bin': bytes });
    const reserved = await sevTool('report', 'show', `${dir}/r.bin`);
    expect(reserved.status).toBe(2);
    expect(reserved.stderr).toContain('[reportReserved] RESERVED_0x04C at 0x04C');
    expect((await sevTool('report', 'show', GO_SEV_GUEST(), '--product', 'venice')).stderr).toContain('--product must be Milan, Genoa or Turin, not "venice"');
    expect(await sevTool('report', 'show', '/nonexistent.bin')).toEqual({ status: 2, stdout: '', stderr: 'sev-tool: cannot read the report /nonexistent.bin: no such file\n' });
  });
});
