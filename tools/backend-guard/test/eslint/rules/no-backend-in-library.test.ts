/**
 * `no-backend-in-library`: a library resolved alone (default features, no dev-dependencies) turns
 * no backend on; the entry of its own package.json that does is reported. Opt-in features that
 * forward a backend are allowed.
 */
import { join } from 'node:path';
import type { Rule } from 'eslint';
import rule from '../../../src/eslint/rules/no-backend-in-library.ts';
import { FIXTURES } from '../../support/fixture.ts';
import { pkg, writeWorkspace } from '../../support/write-workspace.ts';
import { onDisk, packageJsonRuleTester } from '../support/rule-testers.ts';

const crypto = (defaults: string[] = []) =>
  pkg('@t/crypto', {
    dependencies: { '@noble/hashes': '2.4.0' },
    guard: {
      features: { default: defaults, openssl: [], noble: ['dep:@noble/hashes'], native: [] },
      dependencies: { '@noble/hashes': { optional: true } },
      exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } },
    },
  });
const onCrypto = { '@t/crypto': 'workspace:*' };

const root = writeWorkspace({
  'packages/crypto/package.json': crypto(),
  // Chooses a backend in its dependency on crypto.
  'packages/attest/package.json': pkg('@t/attest', { dependencies: onCrypto, guard: { dependencies: { '@t/crypto': { features: ['native'] } } } }),
  // Forwards one from a default feature.
  'packages/tls/package.json': pkg('@t/tls', { dependencies: onCrypto, guard: { features: { default: ['fast-hash'], 'fast-hash': ['@t/crypto/noble'] } } }),
  // The allowed pattern: an opt-in feature the app turns on; also a weak one.
  'packages/sev/package.json': pkg('@t/sev', {
    dependencies: onCrypto,
    guard: { features: { default: [], openssl: ['@t/crypto/openssl'], noble: ['@t/crypto?/noble'] } },
  }),
  // A library that turns on another library's opt-in backend feature: its choice, reported here.
  'packages/vtl/package.json': pkg('@t/vtl', { dependencies: { '@t/sev': 'workspace:*' }, guard: { dependencies: { '@t/sev': { features: ['openssl'] } } } }),
  // Depends on libraries that choose by themselves: those are reported, not this one.
  'packages/devices/package.json': pkg('@t/devices', { dependencies: { '@t/attest': 'workspace:*', '@t/tls': 'workspace:*' } }),
  // Dev-dependencies (its tests) may choose.
  'packages/net/package.json': pkg('@t/net', { dependencies: onCrypto, devDependencies: onCrypto, guard: { devDependencies: { '@t/crypto': { features: ['noble'] } } } }),
  // Apps choose.
  'packages/vmm/package.json': pkg('@t/vmm', { dependencies: onCrypto, guard: { app: { entry: 'src/main.ts' }, dependencies: { '@t/crypto': { features: ['openssl'] } } } }),
});
const file = (name: string) => join(root, 'packages', name, 'package.json');

/** A crypto package with a default backend: it is reported, not every library that keeps its defaults. */
const defaulted = writeWorkspace({
  'packages/crypto/package.json': crypto(['openssl']),
  'packages/lib/package.json': pkg('@t/lib', { dependencies: onCrypto }),
  'packages/lean/package.json': pkg('@t/lean', { dependencies: onCrypto, guard: { dependencies: { '@t/crypto': { defaultFeatures: false } } } }),
});

const error = (library: string, feature: string, via: string, line: number, column: number, endColumn: number, owner = '@t/crypto') => ({
  messageId: 'backendInLibrary',
  data: { library, feature, owner, group: 'backend', via },
  line,
  column,
  endLine: line,
  endColumn,
});

packageJsonRuleTester().run('no-backend-in-library', rule as unknown as Rule.RuleModule, {
  valid: [
    onDisk(file('crypto')),
    onDisk(file('sev')),
    onDisk(file('devices')),
    onDisk(file('net')),
    onDisk(file('vmm')),
    onDisk(join(defaulted, 'packages/lib/package.json')),
    onDisk(join(defaulted, 'packages/lean/package.json')),
    // The fixtures: the app chooses through a library (reported on the library), one app per backend.
    onDisk(join(FIXTURES, 'library-selects-backend/apps/vmm/package.json')),
    onDisk(join(FIXTURES, 'two-apps/apps/vmm/package.json')),
    onDisk(join(FIXTURES, '_crypto/package.json')),
    // Not a workspace package.
    { code: '{ "name": "stray" }\n', filename: join(root, 'stray/package.json') },
  ],
  invalid: [
    {
      ...onDisk(file('attest')),
      errors: [error('@t/attest', 'native', 'depends on @t/crypto → depends on @t/crypto with feature "native"', 11, 11, 19)],
    },
    {
      ...onDisk(file('tls')),
      errors: [
        error('@t/tls', 'noble', 'default features of the root → feature "default" enables "fast-hash" → feature "fast-hash" enables "@t/crypto/noble"', 13, 9, 26),
      ],
    },
    {
      ...onDisk(file('vtl')),
      errors: [
        error('@t/vtl', 'openssl', 'depends on @t/sev → depends on @t/sev with feature "openssl"', 11, 11, 20),
      ],
    },
    {
      ...onDisk(join(defaulted, 'packages/crypto/package.json')),
      errors: [error('@t/crypto', 'openssl', 'default features of the root → feature "default" enables "openssl"', 10, 9, 18)],
    },
    {
      // The fixtures of the build tests.
      ...onDisk(join(FIXTURES, 'library-selects-backend/libs/attest/package.json')),
      errors: [error('@fx/attest', 'native', 'depends on @fx/crypto → depends on @fx/crypto with feature "native"', 9, 52, 60, '@fx/crypto')],
    },
    {
      ...onDisk(join(FIXTURES, 'library-feature-adds-backend/libs/tls/package.json')),
      errors: [
        error('@fx/tls', 'noble', 'default features of the root → feature "default" enables "fast-hash" → feature "fast-hash" enables "@fx/crypto/noble"', 11, 21, 39, '@fx/crypto'),
      ],
    },
  ],
});
