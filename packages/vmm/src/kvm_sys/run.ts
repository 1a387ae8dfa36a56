/**
 * `struct kvm_run`, the page the kernel shares with user space per vCPU (mmap of the vCPU fd):
 * offsets of the fields the VMM reads and writes, and `KvmRunView`, zero-copy accessors over a
 * mapping of it. Both the vCPU worker (exit reason, immediate_exit) and the main thread (exit
 * details, IN data) hold a view of the same pages.
 *
 * Part of `kvm_sys`: layout only.
 */
import { KVM_EXIT_IO_OUT } from './constants.ts';

/** Byte offsets inside kvm_run (x86_64). The exit union starts at 32. */
export const KVM_RUN = {
  request_interrupt_window: 0,
  immediate_exit: 1,
  exit_reason: 8,
  ready_for_interrupt_injection: 12,
  if_flag: 13,
  flags: 14,
  cr8: 16,
  apic_base: 24,
  // union: io
  io_direction: 32,
  io_size: 33,
  io_port: 34,
  io_count: 36,
  io_data_offset: 40,
  // union: mmio
  mmio_phys_addr: 32,
  mmio_data: 40,
  mmio_len: 48,
  mmio_is_write: 52,
  // union: fail_entry
  fail_entry_hardware_entry_failure_reason: 32,
  fail_entry_cpu: 40,
  // union: internal
  internal_suberror: 32,
  internal_ndata: 36,
  internal_data: 40,
  // union: system_event
  system_event_type: 32,
  system_event_ndata: 36,
  system_event_data: 40,
} as const;

/** Zero-copy accessors over one vCPU's kvm_run mapping. */
export class KvmRunView {
  readonly bytes: Uint8Array;
  readonly dv: DataView;

  constructor(buffer: ArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
  }

  get exitReason(): number {
    return this.dv.getUint32(KVM_RUN.exit_reason, true);
  }
  set immediateExit(on: boolean) {
    this.bytes[KVM_RUN.immediate_exit] = on ? 1 : 0;
  }
  get immediateExit(): boolean {
    return this.bytes[KVM_RUN.immediate_exit] !== 0;
  }

  // KVM_EXIT_IO
  get ioIsOut(): boolean {
    return this.bytes[KVM_RUN.io_direction] === KVM_EXIT_IO_OUT;
  }
  get ioSize(): number {
    return this.bytes[KVM_RUN.io_size]!;
  }
  get ioPort(): number {
    return this.dv.getUint16(KVM_RUN.io_port, true);
  }
  get ioCount(): number {
    return this.dv.getUint32(KVM_RUN.io_count, true);
  }
  /** The IO data (size × count bytes) inside the mapping: read it for OUT, fill it for IN. */
  ioData(): Uint8Array {
    const offset = Number(this.dv.getBigUint64(KVM_RUN.io_data_offset, true));
    const length = this.ioSize * this.ioCount;
    if (offset + length > this.bytes.byteLength) throw new RangeError(`kvm_run io data [${offset}, +${length}) is outside the ${this.bytes.byteLength}-byte mapping`);
    return this.bytes.subarray(offset, offset + length);
  }

  // KVM_EXIT_MMIO
  get mmioAddress(): bigint {
    return this.dv.getBigUint64(KVM_RUN.mmio_phys_addr, true);
  }
  get mmioLength(): number {
    return this.dv.getUint32(KVM_RUN.mmio_len, true);
  }
  get mmioIsWrite(): boolean {
    return this.bytes[KVM_RUN.mmio_is_write] !== 0;
  }
  /** The MMIO data (len ≤ 8 bytes) inside the mapping. */
  mmioData(): Uint8Array {
    return this.bytes.subarray(KVM_RUN.mmio_data, KVM_RUN.mmio_data + Math.min(8, this.mmioLength));
  }

  // KVM_EXIT_FAIL_ENTRY
  get failEntryReason(): bigint {
    return this.dv.getBigUint64(KVM_RUN.fail_entry_hardware_entry_failure_reason, true);
  }
  get failEntryCpu(): number {
    return this.dv.getUint32(KVM_RUN.fail_entry_cpu, true);
  }

  // KVM_EXIT_INTERNAL_ERROR
  get internalSuberror(): number {
    return this.dv.getUint32(KVM_RUN.internal_suberror, true);
  }
  internalData(): bigint[] {
    const n = Math.min(16, this.dv.getUint32(KVM_RUN.internal_ndata, true));
    return Array.from({ length: n }, (_, i) => this.dv.getBigUint64(KVM_RUN.internal_data + 8 * i, true));
  }

  // KVM_EXIT_SYSTEM_EVENT
  get systemEventType(): number {
    return this.dv.getUint32(KVM_RUN.system_event_type, true);
  }
}
