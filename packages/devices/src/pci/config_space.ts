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
 *
 * The 256 bytes and their write masks live in a {@link DeviceState}, so one function can be
 * driven from several threads: build the same `PciConfigSpace` (same options, same
 * {@link PciConfigSpace.addCapability} calls in the same order) in every thread, passing the first
 * one's {@link PciConfigSpace.state} as the `state` option of the others. Those attach to the
 * registers as the guest left them and only check that the state matches their options and
 * capabilities. Every access runs under the state's lock.
 */
import { DeviceState, DeviceStateError } from '../shared/index.ts';

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
  /**
   * Called after a guest write changes a BAR's address, in the thread that made the write, with
   * the configuration space's lock held (the callback may read this instance, not block on
   * another thread's).
   */
  onBarChange?: (bar: PciBar, previousAddress: number) => void;
  /**
   * The {@link PciConfigSpace.state} of the same function made in another thread: attach to it
   * instead of initializing a new one. Absent: a new state, initialized from these options.
   */
  state?: SharedArrayBuffer;
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
const BAR_COUNT = 6;
/** The label of a configuration space's {@link DeviceState}. */
const LABEL = 'pci config space';
/** A state's bytes: the 256 configuration bytes, then their 256 write masks. */
const STATE_BYTES = 2 * CONFIG_SPACE_SIZE;

/** One function's 256-byte configuration space. */
export class PciConfigSpace {
  readonly #state: DeviceState;
  /** The configuration bytes, in the state. */
  readonly #bytes: Uint8Array;
  /** Per byte, the bits a guest write may change, in the state (capabilities add to them). */
  readonly #writable: Uint8Array;
  /** The BARs in register order, and by BAR register (0-5) the BAR that register belongs to. */
  readonly #bars: BarSpec[];
  readonly #barOfRegister: (BarSpec | undefined)[];
  readonly #onBarChange: ((bar: PciBar, previousAddress: number) => void) | undefined;
  /** This instance's place in the capability list: the last capability it added, and the offset of its next one. */
  #lastCapability: number | undefined;
  #nextFree = FIRST_CAPABILITY;

  /**
   * @throws {PciError} if an ID, the class code, the interrupt pin or a BAR is invalid.
   * @throws {DeviceStateError} if `state` is not the state of a configuration space made from the
   *   same identity, header type, interrupt pin and BARs.
   */
  constructor(init: PciConfigSpaceInit) {
    // The header is built aside, then copied into a new state or compared with an existing one.
    const bytes = new Uint8Array(CONFIG_SPACE_SIZE);
    const writable = new Uint8Array(CONFIG_SPACE_SIZE);
    this.#bars = buildHeader(init, bytes, writable);
    this.#barOfRegister = Array.from({ length: BAR_COUNT }, (_, r) => this.#bars.find((bar) => r === bar.index || (bar.kind === 'memory64' && r === bar.index + 1)));
    this.#onBarChange = init.onBarChange;
    this.#state = new DeviceState(LABEL, 0, STATE_BYTES, init.state);
    this.#bytes = this.#state.bytes.subarray(0, CONFIG_SPACE_SIZE);
    this.#writable = this.#state.bytes.subarray(CONFIG_SPACE_SIZE, 2 * CONFIG_SPACE_SIZE);
    if (this.#state.fresh) {
      this.#bytes.set(bytes);
      this.#writable.set(writable);
    } else {
      this.#state.locked(() => this.#checkHeader(bytes, writable));
    }
  }

  /** The shared state, for constructing this function's configuration space in another thread (`state` option). */
  get state(): SharedArrayBuffer {
    return this.#state.buffer;
  }

  /** The command register. */
  get command(): number {
    return this.#state.locked(() => this.#get16(PciHeader.COMMAND));
  }

  /** The BARs in register order. */
  get bars(): PciBar[] {
    return this.#state.locked(() => this.#bars.map((spec) => this.#barState(spec, this.#barAddress(spec))));
  }

  /** The BAR that starts at register `index`, if any. */
  bar(index: number): PciBar | undefined {
    const spec = this.#bars.find((bar) => bar.index === index);
    return spec && this.#state.locked(() => this.#barState(spec, this.#barAddress(spec)));
  }

  /**
   * Appends a capability: `id`, then the next pointer, then `body`. `writable` (same length as
   * `body`, default all zeros) gives the guest-writable bits of the body. Returns the
   * capability's offset.
   *
   * On an instance attached to an existing `state`, the capability is already there: the call
   * checks that it is (the same id, read-only bytes and writable bits at this instance's next
   * place in the list) and returns its offset, writing nothing.
   * @throws {PciError} if the id is not a byte or the capability does not fit below 0x100.
   * @throws {DeviceStateError} on an attached instance, if the state holds no such capability there.
   */
  addCapability(id: number, body: Uint8Array, writable: Uint8Array = new Uint8Array(body.length)): number {
    checkInteger(id, 0, 0xff, 'capability id');
    if (writable.length !== body.length) throw new PciError(`capability ${String(id)}: writable mask length ${String(writable.length)} differs from the body's ${String(body.length)}`);
    const offset = this.#nextFree;
    const end = offset + 2 + body.length;
    if (end > CONFIG_SPACE_SIZE) throw new PciError(`capability ${String(id)} of ${String(body.length + 2)} bytes does not fit at ${String(offset)}`);
    const link = this.#lastCapability === undefined ? PciHeader.CAPABILITIES_POINTER : this.#lastCapability + 1;
    this.#state.locked(() => {
      const bytes = this.#bytes;
      if (this.#state.fresh) {
        bytes[offset] = id;
        bytes[offset + 1] = 0;
        bytes.set(body, offset + 2);
        this.#writable.set(writable, offset + 2);
        bytes[link] = offset;
        this.#set16(PciHeader.STATUS, this.#get16(PciHeader.STATUS) | STATUS_CAPABILITIES_LIST);
      } else {
        const there =
          bytes[link] === offset && bytes[offset] === id && (this.#get16(PciHeader.STATUS) & STATUS_CAPABILITIES_LIST) !== 0 &&
          body.every((byte, i) => this.#writable[offset + 2 + i] === writable[i] && ((bytes[offset + 2 + i]! ^ byte) & ~writable[i]!) === 0);
        if (!there) throw new DeviceStateError(`${LABEL}: state holds no capability ${hex2(id)} of ${String(body.length + 2)} bytes at ${hex2(offset)}; add capabilities in every thread as in the one that made the state`);
      }
    });
    this.#lastCapability = offset;
    this.#nextFree = (end + 3) & ~3;
    return offset;
  }

  /** The 32-bit register `register` (0-63); anything else reads all-ones. */
  readRegister(register: number): number {
    if (!Number.isInteger(register) || register < 0 || register >= CONFIG_SPACE_SIZE / 4) return 0xffff_ffff;
    return this.#state.run(this.#readLocked, register * 4);
  }

  /** A guest write of `data` at byte `offset` (0-3) of register `register`; only writable bits change. Out-of-range writes are ignored. */
  writeRegister(register: number, offset: number, data: Uint8Array): void {
    if (!Number.isInteger(register) || register < 0 || register >= CONFIG_SPACE_SIZE / 4) return;
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > 4) return;
    this.#state.run(this.#writeLocked, register * 4 + offset, data);
  }

  /** Register accesses under the lock, by byte address `at`; bound once, so an access allocates no closure. */
  readonly #readLocked = (at: number): number => this.#read32(at);

  readonly #writeLocked = (at: number, data: Uint8Array): void => {
    const barRegister = (at >>> 2) - PciHeader.BAR0 / 4;
    const bar = this.#onBarChange !== undefined && barRegister >= 0 && barRegister < BAR_COUNT ? this.#barOfRegister[barRegister] : undefined;
    const before = bar === undefined ? 0 : this.#barAddress(bar);
    const bytes = this.#bytes;
    for (let i = 0; i < data.length; i++) {
      const mask = this.#writable[at + i]!;
      bytes[at + i] = (bytes[at + i]! & ~mask) | (data[i]! & mask);
    }
    if (bar === undefined) return;
    const after = this.#barAddress(bar);
    if (after !== before) this.#onBarChange!(this.#barState(bar, after), before);
  };

  /** Compares an attached state with the header these options give: write masks, and read-only bits other than those capabilities set. */
  #checkHeader(bytes: Uint8Array, writable: Uint8Array): void {
    for (let at = 0; at < FIRST_CAPABILITY; at++) {
      if (at === PciHeader.STATUS || at === PciHeader.STATUS + 1 || at === PciHeader.CAPABILITIES_POINTER) continue;
      const mask = writable[at]!;
      if (this.#writable[at] === mask && ((this.#bytes[at]! ^ bytes[at]!) & ~mask) === 0) continue;
      throw new DeviceStateError(`${LABEL}: state is of function ${describe(this.#bytes)}, not of the one these options give (${describe(bytes)}; header byte ${hex2(at)} differs)`);
    }
  }

  /** The address `spec` holds now. */
  #barAddress(spec: BarSpec): number {
    const at = PciHeader.BAR0 + spec.index * 4;
    const low = this.#read32(at);
    const address = spec.kind === 'io' ? (low & ~0x3) >>> 0 : (low & ~0xf) >>> 0;
    return spec.kind === 'memory64' ? address + this.#read32(at + 4) * FOUR_GIB : address;
  }

  #barState(spec: BarSpec, address: number): PciBar {
    return { index: spec.index, kind: spec.kind, size: spec.size, prefetchable: spec.prefetchable, address };
  }

  #read32(at: number): number {
    const b = this.#bytes;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  #get16(at: number): number {
    return this.#bytes[at]! | (this.#bytes[at + 1]! << 8);
  }

  #set16(at: number, value: number): void {
    set16(this.#bytes, at, value);
  }
}

/** A BAR as declared, with `prefetchable` settled. */
type BarSpec = PciBarSpec & { prefetchable: boolean };

/**
 * Checks `init` and writes the header it describes into `bytes` and `writable` (both zeroed, 256
 * bytes). Returns the BARs in register order.
 */
function buildHeader(init: PciConfigSpaceInit, bytes: Uint8Array, writable: Uint8Array): BarSpec[] {
  checkInteger(init.vendorId, 0, 0xfffe, 'vendorId'); // 0xffff means "no device"
  checkInteger(init.deviceId, 0, 0xffff, 'deviceId');
  checkInteger(init.classCode, 0, 0xff_ffff, 'classCode');
  const revision = checkInteger(init.revisionId ?? 0, 0, 0xff, 'revisionId');
  const subsystemVendor = checkInteger(init.subsystemVendorId ?? 0, 0, 0xffff, 'subsystemVendorId');
  const subsystem = checkInteger(init.subsystemId ?? 0, 0, 0xffff, 'subsystemId');
  const pin = checkInteger(init.interruptPin ?? 0, 0, 4, 'interruptPin');

  set16(bytes, PciHeader.VENDOR_ID, init.vendorId);
  set16(bytes, PciHeader.DEVICE_ID, init.deviceId);
  bytes[PciHeader.REVISION_ID] = revision;
  bytes[PciHeader.CLASS_CODE] = init.classCode & 0xff;
  bytes[PciHeader.CLASS_CODE + 1] = (init.classCode >>> 8) & 0xff;
  bytes[PciHeader.CLASS_CODE + 2] = init.classCode >>> 16;
  bytes[PciHeader.HEADER_TYPE] = init.multiFunction ? 0x80 : 0x00;
  set16(bytes, PciHeader.SUBSYSTEM_VENDOR_ID, subsystemVendor);
  set16(bytes, PciHeader.SUBSYSTEM_ID, subsystem);
  bytes[PciHeader.INTERRUPT_PIN] = pin;
  writable[PciHeader.CACHE_LINE_SIZE] = 0xff;
  writable[PciHeader.INTERRUPT_LINE] = 0xff;

  const bars: BarSpec[] = [];
  const used = new Set<number>();
  for (const spec of init.bars ?? []) bars.push(addBar(spec, used, bytes, writable));
  bars.sort((a, b) => a.index - b.index);

  const hasIo = bars.some((bar) => bar.kind === 'io');
  const hasMemory = bars.some((bar) => bar.kind !== 'io');
  const commandMask =
    (hasIo ? COMMAND_IO_SPACE : 0) | (hasMemory ? COMMAND_MEMORY_SPACE : 0) | COMMAND_BUS_MASTER |
    COMMAND_PARITY_ERROR_RESPONSE | COMMAND_SERR | (pin !== 0 ? COMMAND_INTX_DISABLE : 0);
  writable[PciHeader.COMMAND] = commandMask & 0xff;
  writable[PciHeader.COMMAND + 1] = commandMask >>> 8;
  return bars;
}

/** Checks a BAR and writes its initial value and write mask. */
function addBar(spec: PciBarSpec, used: Set<number>, bytes: Uint8Array, writable: Uint8Array): BarSpec {
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
  set32(bytes, at, ((address % FOUR_GIB) | flags) >>> 0);
  set32(writable, at, lowMask >>> 0);
  if (kind === 'memory64') {
    const highMask = size > FOUR_GIB ? ~(size / FOUR_GIB - 1) : 0xffff_ffff;
    set32(bytes, at + 4, Math.floor(address / FOUR_GIB));
    set32(writable, at + 4, highMask >>> 0);
  }
  return { ...spec, prefetchable };
}

function set16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = value >>> 8;
}

function set32(bytes: Uint8Array, at: number, value: number): void {
  for (let i = 0; i < 4; i++) bytes[at + i] = (value >>> (8 * i)) & 0xff;
}

/** `vvvv:dddd class cccccc` of a header, for messages. */
function describe(bytes: Uint8Array): string {
  const hex = (at: number, length: number) => Array.from(bytes.subarray(at, at + length)).reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex(PciHeader.VENDOR_ID, 2)}:${hex(PciHeader.DEVICE_ID, 2)} class ${hex(PciHeader.CLASS_CODE, 3)}`;
}

function hex2(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new PciError(`${what} must be an integer in [${String(min)}, ${String(max)}], got ${String(value)}`);
  return value;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}
