/**
 * `vmm` on the command line: parses arguments, reads the kernel and initrd, builds the `Machine`,
 * runs it with the console on stdin/stdout, and returns the exit status (`vmm --help` lists them;
 * src/machine/exit.ts decides them). Messages go to stderr prefixed `vmm:`; guest output alone goes
 * to stdout.
 */
import { readFileSync } from 'node:fs';
import { KvmError } from '../kvm/error.ts';
import { AddonLoadError } from '../native/addon.ts';
import { EXIT_STATUS, describeExit, describeRegisters, exitStatus } from '../machine/exit.ts';
import { Machine, type MachineConfig, type MachinePlacement, type MachineThreadCpu } from '../machine/machine.ts';
import { formatCpuSet } from '../vcpu/affinity.ts';
import { parseArgs, USAGE, UsageError, type RunConfig } from './args.ts';

export interface CliIo {
  stdin: MachineConfig['console']['stdin'];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const defaultIo = (): CliIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

function readInput(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SetupError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A problem before the guest runs (exit 5). */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

/** Runs `vmm` with `argv` (no node/script); resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const say = (line: string) => io.stderr.write(`vmm: ${line}\n`);
  let config: RunConfig;
  try {
    const command = parseArgs(argv);
    if (command.command === 'help') {
      io.stdout.write(USAGE);
      return EXIT_STATUS.ok;
    }
    config = command;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`${error.message}\n\n${USAGE}`);
    return EXIT_STATUS.usage;
  }

  let machine: Machine;
  try {
    machine = Machine.create({
      kernel: readInput(config.kernel, 'kernel'),
      initrd: config.initrd === undefined ? undefined : readInput(config.initrd, 'initrd'),
      memoryMiB: config.memoryMiB,
      vcpus: config.vcpus,
      cmdline: config.cmdline,
      kvmPath: config.kvmPath,
      ...(config.cpuAffinity === undefined ? {} : { cpuAffinity: config.cpuAffinity }),
      tscDeadline: config.tscDeadline,
      console: { stdin: io.stdin, stdout: io.stdout },
    });
  } catch (error) {
    say(setupMessage(error));
    return error instanceof KvmError && error.kind !== 'unavailable' && error.kind !== 'missing_capability' ? EXIT_STATUS.kvm : EXIT_STATUS.setup;
  }

  // Signals end the VM cleanly (the terminal leaves raw mode); status 128 + the signal's number.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals) => machine.stop(signal);
  for (const s of signals) process.on(s, onSignal);
  const exit = await machine.run().finally(() => {
    for (const s of signals) process.off(s, onSignal);
  });
  const status = exitStatus(exit);
  if (status !== EXIT_STATUS.ok) {
    say(describeExit(exit));
    const registers = describeRegisters(exit);
    if (registers !== undefined) say(registers);
    const tail = machine.consoleTail().filter((l) => l.trim() !== '');
    if (tail.length > 0) say(`last console lines:\n${tail.slice(-6).map((l) => `  | ${l}`).join('\n')}`);
  }
  if (config.stats) {
    const s = machine.stats;
    say(`${describeExit(exit)}; exit status ${status}`);
    const at = (ms: number | undefined) => (ms === undefined ? '-' : `${ms.toFixed(0)} ms`);
    say(`since the process started: VM setup ${at(s.createMs)}-${at(s.setupMs)}, vCPU workers online ${at(s.workersOnlineMs)}, vCPU 0 in KVM_RUN ${at(s.firstRunMs)}, its first exit ${at(s.firstExitMs)}, first console output ${at(s.firstOutputMs)}, end ${at(s.endMs)}`);
    say(`exits ${JSON.stringify(s.exits)}; busiest ports ${s.topPorts.map(([p, n]) => `${p}:${n}`).join(' ')}`);
    if (s.placement) say(`threads on CPUs: ${describePlacement(s.placement)}`);
    if (s.threadCpu) say(`CPU time by thread: ${describeThreadCpu(s.threadCpu)}`);
    if (s.droppedOutput > 0) say(`console output dropped: ${s.droppedOutput} bytes (stdout was not read)`);
    for (const line of s.log) say(`log: ${line}`);
  }
  return status;
}

/** `main 3.2 s (user 2.9, system 0.3), vCPU 0 20.1 s (guest 12.0, user 3.1, system 5.0), …, 9 other threads 1.2 s`. */
function describeThreadCpu(cpu: MachineThreadCpu): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const parts = [`main ${s(cpu.main.userMs + cpu.main.systemMs)} s (user ${s(cpu.main.userMs)}, system ${s(cpu.main.systemMs)})`];
  cpu.vcpus.forEach((c, i) => parts.push(c === undefined ? `vCPU ${i} -` : `vCPU ${i} ${s(c.guestMs + c.userMs + c.systemMs)} s (guest ${s(c.guestMs)}, user ${s(c.userMs)}, system ${s(c.systemMs)})`));
  parts.push(`${cpu.others.threads} other threads ${s(cpu.others.userMs + cpu.others.systemMs)} s`);
  return parts.join(', ');
}

/** `main on 1, vCPU 0 on 0 (pinned), vCPU 1 on 0-1`: the CPUs each thread may run on. */
function describePlacement(placement: MachinePlacement): string {
  const parts = [`main on ${formatCpuSet(placement.main)}`];
  placement.vcpus.forEach((v, i) => parts.push(v === undefined ? `vCPU ${i} -` : `vCPU ${i} on ${formatCpuSet(v.cpus)}${v.pinned ? ' (pinned)' : ''}`));
  return parts.join(', ');
}

function setupMessage(error: unknown): string {
  if (error instanceof KvmError || error instanceof AddonLoadError || error instanceof SetupError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
