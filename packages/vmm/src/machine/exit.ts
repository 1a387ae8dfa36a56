/**
 * How a VM ended (`MachineExit`) and the `vmm` exit status for each; the policy that decides it.
 *
 * Telling a guest panic from a clean reboot: both reach the VMM as a reset through the i8042
 * (`reboot=k`, with `panic=-1` rebooting at once on a panic). The default command line also has
 * `reboot=panic_warm` (Linux ≥ 5.11, kernel/reboot.c `panic_reboot_mode`): on a panic, and only
 * then, Linux's x86 restart writes the BIOS warm-reset flag 0x1234 to physical address 0x472
 * before resetting (arch/x86/kernel/reboot.c, `native_machine_emergency_restart`); a normal reboot
 * writes 0. The VMM reads that word when the reset arrives. The console watcher's "Kernel panic -
 * not syncing" line, when seen, is a second witness and gives the message.
 *
 * Power-off: with no ACPI, Linux has no power-off method and `poweroff` halts every CPU after
 * printing "reboot: Power down" ("reboot: System halted" for `halt`); the console watcher reports
 * that line and the VMM ends with status 0. The guest's usual way out is `reboot` (exit 0).
 */
import { KvmInternalError, KvmSystemEvent } from '../kvm_sys/constants.ts';
import { errnoName } from '../kvm/error.ts';
import { formatCpuSet } from '../vcpu/affinity.ts';
import type { VcpuExit, VcpuRegisters } from '../vcpu/thread.ts';

export type MachineExit =
  /** The guest reset the machine: i8042 0xFE, 0xcf9, port 0x92 or a KVM reset event. */
  | { kind: 'reboot'; via: string }
  /** The guest halted or powered off (its console said so). */
  | { kind: 'poweroff'; line: string }
  /** The user pressed Ctrl-A x. */
  | { kind: 'quit' }
  /** The VMM got a termination signal (SIGINT, SIGTERM, SIGHUP). */
  | { kind: 'signal'; signal: NodeJS.Signals }
  /** The guest kernel panicked (warm-reset flag, or a KVM crash event). */
  | { kind: 'panic'; message: string | undefined }
  /** KVM_EXIT_SHUTDOWN: a triple fault. */
  | { kind: 'triple_fault'; vcpu: number }
  /** Set-up that failed once the vCPU threads had started: a vCPU's thread could not be pinned where `--cpu-affinity` asked. */
  | { kind: 'setup_error'; message: string }
  /** KVM could not run the guest: FAIL_ENTRY, INTERNAL_ERROR, a failed KVM_RUN, an unexpected exit; the vCPU's registers then, when KVM gave them. */
  | { kind: 'kvm_error'; vcpu: number; message: string; registers?: VcpuRegisters };

export const EXIT_STATUS = {
  ok: 0,
  panic: 1,
  usage: 2,
  tripleFault: 3,
  kvm: 4,
  setup: 5,
} as const;

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The exit status for `exit`: see EXIT_STATUS; 128 + the signal's number for a signal. */
export function exitStatus(exit: MachineExit): number {
  switch (exit.kind) {
    case 'reboot':
    case 'poweroff':
    case 'quit':
      return EXIT_STATUS.ok;
    case 'signal':
      return 128 + (SIGNAL_NUMBERS[exit.signal] ?? 15);
    case 'panic':
      return EXIT_STATUS.panic;
    case 'triple_fault':
      return EXIT_STATUS.tripleFault;
    case 'kvm_error':
      return EXIT_STATUS.kvm;
    case 'setup_error':
      return EXIT_STATUS.setup;
  }
}

/** A one-line description for stderr (`vmm: …`). */
export function describeExit(exit: MachineExit): string {
  switch (exit.kind) {
    case 'reboot':
      return `guest requested a reset (${exit.via})`;
    case 'poweroff':
      return `guest halted (${exit.line})`;
    case 'quit':
      return 'quit (Ctrl-A x)';
    case 'signal':
      return `stopped by ${exit.signal}`;
    case 'panic':
      return `guest kernel panicked${exit.message ? `: ${exit.message}` : ''}`;
    case 'triple_fault':
      return `guest triple-faulted on vCPU ${exit.vcpu} (KVM_EXIT_SHUTDOWN)`;
    case 'kvm_error':
      return `KVM error on vCPU ${exit.vcpu}: ${exit.message}`;
    case 'setup_error':
      return `the VM could not be set up: ${exit.message}`;
  }
}

const hex = (n: bigint | number) => `0x${n.toString(16)}`;

/**
 * The registers of the vCPU KVM failed on, in one line, `vCPU n registers: …` (where the guest
 * was: rip and the code segment; its last page fault: cr2; its page tables, modes and tables), or
 * undefined when the exit carries none.
 */
export function describeRegisters(exit: MachineExit): string | undefined {
  if (exit.kind !== 'kvm_error' || exit.registers === undefined) return undefined;
  const { regs, sregs } = exit.registers;
  const cs = sregs.cs;
  return (
    `vCPU ${exit.vcpu} registers: rip ${hex(regs.rip)} rsp ${hex(regs.rsp)} rflags ${hex(regs.rflags)} cs ${hex(cs.selector)} (${cs.l ? '64-bit' : cs.db ? '32-bit' : '16-bit'}, dpl ${cs.dpl}) ` +
    `cr0 ${hex(sregs.cr0)} cr2 ${hex(sregs.cr2)} cr3 ${hex(sregs.cr3)} cr4 ${hex(sregs.cr4)} efer ${hex(sregs.efer)} ` +
    `idt ${hex(sregs.idt.base)}/${hex(sregs.idt.limit)} gdt ${hex(sregs.gdt.base)}/${hex(sregs.gdt.limit)}`
  );
}

/** The BIOS warm-reset flag value Linux writes to 0x472 for a warm reboot (panic_warm on a panic). */
export const WARM_RESET_FLAG = 0x1234;
export const WARM_RESET_FLAG_ADDRESS = 0x472;

const SUBERRORS: Record<number, string> = {
  [KvmInternalError.EMULATION]: 'emulation failure',
  [KvmInternalError.SIMUL_EX]: 'simultaneous exceptions',
  [KvmInternalError.DELIVERY_EV]: 'exception delivery failed',
  [KvmInternalError.UNEXPECTED_EXIT_REASON]: 'unexpected exit reason',
};

/** KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES in the emulation-failure data's flags. */
const EMULATION_FLAG_INSTRUCTION_BYTES = 1n;

/**
 * The instruction bytes of an emulation failure (kvm_run.emulation_failure: flags u64, then
 * insn_size u8 and insn_bytes[15]), as hex, when KVM supplied them.
 */
export function instructionBytes(data: readonly bigint[]): string | undefined {
  if (data.length < 2 || !(data[0]! & EMULATION_FLAG_INSTRUCTION_BYTES)) return undefined;
  const bytes: number[] = [];
  for (const word of data.slice(1, 3)) for (let i = 0n; i < 8n; i++) bytes.push(Number((word >> (8n * i)) & 0xffn));
  const size = Math.min(15, bytes[0]!);
  return bytes.slice(1, 1 + size).map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The machine exit a terminal vCPU exit means, or undefined for one that ends nothing (`stopped`;
 * `hlt` never reaches here with the in-kernel irqchip).
 */
export function machineExitOf(exit: VcpuExit, panicMessage: () => string | undefined): MachineExit | undefined {
  switch (exit.kind) {
    case 'stopped':
      return undefined;
    case 'shutdown':
      return { kind: 'triple_fault', vcpu: exit.vcpu };
    case 'system_event':
      if (exit.type === KvmSystemEvent.CRASH) return { kind: 'panic', message: panicMessage() };
      if (exit.type === KvmSystemEvent.RESET) return { kind: 'reboot', via: 'KVM system event RESET' };
      return { kind: 'poweroff', line: 'KVM system event SHUTDOWN' };
    case 'hlt':
      return { kind: 'kvm_error', vcpu: exit.vcpu, message: 'unexpected KVM_EXIT_HLT (the in-kernel irqchip handles HLT)' };
    case 'fail_entry':
      return { kind: 'kvm_error', vcpu: exit.vcpu, message: `KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x${exit.hardwareReason.toString(16)} on CPU ${exit.cpu}`, ...(exit.registers ? { registers: exit.registers } : {}) };
    case 'internal_error': {
      const what = SUBERRORS[exit.suberror] ?? 'unknown';
      const insn = exit.suberror === KvmInternalError.EMULATION ? instructionBytes(exit.data) : undefined;
      const data = exit.data.map((d) => `0x${d.toString(16)}`).join(' ');
      const detail = insn !== undefined ? `, instruction bytes ${insn}` : data ? `, data ${data}` : '';
      return { kind: 'kvm_error', vcpu: exit.vcpu, message: `KVM_EXIT_INTERNAL_ERROR, suberror ${exit.suberror} (${what})${detail}`, ...(exit.registers ? { registers: exit.registers } : {}) };
    }
    case 'unhandled':
      return { kind: 'kvm_error', vcpu: exit.vcpu, message: `unhandled ${exit.name}` };
    case 'error':
      return { kind: 'kvm_error', vcpu: exit.vcpu, message: exit.error.message };
    case 'pin_failed':
      return { kind: 'setup_error', message: `vCPU ${exit.vcpu} cannot run on CPU${exit.cpus.length === 1 ? '' : 's'} ${formatCpuSet(exit.cpus)} (--cpu-affinity): sched_setaffinity failed with ${errnoName(exit.errno)}` };
  }
}
