/**
 * Vitest for @tsvmm/sev-tool. backend-guard's Vite plugin resolves `#backend` as the app's own
 * build does (its package.json chooses `noble` through @tsvmm/sev's `crypto_nossl` feature), so the
 * in-process tests (`src/**\/*.test.ts`) run on the backend the app ships with. `test/` runs the
 * built bundle itself (built by the test into a temporary folder with backend-guard's `buildApp`).
 */
import { backendGuard } from '@tsvmm/backend-guard/vite';
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

export default defineConfig({
  plugins: [backendGuard()],
  test: {
    reporters: testReporters('sev-tool'),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
