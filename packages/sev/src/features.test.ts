/**
 * The package's features (package.json `guard`), checked with backend-guard's own resolver, as an
 * app build would resolve them: `sev` and `snp` gate the two entry points, `openssl` and
 * `crypto_nossl` forward to a crypto backend and exclude each other, none of them is on by default
 * (a library never chooses a backend). Also: the entry points import nothing of each other, and each
 * vitest project links the backend it asked for.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkApp, loadWorkspace, resolve } from '@tsvmm/backend-guard';
import { ensureSingleBackend } from '@tsvmm/crypto';
import { describe, expect, test } from 'vitest';

const PACKAGE = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', PACKAGE), 'utf8')) as {
  exports: Record<string, string>;
  sideEffects: boolean;
  guard: { features: Record<string, string[]>; exclusive: Record<string, Record<string, string[]>> };
};
const workspace = () => loadWorkspace(fileURLToPath(new URL('../../', PACKAGE)));

function diagnosticsFor(features: string[]) {
  const resolution = resolve(workspace(), { roots: ['@tsvmm/sev'], features }).get('@tsvmm/sev')!;
  return { crypto: [...(resolution.features('@tsvmm/crypto') ?? [])].filter((f) => f !== 'default').sort(), diagnostics: checkApp(resolution, '@tsvmm/sev').map((d) => d.code).sort() };
}

describe('features (package.json guard)', () => {
  test('the table: sev and snp on by default, the backends forwarded and opt-in, one exclusive group', () => {
    expect(manifest.guard.features).toEqual({
      default: ['sev', 'snp'],
      sev: [],
      snp: [],
      openssl: ['@tsvmm/crypto/openssl'],
      crypto_nossl: ['@tsvmm/crypto/noble'],
    });
    expect(manifest.guard.exclusive).toEqual({ verification: { atMostOne: ['openssl', 'crypto_nossl'] } });
    expect(manifest.exports).toEqual({ '.': './src/index.ts', './snp': './src/snp/index.ts', './sev': './src/sev/index.ts' });
    expect(manifest.sideEffects).toBe(false);
  });

  test('resolved alone (as a library), no crypto backend is on', () => {
    expect(diagnosticsFor([])).toEqual({ crypto: [], diagnostics: ['ensure_single_backend'] });
  });

  test('@tsvmm/sev/openssl turns on crypto openssl; crypto_nossl turns on noble: one backend, no diagnostic', () => {
    expect(diagnosticsFor(['@tsvmm/sev/openssl'])).toEqual({ crypto: ['openssl'], diagnostics: [] });
    expect(diagnosticsFor(['@tsvmm/sev/crypto_nossl'])).toEqual({ crypto: ['noble'], diagnostics: [] });
  });

  test('both: the exclusive group and ensure_single_backend; sev openssl plus crypto native: ensure_single_backend', () => {
    expect(diagnosticsFor(['@tsvmm/sev/openssl', '@tsvmm/sev/crypto_nossl'])).toEqual({ crypto: ['noble', 'openssl'], diagnostics: ['ensure_single_backend', 'exclusive_group'] });
    expect(diagnosticsFor(['@tsvmm/sev/openssl', '@tsvmm/crypto/native'])).toEqual({ crypto: ['native', 'openssl'], diagnostics: ['ensure_single_backend'] });
  });
});

describe('entry points', () => {
  const imports = (dir: string): [string, string][] =>
    readdirSync(new URL(`${dir}/`, import.meta.url), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(new URL(`${dir}/${f}`, import.meta.url), 'utf8').matchAll(/(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map((m) => [`${dir}/${f}`, m[1]!] as [string, string]));

  test('@tsvmm/sev/snp imports nothing of src/sev, and src/sev nothing of src/snp (each entry is a feature of its own)', () => {
    for (const [file, specifier] of imports('snp')) expect(specifier, file).not.toMatch(/(^|\/)sev\//);
    for (const [file, specifier] of imports('sev')) expect(specifier, file).not.toMatch(/(^|\/)snp\//);
  });

  test('the only runtime dependency is @tsvmm/crypto (and node: built-ins); test support stays under testing/', () => {
    for (const [file, specifier] of imports('snp')) {
      if (specifier.startsWith('.') || file.includes('/testing/') || file.endsWith('.test.ts')) continue;
      expect(['@tsvmm/crypto', 'node:fs/promises', 'node:path'], `${file}: ${specifier}`).toContain(specifier);
    }
  });
});

test('this vitest project links the backend it asked for', () => {
  const expected = process.env.SEV_TEST_BACKEND;
  if (expected === undefined) return; // not run through vitest.config.ts
  if (expected === 'placeholder') expect(() => ensureSingleBackend()).toThrow();
  else expect(ensureSingleBackend()).toBe(expected);
});
