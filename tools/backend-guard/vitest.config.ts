/** Tests of backend-guard: unit tests, fixture workspaces built for real, and Cargo as an oracle. */
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: testReporters('backend-guard'),
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
