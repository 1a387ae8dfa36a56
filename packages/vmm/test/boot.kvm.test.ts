/**
 * The full boot, inside tools/testvm's nested test VM (this machine's PVM /dev/kvm cannot boot
 * Linux): the built bundle boots Debian's kernel with `-c 2` and the test initramfs, whose /init
 * checks that both CPUs are online and that the clock came from the RTC, prints PASS and resets
 * through the i8042 (reboot=k): the VMM must exit 0. Then the same kernel with an init that does
 * not exist panics, and the VMM must say so and exit 1 (panic=-1 and panic_warm, exit.ts). And,
 * where KVM is hardware KVM (nested SVM), the tiny kernel's triple fault must exit 3. Prints the
 * boot-to-/init time.
 *
 * Known flake (README, "Open problems"): in the nested test VM a 2-vCPU Linux boot often ends in
 * a guest triple fault (KVM_EXIT_SHUTDOWN), at any point of kernel init, or stalls with the
 * guest's RCU stall detector reporting that a CPU's timer never fired; twice the test VM's own
 * kernel died under it, and QEMU's guest in the same test VM dies the same way, less often (2 of 11
 * boots against 9 of 19), so the fault is in the nested layer (TCG's emulated SVM under kvm_amd). Such an attempt is reported loudly with its console tail and the Linux
 * boot is tried again, at most five attempts in all; any other failure, or five flaky attempts in
 * a row, fails the test.
 */
import { describe, expect, it } from 'vitest';
import { GUEST_INITRAMFS_IN_VM, GUEST_KERNEL_IN_VM, guestCommandLine, parseGuestReport } from '@tsvmm/testvm';
import { bootInTestVm, stageBundle, type BootResult } from './support/l1.ts';
import { tinyBzImage } from './support/tiny_kernel.ts';

const TINY_IN_VM = '/tmp/tiny-triple-fault.bzImage';
const ATTEMPTS = 5;
/** A boot to /init takes 25-60 s in the test VM (longer under CI's load); a stalled one is killed. */
const BOOT_TIMEOUT_MS = 150_000;
/** The guest's own words for a CPU whose timer stopped firing. */
const RCU_STALL = /rcu: INFO: rcu_\w+ detected stalls|rcu_\w+ kthread timer wakeup didn't happen/;

/** Which form of the known flake a Linux boot is, if it is one. */
function knownFlake(boot: BootResult): string | undefined {
  if (boot.exitCode === 3) return 'the Linux guest triple-faulted';
  if (boot.markerMs === undefined && boot.signal === 'SIGKILL' && RCU_STALL.test(boot.output)) return 'the Linux guest stalled (RCU stall) and was killed at the boot timeout';
  return undefined;
}

describe('boot in the test VM (nested KVM)', () => {
  it('boots Debian\'s kernel with 2 vCPUs to the test /init, which passes, and exits 0; a panic exits 1, a triple fault 3', async () => {
    const bundle = await stageBundle();
    const params = guestCommandLine({ base: '', cpus: 2, now: null }).trim() + ' testvm.now=@NOW@';
    const linuxRun = { name: 'linux', argv: ['node', bundle, 'run', '-c', '2', '-i', GUEST_INITRAMFS_IN_VM, '-p', params, '--stats', GUEST_KERNEL_IN_VM] };
    const checks = [
      { name: 'panic', argv: ['node', bundle, 'run', '-i', GUEST_INITRAMFS_IN_VM, '-p', 'rdinit=/no/such/init root=/dev/nonexistent', GUEST_KERNEL_IN_VM] },
      { name: 'triple-fault', argv: ['node', bundle, 'run', TINY_IN_VM] },
    ];
    const files = { [TINY_IN_VM]: Buffer.from(tinyBzImage('triple-fault')) };
    let panic: BootResult | undefined;
    let triple: BootResult | undefined;
    let linux: BootResult | undefined;
    for (let attempt = 1; ; attempt++) {
      // The short checks run first, in the same test VM as the first Linux boot (again only if flaky).
      const runs = panic === undefined ? [...checks, linuxRun] : [linuxRun];
      let flake: string | undefined;
      try {
        const { results, vm } = await bootInTestVm(runs, { files, bootTimeoutMs: BOOT_TIMEOUT_MS });
        expect(vm.kvm, 'the test VM has /dev/kvm').toBe(true);
        if (panic === undefined) [panic, triple] = results;
        linux = results.at(-1);
        flake = knownFlake(linux!);
        if (panic!.exitCode === 3) {
          // The panicking boot can meet the flake too: run the checks again with the next attempt.
          flake = `the panic check's guest triple-faulted${flake ? `, and ${flake}` : ''}`;
          panic = triple = undefined;
        }
      } catch (error) {
        // The test VM's own kernel dying under nested KVM is the same flake one layer down.
        if (!(error instanceof Error && /wrote no results|stopped before the command ended/.test(error.message))) throw error;
        flake = `the test VM itself died: ${error.message.split('\n')[0]}`;
        linux = undefined;
      }
      if (flake === undefined) break;
      console.warn(`KNOWN FLAKE (attempt ${attempt} of ${ATTEMPTS}): ${flake}.${linux ? ` VMM stderr:\n${linux.stderr}\nconsole tail:\n${linux.output.slice(-1500)}` : ''}`);
      if (attempt === ATTEMPTS) throw new Error(`the known nested-VM flake hit all ${ATTEMPTS} attempts; the last: ${flake}`);
    }
    const report = parseGuestReport(linux!.output);
    const summary = `exit ${linux!.exitCode}; VMM stderr:\n${linux!.stderr}\nconsole tail:\n${linux!.output.slice(-3000)}`;
    expect(report.result, summary).toBe('pass');
    expect(report.cpus).toMatchObject({ online: 2, ok: true });
    expect(report.clock?.ok).toBe(true);
    expect(report.rebooting).toBe(true);
    expect(linux!.exitCode, summary).toBe(0);
    console.log(
      `boot to /init with tsvmm in the test VM: ${linux!.markerMs?.toFixed(0)} ms wall (guest uptime at /init ${report.uptime} s), ` +
        `VMM exit after ${linux!.totalMs.toFixed(0)} ms\n${linux!.stderr}`,
    );
    expect(panic!.exitCode, panic!.stderr + panic!.output.slice(-2000)).toBe(1);
    expect(panic!.stderr).toMatch(/vmm: guest kernel panicked: Kernel panic - not syncing: /);
    expect(triple!.output).toContain('tiny: triple fault');
    expect(triple!.exitCode, triple!.stderr).toBe(3);
    expect(triple!.stderr).toContain('KVM_EXIT_SHUTDOWN');
  }, 1_500_000);
});
