/**
 * Vitest for @tsvmm/vmm: unit tests beside the sources (`src/**\/*.test.ts`) and the KVM smoke
 * tests in `test/` (this machine's /dev/kvm: they fail, not skip, without it, unless
 * TSVMM_NO_KVM=1 documents a machine without KVM). The full boot test
 * (`test/boot.kvm.test.ts`) runs in the nested test VM of tools/testvm.
 */
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    reporters: testReporters('vmm'),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
