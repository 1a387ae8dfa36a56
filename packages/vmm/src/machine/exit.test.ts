/** The exit policy: each terminal vCPU exit's machine exit, exit statuses, KVM error messages. */
import { describe, expect, it } from 'vitest';
import { KvmSystemEvent } from '../kvm_sys/constants.ts';
import { decodeSregs, KVM_SREGS_SIZE, zeroRegs } from '../kvm_sys/structs.ts';
import { describeExit, describeRegisters, EXIT_STATUS, exitStatus, instructionBytes, machineExitOf } from './exit.ts';

describe('machineExitOf', () => {
  const panic = () => 'Kernel panic - not syncing: x';
  it('ignores a stopped vCPU', () => expect(machineExitOf({ kind: 'stopped', vcpu: 1 }, panic)).toBeUndefined());
  it('maps KVM_EXIT_SHUTDOWN to a triple fault (exit 3)', () => {
    const e = machineExitOf({ kind: 'shutdown', vcpu: 1 }, panic)!;
    expect(e).toEqual({ kind: 'triple_fault', vcpu: 1 });
    expect(exitStatus(e)).toBe(EXIT_STATUS.tripleFault);
  });
  it('maps system events: crash → panic, reset → reboot, shutdown → poweroff', () => {
    expect(machineExitOf({ kind: 'system_event', vcpu: 0, type: KvmSystemEvent.CRASH }, panic)).toEqual({ kind: 'panic', message: 'Kernel panic - not syncing: x' });
    expect(exitStatus(machineExitOf({ kind: 'system_event', vcpu: 0, type: KvmSystemEvent.RESET }, panic)!)).toBe(0);
    expect(exitStatus(machineExitOf({ kind: 'system_event', vcpu: 0, type: KvmSystemEvent.SHUTDOWN }, panic)!)).toBe(0);
  });
  it('keeps the registers of a KVM error and describes them in one line', () => {
    const regs = { ...zeroRegs(), rip: 0xffffffff81000123n, rsp: 0xffffc90000003f00n, rflags: 0x10046n };
    const code = { base: 0n, limit: 0xffffffff, selector: 0x10, type: 11, present: 1, dpl: 0, db: 0, s: 1, l: 1, g: 1, avl: 0, unusable: 0 };
    const sregs = { ...decodeSregs(new Uint8Array(KVM_SREGS_SIZE)), cs: code, cr0: 0x80050033n, cr2: 0xdead000n, cr3: 0x1c0a000n, cr4: 0x3606f0n, efer: 0xd01n, idt: { base: 0xfffffe0000000000n, limit: 0xfff }, gdt: { base: 0xfffffe0000001000n, limit: 0x7f } };
    const e = machineExitOf({ kind: 'internal_error', vcpu: 1, suberror: 1, data: [], registers: { regs, sregs } }, panic)!;
    expect(exitStatus(e)).toBe(EXIT_STATUS.kvm);
    expect(describeRegisters(e)).toBe(
      'vCPU 1 registers: rip 0xffffffff81000123 rsp 0xffffc90000003f00 rflags 0x10046 cs 0x10 (64-bit, dpl 0) cr0 0x80050033 cr2 0xdead000 cr3 0x1c0a000 cr4 0x3606f0 efer 0xd01 ' +
        'idt 0xfffffe0000000000/0xfff gdt 0xfffffe0000001000/0x7f',
    );
    expect(describeRegisters(machineExitOf({ kind: 'internal_error', vcpu: 0, suberror: 1, data: [] }, panic)!)).toBeUndefined();
    expect(describeRegisters(machineExitOf({ kind: 'shutdown', vcpu: 0 }, panic)!)).toBeUndefined();
  });
  it('describes FAIL_ENTRY with the hardware reason (exit 4)', () => {
    const e = machineExitOf({ kind: 'fail_entry', vcpu: 0, hardwareReason: 0x80000021n, cpu: 3 }, panic)!;
    expect(exitStatus(e)).toBe(EXIT_STATUS.kvm);
    expect(describeExit(e)).toBe('KVM error on vCPU 0: KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x80000021 on CPU 3');
  });
  it('describes an emulation failure with the instruction bytes, other internal errors with their data', () => {
    // flags = INSTRUCTION_BYTES, insn_size = 3, bytes 0f c7 0e (cmpxchg16b)
    const emulation = machineExitOf({ kind: 'internal_error', vcpu: 1, suberror: 1, data: [1n, 0x0ec70f03n, 0n] }, panic)!;
    expect(describeExit(emulation)).toBe('KVM error on vCPU 1: KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure), instruction bytes 0f c7 0e');
    const delivery = machineExitOf({ kind: 'internal_error', vcpu: 0, suberror: 3, data: [0x80000b0en] }, panic)!;
    expect(describeExit(delivery)).toBe('KVM error on vCPU 0: KVM_EXIT_INTERNAL_ERROR, suberror 3 (exception delivery failed), data 0x80000b0e');
  });
  it('treats HLT (impossible with the in-kernel irqchip) and unknown exits as KVM errors', () => {
    expect(exitStatus(machineExitOf({ kind: 'hlt', vcpu: 0 }, panic)!)).toBe(EXIT_STATUS.kvm);
    expect(describeExit(machineExitOf({ kind: 'unhandled', vcpu: 0, reason: 99, name: 'KVM_EXIT_99' }, panic)!)).toMatch(/unhandled KVM_EXIT_99/);
  });
  it('makes a vCPU that could not be pinned a setup failure (exit 5) naming the vCPU, the CPUs and the errno', () => {
    const e = machineExitOf({ kind: 'pin_failed', vcpu: 1, cpus: [2, 3, 4, 7], errno: 22 }, panic)!;
    expect(exitStatus(e)).toBe(EXIT_STATUS.setup);
    expect(describeExit(e)).toBe('the VM could not be set up: vCPU 1 cannot run on CPUs 2-4,7 (--cpu-affinity): sched_setaffinity failed with EINVAL');
  });
  it('has status 0 for reboot, poweroff and quit, 1 for panic', () => {
    expect([exitStatus({ kind: 'reboot', via: 'x' }), exitStatus({ kind: 'poweroff', line: 'x' }), exitStatus({ kind: 'quit' })]).toEqual([0, 0, 0]);
    expect(exitStatus({ kind: 'panic', message: undefined })).toBe(EXIT_STATUS.panic);
  });
});

describe('instructionBytes', () => {
  it('needs the INSTRUCTION_BYTES flag', () => expect(instructionBytes([0n, 0x0102n])).toBeUndefined());
  it('reads insn_size bytes after the size byte, at most 15', () => {
    expect(instructionBytes([1n, 0x1n | (0xccn << 8n)])).toBe('cc');
    expect(instructionBytes([1n, 0xffffffffffffff20n, 0xffffffffffffffffn])?.split(' ')).toHaveLength(15);
  });
});
