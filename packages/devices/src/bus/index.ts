/**
 * The address buses a VMM routes guest accesses through: one for port I/O (the 64 KiB x86 I/O
 * space) and one for MMIO, with the same interface. This layer knows nothing of any device; a
 * device knows nothing of where it sits (crosvm's `Bus`/`BusDevice`, rust-vmm's `vm-device`).
 *
 * - A device is inserted at `[base, base + length)` and receives accesses as an offset within
 *   that range, with `data.length` the access size (crosvm's `BusDevice` shape).
 * - An access that lies inside one device's range goes to that device whole. One that straddles a
 *   range boundary is split into byte accesses, each routed on its own, as the ISA bus splits a
 *   wide cycle to 8-bit devices.
 * - **Unclaimed reads return all-ones** (`0xff` bytes), as real hardware does: an ISA read nobody
 *   drives floats high, and a PCI master abort returns all-ones. (crosvm and Firecracker return
 *   zeros instead.) Unclaimed writes are dropped. Both are logged once per address.
 * - Every read starts from a buffer of `0xff` bytes, so a device that leaves bytes untouched
 *   answers all-ones for them.
 * - Guest input never raises an exception out of the bus: a device that throws is logged (once
 *   per device and message) and its read answers all-ones. Only the VMM-side calls
 *   ({@link Bus.insert}, {@link Bus.remove}) throw, with {@link BusError}.
 */
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';

/** A device on a {@link Bus}: it sees offsets within its own range, and the access size as `data.length`. */
export interface BusDevice {
  /** Fills `data` (pre-filled with `0xff`) with `data.length` bytes read at `offset`, little-endian. */
  read(offset: number, data: Uint8Array): void;
  /** Writes `data` (little-endian, `data.length` bytes) at `offset`. */
  write(offset: number, data: Uint8Array): void;
  /** A short name for log messages, e.g. "serial". */
  readonly label?: string;
}

/** Which address space a bus decodes. */
export type BusKind = 'pio' | 'mmio';

/** What went wrong in a VMM-side bus call. */
export type BusErrorCode = 'invalid-range' | 'overlap' | 'not-found';

/** The one error of this module, thrown only by VMM-side calls (never for a guest access). */
export class BusError extends Error {
  override readonly name = 'BusError';

  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One device's place on a bus. */
export interface BusRange {
  readonly base: number;
  readonly length: number;
  readonly device: BusDevice;
}

/** Options of a {@link Bus}. */
export interface BusOptions {
  /** Where messages about unclaimed or failing accesses go (default `console.warn`). */
  log?: DeviceLog;
}

const SPACE_SIZE: Record<BusKind, number> = { pio: 0x1_0000, mmio: 2 ** 53 };
const ACCESS_SIZES: Record<BusKind, ReadonlySet<number>> = { pio: new Set([1, 2, 4]), mmio: new Set([1, 2, 4, 8]) };

/** An address bus: a sorted set of non-overlapping device ranges. */
export class Bus {
  readonly kind: BusKind;
  readonly #ranges: BusRange[] = [];
  readonly #log: LogOnce;

  constructor(kind: BusKind, options: BusOptions = {}) {
    if (kind !== 'pio' && kind !== 'mmio') throw new BusError('invalid-range', `unknown bus kind ${String(kind)}`);
    this.kind = kind;
    this.#log = new LogOnce(options.log, `${kind} bus`);
  }

  /** The address space size: 0x10000 for port I/O, 2^53 for MMIO (JavaScript's exact integers). */
  get size(): number {
    return SPACE_SIZE[this.kind];
  }

  /** The devices in address order. */
  get ranges(): readonly BusRange[] {
    return [...this.#ranges];
  }

  /**
   * Places `device` at `[base, base + length)`.
   * @throws {BusError} `invalid-range` if the range is empty or outside the address space,
   *   `overlap` if it overlaps a device already on the bus (both are named).
   */
  insert(device: BusDevice, base: number, length: number): void {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(length) || base < 0 || length < 1 || base + length > this.size) {
      throw new BusError('invalid-range', `${labelOf(device)}: [${String(base)}, +${String(length)}) is not a non-empty range inside the ${this.kind} space of ${hex(this.size)}`);
    }
    const end = base + length;
    for (const range of this.#ranges) {
      if (base < range.base + range.length && range.base < end) {
        throw new BusError('overlap', `${labelOf(device)} at [${hex(base)}, ${hex(end)}) overlaps ${labelOf(range.device)} at [${hex(range.base)}, ${hex(range.base + range.length)})`);
      }
    }
    this.#ranges.push({ base, length, device });
    this.#ranges.sort((a, b) => a.base - b.base);
  }

  /**
   * Takes the device at `base` off the bus and returns it.
   * @throws {BusError} `not-found` if no device starts at `base`.
   */
  remove(base: number): BusDevice {
    const index = this.#ranges.findIndex((range) => range.base === base);
    const range = this.#ranges[index];
    if (range === undefined) throw new BusError('not-found', `no device starts at ${hex(base)}`);
    this.#ranges.splice(index, 1);
    return range.device;
  }

  /** The range holding `address`, if any. */
  find(address: number | bigint): BusRange | undefined {
    const addr = toAddress(address);
    return addr === undefined ? undefined : this.#lookup(addr);
  }

  /**
   * A guest read of `data.length` bytes at `address`. Fills `data` and returns whether any device
   * claimed the access; unclaimed bytes read `0xff`.
   */
  read(address: number | bigint, data: Uint8Array): boolean {
    data.fill(0xff);
    return this.#access(address, data, false);
  }

  /** A guest write of `data` at `address`; returns whether any device claimed it. */
  write(address: number | bigint, data: Uint8Array): boolean {
    return this.#access(address, data, true);
  }

  #access(address: number | bigint, data: Uint8Array, isWrite: boolean): boolean {
    const verb = isWrite ? 'write' : 'read';
    const addr = toAddress(address);
    if (addr === undefined || !ACCESS_SIZES[this.kind].has(data.length)) {
      this.#log.warn(`ignored ${verb} of ${String(data.length)} bytes at ${hex(address)}: not an address and access size of this bus`);
      return false;
    }
    const range = this.#lookup(addr);
    if (range !== undefined && addr + data.length <= range.base + range.length) {
      this.#dispatch(range, addr - range.base, data, isWrite);
      return true;
    }
    if (range === undefined && data.length === 1) {
      this.#log.warn(`unclaimed ${verb} at ${hex(addr)}`, `unclaimed ${hex(addr)}`);
      return false;
    }
    // The access straddles a range boundary (or starts in a gap): one byte at a time.
    let claimed = false;
    for (let i = 0; i < data.length; i++) {
      const byteRange = this.#lookup(addr + i);
      if (byteRange === undefined) continue;
      const byte = data.subarray(i, i + 1);
      this.#dispatch(byteRange, addr + i - byteRange.base, byte, isWrite);
      claimed = true;
    }
    if (!claimed) this.#log.warn(`unclaimed ${verb} of ${String(data.length)} bytes at ${hex(addr)}`, `unclaimed ${hex(addr)}`);
    return claimed;
  }

  #dispatch(range: BusRange, offset: number, data: Uint8Array, isWrite: boolean): void {
    try {
      if (isWrite) range.device.write(offset, data);
      else range.device.read(offset, data);
    } catch (error) {
      if (!isWrite) data.fill(0xff);
      const reason = error instanceof Error ? error.message : String(error);
      this.#log.warn(`${labelOf(range.device)} threw on a ${isWrite ? 'write' : 'read'} at offset ${hex(offset)}: ${reason}`, `${labelOf(range.device)} threw ${reason}`);
    }
  }

  #lookup(addr: number): BusRange | undefined {
    let lo = 0;
    let hi = this.#ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const range = this.#ranges[mid]!;
      if (addr < range.base) hi = mid - 1;
      else if (addr >= range.base + range.length) lo = mid + 1;
      else return range;
    }
    return undefined;
  }
}

/** An exact non-negative address, or undefined. */
function toAddress(address: number | bigint): number | undefined {
  if (typeof address === 'bigint') {
    return address >= 0n && address <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(address) : undefined;
  }
  return Number.isSafeInteger(address) && address >= 0 ? address : undefined;
}

function labelOf(device: BusDevice): string {
  return device.label ?? device.constructor.name;
}

/**
 * For byte-wide devices: a read of `data.length` bytes at `offset` as consecutive byte reads,
 * lowest address first (how the ISA bus splits a wide cycle to an 8-bit device).
 */
export function readBytes(offset: number, data: Uint8Array, readByte: (offset: number) => number): void {
  for (let i = 0; i < data.length; i++) data[i] = readByte(offset + i) & 0xff;
}

/** For byte-wide devices: a write of `data` at `offset` as consecutive byte writes, lowest address first. */
export function writeBytes(offset: number, data: Uint8Array, writeByte: (offset: number, value: number) => void): void {
  for (let i = 0; i < data.length; i++) writeByte(offset + i, data[i]!);
}
