/**
 * Building the fixture workspaces for real with esbuild: one backend per app, proven from the
 * metafile for every bundle (the main one and each worker's); zero or several backends fail with
 * the located `ensure_single_backend` diagnostic; workers and assets land in dist/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildFailure } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { buildApp, type BuildAppResult } from '../../src/build/build-app.ts';
import { ENSURE_SINGLE_BACKEND_SYMBOL } from '../../src/diagnostic/ensure-single-backend.ts';
import { fixtureWorkspace } from '../support/fixture.ts';

const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

async function buildFailure(root: string, app: string, extra: object = {}): Promise<BuildFailure> {
  try {
    await buildApp({ workspaceRoot: root, app, logLevel: 'silent', ...extra });
  } catch (error) {
    return error as BuildFailure;
  }
  throw new Error(`${app} built, but it should not have`);
}

/** Bundle inputs, relative to the workspace, that belong to a backend module or a backend library. */
function backendInputs(inputs: string[]): string[] {
  return inputs.filter((i) => /_crypto\/src\/backend\/|@noble\//.test(i)).map((i) => i.replace(/^.*node_modules\/(@noble\/[^/]+)\/.*$/, '$1')).filter((v, i, a) => a.indexOf(v) === i).sort();
}

/** Backend inputs of each bundle the build wrote (`main`, and each worker by name), from esbuild's metafiles. */
function backendInputsPerBundle(result: BuildAppResult): Record<string, string[]> {
  const metafiles = { main: result.metafile, ...Object.fromEntries(Object.entries(result.workers).map(([name, w]) => [name, w.metafile])) };
  return Object.fromEntries(Object.entries(metafiles).map(([name, metafile]) => [name, backendInputs(Object.keys(metafile.inputs))]));
}

describe('two apps, two backends', () => {
  const root = fixtureWorkspace('two-apps');

  it('bundles only the openssl backend into the vmm', async () => {
    const result = await buildApp({ workspaceRoot: root, app: '@fx/vmm', logLevel: 'silent' });
    expect(result.backends).toEqual(['@fx/crypto/openssl']);
    expect(backendInputs(Object.keys(result.metafile.inputs))).toEqual(['../_crypto/src/backend/openssl.ts']);
    expect(execFileSync('node', [result.outfile, 'abc'], { encoding: 'utf8' }).trim()).toBe(`openssl ${SHA256_ABC}`);
  });

  it('bundles only the noble backend and its library into the SEV tool', async () => {
    const result = await buildApp({ workspaceRoot: root, app: '@fx/sevtool', logLevel: 'silent' });
    expect(result.backends).toEqual(['@fx/crypto/noble']);
    expect(backendInputs(Object.keys(result.metafile.inputs))).toEqual(['../_crypto/src/backend/noble.ts', '@noble/hashes']);
    expect(execFileSync('node', [result.outfile, 'abc'], { encoding: 'utf8' }).trim()).toBe(`noble ${SHA256_ABC}`);
    const proof = JSON.parse(readFileSync(join(root, 'apps/sevtool/dist/guard.json'), 'utf8'));
    expect(proof).toMatchObject({ app: '@fx/sevtool', unification: 'package', backends: ['@fx/crypto/noble'], features: { '@fx/crypto': ['default', 'noble'] } });
  });

  it('fails both apps under selected unification, as Cargo unifies one invocation', async () => {
    for (const app of ['@fx/vmm', '@fx/sevtool']) {
      const failure = await buildFailure(root, app, { unification: 'selected' });
      expect(failure.errors[0]!.text).toContain('enables 2 backends (openssl, noble) of @fx/crypto');
    }
  });

  it('builds with a backend chosen on the command line instead of the manifest', async () => {
    const failure = await buildFailure(root, '@fx/vmm', { features: ['@fx/crypto/native'] });
    expect(failure.errors[0]!.text).toContain('enables 2 backends (openssl, native)');
    expect(failure.errors[0]!.text).toContain('--features @fx/crypto/native');
  });
});

describe('wrong backend counts fail the build', () => {
  it('zero backends: located at the ensureSingleBackend() call, with the openvmm symbol', async () => {
    const root = fixtureWorkspace('zero-backends');
    const failure = await buildFailure(root, '@fx/tool');
    expect(failure.errors).toHaveLength(1);
    const [error] = failure.errors;
    expect(error!.text).toMatch(/^error\[ensure_single_backend\]/);
    expect(error!.text).toContain(ENSURE_SINGLE_BACKEND_SYMBOL);
    expect(error!.text).toContain('@fx/tool enables no backend of @fx/crypto, whose group "backend" allows exactly one of: openssl, noble, native');
    expect(error!.text).toContain('help: choose one:');
    expect(error!.location).toMatchObject({ file: 'apps/tool/src/main.ts', line: 4, column: 16, lineText: 'const backend = ensureSingleBackend();' });
  });

  it('two backends through a library feature: every chain, with file:line:column', async () => {
    const root = fixtureWorkspace('library-feature-adds-backend');
    const failure = await buildFailure(root, '@fx/vmm');
    expect(failure.errors).toHaveLength(1);
    const text = failure.errors[0]!.text;
    expect(text).toContain(ENSURE_SINGLE_BACKEND_SYMBOL);
    expect(text).toContain('backend "openssl" is enabled by 1 chain:');
    expect(text).toContain('apps/vmm/package.json:12:52  @fx/vmm: depends on @fx/crypto with feature "openssl"');
    expect(text).toContain('backend "noble" is enabled by 1 chain:');
    expect(text).toContain('libs/tls/package.json:10:19  @fx/tls: feature "default" enables "fast-hash"');
    expect(text).toContain('libs/tls/package.json:11:21  @fx/tls: feature "fast-hash" enables "@fx/crypto/noble"');
    expect(failure.errors[0]!.notes.map((n) => [n.text, n.location?.file, n.location?.line])).toEqual([
      ['backend "openssl" turned on here: @fx/vmm: depends on @fx/crypto with feature "openssl"', 'apps/vmm/package.json', 12],
      ['backend "noble" turned on here: @fx/tls: feature "fast-hash" enables "@fx/crypto/noble"', 'libs/tls/package.json', 11],
    ]);
  });

  it('a library that selects a backend gives the app that backend (the lint rule flags the library)', async () => {
    const root = fixtureWorkspace('library-selects-backend');
    const result = await buildApp({ workspaceRoot: root, app: '@fx/vmm', logLevel: 'silent' });
    expect(result.backends).toEqual(['@fx/crypto/native']);
    expect(execFileSync('node', [result.outfile, 'abc'], { encoding: 'utf8' }).trim()).toBe(`native ${SHA256_ABC}`);
  });
});

describe('workers and assets', () => {
  const NOBLE = ['../_crypto/src/backend/noble.ts', '@noble/hashes'];

  it('bundles each worker beside the main bundle with the same single backend, and copies the asset', async () => {
    const root = fixtureWorkspace('workers-and-assets');
    const result = await buildApp({ workspaceRoot: root, app: '@fx/vmm', logLevel: 'silent' });
    const dist = join(root, 'apps/vmm/dist');
    expect(result.outfile).toBe(join(dist, 'main.mjs'));
    expect(Object.fromEntries(Object.entries(result.workers).map(([name, w]) => [name, w.outfile]))).toEqual({ hasher: join(dist, 'hasher.mjs'), echo: join(dist, 'echo.mjs') });
    expect(result.assets).toEqual([join(dist, 'banner.txt')]);
    for (const file of ['main.mjs', 'hasher.mjs', 'echo.mjs', 'banner.txt', 'guard.json']) expect(existsSync(join(dist, file)), file).toBe(true);

    // No other backend, nor its library, in any bundle; a worker without crypto has none at all.
    expect(backendInputsPerBundle(result)).toEqual({ main: NOBLE, hasher: NOBLE, echo: [] });
    expect(result.workers['echo']!.inputs).toEqual(['apps/vmm/src/echo/reverse.ts', 'apps/vmm/src/echo/worker_main.ts']);
    expect(result.workers['hasher']!.inputs.filter((i) => i.includes('_crypto'))).toEqual(['../_crypto/src/backend/noble.ts', '../_crypto/src/index.ts']);

    // The bundles run: main starts both workers from dist/ and reads the copied asset.
    expect(execFileSync('node', [result.outfile, 'abc'], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'main noble',
      `hasher noble ${SHA256_ABC}`,
      'echo cba',
      'banner fixture banner',
    ]);

    const proof = JSON.parse(readFileSync(join(dist, 'guard.json'), 'utf8'));
    expect(proof).toMatchObject({ app: '@fx/vmm', unification: 'package', backends: ['@fx/crypto/noble'], inputs: result.inputs });
    expect(proof.inputs).toContain('apps/vmm/src/main.ts');
    expect(proof.inputs).not.toContain('apps/vmm/src/hasher.ts');
    expect(proof.workers).toEqual({
      hasher: { outfile: 'hasher.mjs', inputs: result.workers['hasher']!.inputs },
      echo: { outfile: 'echo.mjs', inputs: ['apps/vmm/src/echo/reverse.ts', 'apps/vmm/src/echo/worker_main.ts'] },
    });
    expect(proof.assets).toEqual({ 'banner.txt': 'apps/vmm/data/banner.txt' });
  });

  it('an app without workers or assets records empty ones, its other fields as before', async () => {
    const root = fixtureWorkspace('two-apps');
    const result = await buildApp({ workspaceRoot: root, app: '@fx/vmm', logLevel: 'silent' });
    const proof = JSON.parse(readFileSync(join(root, 'apps/vmm/dist/guard.json'), 'utf8'));
    expect(Object.keys(proof)).toEqual(['app', 'unification', 'backends', 'features', 'inputs', 'workers', 'assets']);
    expect(proof).toMatchObject({ inputs: ['../_crypto/src/backend/openssl.ts', '../_crypto/src/index.ts', 'apps/vmm/src/main.ts'], workers: {}, assets: {} });
    expect(result.workers).toEqual({});
  });

  it('a missing asset fails the build, located at its guard.app.assets entry', async () => {
    const root = fixtureWorkspace('workers-and-assets');
    rmSync(join(root, 'apps/vmm/data/banner.txt'));
    const failure = await buildFailure(root, '@fx/vmm');
    expect(failure.errors.map((e) => [e.text, e.location?.file, e.location?.line, e.location?.column])).toEqual([
      ['error[missing-asset]: guard.app.assets[0] of @fx/vmm: no file at "apps/vmm/data/banner.txt" (expected a file to copy into dist/, relative to package.json)', 'apps/vmm/package.json', 11, 17],
    ]);
    expect(failure.errors[0]!.location?.lineText).toBe('      "assets": ["data/banner.txt"]');
    expect(existsSync(join(root, 'apps/vmm/dist/main.mjs'))).toBe(false);
  });

  it('a folder as an asset and a missing worker entry fail the build, each located', async () => {
    const root = fixtureWorkspace('workers-and-assets');
    const manifest = join(root, 'apps/vmm/package.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"src/hasher.ts"', '"src/hasher2.ts"').replace('["data/banner.txt"]', '["data/banner.txt", "src/echo"]'));
    const failure = await buildFailure(root, '@fx/vmm');
    expect(failure.errors.map((e) => [e.text, e.location?.file, e.location?.line, e.location?.column])).toEqual([
      ['error[missing-worker]: guard.app.workers.hasher of @fx/vmm: no file at "apps/vmm/src/hasher2.ts" (expected the worker\'s entry module, relative to package.json)', 'apps/vmm/package.json', 10, 29],
      ['error[missing-asset]: guard.app.assets[1] of @fx/vmm: a folder, not a file, at "apps/vmm/src/echo" (expected a file to copy into dist/, relative to package.json)', 'apps/vmm/package.json', 11, 36],
    ]);
  });
});
