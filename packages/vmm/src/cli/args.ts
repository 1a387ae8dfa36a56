/**
 * The `vmm` command line, crosvm-style: `vmm run [-m MiB] [-c vcpus] [-p kernel-params]
 * [-i initrd] KERNEL`, and `--help`. Parsing only: `parseArgs()` returns a validated `RunConfig`
 * or a `UsageError` (exit 2); `src/cli/run.ts` acts on it.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { CpuAffinityError, parseCpuAffinity, type VcpuAffinity } from '../vcpu/affinity.ts';

/** crosvm's defaults: 256 MiB, one vCPU. */
export const DEFAULT_MEMORY_MIB = 256;
export const DEFAULT_VCPUS = 1;

/**
 * The kernel parameters every boot gets before the user's `-p` (shared/notes/x86-linux-boot.md §7):
 * the serial console (early and late), `reboot=k` so a guest reboot goes through the i8042 and ends
 * the VMM, `panic=-1` so a panic reboots at once, `panic_warm` so that reboot leaves the BIOS
 * warm-reset flag (0x1234 at 0x472) and the VMM can tell a panic from a clean reboot, and the i8042
 * options that skip mouse, mux and LED probing.
 */
export const DEFAULT_KERNEL_PARAMS = [
  'console=ttyS0',
  'earlycon=uart8250,io,0x3f8',
  'reboot=k,panic_warm',
  'panic=-1',
  'i8042.noaux',
  'i8042.nomux',
  'i8042.dumbkbd',
];

export const USAGE = `Usage: vmm run [OPTIONS] KERNEL

Boots a Linux bzImage under KVM with its console on this terminal (ttyS0 <-> stdin/stdout).

Options:
  -m, --mem MiB           guest RAM in MiB (default ${DEFAULT_MEMORY_MIB})
  -c, --cpus N            number of vCPUs (default ${DEFAULT_VCPUS})
  -p, --params STRING     extra kernel parameters, after the defaults; repeatable
  -i, --initrd FILE       initial ramdisk (initramfs)
      --no-default-params do not add the default kernel parameters
      --kvm PATH          the KVM device (default /dev/kvm)
      --cpu-affinity CPUSET | VCPU=CPUSET[:VCPU=CPUSET...]
                          host CPUs the vCPU threads run on, as crosvm: every vCPU on CPUSET
                          (e.g. 0 or 0,2-3), or each listed vCPU on its own (e.g. 0=0:1=2-3);
                          the VMM's other threads keep the process's CPUs (default: no pinning)
      --no-tsc-deadline   hide the TSC-deadline timer from the guest (it is shown when KVM emulates it)
      --stats             print boot and exit statistics to stderr at the end
  -h, --help              this help

Default kernel parameters:
  ${DEFAULT_KERNEL_PARAMS.join(' ')}

Exit status:
  0  the guest rebooted or powered off (reboot, poweroff, halt)
  1  the guest kernel panicked
  2  usage error
  3  the guest triple-faulted (KVM_EXIT_SHUTDOWN)
  4  KVM failed (FAIL_ENTRY, INTERNAL_ERROR, a failed ioctl)
  5  the VM could not be set up (no /dev/kvm, unreadable or invalid kernel or initrd)
  128+n  stopped by signal n (SIGINT, SIGTERM, SIGHUP)

On a terminal, stdin is in raw mode: keys go to the guest. Ctrl-A then x quits the VMM.
`;

export interface RunConfig {
  command: 'run';
  kernel: string;
  initrd: string | undefined;
  memoryMiB: number;
  vcpus: number;
  /** The full kernel command line (defaults, then the user's `-p`s). */
  cmdline: string;
  kvmPath: string;
  /** `--cpu-affinity`, if given. */
  cpuAffinity: VcpuAffinity | undefined;
  tscDeadline: boolean;
  stats: boolean;
}

export type Command = RunConfig | { command: 'help' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(value: string, what: string, max: number): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < 1 || n > max) throw new UsageError(`${what} must be between 1 and ${max}, got ${n}`);
  return n;
}

function cpuAffinityOption(value: string | undefined, vcpus: number): VcpuAffinity | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCpuAffinity(value, vcpus);
  } catch (error) {
    if (error instanceof CpuAffinityError) throw new UsageError(`--cpu-affinity ${JSON.stringify(value)}: ${error.message}`);
    throw error;
  }
}

/** Parses `argv` (without node and the script). */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { command: 'help' };
  const [sub, ...rest] = argv;
  if (sub !== 'run') throw new UsageError(`unknown command ${JSON.stringify(sub)}; expected "run"`);
  let parsed;
  try {
    parsed = nodeParseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        mem: { type: 'string', short: 'm' },
        cpus: { type: 'string', short: 'c' },
        params: { type: 'string', short: 'p', multiple: true },
        initrd: { type: 'string', short: 'i' },
        'no-default-params': { type: 'boolean' },
        kvm: { type: 'string' },
        'cpu-affinity': { type: 'string' },
        'no-tsc-deadline': { type: 'boolean' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing KERNEL (a bzImage)' : `expected one KERNEL, got ${positionals.length}: ${positionals.join(' ')}`);
  const memoryMiB = values.mem === undefined ? DEFAULT_MEMORY_MIB : positiveInt(values.mem, '--mem', 1 << 20);
  if (memoryMiB < 16) throw new UsageError(`--mem must be at least 16 MiB to boot Linux, got ${memoryMiB}`);
  const vcpus = values.cpus === undefined ? DEFAULT_VCPUS : positiveInt(values.cpus, '--cpus', 254);
  const cpuAffinity = cpuAffinityOption(values['cpu-affinity'], vcpus);
  const params = [...(values['no-default-params'] ? [] : DEFAULT_KERNEL_PARAMS), ...(values.params ?? [])];
  return {
    command: 'run',
    kernel: positionals[0]!,
    initrd: values.initrd,
    memoryMiB,
    vcpus,
    cmdline: params.join(' ').trim(),
    kvmPath: values.kvm ?? '/dev/kvm',
    cpuAffinity,
    tscDeadline: !values['no-tsc-deadline'],
    stats: values.stats ?? false,
  };
}
