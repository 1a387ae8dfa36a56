/**
 * The Vite plugin: a library's tests get the placeholder backend unless the features (or
 * GUARD_FEATURES) choose exactly one; the choice is the resolver's, with dev-dependencies included.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendGuard, featuresFromEnv } from '../../src/vite/plugin.ts';
import { fixtureWorkspace } from '../support/fixture.ts';

function backendFor(root: string, packageDir: string, features?: string[]) {
  const plugin = backendGuard({ workspaceRoot: root, ...(features === undefined ? {} : { features }) });
  plugin.configResolved({ root: join(root, packageDir) });
  return plugin.resolveId('#backend', join(root, '../_crypto/src/index.ts'))?.slice(join(root, '../_crypto/src/backend/').length);
}

describe('backendGuard() for vitest', () => {
  const root = fixtureWorkspace('library-feature-adds-backend', { install: false });

  it('gives the crypto package\'s own tests the placeholder', () => {
    expect(backendFor(root, '../_crypto', [])).toBe('placeholder.ts');
  });

  it('gives a library the backend its features choose', () => {
    expect(backendFor(root, 'libs/tls', [])).toBe('noble.ts');
  });

  it('gives the placeholder when requested features make several', () => {
    expect(backendFor(root, 'libs/tls', ['@fx/crypto/native'])).toBe('placeholder.ts');
  });

  it('lets a test run choose one backend', () => {
    expect(backendFor(root, '../_crypto', ['@fx/crypto/native'])).toBe('native.ts');
    expect(backendFor(root, '../_crypto', ['openssl'])).toBe('openssl.ts');
  });

  it('leaves other imports alone', () => {
    const plugin = backendGuard({ features: [] });
    plugin.configResolved({ root: join(root, 'libs/tls') });
    expect(plugin.resolveId('#backend', join(root, 'libs/tls/src/index.ts'))).toBeUndefined();
    expect(plugin.resolveId('node:crypto', join(root, '../_crypto/src/index.ts'))).toBeUndefined();
  });

  it('reads GUARD_FEATURES as comma-separated --features', () => {
    expect(featuresFromEnv({ GUARD_FEATURES: ' @tsvmm/crypto/noble, std ,' })).toEqual(['@tsvmm/crypto/noble', 'std']);
    expect(featuresFromEnv({})).toEqual([]);
  });
});
