/**
 * Runs a command inside the test VM (L1) and returns its exit code and output (`runInTestVm()`).
 *
 * The host starts `qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 -nographic
 * -no-reboot -nic none` on the cached kernel and test VM initramfs (see src/image/build.ts). Files
 * go in and out through 9p shared folders (`-virtfs ... security_model=none`):
 *
 * - the run's own folder `<cache>/runs/<id>/` is mounted at `/job`: `command.sh` (the command, with
 *   `cd` and `export`s), `mounts` (one `tag mode path` line per extra share), `files/` (copied onto
 *   the VM's root before the command), and `out/` (writable; `$TESTVM_OUT`), whose files are
 *   returned in `result.files`;
 * - each of `mounts` at its guest path; by default the workspace root, read-only, at its own path,
 *   so `node packages/vmm/dist/main.mjs` and pnpm's relative symlinks work unchanged.
 *
 * The command's stdout and stderr go to the serial console between marker lines, which
 * src/run/console.ts parses; the VM powers off after the command. The guest kernel and initramfs
 * are at `/testvm/vmlinuz` and `/testvm/guest-initramfs.cpio.gz` inside the VM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, posix, relative } from 'node:path';
import { findTool } from '../host/exec.ts';
import { ensureImages, type TestVmImages } from '../image/build.ts';
import { defaultCacheDir, workspaceRoot } from '../paths.ts';
import { consoleProgress, type Progress } from '../progress.ts';
import { ConsoleParser } from './console.ts';
import { TestVmError } from './errors.ts';

/** A host folder shared with the test VM over 9p. */
export interface Mount {
  /** the host folder */
  host: string;
  /** where it appears in the VM (absolute); default: the same path as on the host */
  guest?: string;
  /** default true */
  readonly?: boolean;
}

export interface RunOptions {
  /**
   * The command: an argv array (quoted for sh), or a shell script run by busybox `sh`. It runs as
   * root in `cwd`, with stdin from /dev/null and stdout/stderr on the serial console.
   */
  command: readonly string[] | string;
  /** folders to share; default: the workspace root, read-only, at its own path (see `workspace`) */
  mounts?: readonly Mount[];
  /** share the workspace root read-only at its own path (default true) */
  workspace?: boolean;
  /** files to put into the VM before the command: guest path → content, or `{ host }` to copy a host file */
  files?: Readonly<Record<string, string | Buffer | { host: string }>>;
  /** environment of the command (besides PATH, HOME and TESTVM_OUT) */
  env?: Readonly<Record<string, string>>;
  /** working folder of the command; default: the workspace root when shared, else / */
  cwd?: string;
  /** whole run, boot included; default 300 000 ms. On timeout QEMU is killed and `TestVmError('timeout')` thrown. */
  timeoutMs?: number;
  /** vCPUs of the test VM (TCG threads); default 2. A VMM booting a multi-vCPU guest: `NESTED_VMM_PREFIX`. */
  cpus?: number;
  /** memory of the test VM in MiB; default 2048 */
  memoryMiB?: number;
  /** keep kernel messages on the console while the command runs (default: only emergencies) */
  kernelLog?: boolean;
  /** called with the command's output as it arrives (whole lines) */
  onOutput?: (text: string) => void;
  /** called with every piece of the raw console (boot messages included) */
  onConsole?: (text: string) => void;
  /** images to use; default: `ensureImages()` */
  images?: TestVmImages;
  cacheDir?: string;
  progress?: Progress;
}

export interface RunDurations {
  /** host: QEMU spawned → the VM's /init started */
  bootMs: number;
  /** the VM's /proc/uptime when /init started: kernel boot time in the VM */
  initUptimeS: number;
  /** the VM's /proc/uptime when the modules were loaded and /dev/kvm was checked */
  modulesUptimeS?: number;
  /** the command, measured inside the VM (/proc/uptime, 10 ms resolution) */
  commandMs: number;
  /** host: the end marker → QEMU exited */
  shutdownMs: number;
  /** host: the whole run */
  totalMs: number;
}

export interface RunResult {
  exitCode: number;
  /** the command's stdout and stderr as printed on the console (\r\n turned into \n) */
  output: string;
  /** files the command wrote under $TESTVM_OUT, by path relative to it */
  files: Map<string, Buffer>;
  /** whether /dev/kvm existed in the VM */
  kvm: boolean;
  durations: RunDurations;
  /** the whole serial console */
  console: string;
}

const JOB_TAG = 'testvm-job';

/** sh single-quoting. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** QEMU's -virtfs/-drive option syntax doubles commas inside a value. */
function qemuValue(s: string): string {
  return s.replace(/,/g, ',,');
}

function validGuestPath(p: string, what: string): string {
  if (!posix.isAbsolute(p) || p.includes('\n') || posix.normalize(p) === '/') throw new TestVmError('bad-request', `${what} must be an absolute path below /, not "${p}"`);
  return posix.normalize(p);
}

/**
 * The command prefix that keeps a VMM booting a multi-vCPU guest under the test VM's KVM on the
 * test VM's first CPU (busybox `taskset`, which execs the command: same pid). The guest keeps its
 * vCPUs. When they run on both of the test VM's CPUs, pinned or not, guests of any VMM, QEMU's too,
 * often triple-fault or hang inside KVM; with the VMM on one CPU none of ours did, and the other
 * CPU keeps the test VM responsive (in a 1-CPU test VM the whole test VM hung twice; pinned, once
 * in 13 runs). See packages/vmm's README, "The test VM and vCPU placement".
 */
export const NESTED_VMM_PREFIX: readonly string[] = ['taskset', '-c', '0'];

/**
 * The split placement for a VMM booting a multi-vCPU guest: the guest's vCPU threads together on
 * the test VM's first CPU (`NESTED_VCPU_CPUS`), as under `NESTED_VMM_PREFIX`, and the VMM's other
 * threads (its main loop, its runtime's helpers) on the second (`NESTED_OTHER_CPUS`), as a host
 * gives vCPUs cores of their own. The VMM runs under `taskset -c NESTED_OTHER_CPUS` and pins its
 * vCPU threads itself (packages/vmm: `--cpu-affinity`; QEMU has no option for it: through QMP, as
 * libvirt does). See packages/vmm's README, "The test VM and vCPU placement".
 */
export const NESTED_VCPU_CPUS = '0';
export const NESTED_OTHER_CPUS = '1';

/** Runs `options.command` in the test VM; see the module doc. */
export async function runInTestVm(options: RunOptions): Promise<RunResult> {
  const progress = options.progress ?? consoleProgress();
  const qemu = findTool('qemu-system-x86_64');
  if (qemu === undefined) throw new TestVmError('qemu-missing', 'qemu-system-x86_64 not found on PATH; install it with "apt-get install qemu-system-x86" (bash scripts/setup does)');
  const images = options.images ?? (await ensureImages({ progress, ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) }));
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const root = workspaceRoot();
  const mounts: Mount[] = [...(options.workspace !== false ? [{ host: root, guest: root, readonly: true }] : []), ...(options.mounts ?? [])];
  for (const m of mounts) {
    if (!isAbsolute(m.host) || !existsSync(m.host) || !statSync(m.host).isDirectory()) throw new TestVmError('bad-request', `mount source "${m.host}" is not an existing folder`);
  }

  const nonce = randomBytes(6).toString('hex');
  pruneRuns(join(cacheDir, 'runs'));
  const runDir = join(cacheDir, 'runs', `${Date.now()}-${nonce}`);
  mkdirSync(join(runDir, 'out'), { recursive: true });
  try {
    // The job: mounts, files, command.sh.
    const mountLines = mounts.map((m, i) => `testvm-m${i} ${m.readonly === false ? 'rw' : 'ro'} ${validGuestPath(m.guest ?? m.host, 'mount guest path')}\n`);
    writeFileSync(join(runDir, 'mounts'), mountLines.join(''));
    for (const [guestPath, content] of Object.entries(options.files ?? {})) {
      const target = join(runDir, 'files', validGuestPath(guestPath, 'file path'));
      mkdirSync(join(target, '..'), { recursive: true });
      if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(target, content);
      else cpSync(content.host, target);
    }
    const cwd = options.cwd ?? (options.workspace !== false ? root : '/');
    const env = { TESTVM_OUT: '/job/out', ...(options.env ?? {}) };
    const body = typeof options.command === 'string' ? options.command : options.command.map(shellQuote).join(' ');
    writeFileSync(
      join(runDir, 'command.sh'),
      [...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`), `cd ${shellQuote(cwd)} || exit 127`, body, ''].join('\n'),
    );

    const append = ['console=ttyS0', 'quiet', 'panic=1', `testvm.nonce=${nonce}`, ...(options.kernelLog === true ? ['testvm.kernel_log=1'] : [])].join(' ');
    const args = [
      '-accel', 'tcg,thread=multi',
      '-cpu', 'max',
      '-smp', String(options.cpus ?? 2),
      '-m', String(options.memoryMiB ?? 2048),
      '-nographic', '-no-reboot', '-nic', 'none',
      '-kernel', images.l1Kernel,
      '-initrd', images.l1Initramfs,
      '-append', append,
      '-virtfs', `local,path=${qemuValue(runDir)},mount_tag=${JOB_TAG},security_model=none`,
      ...mounts.flatMap((m, i) => ['-virtfs', `local,path=${qemuValue(m.host)},mount_tag=testvm-m${i},security_model=none${m.readonly === false ? '' : ',readonly=on'}`]),
    ];
    const timeoutMs = options.timeoutMs ?? 300_000;
    const parser = new ConsoleParser(nonce, options.onOutput);
    const started = performance.now();
    const { code, signal, stderr, timedOut } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
      const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      // If this process exits first (a test runner stopping), take the VM with it.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        options.onConsole?.(s);
        parser.push(s);
      });
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
        reject(new TestVmError('qemu-failed', `cannot start ${qemu}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
        parser.finish();
        resolve({ code, signal, stderr: Buffer.concat(err).toString('utf8'), timedOut });
      });
    });
    const ended = performance.now();
    const ev = parser.events;
    // What the command wrote, also when the run failed (a command that saves as it goes keeps it).
    const files = new Map<string, Buffer>();
    const collect = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) collect(p);
        else if (e.isFile()) files.set(relative(join(runDir, 'out'), p), readFileSync(p));
      }
    };
    collect(join(runDir, 'out'));
    if (timedOut) throw new TestVmError('timeout', `no power-off within ${timeoutMs} ms (${ev.at.begin === undefined ? 'before' : 'after'} the command started)`, parser.tail(), stderr, files);
    if (ev.error !== undefined) throw new TestVmError('setup-failed', ev.error, parser.tail(), stderr, files);
    if (code !== 0) throw new TestVmError('qemu-failed', `qemu-system-x86_64 exited with ${code ?? signal}`, parser.tail(), stderr, files);
    if (ev.exitCode === undefined || ev.at.end === undefined) {
      throw new TestVmError('no-result', ev.at.begin === undefined ? 'the test VM stopped before the command started' : 'the test VM stopped before the command ended', parser.tail(), stderr, files);
    }
    return {
      exitCode: ev.exitCode,
      output: parser.commandOutput(),
      files,
      kvm: ev.kvm === true,
      durations: {
        bootMs: Math.round((ev.at.init ?? started) - started),
        initUptimeS: ev.initUptime ?? NaN,
        ...(ev.modulesUptime !== undefined ? { modulesUptimeS: ev.modulesUptime } : {}),
        commandMs: Math.round(((ev.endUptime ?? 0) - (ev.beginUptime ?? 0)) * 1000),
        shutdownMs: Math.round(ended - ev.at.end),
        totalMs: Math.round(ended - started),
      },
      console: parser.console(),
    };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Removes run folders left by killed runs (older than a day). */
function pruneRuns(runsDir: string): void {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const path = join(runsDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile
    }
  }
}
