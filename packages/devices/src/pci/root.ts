/**
 * The PCI root: configuration mechanism #1 at ports 0xCF8-0xCFF (PCI Local Bus Specification 3.0,
 * section 3.2.2.3.2), bus 0 with the host bridge at 00:00.0, and the reset control register at
 * 0xCF9.
 *
 * - CONFIG_ADDRESS (0xCF8): "Anytime a host bridge sees a full DWORD I/O write from the host to
 *   CONFIG_ADDRESS, the bridge must latch the data into its CONFIG_ADDRESS register. On full DWORD
 *   I/O reads to CONFIG_ADDRESS, the bridge must return the data in CONFIG_ADDRESS. Any other
 *   types of accesses to this address (non-DWORD) have no effect on CONFIG_ADDRESS and are
 *   executed as normal I/O transactions." So only a dword access at 0xCF8 reaches the register;
 *   a byte at 0xCF9 is the reset control register; other narrow accesses at 0xCF8-0xCFB find
 *   nothing (reads all-ones, writes dropped). Bits 30:24 are reserved and bits 1:0 are
 *   read-only: both read back as 0. (Firecracker and crosvm merge narrow writes into the
 *   register; Linux only ever uses dword accesses there, so either works for it.)
 * - CONFIG_DATA (0xCFC-0xCFF): with the enable bit (31) set, a byte, word or dword access reaches
 *   bus [23:16], device [15:11], function [10:8], register [7:2], at the byte of the register the
 *   port selects. With bit 31 clear it is a normal I/O access that nothing claims.
 * - Only bus 0 exists; a function nobody holds reads 0xFFFFFFFF (master abort) and ignores writes.
 *   An address with AMD's extended-register bits (27:24, `PCI_CONF1_EXT_REG`) set would reach
 *   registers 0x100 and up, which conventional PCI functions do not have: it reads all-ones.
 * - Reset control (0xCF9, as on Intel PIIX/ICH chipsets): bits 1 (SYS_RST) and 3 (FULL_RST) read
 *   back as written; writing bit 2 (RST_CPU) set calls `onReset()` (Linux's `reboot=pci`).
 *
 * Sharing between threads: CONFIG_ADDRESS and the reset control register live in a
 * {@link DeviceState}, and the host bridge's configuration space in another; {@link PciRoot.state}
 * is both buffers as one plain object ({@link PciRootState}), which `postMessage` shares, and
 * `new PciRoot({ state })` in another thread is the same root with the same host bridge. The
 * functions placed with {@link PciRoot.add} are this instance's: a VMM adds them in every thread,
 * each built over its own shared state (a `PciConfigSpace`'s `state` option), at the same
 * addresses. A configuration data access reads CONFIG_ADDRESS under the root's lock, then calls
 * the function, which takes its own; so one access is one step for the thread making it, and
 * two vCPUs racing on 0xCF8/0xCFC is the guest's business, as on hardware (Linux serializes
 * them with `pci_config_lock`).
 */
import type { BusDevice } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';
import { DeviceState, DeviceStateError } from '../shared/index.ts';
import { PciError } from './config_space.ts';
import { PciHostBridge } from './host_bridge.ts';
import { type PciAddress, type PciDevice, checkPciAddress, formatPciAddress } from './pci_device.ts';

/** CONFIG_ADDRESS bit 31. */
export const CONFIG_ADDRESS_ENABLE = 0x8000_0000;
/** The CONFIG_ADDRESS bits that read back: enable, bus, device, function, register. */
const CONFIG_ADDRESS_READABLE = 0x80ff_fffc;
/** The CONFIG_ADDRESS bits kept: the readable ones and AMD's extended-register bits 27:24. */
const CONFIG_ADDRESS_LATCHED = 0x8fff_fffc;
const CONFIG_ADDRESS_EXTENDED = 0x0f00_0000;
/** Reset control register bits. */
export const RESET_CONTROL_SYS_RST = 0x02;
export const RESET_CONTROL_RST_CPU = 0x04;
export const RESET_CONTROL_FULL_RST = 0x08;

/** The root's words in its {@link DeviceState}: CONFIG_ADDRESS as latched (with the extended bits), the reset control register. */
const ADDRESS = 0;
const RESET_CONTROL = 1;
const WORDS = 2;

/**
 * A {@link PciRoot}'s shared state: a plain object of two SharedArrayBuffers that
 * `postMessage`/`workerData` pass to another thread (sharing the buffers, copying the object).
 */
export interface PciRootState {
  /** CONFIG_ADDRESS and the reset control register. */
  readonly root: SharedArrayBuffer;
  /** The host bridge's configuration space ({@link PciHostBridge.state}). */
  readonly hostBridge: SharedArrayBuffer;
}

/** Options of a {@link PciRoot}. */
export interface PciRootOptions {
  /** Called when the guest writes RST_CPU to the reset control register (0xCF9), in the thread that wrote it. */
  onReset?: () => void;
  /** Where messages about odd guest accesses go (default `console.warn`). */
  log?: DeviceLog;
  /**
   * The {@link PciRoot.state} of the root made in another thread: this instance is that root,
   * with the same host bridge. Absent: a new root (CONFIG_ADDRESS 0, reset control 0).
   */
  state?: PciRootState;
}

/** Bus 0 and its configuration ports. Insert it on the port-I/O bus at {@link PciRoot.BASE} with length {@link PciRoot.LENGTH}. */
export class PciRoot implements BusDevice {
  static readonly BASE = 0xcf8;
  static readonly LENGTH = 8;
  readonly label = 'pci root';
  /** The host bridge at 00:00.0. */
  readonly hostBridge: PciHostBridge;

  readonly #state: DeviceState;
  readonly #words: Int32Array;
  readonly #shared: PciRootState;
  /** The functions this instance holds, by `device << 3 | function`. */
  readonly #functions = new Map<number, PciDevice>();
  readonly #onReset: () => void;
  readonly #log: LogOnce;

  /**
   * @throws {DeviceStateError} if `state` is not a {@link PciRootState} made by another PciRoot.
   */
  constructor(options: PciRootOptions = {}) {
    this.#onReset = options.onReset ?? (() => {});
    this.#log = new LogOnce(options.log, this.label);
    const state = options.state;
    if (state !== undefined && (typeof state !== 'object' || state === null || state.root === undefined || state.hostBridge === undefined)) {
      const got = typeof state === 'object' && state !== null ? `an object with keys [${Object.keys(state).join(', ')}]` : String(state);
      throw new DeviceStateError(`${this.label}: state is ${got}, expected the { root, hostBridge } of another PciRoot's state`);
    }
    this.#state = new DeviceState(this.label, WORDS, 0, state?.root);
    this.#words = this.#state.words;
    this.hostBridge = new PciHostBridge({ state: state?.hostBridge });
    this.#shared = Object.freeze({ root: this.#state.buffer, hostBridge: this.hostBridge.state });
    this.#functions.set(0, this.hostBridge);
  }

  /** The shared state, for constructing this root in another thread (`state` option). */
  get state(): PciRootState {
    return this.#shared;
  }

  /**
   * Places `device` at `address` on bus 0, for this instance: with a shared root, add the
   * function in every thread (each instance over the function's shared state).
   * @throws {PciError} if the address is invalid, not on bus 0, or taken.
   */
  add(address: PciAddress, device: PciDevice): void {
    const checked = checkPciAddress(address);
    if (checked.bus !== 0) throw new PciError(`${formatPciAddress(checked)}: only bus 0 exists`);
    const key = keyOf(checked.device, checked.function);
    this.#state.locked(() => {
      const present = this.#functions.get(key);
      if (present !== undefined) throw new PciError(`${formatPciAddress(checked)} is taken by ${present.label ?? 'a device'}`);
      this.#functions.set(key, device);
    });
  }

  /** The function at `address`, if any. */
  get(address: PciAddress): PciDevice | undefined {
    if (address.bus !== 0) return undefined;
    return this.#state.locked(() => this.#functions.get(keyOf(address.device, address.function)));
  }

  /** CONFIG_ADDRESS as the guest last latched it (reserved bits read as 0). */
  get configAddress(): number {
    return (this.#state.run(this.#wordLocked, ADDRESS) & CONFIG_ADDRESS_READABLE) >>> 0;
  }

  read(offset: number, data: Uint8Array): void {
    if (offset === 0 && data.length === 4) {
      writeLe(data, this.configAddress);
    } else if (offset === 1 && data.length === 1) {
      data[0] = this.#state.run(this.#wordLocked, RESET_CONTROL);
    } else if (offset >= 4 && offset + data.length <= 8) {
      this.#configData(offset - 4, data, false);
    } else {
      data.fill(0xff);
      this.#log.warn(`${String(data.length)}-byte read at ${hex(PciRoot.BASE + offset)} is not a configuration access`, `read ${String(offset)}/${String(data.length)}`);
    }
  }

  write(offset: number, data: Uint8Array): void {
    if (offset === 0 && data.length === 4) {
      this.#state.run(this.#setWordLocked, ADDRESS, readLe(data) & CONFIG_ADDRESS_LATCHED);
    } else if (offset === 1 && data.length === 1) {
      const value = data[0]!;
      this.#state.run(this.#setWordLocked, RESET_CONTROL, value & (RESET_CONTROL_SYS_RST | RESET_CONTROL_FULL_RST));
      if (value & RESET_CONTROL_RST_CPU) this.#reset();
    } else if (offset >= 4 && offset + data.length <= 8) {
      this.#configData(offset - 4, data, true);
    } else {
      this.#log.warn(`${String(data.length)}-byte write at ${hex(PciRoot.BASE + offset)} is not a configuration access`, `write ${String(offset)}/${String(data.length)}`);
    }
  }

  /** A word of the root's state read or written under the lock; bound once, so an access allocates no closure. */
  readonly #wordLocked = (index: number): number => this.#words[index]!;
  readonly #setWordLocked = (index: number, value: number): void => {
    this.#words[index] = value;
  };

  /**
   * An access at byte `byte` (0-3) of CONFIG_DATA: CONFIG_ADDRESS read under the root's lock,
   * decoded (a function only if enabled, on bus 0, without extended bits), and the access handed to
   * this instance's function there.
   */
  #configData(byte: number, data: Uint8Array, isWrite: boolean): void {
    const address = this.#state.run(this.#wordLocked, ADDRESS);
    const device =
      (address & CONFIG_ADDRESS_ENABLE) === 0 || (address & CONFIG_ADDRESS_EXTENDED) !== 0 || ((address >>> 16) & 0xff) !== 0
        ? undefined
        : this.#functions.get(keyOf((address >>> 11) & 0x1f, (address >>> 8) & 0x07));
    if (device === undefined) {
      if (!isWrite) data.fill(0xff);
      return;
    }
    const register = (address >>> 2) & 0x3f;
    if (isWrite) {
      device.writeConfigRegister(register, byte, data);
    } else {
      const value = device.readConfigRegister(register) >>> 0;
      for (let i = 0; i < data.length; i++) data[i] = (value >>> (8 * (byte + i))) & 0xff;
    }
  }

  #reset(): void {
    try {
      this.#onReset();
    } catch (error) {
      this.#log.warn(`onReset failed: ${error instanceof Error ? error.message : String(error)}`, 'onReset failed');
    }
  }
}

function keyOf(device: number, fn: number): number {
  return (device << 3) | fn;
}

function readLe(data: Uint8Array): number {
  return (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
}

function writeLe(data: Uint8Array, value: number): void {
  for (let i = 0; i < 4; i++) data[i] = (value >>> (8 * i)) & 0xff;
}
