/**
 * The shipped artefact: the app is bundled exactly as `nx build @tsvmm/sev-tool` does (backend-guard's
 * `buildApp`, here into a temporary folder) and the bundle is run with `node` against the real
 * files of shared/testdata/sev. Checks the backend proof (noble only, no other backend in the
 * bundle), and exit statuses and output of each command for inputs that verify, that must fail,
 * and that are malformed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@tsvmm/backend-guard';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sevPath } from '../src/testing/run.ts';

const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'sev-tool-bundle-'));
const bundle = join(outdir, 'main.mjs');

let backends: string[] = [];
let inputs: string[] = [];

beforeAll(async () => {
  const result = await buildApp({ app: '@tsvmm/sev-tool', workspaceRoot: WORKSPACE, outdir, logLevel: 'silent' });
  backends = result.backends;
  inputs = Object.keys(result.metafile.inputs);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs the bundle with `args`. */
function sevTool(...args: string[]) {
  const run = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const NOW = ['--now', '2025-06-01T00:00:00Z'];

describe('the build', () => {
  test('links exactly the noble backend, through @tsvmm/sev\'s crypto_nossl feature', () => {
    expect(backends).toEqual(['@tsvmm/crypto/noble']);
    const guard = JSON.parse(readFileSync(join(outdir, 'guard.json'), 'utf8')) as { features: Record<string, string[]> };
    expect(guard.features['@tsvmm/sev']).toContain('crypto_nossl');
    expect(guard.features['@tsvmm/crypto']).toContain('noble');
  });

  test('the bundle holds no other backend', () => {
    expect(inputs.some((i) => i.endsWith('packages/crypto/src/backend/noble.ts'))).toBe(true);
    for (const other of ['openssl.ts', 'native.ts', 'placeholder.ts']) expect(inputs.filter((i) => i.endsWith(`packages/crypto/src/backend/${other}`))).toEqual([]);
  });
});

describe('the bundle', () => {
  test('--help: exit 0', () => {
    const run = sevTool('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: sev-tool <command> [options]');
  });

  test("report verify: virtee-sev's milan_report verifies (exit 0)", () => {
    const run = sevTool(
      'report', 'verify',
      '--report', sevPath('virtee-sev/tests/certs_data/report_milan.hex'),
      '--certs', sevPath('virtee-sev/tests/certs_data/cert_chain_milan'),
      '--vcek', sevPath('virtee-sev/tests/certs_data/vcek_milan.der'),
      ...NOW,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok    @tsvmm/sev verifies the report against the VCEK');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('attestation verification: OK (18 checks)');
  });

  test("report verify: milan_report_invalid must fail (exit 1)", () => {
    const bytes = Buffer.from(readFileSync(sevPath('virtee-sev/tests/certs_data/report_milan.hex'), 'utf8'), 'hex');
    bytes[21]! ^= 0x80;
    const file = join(outdir, 'report_invalid.bin');
    writeFileSync(file, bytes);
    const run = sevTool('report', 'verify', '--report', file, '--certs', sevPath('virtee-sev/tests/certs_data/cert_chain_milan'), '--vcek', sevPath('virtee-sev/tests/certs_data/vcek_milan.der'), ...NOW);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL  the signature verifies under the VCEK');
  });

  test("report show --json: go-sev-guest's report", () => {
    const run = sevTool('report', 'show', '--json', sevPath('go-sev-guest/verify/testdata/attestation.bin'));
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 2, policy: { raw: '0x00000000000b0000', debug: true }, reportedTcb: { raw: '0x4405000000000002' } });
  });

  test('report show: a truncated report is exit 2, naming the field and offset', () => {
    const run = sevTool('report', 'show', sevPath('lit-sev-snp-utils/resources/test/guest_report_corrupt.bin'));
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[reportTruncated] SIGNATURE.S at 0x2E8');
  });

  test('report validate: go-sev-guest good values pass, bad ones are all listed', () => {
    const report = sevPath('go-sev-guest/verify/testdata/attestation.bin');
    expect(sevTool('report', 'validate', '--report', report, '--minimum-tcb', '4901323769462652930', '--vmpl', '0', '--max-guest-policy', '0xb0000').status).toBe(0);
    const bad = sevTool('report', 'validate', '--report', report, '--minimum-tcb', '4901323769462652931', '--vmpl', '1', '--minimum-version', '1.50');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('report validation: FAILED (3 of 4 checks failed)');
  });

  test('certs verify: the legacy Rome chain verifies against the builtin ASK and ARK; Rome ASK → Naples CEK fails', () => {
    const ok = sevTool('certs', 'verify', sevPath('virtee-sev/tests/rome'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('certificate verification: OK (8 checks)');
    const bad = sevTool('certs', 'verify', '--ask', sevPath('virtee-sev/src/certs/sev/builtin/rome/ask.cert'), '--ark', sevPath('virtee-sev/src/certs/sev/builtin/rome/ark.cert'), '--cek', sevPath('virtee-sev/tests/naples/cek.cert'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('FAIL  ASK signed the CEK');
  });

  test('certs verify: an SEV-SNP bundle with its VCEK; ASK → ARK reversed is an input error', () => {
    const ok = sevTool('certs', 'verify', sevPath('go-sev-guest/verify/trust/ask_ark_milan.pem'), '--vcek', sevPath('go-sev-guest/verify/testdata/vcek.testcer'), ...NOW);
    expect(ok.status).toBe(0);
    const reversed = sevTool('certs', 'verify', '--ark', sevPath('virtee-sev/src/certs/snp/builtin/milan/ask.pem'), '--ask', sevPath('virtee-sev/src/certs/snp/builtin/milan/ark.pem'));
    expect(reversed.status).toBe(2);
    expect(reversed.stderr).toContain('holds the ASK (CN SEV-Milan), expected the ARK');
  });
});
