/** Tests of @tsvmm/devices: one test file per device beside its module, run in plain Node. */
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: testReporters('devices'),
  },
});
