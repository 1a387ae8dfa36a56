/**
 * A workspace whose package.json files have one or more problems of every kind the manifest
 * reader finds, one concern per package, for `valid-features`' tests.
 */
import { pkg, writeWorkspace } from '../../support/write-workspace.ts';

export function featureProblemsWorkspace(): string {
  const onCrypto = { '@t/crypto': 'workspace:*' };
  return writeWorkspace({
    'packages/crypto/package.json': pkg('@t/crypto', {
      guard: { features: { default: [], openssl: [], noble: [], native: [] }, exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } } },
    }),
    // References to features and packages that do not exist.
    'packages/refs/package.json': pkg('@t/refs', {
      dependencies: { ...onCrypto, 'left-pad': '1.0.0' },
      guard: {
        features: { default: ['std'], std: ['@t/crypto/opensll'], pad: ['left-pad/fast'], tls: ['@t/tlx/ring', 'dep:@t/crypto'], fast: ['sped'] },
        dependencies: { '@t/crypto': { features: ['nobel'] }, ghost: {} },
      },
    }),
    // Exclusive groups naming too few or unknown features.
    'packages/groups/package.json': pkg('@t/groups', {
      guard: { features: { small: [], tiny: [], fast: [] }, exclusive: { size: { atMostOne: ['small', 'huge'] }, speed: { atMostOne: ['fast'] } } },
    }),
    // Malformed values, bad names, cycles, a feature hiding an optional dependency.
    'packages/shape/package.json': pkg('@t/shape', {
      dependencies: { zlib: '1.0.0', brotli: '1.0.0' },
      guard: {
        features: { 'bad name': [], loop: ['loop2'], loop2: ['loop'], zlib: [] },
        dependencies: { zlib: { optional: true }, brotli: { optional: 'yes' } },
        exports: {},
      },
    }),
    'packages/a/package.json': pkg('@t/a', { dependencies: { '@t/b': 'workspace:*' } }),
    'packages/b/package.json': pkg('@t/b', { dependencies: { '@t/a': 'workspace:*' } }),
    'packages/dup1/package.json': pkg('@t/dup'),
    'packages/dup2/package.json': pkg('@t/dup'),
  });
}
