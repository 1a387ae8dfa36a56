/**
 * `Kvm`: the /dev/kvm system fd, as crosvm's `kvm::Kvm`: checks the API version on open, answers
 * capability queries, reports the vCPU mmap size and the supported CPUID, and creates VMs. Every
 * ioctl is checked; failures are `KvmError`s naming the ioctl and errno.
 */
import { constants } from 'node:os';
import { KVM_API_VERSION, KvmCap } from '../kvm_sys/constants.ts';
import { KVM } from '../kvm_sys/ioctl.ts';
import { decodeCpuid2, emptyCpuid2, type CpuidEntry } from '../kvm_sys/structs.ts';
import { nativeKvm, type NativeKvm } from '../native/addon.ts';
import { KvmError } from './error.ts';
import { Vm } from './vm.ts';

const O_RDWR = 2;
const { ENOENT, E2BIG, EINTR } = constants.errno;

export class Kvm {
  private closed = false;

  private constructor(
    readonly native: NativeKvm,
    readonly fd: number,
    readonly path: string,
  ) {}

  /**
   * Opens `path` (default /dev/kvm) and checks KVM_GET_API_VERSION. Throws `KvmError` of kind
   * `unavailable` when the device is absent or not accessible, `api_version` on a wrong version.
   */
  static open(path = '/dev/kvm', native: NativeKvm = nativeKvm()): Kvm {
    const fd = native.open(path, O_RDWR);
    if (fd < 0) {
      const why = -fd === ENOENT ? 'no such device: this machine has no KVM (load kvm_intel/kvm_amd, or run inside a VM with nested virtualization)' : 'cannot open';
      throw new KvmError('unavailable', `open ${path}`, why, -fd);
    }
    const kvm = new Kvm(native, fd, path);
    const version = native.ioctl(fd, KVM.GET_API_VERSION);
    if (version !== KVM_API_VERSION) {
      kvm.close();
      if (version < 0) throw KvmError.ioctl(KVM.GET_API_VERSION, version);
      throw new KvmError('api_version', 'KVM_GET_API_VERSION', `API version ${version}, expected ${KVM_API_VERSION}`);
    }
    return kvm;
  }

  private check(): void {
    if (this.closed) throw new KvmError('closed', this.path, 'used after close()');
  }

  /** KVM_CHECK_EXTENSION: 0 when absent, else a positive (capability-specific) value. */
  checkExtension(cap: number): number {
    this.check();
    const r = this.native.ioctl(this.fd, KVM.CHECK_EXTENSION, cap);
    if (r < 0) throw KvmError.ioctl(KVM.CHECK_EXTENSION, r);
    return r;
  }

  /** Throws `missing_capability` unless every named capability is present. */
  requireExtensions(names: readonly (keyof typeof KvmCap)[]): void {
    const missing = names.filter((n) => this.checkExtension(KvmCap[n]) <= 0);
    if (missing.length > 0) throw new KvmError('missing_capability', 'KVM_CHECK_EXTENSION', `missing ${missing.map((n) => `KVM_CAP_${n}`).join(', ')}`);
  }

  /**
   * The page of every vCPU's mapping that holds the VM's coalesced ring, when KVM can coalesce port
   * writes (KVM_CAP_COALESCED_PIO; KVM_CAP_COALESCED_MMIO answers the page); else undefined.
   */
  coalescedRingPage(): number | undefined {
    if (this.checkExtension(KvmCap.COALESCED_PIO) <= 0) return undefined;
    const page = this.checkExtension(KvmCap.COALESCED_MMIO);
    return page > 0 ? page : undefined;
  }

  /** KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's kvm_run mapping. */
  vcpuMmapSize(): number {
    this.check();
    const r = this.native.ioctl(this.fd, KVM.GET_VCPU_MMAP_SIZE);
    if (r <= 0) throw KvmError.ioctl(KVM.GET_VCPU_MMAP_SIZE, r < 0 ? r : -22, 'no kvm_run size');
    return r;
  }

  /** The largest number of vCPUs a VM may have (KVM_CAP_MAX_VCPUS, else NR_VCPUS, else 4). */
  maxVcpus(): number {
    return this.checkExtension(KvmCap.MAX_VCPUS) || this.checkExtension(KvmCap.NR_VCPUS) || 4;
  }

  /** KVM_GET_SUPPORTED_CPUID, growing the buffer on E2BIG (from 80 entries, as Firecracker). */
  supportedCpuid(): CpuidEntry[] {
    this.check();
    for (let capacity = 80; capacity <= 4096; capacity *= 2) {
      const buf = emptyCpuid2(capacity);
      const r = this.native.ioctl(this.fd, KVM.GET_SUPPORTED_CPUID, buf);
      if (r === -E2BIG) continue;
      if (r < 0) throw KvmError.ioctl(KVM.GET_SUPPORTED_CPUID, r);
      return decodeCpuid2(buf);
    }
    throw new KvmError('invalid', 'KVM_GET_SUPPORTED_CPUID', 'more than 4096 entries');
  }

  /**
   * KVM_CREATE_VM (machine type 0). Retried while it fails with EINTR, as QEMU does: registering
   * the VM's MMU notifier takes every lock of the process's address space and gives up when a
   * signal is pending (a profiler's SIGPROF, a timer), which says nothing about KVM.
   */
  createVm(): Vm {
    this.check();
    let fd: number;
    do fd = this.native.ioctl(this.fd, KVM.CREATE_VM, 0);
    while (fd === -EINTR);
    if (fd < 0) throw KvmError.ioctl(KVM.CREATE_VM, fd);
    return new Vm(this, fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.fd);
  }
}
