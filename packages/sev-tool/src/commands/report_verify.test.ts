/**
 * `sev-tool report verify` on the real reports and chains of shared/testdata/sev, with the
 * expectations of the virtee-sev and go-sev-guest MANIFESTs: `milan_report` and
 * `TestRealAttestationVerification` verify; `milan_report_invalid` (report byte 21 ^ 0x80) and
 * `milan_chain_invalid` (VCEK byte 40 ^ 0xff) must fail; a VCEK of another chip fails on
 * REPORTED_TCB, CHIP_ID and the signature, each listed. A fixed `--now` keeps validity stable.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { scratchDir, sevPath, sevTool } from '../testing/run.ts';

const NOW = ['--now', '2025-06-01T00:00:00Z'];
const virtee = {
  report: () => sevPath('virtee-sev/tests/certs_data/report_milan.hex'),
  chain: () => sevPath('virtee-sev/tests/certs_data/cert_chain_milan'),
  vcek: () => sevPath('virtee-sev/tests/certs_data/vcek_milan.der'),
};
const goSevGuest = {
  report: () => sevPath('go-sev-guest/verify/testdata/attestation.bin'),
  chain: () => sevPath('go-sev-guest/verify/testdata/milan.testcer'),
  vcek: () => sevPath('go-sev-guest/verify/testdata/vcek.testcer'),
};
const read = (path: string) => new Uint8Array(readFileSync(path));

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('reports that verify', () => {
  test("virtee-sev's milan_report: every check, then @tsvmm/sev's own verification", async () => {
    const run = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', virtee.chain(), '--vcek', virtee.vcek(), ...NOW);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const line of [
      "ok    the ARK fits AMD's profile (ARK-Milan)",
      'ok    the ARK signed the ASK',
      'ok    the ASK signed the VCEK',
      "ok    the ARK's key is AMD's Milan ARK key",
      'ok    @tsvmm/sev verifies the VCEK up to the ARK',
      'ok    KEY_INFO says the VCEK signed the report',
      "ok    REPORTED_TCB is the VCEK's TCB",
      "ok    CHIP_ID is the VCEK's hwID",
      'ok    the signature verifies under the VCEK',
      'ok    @tsvmm/sev verifies the report against the VCEK',
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(lastLine(run.stdout)).toBe('attestation verification: OK (18 checks)');
  });

  test("go-sev-guest's TestRealAttestationVerification (Milan, stepping 0)", async () => {
    const run = await sevTool('report', 'verify', '--report', goSevGuest.report(), '--certs', goSevGuest.chain(), '--vcek', goSevGuest.vcek(), ...NOW);
    expect(run.status).toBe(0);
    expect(lastLine(run.stdout)).toBe('attestation verification: OK (18 checks)');
  });

  test("a directory as snpguest writes it (ark.pem, ask.pem, vcek.der), and --json", async () => {
    const dir = scratchDir({
      'ark.pem': read(sevPath('virtee-sev/src/certs/snp/builtin/milan/ark.pem')),
      'ask.pem': read(sevPath('virtee-sev/src/certs/snp/builtin/milan/ask.pem')),
      'vcek.der': read(virtee.vcek()),
      'report.bin': 'not a certificate',
    });
    const run = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', dir, '--json', ...NOW);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; chain: { checks: unknown[] }; report: { checks: unknown[] } };
    expect(json.ok).toBe(true);
    expect(json.chain.checks).toHaveLength(11);
    expect(json.report.checks).toHaveLength(7);
  });
});

describe('reports that must fail: exit 1, every failed check listed', () => {
  test('milan_report_invalid: report byte 21 ^ 0x80 (inside FAMILY_ID)', async () => {
    const hex = readFileSync(virtee.report(), 'utf8');
    const bytes = Buffer.from(hex, 'hex');
    bytes[21]! ^= 0x80;
    const dir = scratchDir({ 'report.bin': bytes });
    const run = await sevTool('report', 'verify', '--report', `${dir}/report.bin`, '--certs', virtee.chain(), '--vcek', virtee.vcek(), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the signature verifies under the VCEK: ECDSA P-384 with SHA-384 over bytes 0x000-0x29F');
    expect(run.stdout).not.toContain('@tsvmm/sev verifies the report');
    expect(lastLine(run.stdout)).toBe('attestation verification: FAILED (1 of 17 checks failed)');
  });

  test('milan_chain_invalid: VCEK byte 40 ^ 0xff (inside the TBS)', async () => {
    const vcek = read(virtee.vcek());
    vcek[40]! ^= 0xff;
    const dir = scratchDir({ 'vcek.der': vcek });
    const run = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', virtee.chain(), '--vcek', `${dir}/vcek.der`, ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the ASK signed the VCEK');
    expect(run.stdout).not.toContain('@tsvmm/sev verifies the VCEK');
  });

  test("another chip's VCEK: REPORTED_TCB, CHIP_ID and the signature all fail", async () => {
    const run = await sevTool('report', 'verify', '--report', goSevGuest.report(), '--certs', goSevGuest.chain(), '--vcek', virtee.vcek(), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("FAIL  REPORTED_TCB is the VCEK's TCB: bl=2 tee=0 snp=5 ucode=68 (0x4405000000000002), the VCEK certifies bl=3 tee=0 snp=8 ucode=115 (0x7308000000000003)");
    expect(run.stdout).toContain("FAIL  CHIP_ID is the VCEK's hwID: CHIP_ID 3ac3fe21");
    expect(run.stdout).toContain('FAIL  the signature verifies under the VCEK');
    expect(lastLine(run.stdout)).toBe('attestation verification: FAILED (3 of 17 checks failed)');
  });

  test('a Turin VCEK and chain for a Milan report', async () => {
    const run = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', sevPath('virtee-sev/tests/certs_data/cert_chain_turin'), '--vcek', sevPath('virtee-sev/tests/certs_data/vcek_turin.der'), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the report is from a Turin, as the VCEK: the report says Milan or Genoa (chipId)');
  });

  test('validity: before the VCEK was issued, and after it expired', async () => {
    const early = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', virtee.chain(), '--vcek', virtee.vcek(), '--now', '2023-01-01T00:00:00Z');
    expect(early.status).toBe(1);
    expect(early.stdout).toContain('FAIL  the VCEK is valid at 2023-01-01T00:00:00.000Z: not valid before 2023-04-03');
    const late = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', virtee.chain(), '--vcek', virtee.vcek(), '--now', '2031-01-01T00:00:00Z');
    expect(late.status).toBe(1);
    expect(late.stdout).toContain('FAIL  the VCEK is valid at 2031-01-01T00:00:00.000Z: expired at 2030-04-03');
  });

  test('the ASK missing: the chain is incomplete', async () => {
    const ark = sevPath('virtee-sev/src/certs/snp/builtin/milan/ark.pem');
    const run = await sevTool('report', 'verify', '--report', virtee.report(), '--ark', ark, '--vcek', virtee.vcek(), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the chain is complete: missing the ASK');
  });
});

describe('input errors: exit 2', () => {
  test('no VCEK: the KDS URLs to fetch it from (nothing is fetched)', async () => {
    const run = await sevTool('report', 'verify', '--report', sevPath('lit-sev-snp-utils/resources/test/guest_report.bin'), '--certs', goSevGuest.chain());
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no VCEK certificate was given (--certs, --vcek or --vlek); nothing is fetched');
    expect(run.stderr).toContain('VCEK: https://kdsintf.amd.com/vcek/v1/Milan/9e1235cc');
    expect(run.stderr).toContain('?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=115');
    expect(run.stderr).toContain('ASK and ARK: https://kdsintf.amd.com/vcek/v1/Milan/cert_chain');
  });

  test('--report missing; a certificate that is not X.509; a VCEK given as --ask; a bad CRL', async () => {
    expect((await sevTool('report', 'verify', '--certs', virtee.chain())).stderr).toContain('--report FILE is required');
    const dir = scratchDir({ 'vcek.der': Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), 'crl.der': Uint8Array.of(0x30, 0x00) });
    const bad = await sevTool('report', 'verify', '--report', virtee.report(), '--vcek', `${dir}/vcek.der`);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${dir}/vcek.der: not an X.509 certificate`);
    const role = await sevTool('report', 'verify', '--report', virtee.report(), '--ask', virtee.vcek());
    expect(role.status).toBe(2);
    expect(role.stderr).toContain('holds the VCEK (CN SEV-VCEK), expected the ASK');
    const crl = await sevTool('report', 'verify', '--report', virtee.report(), '--certs', virtee.chain(), '--vcek', virtee.vcek(), '--crl', `${dir}/crl.der`);
    expect(crl.status).toBe(2);
    expect(crl.stderr).toContain(`${dir}/crl.der: [crlMalformed]`);
  });
});
