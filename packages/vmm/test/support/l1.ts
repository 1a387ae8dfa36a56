/**
 * Running the VMM inside tools/testvm's nested test VM (L1, where Linux can boot under KVM): stage
 * the app bundle with its addon inside the workspace (which L1 mounts read-only at the same path),
 * then run bench/l1_boot_driver.mjs there to boot the guest kernel and initramfs with each given
 * command and time it. Shared by test/boot.kvm.test.ts and bench/boot.bench.ts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@tsvmm/backend-guard';
import { NESTED_OTHER_CPUS, NESTED_VCPU_CPUS, NESTED_VMM_PREFIX, runInTestVm, TestVmError, type RunResult } from '@tsvmm/testvm';

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const WORKSPACE_ROOT = join(PACKAGE_DIR, '..', '..');
const DRIVER = join(PACKAGE_DIR, 'bench', 'l1_boot_driver.mjs');

/**
 * Builds the app (main.mjs, the vCPU workers' vcpu.mjs, the addon) into
 * `<workspace>/.cache/vmm-l1/<pid>/` (one folder per process, removed at exit, so a test and a
 * benchmark can run at once); returns the main bundle's path.
 */
export async function stageBundle(): Promise<string> {
  const outdir = join(WORKSPACE_ROOT, '.cache', 'vmm-l1', String(process.pid));
  mkdirSync(outdir, { recursive: true });
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const { outfile } = await buildApp({ app: '@tsvmm/vmm', workspaceRoot: WORKSPACE_ROOT, outdir, logLevel: 'silent' });
  return outfile;
}

export interface BootRun {
  name: string;
  /** The command inside L1; `@NOW@` becomes L1's time in Unix seconds at launch. */
  argv: string[];
  /**
   * How this VMM pins its vCPU threads (the `split` placement): options appended to `argv`, with
   * `@CPUS@` for the CPU set, or `qmp`: a QEMU that the driver starts paused with a QMP socket and
   * pins through it (l1_boot_driver.mjs).
   */
  pinVcpus: { options: string[] } | 'qmp';
}

/** How this VMM pins its vCPU threads: its own `--cpu-affinity`. */
export const TSVMM_PIN_VCPUS: BootRun['pinVcpus'] = { options: ['--cpu-affinity', '@CPUS@'] };

/**
 * Where the VMM's threads run in the 2-CPU test VM (packages/vmm README, "The test VM and vCPU
 * placement"): `one-cpu`, all of them on the first CPU (`NESTED_VMM_PREFIX`); `vcpus`, the vCPU
 * threads pinned to the first CPU (`NESTED_VCPU_CPUS`) and the rest where the scheduler puts them
 * (crosvm's `--cpu-affinity`, libvirt's vcpupin); `split`, as `vcpus` with the rest on the second
 * CPU (`NESTED_OTHER_CPUS`; libvirt's emulatorpin); `free`, every thread where the scheduler puts
 * it (the vCPUs run in parallel, and guests often die).
 */
export type Placement = 'one-cpu' | 'vcpus' | 'split' | 'free';
export const PLACEMENTS: readonly Placement[] = ['one-cpu', 'vcpus', 'split', 'free'];

/** `run` as the driver gets it for `placement`; `socket` is the QMP socket of a `qmp`-pinned run. */
function placed(run: BootRun, placement: Placement, socket: string): BootRun & { qmpPinVcpus?: { socket: string; cpus: string } } {
  if (placement === 'free') return run;
  if (placement === 'one-cpu') return { ...run, argv: [...NESTED_VMM_PREFIX, ...run.argv] };
  const prefix = placement === 'split' ? ['taskset', '-c', NESTED_OTHER_CPUS] : [];
  if (run.pinVcpus === 'qmp') return { ...run, argv: [...prefix, ...run.argv, '-S', '-qmp', `unix:${socket},server=on,wait=off`], qmpPinVcpus: { socket, cpus: NESTED_VCPU_CPUS } };
  return { ...run, argv: [...prefix, ...run.argv, ...run.pinVcpus.options.map((o) => o.replaceAll('@CPUS@', NESTED_VCPU_CPUS))] };
}

/** One boot as the driver measured it inside L1. */
export interface BootResult {
  name: string;
  iteration: number;
  exitCode: number | null;
  signal: string | null;
  error?: string;
  /** Wall time from the VMM's start to the kernel's "Linux version" banner on the console. */
  kernelMs?: number;
  /** Wall time from the VMM's start to the first console line with the marker (the /init's first line). */
  markerMs?: number;
  /** Wall time from the VMM's start to its exit. */
  totalMs: number;
  /** A `qmp`-pinned QEMU: how long it sat paused while the driver pinned its vCPU threads (taken out of the times above). */
  pausedMs?: number;
  /** The guest's /proc/uptime when /init started. */
  uptime?: number;
  output: string;
  stderr: string;
  /** The test VM's interrupts during the boot, by /proc/interrupts kind (LOC, RES, CAL, TLB). */
  irqs?: Record<string, number>;
  /** Why the driver killed a boot that hung, and where its threads were then. */
  hang?: HangReport;
}

/** The driver's report on a boot it killed (l1_boot_driver.mjs `hangReport`). */
export interface HangReport {
  /** "no output for N ms" or "still running after N ms". */
  reason: string;
  threads: HungThread[];
  /** The tail of the test VM's kernel log. */
  testVmLog: string;
  /** All of it as text: one line per thread, then the kernel log. */
  text: string;
}

/** One thread of the hung process, read from /proc twice, 2 s apart. */
export interface HungThread {
  tid: string;
  comm: string;
  /** /proc state letter: R running, S sleeping, D uninterruptible. */
  state: string;
  /** The syscall it is in (ioctl, futex, ...), or "running". */
  syscall: string;
  /** Clock ticks (1/100 s) on a CPU, and of those in guest mode, during the 2 s (undefined: new thread). */
  cpuTicks?: number;
  guestTicks?: number;
  /** Its kernel stack, innermost frame first. */
  stack: string;
}

/** The threads that are inside KVM_RUN: running guest code (guest-mode ticks) or halted in KVM. */
export function threadsInKvm(hang: HangReport): HungThread[] {
  return hang.threads.filter((t) => (t.guestTicks ?? 0) > 0 || (t.syscall === 'ioctl' && /\bkvm_/.test(t.stack)));
}

/** A boot's stderr, the last `tail` characters of its console and its hang report, for messages. */
export function describeBoot(boot: BootResult, tail: number): string {
  return `VMM stderr:\n${boot.stderr}\nconsole tail:\n${boot.output.slice(-tail)}${boot.hang ? `\nhung: ${boot.hang.text}` : ''}`;
}

export interface DriverRun {
  results: BootResult[];
  /** The test VM's run; absent when it failed (`vmError`) and `keepPartial` kept the boots done before. */
  vm?: RunResult;
  vmError?: TestVmError;
}

/**
 * Boots each of `runs`, `repeat` times, inside the test VM; `files` are put into the VM first. When
 * the test VM itself fails (it can hang whole: README, "The test VM and vCPU placement") this
 * throws its `TestVmError`, or with `keepPartial` returns the boots done before it with `vmError`.
 */
export async function bootInTestVm(
  runs: readonly BootRun[],
  options: { repeat?: number; timeoutMs?: number; bootTimeoutMs?: number; files?: Record<string, Buffer | string>; onOutput?: (text: string) => void; placement: Placement; keepPartial?: boolean },
): Promise<DriverRun> {
  const config = { runs: runs.map((r, i) => placed(r, options.placement, `/tmp/boot-driver-qmp-${i}.sock`)), repeat: options.repeat ?? 1, timeoutMs: options.bootTimeoutMs ?? 240_000 };
  const parse = (json: Buffer) => JSON.parse(json.toString('utf8')) as BootResult[];
  let vm: RunResult;
  try {
    vm = await runInTestVm({
      command: ['node', DRIVER, JSON.stringify(config)],
      timeoutMs: options.timeoutMs ?? 900_000,
      ...(options.files ? { files: options.files } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (error) {
    const partial = error instanceof TestVmError ? error.files.get('boot-driver.json') : undefined;
    if (options.keepPartial !== true || partial === undefined) throw error;
    return { results: parse(partial), vmError: error as TestVmError };
  }
  const json = vm.files.get('boot-driver.json');
  if (json === undefined) throw new Error(`the boot driver wrote no results (exit ${vm.exitCode}); its output:\n${vm.output.slice(-4000)}`);
  return { results: parse(json), vm };
}
