/**
 * `Vm`: one KVM VM fd, as crosvm's `kvm::Vm`: memory slots, the TSS and identity-map addresses,
 * the in-kernel irqchip (PIC + IOAPIC) and PIT, IRQ lines, coalesced zones, and vCPU creation.
 * Every ioctl is checked. IRQ lines may be driven from any thread: the devices emulated on each
 * vCPU's worker use {@link IrqLineWriter} over the VM's fd.
 */
import { encodeCoalescedZone, type CoalescedZone } from '../kvm_sys/coalesced.ts';
import { KVM } from '../kvm_sys/ioctl.ts';
import type { NativeKvm } from '../native/addon.ts';
import { encodePitConfig, encodeU64, encodeUserspaceMemoryRegion } from '../kvm_sys/structs.ts';
import { KvmError } from './error.ts';
import type { Kvm } from './kvm.ts';
import type { GuestMemory } from './memory.ts';
import { Vcpu } from './vcpu.ts';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 0x01;

/** KVM_IRQ_LINE on a VM fd, usable on any thread that has the addon (a vCPU worker's devices). */
export class IrqLineWriter {
  private readonly arg = new Uint8Array(8);
  private readonly view = new DataView(this.arg.buffer);

  constructor(
    private readonly native: NativeKvm,
    private readonly vmFd: number,
  ) {}

  /** Drives GSI `irq` (PIC and IOAPIC pin) high or low. @throws {KvmError} if the ioctl fails. */
  set(irq: number, level: boolean): void {
    this.view.setUint32(0, irq >>> 0, true);
    this.view.setUint32(4, level ? 1 : 0, true);
    const r = this.native.ioctl(this.vmFd, KVM.IRQ_LINE, this.arg);
    if (r < 0) throw KvmError.ioctl(KVM.IRQ_LINE, r);
  }
}

export class Vm {
  private closed = false;
  private readonly irqLines: IrqLineWriter;
  readonly vcpus: Vcpu[] = [];

  constructor(
    readonly kvm: Kvm,
    readonly fd: number,
  ) {
    this.irqLines = new IrqLineWriter(kvm.native, fd);
  }

  private ioctl(request: number, arg?: number | Uint8Array): number {
    if (this.closed) throw new KvmError('closed', 'VM', 'used after close()');
    const r = this.kvm.native.ioctl(this.fd, request, arg);
    if (r < 0) throw KvmError.ioctl(request, r);
    return r;
  }

  /** KVM_SET_USER_MEMORY_REGION for every region of `memory`, slots from `firstSlot`. */
  mapMemory(memory: GuestMemory, firstSlot = 0): void {
    memory.regions.forEach((r, i) =>
      this.ioctl(
        KVM.SET_USER_MEMORY_REGION,
        encodeUserspaceMemoryRegion({ slot: firstSlot + i, flags: 0, guest_phys_addr: BigInt(r.guestAddress), memory_size: BigInt(r.size), userspace_addr: memory.hostAddress(r) }),
      ),
    );
  }

  /** KVM_SET_TSS_ADDR: three pages KVM uses for real-mode emulation on Intel. */
  setTssAddress(address: number): void {
    this.ioctl(KVM.SET_TSS_ADDR, address);
  }

  /** KVM_SET_IDENTITY_MAP_ADDR: one page for the EPT identity map on Intel. */
  setIdentityMapAddress(address: number): void {
    this.ioctl(KVM.SET_IDENTITY_MAP_ADDR, encodeU64(BigInt(address)));
  }

  /** KVM_CREATE_IRQCHIP: in-kernel PIC pair, IOAPIC and per-vCPU local APICs. Before any vCPU. */
  createIrqchip(): void {
    this.ioctl(KVM.CREATE_IRQCHIP);
  }

  /** KVM_CREATE_PIT2: the in-kernel i8254 (after the irqchip). */
  createPit2(flags = 0): void {
    this.ioctl(KVM.CREATE_PIT2, encodePitConfig(flags));
  }

  /**
   * KVM_REGISTER_COALESCED_MMIO: the guest's writes inside `zone` (a whole access inside it) are
   * queued in the VM's coalesced ring (`CoalescedRing`) instead of exiting. For ports, needs
   * KVM_CAP_COALESCED_PIO.
   */
  registerCoalescedZone(zone: CoalescedZone): void {
    this.ioctl(KVM.REGISTER_COALESCED_MMIO, encodeCoalescedZone(zone));
  }

  /** KVM_IRQ_LINE: drives GSI `irq` (PIC and IOAPIC pin) high or low. */
  setIrqLine(irq: number, level: boolean): void {
    if (this.closed) throw new KvmError('closed', 'VM', 'used after close()');
    this.irqLines.set(irq, level);
  }

  /** KVM_CREATE_VCPU, then mmap of its kvm_run (KVM_GET_VCPU_MMAP_SIZE bytes). */
  createVcpu(id: number): Vcpu {
    const fd = this.ioctl(KVM.CREATE_VCPU, id);
    const size = this.kvm.vcpuMmapSize();
    const handle = this.kvm.native.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (handle < 0) {
      this.kvm.native.close(fd);
      throw new KvmError('mmap', `mmap kvm_run of vCPU ${id}`, `cannot map ${size} bytes`, -handle);
    }
    const vcpu = new Vcpu(this.kvm.native, id, fd, handle);
    this.vcpus.push(vcpu);
    return vcpu;
  }

  close(): void {
    if (this.closed) return;
    for (const v of this.vcpus) v.close();
    this.closed = true;
    this.kvm.native.close(this.fd);
  }
}

