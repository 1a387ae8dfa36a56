/**
 * Test support: whether this machine is expected to have KVM. Tests that need /dev/kvm call
 * `kvmOrFail()`: a missing /dev/kvm FAILS them with a clear message, unless the environment says
 * the machine has no KVM by design (`TSVMM_NO_KVM=1`, for machines documented as without KVM);
 * only then are they skipped, and the skip says why.
 */
import { existsSync } from 'node:fs';

export const KVM_PATH = process.env['TSVMM_KVM_PATH'] ?? '/dev/kvm';

/** True when the tests should be skipped: no KVM on a machine documented as without it. */
export function skipWithoutKvm(): boolean {
  return !existsSync(KVM_PATH) && process.env['TSVMM_NO_KVM'] === '1';
}

/** Throws the clear failure when KVM is expected but absent. */
export function kvmOrFail(): void {
  if (existsSync(KVM_PATH)) return;
  throw new Error(
    `${KVM_PATH} is missing: these tests need KVM. This project's machines have /dev/kvm (PVM, see ` +
      `shared/notes/kvm-on-these-machines.md). On a machine documented as without KVM, set TSVMM_NO_KVM=1 to skip them.`,
  );
}
