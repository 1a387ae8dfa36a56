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
import { NESTED_VMM_PREFIX, runInTestVm, type RunResult } from '@tsvmm/testvm';

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
  vm: RunResult;
}

/** Boots each of `runs`, `repeat` times, inside the test VM; `files` are put into the VM first. */
export async function bootInTestVm(
  runs: readonly BootRun[],
  options: { repeat?: number; timeoutMs?: number; bootTimeoutMs?: number; files?: Record<string, Buffer | string>; onOutput?: (text: string) => void; unpinned?: boolean } = {},
): Promise<DriverRun> {
  // Every VMM runs on the test VM's first CPU (see NESTED_VMM_PREFIX; the guest keeps its vCPUs),
  // unless `unpinned` (faster, but then guests often die: see the README).
  const placed = options.unpinned === true ? runs : runs.map((r) => ({ ...r, argv: [...NESTED_VMM_PREFIX, ...r.argv] }));
  const config = { runs: placed, repeat: options.repeat ?? 1, timeoutMs: options.bootTimeoutMs ?? 240_000 };
  const vm = await runInTestVm({
    command: ['node', DRIVER, JSON.stringify(config)],
    timeoutMs: options.timeoutMs ?? 900_000,
    ...(options.files ? { files: options.files } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const json = vm.files.get('boot-driver.json');
  if (json === undefined) throw new Error(`the boot driver wrote no results (exit ${vm.exitCode}); its output:\n${vm.output.slice(-4000)}`);
  return { results: JSON.parse(json.toString('utf8')) as BootResult[], vm };
}
