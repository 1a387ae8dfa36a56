/**
 * `Vcpu`: one KVM vCPU fd and its kvm_run mapping, as crosvm's `kvm::Vcpu`: register state
 * (regs, sregs, FPU, LAPIC, CPUID, MSRs) and KVM_RUN. Created on the main thread by `Vm`, set up
 * there, then `attach`ed in its worker by (fd, run mapping handle), where `run()` blocks.
 *
 * `run()` returns the exit reason; an interrupted KVM_RUN (the kick signal, EINTR) returns
 * `KvmExit.INTR`, EAGAIN is retried, every other failure throws `KvmError`.
 */
import { constants } from 'node:os';
import { KvmExit } from '../kvm_sys/constants.ts';
import { KVM } from '../kvm_sys/ioctl.ts';
import { KvmRunView } from '../kvm_sys/run.ts';
import {
  decodeFpu, decodeMsrs, decodeRegs, decodeSregs, encodeCpuid2, encodeFpu, encodeMsrs, encodeRegs, encodeSregs,
  KVM_FPU_SIZE, KVM_LAPIC_SIZE, KVM_REGS_SIZE, KVM_SREGS_SIZE,
  type CpuidEntry, type KvmFpu, type KvmRegs, type KvmSregs, type MsrEntry,
} from '../kvm_sys/structs.ts';
import { nativeKvm, type NativeKvm } from '../native/addon.ts';
import { KvmError } from './error.ts';

const { EINTR, EAGAIN } = constants.errno;

/** What a worker needs to attach to a vCPU created elsewhere. */
export interface VcpuDescriptor {
  id: number;
  fd: number;
  runHandle: number;
}

export class Vcpu {
  /** Zero-copy view of this vCPU's kvm_run, in this thread. */
  readonly kvmRun: KvmRunView;
  private closed = false;

  constructor(
    private readonly native: NativeKvm,
    readonly id: number,
    readonly fd: number,
    readonly runHandle: number,
    private readonly owner = true,
  ) {
    this.kvmRun = new KvmRunView(native.view(runHandle));
  }

  /** This vCPU in another thread (a worker): same fd and kvm_run pages, this thread's views. */
  static attach(d: VcpuDescriptor, native: NativeKvm = nativeKvm()): Vcpu {
    return new Vcpu(native, d.id, d.fd, d.runHandle, false);
  }

  descriptor(): VcpuDescriptor {
    return { id: this.id, fd: this.fd, runHandle: this.runHandle };
  }

  private ioctl(request: number, arg?: number | Uint8Array): number {
    if (this.closed) throw new KvmError('closed', `vCPU ${this.id}`, 'used after close()');
    const r = this.native.ioctl(this.fd, request, arg);
    if (r < 0) throw KvmError.ioctl(request, r, `failed on vCPU ${this.id}`);
    return r;
  }

  getRegs(): KvmRegs {
    const buf = new Uint8Array(KVM_REGS_SIZE);
    this.ioctl(KVM.GET_REGS, buf);
    return decodeRegs(buf);
  }
  setRegs(regs: KvmRegs): void {
    this.ioctl(KVM.SET_REGS, encodeRegs(regs));
  }
  getSregs(): KvmSregs {
    const buf = new Uint8Array(KVM_SREGS_SIZE);
    this.ioctl(KVM.GET_SREGS, buf);
    return decodeSregs(buf);
  }
  setSregs(sregs: KvmSregs): void {
    this.ioctl(KVM.SET_SREGS, encodeSregs(sregs));
  }
  getFpu(): KvmFpu {
    const buf = new Uint8Array(KVM_FPU_SIZE);
    this.ioctl(KVM.GET_FPU, buf);
    return decodeFpu(buf);
  }
  setFpu(fpu: KvmFpu): void {
    this.ioctl(KVM.SET_FPU, encodeFpu(fpu));
  }
  /** KVM_GET_LAPIC: the 1024-byte local APIC register page (needs the in-kernel irqchip). */
  getLapic(): Uint8Array {
    const buf = new Uint8Array(KVM_LAPIC_SIZE);
    this.ioctl(KVM.GET_LAPIC, buf);
    return buf;
  }
  setLapic(regs: Uint8Array): void {
    if (regs.byteLength !== KVM_LAPIC_SIZE) throw new KvmError('invalid', 'KVM_SET_LAPIC', `needs ${KVM_LAPIC_SIZE} bytes, got ${regs.byteLength}`);
    this.ioctl(KVM.SET_LAPIC, regs);
  }
  setCpuid2(entries: readonly CpuidEntry[]): void {
    this.ioctl(KVM.SET_CPUID2, encodeCpuid2(entries));
  }
  /** KVM_SET_MSRS; throws `invalid` naming the first MSR KVM refused (it returns how many it set). */
  setMsrs(entries: readonly MsrEntry[]): void {
    const n = this.ioctl(KVM.SET_MSRS, encodeMsrs(entries));
    if (n !== entries.length) {
      const bad = entries[n];
      throw new KvmError('invalid', 'KVM_SET_MSRS', `vCPU ${this.id} set ${n} of ${entries.length} MSRs; refused MSR 0x${bad?.index.toString(16)}`);
    }
  }
  /** KVM_GET_MSRS for `indices`. */
  getMsrs(indices: readonly number[]): MsrEntry[] {
    const buf = encodeMsrs(indices.map((index) => ({ index, data: 0n })));
    const n = this.ioctl(KVM.GET_MSRS, buf);
    return decodeMsrs(buf).slice(0, n);
  }

  /** KVM_RUN once: the exit reason (`KvmExit`), `KvmExit.INTR` when kicked. */
  run(): number {
    for (;;) {
      const r = this.native.ioctl(this.fd, KVM.RUN, 0);
      if (r >= 0) return this.kvmRun.exitReason;
      if (r === -EINTR) return KvmExit.INTR;
      if (r === -EAGAIN) continue;
      throw KvmError.ioctl(KVM.RUN, r, `failed on vCPU ${this.id}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.owner) return;
    this.native.unmap(this.runHandle);
    this.native.close(this.fd);
  }
}
