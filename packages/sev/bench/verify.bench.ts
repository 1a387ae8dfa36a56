/**
 * SEV-SNP report verification rate per crypto backend, beside the raw ECDSA P-384 verification
 * rate of the same backend.
 *
 *   pnpm exec tsx packages/sev/bench/verify.bench.ts             openssl, noble and native
 *   pnpm exec tsx packages/sev/bench/verify.bench.ts noble       one backend
 *
 * How a backend is linked: each backend runs in its own process. The parent asks backend-guard
 * (its Vite plugin's resolution, the one the vitest projects use) which module `@tsvmm/crypto`'s
 * `#backend` becomes for an app that turns on `@tsvmm/sev/openssl`, `@tsvmm/sev/crypto_nossl` or
 * (no sev feature for it) `@tsvmm/crypto/native`; `bench/link-backend.mjs` then resolves `#backend`
 * to that module in the child, and the child checks `ensureSingleBackend()`. This package never
 * names a backend file of the crypto package itself.
 *
 * Rows (operations per second, medians of several rounds, the rows interleaved round by round;
 * every operation is awaited in turn):
 * - `ECDSA P-384 verify (raw)`: `EcdsaPublicKey.verify` of the report's signed bytes (672) with the
 *   VCEK's key: the floor for any report verification;
 * - `verifyReport (parsed)`: `VerifiedEndorsementKey.verifyReport` on an `AttestationReport`, chain
 *   already verified: KEY_INFO, product, TCB and CHIP_ID checks, the validity dates, the signature;
 * - `verifyReport (bytes)`: the same from the 1184 bytes (parsing included);
 * - `verifyAttestation (chain + report)`: everything each time, the VCEK's chain to the ARK (two
 *   RSA-4096 PSS verifications, certificate profile checks) and the report.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendGuard } from '@tsvmm/backend-guard/vite';

type BackendName = 'openssl' | 'noble' | 'native';
const BACKENDS: Record<BackendName, string[]> = {
  openssl: ['@tsvmm/sev/openssl'],
  noble: ['@tsvmm/sev/crypto_nossl'],
  native: ['@tsvmm/crypto/native'],
};

const DATA = new URL('../../../../shared/testdata/sev/', import.meta.url);
const file = (path: string) => new Uint8Array(readFileSync(new URL(path, DATA)));
const ROUND_SECONDS = 0.5;
const ROUNDS = 5;

interface Row {
  backend: string;
  name: string;
  opsPerSecond: number;
}

/** One timed round of `op`: operations per second. */
async function round(op: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_SECONDS * 1000) {
    await op();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Medians of {@link ROUNDS} rounds, the cases interleaved round by round (so drift in the machine's load hits every case alike). */
async function rates(cases: readonly (readonly [string, () => Promise<unknown>])[]): Promise<number[]> {
  for (const [, op] of cases) for (let i = 0; i < 20; i++) await op(); // warm-up
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < ROUNDS; r++) for (const [i, [, op]] of cases.entries()) samples[i]!.push(await round(op));
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
}

async function runChild(backend: BackendName): Promise<void> {
  const crypto = await import('@tsvmm/crypto');
  const sev = await import('../src/index.ts');
  const linked = crypto.ensureSingleBackend();
  if (linked !== backend) throw new Error(`expected the ${backend} backend, linked ${linked}`);
  const now = new Date('2022-09-24T01:00:00Z');
  const reportBytes = file('go-sev-guest/verify/testdata/attestation.bin');
  const vcek = file('go-sev-guest/verify/testdata/vcek.testcer');
  const roots = await sev.SnpTrustRoots.fromPem(readFileSync(new URL('go-sev-guest/verify/trust/ask_ark_milan.pem', DATA), 'utf8'));
  const key = await sev.verifyEndorsementKey(vcek, { roots, now });
  const report = sev.AttestationReport.parse(reportBytes);
  const body = report.signedBytes();
  const signature = sev.amdSignatureToRaw(report.signature.r, report.signature.s)!;
  if (!(await key.publicKey.verify(body, signature, crypto.HashAlgorithm.Sha384))) throw new Error('the raw signature does not verify');
  const cases: [string, () => Promise<unknown>][] = [
    ['ECDSA P-384 verify (raw)', () => key.publicKey.verify(body, signature, crypto.HashAlgorithm.Sha384)],
    ['verifyReport (parsed)', () => key.verifyReport(report)],
    ['verifyReport (bytes)', () => key.verifyReport(reportBytes)],
    ['verifyAttestation (chain + report)', () => sev.verifyAttestation(reportBytes, vcek, { roots, now })],
  ];
  const measured = await rates(cases);
  for (const [i, [name]] of cases.entries()) console.log(JSON.stringify({ backend, name, opsPerSecond: measured[i]! } satisfies Row));
}

function modulesFor(backend: BackendName): string {
  const plugin = backendGuard({ features: BACKENDS[backend] });
  plugin.configResolved({ root: fileURLToPath(new URL('../', import.meta.url)) });
  const cryptoEntry = fileURLToPath(import.meta.resolve('@tsvmm/crypto'));
  const module = plugin.resolveId('#backend', cryptoEntry);
  if (module === undefined) throw new Error('backend-guard did not resolve #backend');
  return new URL(`file://${module}`).href;
}

async function main(): Promise<void> {
  const child = process.env.SEV_BENCH_BACKEND as BackendName | undefined;
  if (child !== undefined) return runChild(child);
  const wanted = process.argv.slice(2);
  const backends = (Object.keys(BACKENDS) as BackendName[]).filter((b) => wanted.length === 0 || wanted.includes(b));
  console.log(`@tsvmm/sev report verification, Node ${process.version}, ${process.arch}; operations per second (median of ${ROUNDS} rounds of ${ROUND_SECONDS} s)`);
  const rows: Row[] = [];
  for (const backend of backends) {
    const result = spawnSync(process.execPath, [...process.execArgv, '--import', new URL('./link-backend.mjs', import.meta.url).href, fileURLToPath(import.meta.url)], {
      env: { ...process.env, SEV_BENCH_BACKEND: backend, SEV_BENCH_BACKEND_MODULE: modulesFor(backend) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`the ${backend} benchmark process failed (exit ${result.status})`);
    rows.push(...result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Row));
  }
  const raw = new Map(rows.filter((r) => r.name.endsWith('(raw)')).map((r) => [r.backend, r.opsPerSecond]));
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n${'backend'.padEnd(8)} ${'operation'.padEnd(width)} ${'ops/s'.padStart(10)}  vs raw verify`);
  for (const row of rows) {
    console.log(`${row.backend.padEnd(8)} ${row.name.padEnd(width)} ${row.opsPerSecond.toFixed(0).padStart(10)}  ${(row.opsPerSecond / raw.get(row.backend)!).toFixed(2)}`);
  }
}

await main();
