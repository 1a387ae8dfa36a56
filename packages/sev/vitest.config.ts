/**
 * Vitest for @tsvmm/sev: the same tests run once per crypto backend and once on the placeholder,
 * as four vitest projects (`vitest run --project noble` runs one), as in @tsvmm/crypto.
 * backend-guard's Vite plugin resolves crypto's `#backend` from the features given here, exactly
 * as an app build would. `openssl` and `noble` are chosen the way an app using this package would
 * choose them, through this package's own forwarding features (`@tsvmm/sev/openssl`,
 * `@tsvmm/sev/crypto_nossl`); `native` has no sev feature, so it is chosen on crypto directly, as an
 * app that picks WebCrypto does. `GUARD_FEATURES` tells the tests which backend they should find.
 */
import { backendGuard } from '@tsvmm/backend-guard/vite';
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

const RUNS = [
  { name: 'placeholder', features: [] },
  { name: 'openssl', features: ['@tsvmm/sev/openssl'] },
  { name: 'noble', features: ['@tsvmm/sev/crypto_nossl'] },
  { name: 'native', features: ['@tsvmm/crypto/native'] },
];

export default defineConfig({
  test: {
    reporters: testReporters('sev'),
    projects: RUNS.map(({ name, features }) => ({
      plugins: [backendGuard({ features })],
      test: { name, include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, env: { GUARD_FEATURES: features.join(','), SEV_TEST_BACKEND: name } },
    })),
  },
});
