/**
 * Vitest for @tsvmm/crypto: the same backend-agnostic tests run once per backend and once on the
 * placeholder, as four vitest projects (`vitest run --project noble` runs one). backend-guard's
 * Vite plugin resolves `#backend` for each from the features given here, exactly as an app build
 * would; `GUARD_FEATURES` tells the tests which backend they should find linked.
 */
import { backendGuard } from '@tsvmm/backend-guard/vite';
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

const RUNS = [
  { name: 'placeholder', features: [] },
  { name: 'openssl', features: ['@tsvmm/crypto/openssl'] },
  { name: 'noble', features: ['@tsvmm/crypto/noble'] },
  { name: 'native', features: ['@tsvmm/crypto/native'] },
];

export default defineConfig({
  test: {
    reporters: testReporters('crypto'),
    projects: RUNS.map(({ name, features }) => ({
      plugins: [backendGuard({ features })],
      test: { name, include: ['src/**/*.test.ts'], env: { GUARD_FEATURES: features.join(',') } },
    })),
  },
});
