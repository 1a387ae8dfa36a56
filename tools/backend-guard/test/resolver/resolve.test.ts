/**
 * Resolver semantics, case by case (the Cargo oracle test covers random workspaces): dependency
 * kinds kept apart, default features, weak and implicit features, unification modes, provenance.
 */
import { describe, expect, it } from 'vitest';
import { readWorkspace } from '../../src/manifest/workspace.ts';
import { chainsTo } from '../../src/resolver/chains.ts';
import { featureNode, resolve, ResolveRequestError, type ResolveRequest } from '../../src/resolver/resolve.ts';
import { pkg, writeWorkspace } from '../support/write-workspace.ts';

const crypto = pkg('crypto', {
  dependencies: { nobleish: '1.0.0' },
  guard: {
    features: { default: ['std'], std: [], openssl: [], noble: ['dep:nobleish'], native: [] },
    dependencies: { nobleish: { optional: true } },
    exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } },
  },
});

function features(files: Record<string, string>, request: ResolveRequest): Record<string, Record<string, string[]>> {
  const workspace = readWorkspace(writeWorkspace(files));
  expect(workspace.problems.map((p) => p.format())).toEqual([]);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [root, resolution] of resolve(workspace, request)) {
    out[root] = Object.fromEntries([...resolution.packages].sort(([a], [b]) => a.localeCompare(b)).map(([p, f]) => [p, [...f].sort()]));
  }
  return out;
}

describe('dependency kinds', () => {
  const files = {
    'packages/crypto/package.json': crypto,
    'packages/lib/package.json': pkg('lib', {
      dependencies: { crypto: 'workspace:*' },
      devDependencies: { crypto: 'workspace:*' },
      guard: { dependencies: { crypto: { defaultFeatures: false } }, devDependencies: { crypto: { features: ['noble'] } } },
    }),
    'packages/app/package.json': pkg('app', { dependencies: { lib: 'workspace:*' } }),
  };

  it('keeps a library\'s dev-dependency features out of an app build', () => {
    expect(features(files, { roots: ['app'] }).app).toEqual({ app: [], crypto: [], lib: [] });
  });

  it('follows the root\'s dev-dependencies in a test build, and unifies them with its normal ones', () => {
    expect(features(files, { roots: ['lib'], dev: true }).lib).toEqual({ crypto: ['default', 'noble', 'std'], lib: [], nobleish: [] });
  });

  it('does not follow dev-dependencies of non-roots even in a test build', () => {
    expect(features(files, { roots: ['app'], dev: true }).app).toEqual({ app: [], crypto: [], lib: [] });
  });
});

describe('default features', () => {
  it('turns defaults off only when no other dependent keeps them (Cargo unification)', () => {
    const files = {
      'packages/crypto/package.json': crypto,
      'packages/a/package.json': pkg('a', { dependencies: { crypto: 'workspace:*' }, guard: { dependencies: { crypto: { defaultFeatures: false } } } }),
      'packages/b/package.json': pkg('b', { dependencies: { crypto: 'workspace:*' } }),
      'packages/app/package.json': pkg('app', { dependencies: { a: 'workspace:*', b: 'workspace:*' } }),
    };
    expect(features(files, { roots: ['a'] }).a!.crypto).toEqual([]);
    expect(features(files, { roots: ['app'] }).app!.crypto).toEqual(['default', 'std']);
  });

  it('honours --no-default-features and --all-features on the root only', () => {
    const files = { 'packages/crypto/package.json': crypto };
    expect(features(files, { roots: ['crypto'], noDefaultFeatures: true }).crypto!.crypto).toEqual([]);
    expect(features(files, { roots: ['crypto'], allFeatures: true }).crypto!.crypto).toEqual(['default', 'native', 'noble', 'openssl', 'std']);
  });
});

describe('optional dependencies', () => {
  const files = {
    'packages/crypto/package.json': crypto,
    'packages/sev/package.json': pkg('sev', {
      dependencies: { crypto: 'workspace:*' },
      guard: {
        features: { default: [], snp: [], openssl: ['crypto?/openssl'], strict: ['crypto/std'] },
        dependencies: { crypto: { optional: true, defaultFeatures: false } },
      },
    }),
  };

  it('a weak feature does not turn the dependency on', () => {
    expect(features(files, { roots: ['sev'], features: ['openssl'] }).sev).toEqual({ sev: ['default', 'openssl'] });
  });

  it('a weak feature applies once something else turns the dependency on (implicit feature)', () => {
    expect(features(files, { roots: ['sev'], features: ['openssl', 'crypto'] }).sev).toEqual({ crypto: ['openssl'], sev: ['crypto', 'default', 'openssl'] });
  });

  it('"dep/feature" turns the optional dependency and its implicit feature on', () => {
    expect(features(files, { roots: ['sev'], features: ['strict'] }).sev).toEqual({ crypto: ['std'], sev: ['crypto', 'default', 'strict'] });
  });

  it('rejects a request for a feature that does not exist, naming what does', () => {
    const workspace = readWorkspace(writeWorkspace(files));
    expect(() => resolve(workspace, { roots: ['sev'], features: ['crypto/fips'] })).toThrow(new ResolveRequestError('--features crypto/fips: crypto has no feature "fips" (it has: default, std, openssl, noble, native)'));
  });
});

describe('unification modes', () => {
  const files = {
    'packages/crypto/package.json': crypto,
    'packages/vmm/package.json': pkg('vmm', { dependencies: { crypto: 'workspace:*' }, guard: { app: { entry: 'main.ts' }, dependencies: { crypto: { features: ['openssl'] } } } }),
    'packages/tool/package.json': pkg('tool', { dependencies: { crypto: 'workspace:*' }, guard: { app: { entry: 'main.ts' }, dependencies: { crypto: { features: ['noble'] } } } }),
    'packages/other/package.json': pkg('other', { dependencies: { crypto: 'workspace:*' }, guard: { dependencies: { crypto: { features: ['native'] } } } }),
  };

  it('package: each root alone', () => {
    const out = features(files, { roots: ['vmm', 'tool'], unification: 'package' });
    expect(out.vmm!.crypto).toEqual(['default', 'openssl', 'std']);
    expect(out.tool!.crypto).toEqual(['default', 'noble', 'std']);
  });

  it('selected: the union over the roots of one invocation', () => {
    const out = features(files, { roots: ['vmm', 'tool'], unification: 'selected' });
    expect(out.vmm!.crypto).toEqual(['default', 'noble', 'openssl', 'std']);
    expect(out.tool).toEqual(out.vmm);
  });

  it('workspace: the union over every package', () => {
    expect(features(files, { roots: ['vmm'], unification: 'workspace' }).vmm!.crypto).toEqual(['default', 'native', 'noble', 'openssl', 'std']);
  });
});

describe('provenance', () => {
  it('finds every chain that turned a feature on', () => {
    const workspace = readWorkspace(writeWorkspace({
      'packages/crypto/package.json': crypto,
      'packages/a/package.json': pkg('a', { dependencies: { crypto: 'workspace:*' }, guard: { features: { default: ['x', 'y'], x: ['crypto/noble'], y: ['crypto/noble'] } } }),
      'packages/app/package.json': pkg('app', { dependencies: { a: 'workspace:*', crypto: 'workspace:*' }, guard: { dependencies: { crypto: { features: ['noble'] } } } }),
    }));
    const resolution = resolve(workspace, { roots: ['app'] }).get('app')!;
    const { chains, total } = chainsTo(resolution, featureNode('crypto', 'noble'));
    expect(total).toBe(3);
    expect(chains.map((c) => c.map((s) => s.site.text))).toEqual(expect.arrayContaining([
      ['root of this resolution', 'depends on crypto', 'depends on crypto with feature "noble"'],
      ['root of this resolution', 'depends on a', 'depends on a with its default features', 'feature "default" enables "x"', 'feature "x" enables "crypto/noble"'],
      ['root of this resolution', 'depends on a', 'depends on a with its default features', 'feature "default" enables "y"', 'feature "y" enables "crypto/noble"'],
    ]));
  });
});
