/**
 * Tests of testvm: unit tests (cpio, the /init contract, the console parser), the guest /init run
 * on the host with the image's own busybox, the built images, and the test VM itself (a command
 * run, and the smoke test: Node, /dev/kvm and QEMU -enable-kvm booting the guest inside).
 * Files run one at a time: the VM tests use both cores.
 */
import { defineConfig } from 'vitest/config';
import { testReporters } from '../../vitest.shared.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: testReporters('testvm'),
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
