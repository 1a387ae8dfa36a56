/**
 * `sev-tool certs verify` in-process on the real files of shared/testdata/sev: the legacy SEV
 * chains of the virtee-sev MANIFEST (what verifies, what must fail), and the SEV-SNP X.509 chains
 * of virtee-sev and go-sev-guest. Exit statuses: 0 verified, 1 a check failed (each listed),
 * 2 an input error naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { legacy, scratchDir, sevPath, sevTool } from '../testing/run.ts';

const read = (path: string) => new Uint8Array(readFileSync(path));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const flip = (bytes: Uint8Array, at: number) => {
  const out = bytes.slice();
  out[at]! ^= 0xff;
  return out;
};

describe('legacy SEV chains', () => {
  test.each(['naples', 'rome'] as const)('the %s platform directory verifies against the builtin ASK and ARK', async (generation) => {
    const run = await sevTool('certs', 'verify', legacy.dir(generation));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const line of ['ok    ARK is self-signed', 'ok    ARK signed the ASK', 'ok    ASK signed the CEK', 'ok    OCA is self-signed', 'ok    OCA signed the PEK', 'ok    CEK signed the PEK', 'ok    PEK signed the PDH']) {
      expect(run.stdout).toContain(line);
    }
    expect(run.stdout).toContain(`ASK (builtin ${generation})`);
    expect(run.stdout).toContain(`ok    the ARK is AMD's ${generation === 'naples' ? 'Naples' : 'Rome'} ARK`);
    if (generation === 'naples') expect(run.stdout).toContain('ignored: ark.cert.bad, ark.cert.sig');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('certificate verification: OK (8 checks)');
  });

  test('one file per role, with the ASK and ARK given', async () => {
    const run = await sevTool(
      'certs', 'verify',
      '--pdh', legacy.platform('rome', 'pdh'), '--pek', legacy.platform('rome', 'pek'), '--oca', legacy.platform('rome', 'oca'), '--cek', legacy.platform('rome', 'cek'),
      '--ask', legacy.builtin('rome', 'ask'), '--ark', legacy.builtin('rome', 'ark'),
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('certificate verification: OK (8 checks)');
  });

  test.each(['naples', 'rome', 'milan', 'genoa', 'turin'])("AMD's %s ask_ark bundle (ASK ‖ ARK) verifies", async (generation) => {
    const file = scratchDir({ [`ask_ark_${generation}.cert`]: concat(read(legacy.builtin(generation, 'ask')), read(legacy.builtin(generation, 'ark'))) });
    const run = await sevTool('certs', 'verify', `${file}/ask_ark_${generation}.cert`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('certificate verification: OK (3 checks)');
  });

  test('a whole chain in one file (PDH ‖ PEK ‖ OCA ‖ CEK ‖ ASK ‖ ARK) verifies, as JSON too', async () => {
    const parts = (['pdh', 'pek', 'oca', 'cek'] as const).map((w) => read(legacy.platform('naples', w)));
    const dir = scratchDir({ 'chain.bin': concat(...parts, read(legacy.builtin('naples', 'ask')), read(legacy.builtin('naples', 'ark'))) });
    const run = await sevTool('certs', 'verify', `${dir}/chain.bin`, '--json');
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; chains: { checks: { name: string; ok: boolean }[] }[] };
    expect(json.ok).toBe(true);
    expect(json.chains[0]!.checks).toHaveLength(8);
  });

  test('the Rome ASK must not verify the Naples CEK (enarx#520): exit 1, the check listed', async () => {
    const run = await sevTool('certs', 'verify', '--ask', legacy.builtin('rome', 'ask'), '--ark', legacy.builtin('rome', 'ark'), '--cek', legacy.platform('naples', 'cek'));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  ASK signed the CEK: sig1 is RSA_SHA256, the ASK signs with RSA_SHA384');
    expect(run.stdout).toContain('FAIL  the platform chain is complete: missing PDH, PEK, OCA');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('certificate verification: FAILED (2 of 5 checks failed)');
  });

  test('a platform chain of two machines: every failing check listed', async () => {
    const run = await sevTool(
      'certs', 'verify',
      '--pdh', legacy.platform('rome', 'pdh'), '--pek', legacy.platform('rome', 'pek'), '--oca', legacy.platform('naples', 'oca'), '--cek', legacy.platform('naples', 'cek'),
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  OCA signed the PEK');
    expect(run.stdout).toContain('FAIL  CEK signed the PEK');
    expect(run.stdout).toContain('ok    PEK signed the PDH');
    expect(run.stdout).toContain('FAILED (2 of 8 checks failed)');
  });

  test('a CEK no builtin ASK signed, without --ask/--ark', async () => {
    const cek = flip(read(legacy.platform('naples', 'cek')), 0x20);
    const dir = scratchDir({ 'cek.cert': cek });
    const run = await sevTool('certs', 'verify', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the CEK is signed by an AMD ASK: no builtin ASK (naples, rome, milan, genoa, turin) signed it; give --ask and --ark');
  });

  test('--generation picks the builtin ASK and ARK', async () => {
    const run = await sevTool('certs', 'verify', '--generation', 'rome', '--cek', legacy.platform('naples', 'cek'));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('ASK (builtin rome)');
    expect(run.stdout).toContain('FAIL  ASK signed the CEK');
  });

  test('a tampered ARK fails its signatures and is not AMD\'s; --any-ark does not make it verify', async () => {
    const dir = scratchDir({ 'ark.cert': flip(read(legacy.builtin('milan', 'ark')), 0x100), 'ask.cert': read(legacy.builtin('milan', 'ask')) });
    const run = await sevTool('certs', 'verify', dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  ARK is self-signed');
    expect(run.stdout).toContain('FAIL  ARK signed the ASK');
    expect(run.stdout).toContain("FAIL  the ARK is one of AMD's ARKs: it is not AMD's Naples, Rome, Milan, Genoa, Turin ARK (--any-ark accepts it)");
    const any = await sevTool('certs', 'verify', dir, '--any-ark');
    expect(any.status).toBe(1);
    expect(any.stdout).toContain("ok    the ARK is one of AMD's ARKs: it is not (accepted: --any-ark)");
  });
});

describe('input errors: exit 2, naming the file and the field', () => {
  test('a truncated certificate', async () => {
    const dir = scratchDir({ 'pek.cert': read(legacy.platform('naples', 'pek')).subarray(0, 2000) });
    const run = await sevTool('certs', 'verify', dir);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`sev-tool: ${dir}/pek.cert: not a legacy SEV certificate or chain (2000 bytes;`);
  });

  test('a malformed field', async () => {
    const bytes = read(legacy.platform('naples', 'pek'));
    bytes[8] = 0x05;
    const dir = scratchDir({ 'pek.cert': bytes });
    const run = await sevTool('certs', 'verify', dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`sev-tool: ${dir}/pek.cert: SEV certificate: pubkey_usage at offset 8 (0x8): unknown usage 0x1005; a SEV-format certificate is an OCA, PEK, PDH or CEK (0x1001 to 0x1004)\n`);
  });

  test('a certificate given for the wrong role (ASK → ARK reversed)', async () => {
    const run = await sevTool('certs', 'verify', '--ark', legacy.builtin('rome', 'ask'), '--ask', legacy.builtin('rome', 'ark'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('holds the ASK, expected the ARK');
  });

  test('an ARK ‖ ASK bundle (reversed): the first certificate must be the ASK', async () => {
    const dir = scratchDir({ 'ask_ark_rome.cert': concat(read(legacy.builtin('rome', 'ark')), read(legacy.builtin('rome', 'ask'))) });
    const run = await sevTool('certs', 'verify', `${dir}/ask_ark_rome.cert`);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SEV CA chain: ASK: key_usage at offset 36 (0x24): ARK; expected the ASK here');
  });

  test('a missing file, an empty directory, a bad --generation', async () => {
    const missing = await sevTool('certs', 'verify', '--pek', '/nonexistent/pek.cert');
    expect(missing).toEqual({ status: 2, stdout: '', stderr: 'sev-tool: cannot read the PEK certificate /nonexistent/pek.cert: no such file\n' });
    const empty = scratchDir({ 'notes.txt': 'hello' });
    const none = await sevTool('certs', 'verify', empty);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`no certificates found in ${empty} (ignored: notes.txt)`);
    const generation = await sevTool('certs', 'verify', '--generation', 'venice');
    expect(generation.status).toBe(2);
    expect(generation.stderr).toContain('--generation must be one of naples, rome, milan, genoa, turin, not "venice"');
  });

  test('two certificates for one role', async () => {
    const run = await sevTool('certs', 'verify', legacy.dir('naples'), '--pek', legacy.platform('rome', 'pek'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('two PEK certificates');
  });
});

describe('SEV-SNP X.509 chains', () => {
  const NOW = ['--now', '2025-06-01T00:00:00Z'];
  const builtin = (line: string, which: 'ark' | 'ask') => sevPath(`virtee-sev/src/certs/snp/builtin/${line}/${which}.pem`);

  test.each(['milan', 'genoa', 'turin'])("virtee-sev's builtin %s ARK and ASK (a directory)", async (line) => {
    const run = await sevTool('certs', 'verify', sevPath(`virtee-sev/src/certs/snp/builtin/${line}`), ...NOW);
    expect(run.status).toBe(0);
    const title = line[0]!.toUpperCase() + line.slice(1);
    for (const text of [`ok    the ARK fits AMD's profile (ARK-${title})`, 'ok    the ARK is self-signed', 'ok    the ARK signed the ASK', `ok    the ARK's key is AMD's ${title} ARK key`]) expect(run.stdout).toContain(text);
    expect(run.stdout).toContain('certificate verification: OK (7 checks)');
  });

  test.each([
    ['ask_ark_milan.pem', 'virtee-sev/tests/certs_data/vcek_milan.der'],
    ['ask_ark_turin_vcek.pem', 'virtee-sev/tests/certs_data/vcek_turin.der'],
  ])("go-sev-guest's %s bundle with %s", async (bundle, vcek) => {
    const run = await sevTool('certs', 'verify', sevPath(`go-sev-guest/verify/trust/${bundle}`), '--vcek', sevPath(vcek), ...NOW);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok    the ASK signed the VCEK');
    expect(run.stdout).toContain('ok    @tsvmm/sev verifies the VCEK up to the ARK');
    expect(run.stdout).toContain('certificate verification: OK (11 checks)');
  });

  test.each(['milan', 'genoa', 'turin'])("go-sev-guest's %s VLEK bundle (ASVK, ARK)", async (line) => {
    const run = await sevTool('certs', 'verify', sevPath(`go-sev-guest/verify/trust/ask_ark_${line}_vlek.pem`), ...NOW);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok    the ARK signed the ASVK');
  });

  test('snpguest-style --ark/--ask/--vcek, with a legacy chain in the same run', async () => {
    const run = await sevTool('certs', 'verify', legacy.dir('rome'), '--ark', builtin('milan', 'ark'), '--ask', builtin('milan', 'ask'), '--vcek', sevPath('go-sev-guest/verify/testdata/vcek.testcer'), ...NOW);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('SEV-SNP certificates: ARK');
    expect(run.stdout).toContain('legacy SEV certificates: PDH');
    expect(run.stdout).toContain('certificate verification: OK (19 checks)');
  });

  test("milan_chain_invalid: the VCEK with byte 40 ^ 0xff must fail", async () => {
    const vcek = read(sevPath('virtee-sev/tests/certs_data/vcek_milan.der'));
    vcek[40]! ^= 0xff;
    const dir = scratchDir({ 'vcek.der': vcek, 'ark.pem': read(builtin('milan', 'ark')), 'ask.pem': read(builtin('milan', 'ask')) });
    const run = await sevTool('certs', 'verify', dir, ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the ASK signed the VCEK');
  });

  test('a VCEK of one product under another product\'s chain: every failure listed', async () => {
    const run = await sevTool('certs', 'verify', sevPath('go-sev-guest/verify/trust/ask_ark_genoa.pem'), '--vcek', sevPath('virtee-sev/tests/certs_data/vcek_turin.der'), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  one product line: the certificates are of Genoa and Turin');
    expect(run.stdout).toContain('FAIL  the ASK signed the VCEK: not issued by SEV-Genoa');
    expect(run.stdout).toContain('FAILED (2 of 11 checks failed)');
  });

  test('the Milan ARK with the Genoa ASK: ARK → ASK fails', async () => {
    const run = await sevTool('certs', 'verify', '--ark', builtin('milan', 'ark'), '--ask', builtin('genoa', 'ask'), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the ARK signed the ASK');
    expect(run.stdout).toContain('FAIL  one product line: the certificates are of Milan and Genoa');
  });

  test('a certificate that is not AMD\'s is an input error naming its CN', async () => {
    const dir = scratchDir({});
    const run = await sevTool('certs', 'verify', '--vcek', `${dir}/missing.pem`);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('cannot read the VCEK certificate');
    const pem = scratchDir({ 'cert_chain.pem': '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n' });
    const bad = await sevTool('certs', 'verify', pem);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('cert_chain.pem: certificate 1 is not valid base64');
  });
});
