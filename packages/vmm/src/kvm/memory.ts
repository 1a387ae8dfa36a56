/**
 * Guest physical memory: anonymous mmaps (one per RAM region, 2 MiB-aligned, transparent huge
 * pages requested) that KVM maps into the guest with
 * KVM_SET_USER_MEMORY_REGION and that JavaScript reads and writes in place through ArrayBuffer
 * views (no copies). A region's `handle` names it in the addon's process-wide registry, so a vCPU
 * worker can `GuestMemory.attach()` its own views of the same pages.
 *
 * Guest addresses are plain numbers (RAM stays far below 2^53). Accessors check bounds and never
 * cross a region: an access outside RAM throws a RangeError naming the address.
 */
import { nativeKvm, type NativeKvm } from '../native/addon.ts';
import { KvmError } from './error.ts';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;
const MAP_NORESERVE = 0x4000;
const MADV_HUGEPAGE = 14;
/** Guest RAM starts on a 2 MiB boundary and asks for transparent huge pages (QEMU does both): with
 * 2 MiB pages behind it, KVM maps guest memory in 2 MiB steps, far fewer faults and TLB misses. */
const HUGE_PAGE = 2 * 1024 * 1024;

/** One RAM region as a worker needs it to attach: where it is in the guest and which mapping holds it. */
export interface RegionDescriptor {
  guestAddress: number;
  size: number;
  handle: number;
}

export class MemoryRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(
    readonly guestAddress: number,
    readonly size: number,
    readonly handle: number,
    buffer: ArrayBuffer,
  ) {
    this.bytes = new Uint8Array(buffer, 0, size);
    this.view = new DataView(buffer, 0, size);
  }
  get end(): number {
    return this.guestAddress + this.size;
  }
}

export class GuestMemory {
  private constructor(
    private readonly native: NativeKvm,
    readonly regions: readonly MemoryRegion[],
    private readonly owner: boolean,
  ) {}

  /** Allocates anonymous, lazily backed RAM for each `[guestAddress, size)` (page-aligned). */
  static allocate(layout: readonly { guestAddress: number; size: number }[], native: NativeKvm = nativeKvm()): GuestMemory {
    const regions: MemoryRegion[] = [];
    for (const { guestAddress, size } of layout) {
      if (guestAddress % 4096 !== 0 || size % 4096 !== 0 || size <= 0) {
        throw new KvmError('invalid', 'guest memory', `region [0x${guestAddress.toString(16)}, +0x${size.toString(16)}) is not page-aligned`);
      }
      const handle = native.mmap(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, size >= HUGE_PAGE ? HUGE_PAGE : 0);
      if (handle < 0) {
        for (const r of regions) native.unmap(r.handle);
        throw new KvmError('mmap', 'mmap guest memory', `cannot map ${size} bytes`, -handle);
      }
      // Best effort: a kernel without THP answers EINVAL, and the 4 KiB pages still work.
      if (size >= HUGE_PAGE) native.madvise(handle, MADV_HUGEPAGE);
      regions.push(new MemoryRegion(guestAddress, size, handle, native.view(handle)));
    }
    return new GuestMemory(native, regions.sort((a, b) => a.guestAddress - b.guestAddress), true);
  }

  /** Views of memory another thread allocated (a vCPU worker). */
  static attach(descriptors: readonly RegionDescriptor[], native: NativeKvm = nativeKvm()): GuestMemory {
    return new GuestMemory(native, descriptors.map((d) => new MemoryRegion(d.guestAddress, d.size, d.handle, native.view(d.handle))), false);
  }

  /** What a worker needs to `attach`. */
  descriptors(): RegionDescriptor[] {
    return this.regions.map((r) => ({ guestAddress: r.guestAddress, size: r.size, handle: r.handle }));
  }

  /** The mapping's user-space address (for KVM_SET_USER_MEMORY_REGION). */
  hostAddress(region: MemoryRegion): bigint {
    return this.native.address(region.handle);
  }

  /** Total RAM in bytes. */
  get size(): number {
    return this.regions.reduce((n, r) => n + r.size, 0);
  }

  private find(address: number, length: number): MemoryRegion {
    for (const r of this.regions) if (address >= r.guestAddress && address + length <= r.end) return r;
    throw new RangeError(`guest memory access [0x${address.toString(16)}, +0x${length.toString(16)}) is outside RAM`);
  }

  /** The bytes `[address, address + length)`, in place (writes go to the guest). */
  slice(address: number, length: number): Uint8Array {
    const r = this.find(address, length);
    return r.bytes.subarray(address - r.guestAddress, address - r.guestAddress + length);
  }

  /** Copies `data` into guest memory at `address`. */
  write(address: number, data: Uint8Array): void {
    this.slice(address, data.byteLength).set(data);
  }

  /** A copy of `length` bytes at `address`. */
  read(address: number, length: number): Uint8Array {
    return this.slice(address, length).slice();
  }

  readU8(address: number): number {
    const r = this.find(address, 1);
    return r.view.getUint8(address - r.guestAddress);
  }
  readU16(address: number): number {
    const r = this.find(address, 2);
    return r.view.getUint16(address - r.guestAddress, true);
  }
  readU32(address: number): number {
    const r = this.find(address, 4);
    return r.view.getUint32(address - r.guestAddress, true);
  }
  readU64(address: number): bigint {
    const r = this.find(address, 8);
    return r.view.getBigUint64(address - r.guestAddress, true);
  }
  writeU8(address: number, value: number): void {
    const r = this.find(address, 1);
    r.view.setUint8(address - r.guestAddress, value);
  }
  writeU16(address: number, value: number): void {
    const r = this.find(address, 2);
    r.view.setUint16(address - r.guestAddress, value, true);
  }
  writeU32(address: number, value: number): void {
    const r = this.find(address, 4);
    r.view.setUint32(address - r.guestAddress, value >>> 0, true);
  }
  writeU64(address: number, value: bigint): void {
    const r = this.find(address, 8);
    r.view.setBigUint64(address - r.guestAddress, BigInt.asUintN(64, value), true);
  }

  /** Releases the mappings (the allocating thread only); pages go once every view is collected. */
  release(): void {
    if (!this.owner) return;
    for (const r of this.regions) this.native.unmap(r.handle);
  }
}
