/**
 * The test VM's smoke test, shared by `testvm smoke` and test/testvm.test.ts: one test VM run
 * that checks Node runs (the host's binary), /dev/kvm exists, and QEMU with `-enable-kvm` boots
 * the guest kernel and guest initramfs as a VMM should (2 vCPUs, the right time: expect PASS).
 * With `negative: true` it boots the guest a second time, wrongly (1 vCPU where 2 are expected, a
 * clock a day off: expect FAIL naming cpus and clock); that costs a second nested boot (30-120 s
 * on a busy 2-core machine), so the self-test checks the FAIL paths by running the /init on the
 * host instead (test/guest-init.test.ts). The good boot is the QEMU baseline for the VMM's benchmark.
 */
import { guestCommandLine, parseGuestReport, type GuestReport } from './guest/contract.ts';
import { GUEST_INITRAMFS_IN_VM, GUEST_KERNEL_IN_VM } from './paths.ts';
import { NESTED_VMM_PREFIX, runInTestVm, type RunOptions, type RunResult } from './run/run.ts';

/** One boot of the guest by QEMU inside the test VM. */
export interface SmokeBoot {
  /** QEMU's exit status (0 after the guest's reset, with -no-reboot) */
  qemuExit: number;
  /** QEMU start → exit, measured in the test VM (/proc/uptime, 10 ms resolution) */
  wallS: number;
  report: GuestReport;
  console: string;
}

export interface SmokeResult {
  run: RunResult;
  /** `node --version` inside the test VM */
  nodeVersion: string;
  good: SmokeBoot;
  /** only with `negative: true` */
  bad?: SmokeBoot;
}

export interface SmokeOptions extends Pick<RunOptions, 'images' | 'progress' | 'cacheDir' | 'onOutput' | 'onConsole' | 'timeoutMs'> {
  /** also boot the wrongly configured guest (default false) */
  negative?: boolean;
}

/** The modules the good boot loads, to check the guest initramfs's module tree. */
export const SMOKE_MODULES = ['virtio_pci', 'virtio_rng'] as const;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bootScript(name: string, smp: number, append: string, nowExpr: string): string {
  return [
    'read -r A _ </proc/uptime',
    `${NESTED_VMM_PREFIX.join(' ')} qemu-system-x86_64 -enable-kvm -cpu host -smp ${smp} -m 256 -nographic -no-reboot -nic none ` +
      `-kernel ${GUEST_KERNEL_IN_VM} -initrd ${GUEST_INITRAMFS_IN_VM} -append ${q(append)}" testvm.now=${nowExpr}" >"$TESTVM_OUT/${name}.log" 2>&1`,
    'RC=$?',
    'read -r B _ </proc/uptime',
    `echo "smoke: ${name} qemu-exit=$RC start=$A end=$B"`,
  ].join('\n');
}

/** Runs the smoke test; throws TestVmError if the test VM itself fails, otherwise returns what it saw. */
export async function smoke(options: SmokeOptions = {}): Promise<SmokeResult> {
  const base = { base: guestCommandLine({ now: null }), extra: 'quiet' };
  const good = guestCommandLine({ ...base, cpus: 2, now: null, modules: SMOKE_MODULES });
  const bad = guestCommandLine({ ...base, cpus: 2, now: null });
  const script = [
    'echo "smoke: node $(node --version)"',
    'if [ -c /dev/kvm ]; then echo "smoke: kvm ok"; else echo "smoke: kvm missing"; exit 10; fi',
    bootScript('good', 2, good, '$(date +%s)'),
    ...(options.negative === true ? [bootScript('bad', 1, bad, '$(($(date +%s) - 86400))')] : []),
    '',
  ].join('\n');
  const run = await runInTestVm({ ...options, command: script, workspace: false, timeoutMs: options.timeoutMs ?? 600_000 });
  const boot = (name: string): SmokeBoot | undefined => {
    const m = new RegExp(`^smoke: ${name} qemu-exit=(\\d+) start=([\\d.]+) end=([\\d.]+)$`, 'm').exec(run.output);
    if (m === null) return undefined;
    const consoleText = run.files.get(`${name}.log`)?.toString('utf8') ?? '';
    return { qemuExit: Number(m[1]), wallS: Number(m[3]) - Number(m[2]), report: parseGuestReport(consoleText), console: consoleText };
  };
  const nodeVersion = /^smoke: node (\S+)$/m.exec(run.output)?.[1] ?? '';
  const goodBoot = boot('good') ?? { qemuExit: -1, wallS: NaN, report: parseGuestReport(''), console: '' };
  const badBoot = options.negative === true ? boot('bad') : undefined;
  return { run, nodeVersion, good: goodBoot, ...(badBoot !== undefined ? { bad: badBoot } : {}) };
}
