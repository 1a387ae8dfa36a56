/**
 * A type 0 (endpoint) PCI configuration header with the semantics a guest expects, for the host
 * bridge now and virtio-pci devices next: read-only identification, a command register whose
 * unimplemented bits are hardwired to 0, base address registers with sizing, a capability list,
 * and the interrupt line and pin (PCI Local Bus Specification 3.0, chapter 6).
 *
 * Every byte has a write mask; a guest write changes only the writable bits. BAR sizing falls out
 * of the masks (section 6.2.5.1): a BAR's address bits below its size are read-only zeros and its
 * low flag bits are read-only, so writing all-ones reads back `~(size - 1) | flags`. Any other
 * write is a new address, reported through {@link PciConfigSpaceInit.onBarChange} (Linux may
 * reassign BARs without ACPI).
 */

/** The one error of the pci module, thrown only for VMM-side mistakes (bad options, taken slots). */
export class PciError extends Error {
  override readonly name = 'PciError';
}

/** What a BAR decodes. */
export type PciBarKind = 'memory32' | 'memory64' | 'io';

/** A BAR as the device declares it. */
export interface PciBarSpec {
  /** BAR register 0-5; a `memory64` BAR also takes register `index + 1`. */
  index: number;
  kind: PciBarKind;
  /** Bytes decoded: a power of two, at least 16 for memory and 4 for I/O, at most 256 for I/O and 2 GiB for `memory32`. */
  size: number;
  /** Memory BARs only. */
  prefetchable?: boolean;
  /** The initial address (default 0), aligned to `size`. */
  address?: number;
}

/** A BAR's current state. */
export interface PciBar {
  readonly index: number;
  readonly kind: PciBarKind;
  readonly size: number;
  readonly prefetchable: boolean;
  /** The address the BAR holds now (during sizing, the all-ones pattern masked to the size). */
  readonly address: number;
}

/** The identity and resources of a function. */
export interface PciConfigSpaceInit {
  vendorId: number;
  deviceId: number;
  /** Class code, subclass and programming interface as one 24-bit value, e.g. 0x060000 for a host bridge. */
  classCode: number;
  revisionId?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** 0 for none, 1-4 for INTA#-INTD#. */
  interruptPin?: number;
  /** Sets header type bit 7: the device has functions besides 0. */
  multiFunction?: boolean;
  bars?: readonly PciBarSpec[];
  /** Called after a guest write changes a BAR's address. */
  onBarChange?: (bar: PciBar, previousAddress: number) => void;
}

/** Standard header offsets. */
export const PciHeader = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION_ID: 0x08,
  CLASS_CODE: 0x09,
  CACHE_LINE_SIZE: 0x0c,
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  EXPANSION_ROM: 0x30,
  CAPABILITIES_POINTER: 0x34,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

/** Command register bits. */
export const COMMAND_IO_SPACE = 0x0001;
export const COMMAND_MEMORY_SPACE = 0x0002;
export const COMMAND_BUS_MASTER = 0x0004;
export const COMMAND_PARITY_ERROR_RESPONSE = 0x0040;
export const COMMAND_SERR = 0x0100;
export const COMMAND_INTX_DISABLE = 0x0400;
/** Status register: the capability list is valid. */
export const STATUS_CAPABILITIES_LIST = 0x0010;

/** The configuration space size reachable through mechanism #1. */
export const CONFIG_SPACE_SIZE = 256;
/** Where capabilities start: the first byte after the standard header. */
const FIRST_CAPABILITY = 0x40;
const FOUR_GIB = 2 ** 32;

/** One function's 256-byte configuration space. */
export class PciConfigSpace {
  readonly #bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  readonly #writable = new Uint8Array(CONFIG_SPACE_SIZE);
  readonly #bars: (PciBarSpec & { prefetchable: boolean })[] = [];
  readonly #onBarChange: ((bar: PciBar, previousAddress: number) => void) | undefined;
  #lastCapability: number | undefined;
  #nextFree = FIRST_CAPABILITY;

  /** @throws {PciError} if an ID, the class code, the interrupt pin or a BAR is invalid. */
  constructor(init: PciConfigSpaceInit) {
    checkInteger(init.vendorId, 0, 0xfffe, 'vendorId'); // 0xffff means "no device"
    checkInteger(init.deviceId, 0, 0xffff, 'deviceId');
    checkInteger(init.classCode, 0, 0xff_ffff, 'classCode');
    const revision = checkInteger(init.revisionId ?? 0, 0, 0xff, 'revisionId');
    const subsystemVendor = checkInteger(init.subsystemVendorId ?? 0, 0, 0xffff, 'subsystemVendorId');
    const subsystem = checkInteger(init.subsystemId ?? 0, 0, 0xffff, 'subsystemId');
    const pin = checkInteger(init.interruptPin ?? 0, 0, 4, 'interruptPin');
    this.#onBarChange = init.onBarChange;

    this.#set16(PciHeader.VENDOR_ID, init.vendorId);
    this.#set16(PciHeader.DEVICE_ID, init.deviceId);
    this.#bytes[PciHeader.REVISION_ID] = revision;
    this.#bytes[PciHeader.CLASS_CODE] = init.classCode & 0xff;
    this.#bytes[PciHeader.CLASS_CODE + 1] = (init.classCode >>> 8) & 0xff;
    this.#bytes[PciHeader.CLASS_CODE + 2] = init.classCode >>> 16;
    this.#bytes[PciHeader.HEADER_TYPE] = init.multiFunction ? 0x80 : 0x00;
    this.#set16(PciHeader.SUBSYSTEM_VENDOR_ID, subsystemVendor);
    this.#set16(PciHeader.SUBSYSTEM_ID, subsystem);
    this.#bytes[PciHeader.INTERRUPT_PIN] = pin;
    this.#writable[PciHeader.CACHE_LINE_SIZE] = 0xff;
    this.#writable[PciHeader.INTERRUPT_LINE] = 0xff;

    const used = new Set<number>();
    for (const spec of init.bars ?? []) this.#addBar(spec, used);

    const hasIo = this.#bars.some((bar) => bar.kind === 'io');
    const hasMemory = this.#bars.some((bar) => bar.kind !== 'io');
    const commandMask =
      (hasIo ? COMMAND_IO_SPACE : 0) | (hasMemory ? COMMAND_MEMORY_SPACE : 0) | COMMAND_BUS_MASTER |
      COMMAND_PARITY_ERROR_RESPONSE | COMMAND_SERR | (pin !== 0 ? COMMAND_INTX_DISABLE : 0);
    this.#writable[PciHeader.COMMAND] = commandMask & 0xff;
    this.#writable[PciHeader.COMMAND + 1] = commandMask >>> 8;
  }

  /** The command register. */
  get command(): number {
    return this.#get16(PciHeader.COMMAND);
  }

  /** The BARs in register order. */
  get bars(): PciBar[] {
    return this.#bars.map((spec) => this.#barState(spec));
  }

  /** The BAR that starts at register `index`, if any. */
  bar(index: number): PciBar | undefined {
    const spec = this.#bars.find((bar) => bar.index === index);
    return spec && this.#barState(spec);
  }

  /**
   * Appends a capability: `id`, then the next pointer, then `body`. `writable` (same length as
   * `body`, default all zeros) gives the guest-writable bits of the body. Returns the
   * capability's offset.
   * @throws {PciError} if the id is not a byte or the capability does not fit below 0x100.
   */
  addCapability(id: number, body: Uint8Array, writable?: Uint8Array): number {
    checkInteger(id, 0, 0xff, 'capability id');
    if (writable !== undefined && writable.length !== body.length) throw new PciError(`capability ${String(id)}: writable mask length ${String(writable.length)} differs from the body's ${String(body.length)}`);
    const offset = this.#nextFree;
    const end = offset + 2 + body.length;
    if (end > CONFIG_SPACE_SIZE) throw new PciError(`capability ${String(id)} of ${String(body.length + 2)} bytes does not fit at ${String(offset)}`);
    this.#bytes[offset] = id;
    this.#bytes[offset + 1] = 0;
    this.#bytes.set(body, offset + 2);
    if (writable) this.#writable.set(writable, offset + 2);
    if (this.#lastCapability === undefined) this.#bytes[PciHeader.CAPABILITIES_POINTER] = offset;
    else this.#bytes[this.#lastCapability + 1] = offset;
    this.#set16(PciHeader.STATUS, this.#get16(PciHeader.STATUS) | STATUS_CAPABILITIES_LIST);
    this.#lastCapability = offset;
    this.#nextFree = (end + 3) & ~3;
    return offset;
  }

  /** The 32-bit register `register` (0-63); anything else reads all-ones. */
  readRegister(register: number): number {
    if (!Number.isInteger(register) || register < 0 || register >= CONFIG_SPACE_SIZE / 4) return 0xffff_ffff;
    const at = register * 4;
    const b = this.#bytes;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** A guest write of `data` at byte `offset` (0-3) of register `register`; only writable bits change. Out-of-range writes are ignored. */
  writeRegister(register: number, offset: number, data: Uint8Array): void {
    if (!Number.isInteger(register) || register < 0 || register >= CONFIG_SPACE_SIZE / 4) return;
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > 4) return;
    const before = this.#bars.map((spec) => this.#barState(spec).address);
    const at = register * 4 + offset;
    for (let i = 0; i < data.length; i++) {
      const mask = this.#writable[at + i]!;
      this.#bytes[at + i] = (this.#bytes[at + i]! & ~mask) | (data[i]! & mask);
    }
    if (this.#onBarChange === undefined) return;
    this.#bars.forEach((spec, i) => {
      const bar = this.#barState(spec);
      if (bar.address !== before[i]) this.#onBarChange!(bar, before[i]!);
    });
  }

  #addBar(spec: PciBarSpec, used: Set<number>): void {
    const { index, kind, size } = spec;
    const name = `BAR${String(index)}`;
    if (kind !== 'memory32' && kind !== 'memory64' && kind !== 'io') throw new PciError(`${name}: unknown kind ${String(kind)}`);
    checkInteger(index, 0, kind === 'memory64' ? 4 : 5, `${name} index`);
    const [min, max] = kind === 'io' ? [4, 256] : kind === 'memory32' ? [16, 2 ** 31] : [16, 2 ** 52];
    if (!Number.isSafeInteger(size) || size < min || size > max || !isPowerOfTwo(size)) throw new PciError(`${name}: size ${String(size)} is not a power of two in [${String(min)}, ${String(max)}]`);
    if (kind === 'io' && spec.prefetchable) throw new PciError(`${name}: an I/O BAR cannot be prefetchable`);
    const registers = kind === 'memory64' ? [index, index + 1] : [index];
    for (const r of registers) {
      if (used.has(r)) throw new PciError(`${name}: BAR register ${String(r)} is already used`);
      used.add(r);
    }
    const address = spec.address ?? 0;
    const limit = kind === 'memory64' ? 2 ** 53 : FOUR_GIB;
    if (!Number.isSafeInteger(address) || address < 0 || address % size !== 0 || address + size > limit) throw new PciError(`${name}: address ${String(address)} is not aligned to its size or does not fit`);

    const prefetchable = spec.prefetchable ?? false;
    const flags = kind === 'io' ? 0x1 : (kind === 'memory64' ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
    const lowMask = kind === 'io' ? ~(size - 1) & ~0x3 : size >= FOUR_GIB ? 0 : ~(size - 1) & ~0xf;
    const at = PciHeader.BAR0 + index * 4;
    this.#set32(at, ((address % FOUR_GIB) | flags) >>> 0);
    this.#setMask32(at, lowMask >>> 0);
    if (kind === 'memory64') {
      const highMask = size > FOUR_GIB ? ~(size / FOUR_GIB - 1) : 0xffff_ffff;
      this.#set32(at + 4, Math.floor(address / FOUR_GIB));
      this.#setMask32(at + 4, highMask >>> 0);
    }
    this.#bars.push({ ...spec, prefetchable });
    this.#bars.sort((a, b) => a.index - b.index);
  }

  #barState(spec: PciBarSpec & { prefetchable: boolean }): PciBar {
    const low = this.readRegister(PciHeader.BAR0 / 4 + spec.index);
    let address = spec.kind === 'io' ? (low & ~0x3) >>> 0 : (low & ~0xf) >>> 0;
    if (spec.kind === 'memory64') address += this.readRegister(PciHeader.BAR0 / 4 + spec.index + 1) * FOUR_GIB;
    return { index: spec.index, kind: spec.kind, size: spec.size, prefetchable: spec.prefetchable, address };
  }

  #get16(at: number): number {
    return this.#bytes[at]! | (this.#bytes[at + 1]! << 8);
  }

  #set16(at: number, value: number): void {
    this.#bytes[at] = value & 0xff;
    this.#bytes[at + 1] = value >>> 8;
  }

  #set32(at: number, value: number): void {
    for (let i = 0; i < 4; i++) this.#bytes[at + i] = (value >>> (8 * i)) & 0xff;
  }

  #setMask32(at: number, mask: number): void {
    for (let i = 0; i < 4; i++) this.#writable[at + i] = (mask >>> (8 * i)) & 0xff;
  }
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new PciError(`${what} must be an integer in [${String(min)}, ${String(max)}], got ${String(value)}`);
  return value;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}
