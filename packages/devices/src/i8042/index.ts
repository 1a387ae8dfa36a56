/**
 * The i8042 PS/2 keyboard controller, enough for Linux booted with
 * `i8042.noaux i8042.nomux i8042.dumbkbd`, and the reset line behind `reboot=k`; plus port 0x61
 * (system control port B), which lives here as in crosvm: the device decodes 0x60-0x64.
 *
 * | port | read | write |
 * |---|---|---|
 * | 0x60 | output buffer (oldest queued byte; the last byte again when empty) | data: the parameter of a pending controller command, else a byte to the keyboard |
 * | 0x61 | port B: bits 3:0 as written, bit 4 toggles (refresh), bit 5 = 1 (PIT channel 2 output) | bits 3:0 |
 * | 0x62, 0x63 | `0xff` (nothing there on an AT) | ignored |
 * | 0x64 | status | controller command |
 *
 * Port 0x61 bit 5 always reads 1, as crosvm and kvmtool answer, "to avoid hang in
 * pit_calibrate_tsc()": Linux's PIT calibration loop then ends at once and fails, and the kernel
 * takes the TSC frequency from kvmclock instead. If the VMM creates the in-kernel PIT with
 * `KVM_PIT_SPEAKER_DUMMY`, KVM answers port 0x61 itself and this device never sees it.
 *
 * Controller commands (port 0x64): 0x20-0x3F read controller RAM (0x20: the command byte),
 * 0x60-0x7F write it (0x60: the command byte), 0xA7/0xA8 disable/enable the aux port, 0xA9 aux
 * interface test (0x00), 0xAA self-test (0x55), 0xAB keyboard interface test (0x00), 0xAD/0xAE
 * disable/enable the keyboard, 0xC0 read input port, 0xD0/0xD1 read/write the output port,
 * 0xD2/0xD3 write the keyboard/aux output buffer, 0xD4 write to the aux device (there is none: the
 * byte is dropped and the status timeout bit set), 0xE0 read test inputs, 0xF0-0xFF pulse output
 * lines, where a clear bit 0 (0xFE, the usual one) pulses the CPU reset line: `onReset()`. Writing
 * the output port with bit 0 clear resets too. Unknown commands are ignored and logged once.
 *
 * The keyboard answers every byte with ACK (0xFA); reset (0xFF) adds the BAT result 0xAA, identify
 * (0xF2) adds 0xAB 0x83, echo (0xEE) answers 0xEE. With `i8042.dumbkbd` Linux sends it nothing.
 *
 * Interrupts (optional): IRQ 1 is high while the output buffer holds a byte from the keyboard and
 * the command byte enables it (bit 0); IRQ 12 likewise for aux bytes (bit 1). Controller command
 * responses raise no interrupt, as in Firecracker: Linux polls for them.
 *
 * Sharing between threads: every register (controller RAM, the output queue with each byte's
 * source, the last byte read, the pending controller and keyboard commands, the status flags, the
 * output port, port B and its refresh bit, and both IRQ levels) lives in one {@link DeviceState}.
 * Construct the controller once, pass its {@link I8042.state} to each vCPU thread, and construct it
 * there with the `state` option: each instance is then the same controller, and every access runs
 * under the state's lock. What each thread supplies for itself are the callbacks: `onReset` (called
 * by the instance whose access pulsed the reset line), the IRQ lines (driven by the instance whose
 * access changed the level; each thread's line must reach the same GSI) and the log. Both are
 * called holding the lock, so they must not wait for another thread that may be using the device.
 */
import { type BusDevice, readBytes, writeBytes } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';
import { IrqLevel, type IrqLine } from '../irq/index.ts';
import { DeviceState } from '../shared/index.ts';

/** Status register bits (port 0x64). */
export const STATUS_OBF = 0x01;
export const STATUS_IBF = 0x02;
export const STATUS_SYS = 0x04;
export const STATUS_CMD = 0x08;
/** Keyboard not inhibited (Linux's I8042_STR_KEYLOCK: clear means "keylock active"). */
export const STATUS_UNLOCKED = 0x10;
export const STATUS_AUXDATA = 0x20;
export const STATUS_TIMEOUT = 0x40;
/** Command byte bits. */
export const CTR_KBDINT = 0x01;
export const CTR_AUXINT = 0x02;
export const CTR_SYS = 0x04;
export const CTR_KBDDIS = 0x10;
export const CTR_AUXDIS = 0x20;
export const CTR_XLATE = 0x40;
/** The command byte after "POST": keyboard interrupt on, system flag, translation, aux disabled (there is no aux device). */
export const DEFAULT_CTR = CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE;

/** Controller commands (port 0x64). */
export const I8042Command = {
  READ_CTR: 0x20,
  WRITE_CTR: 0x60,
  DISABLE_AUX: 0xa7,
  ENABLE_AUX: 0xa8,
  AUX_TEST: 0xa9,
  SELF_TEST: 0xaa,
  KBD_TEST: 0xab,
  DISABLE_KBD: 0xad,
  ENABLE_KBD: 0xae,
  READ_INPUT_PORT: 0xc0,
  READ_OUTPUT_PORT: 0xd0,
  WRITE_OUTPUT_PORT: 0xd1,
  WRITE_KBD_OUTPUT: 0xd2,
  WRITE_AUX_OUTPUT: 0xd3,
  WRITE_AUX: 0xd4,
  READ_TEST_INPUTS: 0xe0,
  PULSE_RESET: 0xfe,
} as const;

/** The self-test pass value. */
export const SELF_TEST_PASSED = 0x55;
/** Keyboard replies. */
export const KBD_ACK = 0xfa;
export const KBD_BAT_PASSED = 0xaa;

/** The output buffer queue's depth: the controller's one byte plus the keyboard's own buffer. */
const OUTPUT_QUEUE_DEPTH = 16;
/** Output port bits: bit 0 is the CPU reset line (active low), bit 1 the A20 gate. */
const OUTPUT_PORT_RESET = 0x01;
const DEFAULT_OUTPUT_PORT = OUTPUT_PORT_RESET | 0x02;
/** Port B: bit 4 toggles with memory refresh, bit 5 is PIT channel 2's output. */
const PORT_B_REFRESH = 0x10;
const PORT_B_TIMER2_OUT = 0x20;

/** Where an output buffer byte came from (stored beside it in the queue). */
const SOURCE_CONTROLLER = 0;
const SOURCE_KEYBOARD = 1;
const SOURCE_AUX = 2;
type Source = typeof SOURCE_CONTROLLER | typeof SOURCE_KEYBOARD | typeof SOURCE_AUX;

/** The shared state's Int32 words. */
const W_QUEUE_HEAD = 0;
const W_QUEUE_LENGTH = 1;
const W_LAST_OUTPUT = 2;
/** The controller command waiting for its parameter byte, or {@link NONE}. */
const W_PENDING_COMMAND = 3;
/** The keyboard command waiting for its parameter byte, or {@link NONE}. */
const W_KBD_PENDING_COMMAND = 4;
const W_FLAGS = 5;
const W_OUTPUT_PORT = 6;
const W_PORT_B = 7;
const W_IRQ = 8;
const W_AUX_IRQ = 9;
const WORDS = 10;
/** No pending command. */
const NONE = -1;
/** Bits of `W_FLAGS`: the last write went to port 0x64; the aux timeout; port B's refresh bit. */
const FLAG_LAST_WAS_COMMAND = 0x1;
const FLAG_TIMEOUT = 0x2;
const FLAG_REFRESH = 0x4;
/** The shared state's bytes: controller RAM, then the output queue's bytes and their sources. */
const RAM_SIZE = 32;
const B_QUEUE_BYTES = RAM_SIZE;
const B_QUEUE_SOURCES = B_QUEUE_BYTES + OUTPUT_QUEUE_DEPTH;
const BYTES = B_QUEUE_SOURCES + OUTPUT_QUEUE_DEPTH;

/** Options of an {@link I8042}. */
export interface I8042Options {
  /** Called when the guest pulses the CPU reset line (command 0xFE, or output port bit 0 cleared). */
  onReset?: () => void;
  /** IRQ 1 (keyboard). */
  irq?: IrqLine;
  /** IRQ 12 (aux). */
  auxIrq?: IrqLine;
  /** Where messages about odd guest accesses go (default `console.warn`). */
  log?: DeviceLog;
  /**
   * The state of a controller constructed elsewhere ({@link I8042.state}), usually in another
   * thread: this instance attaches to it without resetting anything. Absent: a new controller,
   * in its power-on state.
   */
  state?: SharedArrayBuffer;
}

/** The controller. Insert it on the port-I/O bus at {@link I8042.BASE} with length {@link I8042.LENGTH}. */
export class I8042 implements BusDevice {
  static readonly BASE = 0x60;
  /** Ports 0x60-0x64 (0x61 is port B, 0x62-0x63 are empty). */
  static readonly LENGTH = 5;
  readonly label = 'i8042';

  readonly #onReset: () => void;
  readonly #irq: IrqLevel;
  readonly #auxIrq: IrqLevel;
  readonly #log: LogOnce;
  readonly #state: DeviceState;
  readonly #words: Int32Array;
  /** Controller RAM; byte 0 is the command byte. */
  readonly #ram: Uint8Array;
  readonly #queueBytes: Uint8Array;
  readonly #queueSources: Uint8Array;

  /**
   * @throws {DeviceStateError} if `state` is not the state of an I8042.
   */
  constructor(options: I8042Options = {}) {
    this.#onReset = options.onReset ?? (() => {});
    this.#log = new LogOnce(options.log, this.label);
    this.#state = new DeviceState(this.label, WORDS, BYTES, options.state);
    this.#words = this.#state.words;
    const bytes = this.#state.bytes;
    this.#ram = bytes.subarray(0, RAM_SIZE);
    this.#queueBytes = bytes.subarray(B_QUEUE_BYTES, B_QUEUE_BYTES + OUTPUT_QUEUE_DEPTH);
    this.#queueSources = bytes.subarray(B_QUEUE_SOURCES, B_QUEUE_SOURCES + OUTPUT_QUEUE_DEPTH);
    this.#irq = new IrqLevel(options.irq, this.#words, W_IRQ);
    this.#auxIrq = new IrqLevel(options.auxIrq, this.#words, W_AUX_IRQ);
    if (this.#state.fresh) {
      // A new buffer is all zeros: the queue is empty, the flags clear, port B 0, the IRQs low.
      this.#ram[0] = DEFAULT_CTR;
      this.#words[W_PENDING_COMMAND] = NONE;
      this.#words[W_KBD_PENDING_COMMAND] = NONE;
      this.#words[W_OUTPUT_PORT] = DEFAULT_OUTPUT_PORT;
    }
  }

  /** The shared state, for constructing this controller in another thread (`state` option). */
  get state(): SharedArrayBuffer {
    return this.#state.buffer;
  }

  /** The command byte. */
  get commandByte(): number {
    return this.#state.locked(() => this.#ram[0]!);
  }

  read(offset: number, data: Uint8Array): void {
    this.#state.run(this.#readLocked, offset, data);
  }

  write(offset: number, data: Uint8Array): void {
    this.#state.run(this.#writeLocked, offset, data);
  }

  /**
   * The whole access under the lock (bound once, so an access allocates no closure): a wide
   * access is split into byte accesses (as the ISA bus splits it), and other threads see them as
   * one step.
   */
  readonly #readLocked = (offset: number, data: Uint8Array): void => {
    readBytes(offset, data, this.#readPort);
    this.#updateIrqs();
  };

  readonly #writeLocked = (offset: number, data: Uint8Array): void => {
    writeBytes(offset, data, this.#writePort);
    this.#updateIrqs();
  };

  readonly #readPort = (offset: number): number => {
    switch (offset) {
      case 0:
        return this.#readData();
      case 1: {
        const refresh = !this.#flag(FLAG_REFRESH);
        this.#setFlag(FLAG_REFRESH, refresh);
        return (this.#words[W_PORT_B]! & 0x0f) | (refresh ? PORT_B_REFRESH : 0) | PORT_B_TIMER2_OUT;
      }
      case 4:
        return this.#status();
      default:
        this.#log.warn(`read of port ${hex(I8042.BASE + offset)}: nothing there`, `read ${String(offset)}`);
        return 0xff;
    }
  };

  readonly #writePort = (offset: number, value: number): void => {
    switch (offset) {
      case 0:
        this.#setFlag(FLAG_LAST_WAS_COMMAND, false);
        this.#writeData(value);
        return;
      case 1:
        this.#words[W_PORT_B] = value & 0x0f;
        return;
      case 4:
        this.#setFlag(FLAG_LAST_WAS_COMMAND, true);
        this.#command(value);
        return;
      default:
        this.#log.warn(`write ${hex(value, 2)} to port ${hex(I8042.BASE + offset)}: nothing there`, `write ${String(offset)}`);
    }
  };

  get #commandByte(): number {
    return this.#ram[0]!;
  }

  #flag(bit: number): boolean {
    return (this.#words[W_FLAGS]! & bit) !== 0;
  }

  #setFlag(bit: number, on: boolean): void {
    const flags = this.#words[W_FLAGS]!;
    this.#words[W_FLAGS] = on ? flags | bit : flags & ~bit;
  }

  /** The source of the byte at the head of the output queue, or undefined when it is empty. */
  #headSource(): Source | undefined {
    if (this.#words[W_QUEUE_LENGTH] === 0) return undefined;
    return this.#queueSources[this.#words[W_QUEUE_HEAD]!] as Source;
  }

  #status(): number {
    const source = this.#headSource();
    return (
      (source !== undefined ? STATUS_OBF : 0) |
      (source === SOURCE_AUX ? STATUS_AUXDATA : 0) |
      (this.#commandByte & CTR_SYS ? STATUS_SYS : 0) |
      (this.#flag(FLAG_LAST_WAS_COMMAND) ? STATUS_CMD : 0) |
      STATUS_UNLOCKED |
      (this.#flag(FLAG_TIMEOUT) ? STATUS_TIMEOUT : 0)
    );
  }

  #readData(): number {
    const words = this.#words;
    const length = words[W_QUEUE_LENGTH]!;
    if (length > 0) {
      const head = words[W_QUEUE_HEAD]!;
      words[W_LAST_OUTPUT] = this.#queueBytes[head]!;
      words[W_QUEUE_HEAD] = (head + 1) % OUTPUT_QUEUE_DEPTH;
      words[W_QUEUE_LENGTH] = length - 1;
    }
    return words[W_LAST_OUTPUT]!;
  }

  #push(byte: number, source: Source): void {
    const words = this.#words;
    const length = words[W_QUEUE_LENGTH]!;
    if (length >= OUTPUT_QUEUE_DEPTH) {
      this.#log.warn('output buffer overrun: the guest is not reading port 0x60; byte dropped', 'overrun');
      return;
    }
    const tail = (words[W_QUEUE_HEAD]! + length) % OUTPUT_QUEUE_DEPTH;
    this.#queueBytes[tail] = byte;
    this.#queueSources[tail] = source;
    words[W_QUEUE_LENGTH] = length + 1;
  }

  #command(command: number): void {
    this.#words[W_PENDING_COMMAND] = NONE;
    this.#setFlag(FLAG_TIMEOUT, false);
    if (command >= 0x20 && command <= 0x3f) {
      this.#push(this.#ram[command - 0x20]!, SOURCE_CONTROLLER);
      return;
    }
    if (command >= 0x60 && command <= 0x7f) {
      this.#words[W_PENDING_COMMAND] = command;
      return;
    }
    if (command >= 0xf0) {
      // "Pulse output line low": bits 3:0 select lines (0 = pulse); bit 0 is the reset line.
      if ((command & 0x01) === 0) this.#reset();
      return;
    }
    switch (command) {
      case I8042Command.DISABLE_AUX:
        this.#ram[0] = this.#commandByte | CTR_AUXDIS;
        return;
      case I8042Command.ENABLE_AUX:
        this.#ram[0] = this.#commandByte & ~CTR_AUXDIS;
        return;
      case I8042Command.AUX_TEST:
      case I8042Command.KBD_TEST:
        this.#push(0x00, SOURCE_CONTROLLER);
        return;
      case I8042Command.SELF_TEST:
        this.#ram[0] = this.#commandByte | CTR_SYS;
        this.#push(SELF_TEST_PASSED, SOURCE_CONTROLLER);
        return;
      case I8042Command.DISABLE_KBD:
        this.#ram[0] = this.#commandByte | CTR_KBDDIS;
        return;
      case I8042Command.ENABLE_KBD:
        this.#ram[0] = this.#commandByte & ~CTR_KBDDIS;
        return;
      case I8042Command.READ_INPUT_PORT:
        // Bit 7: keyboard not inhibited; bit 5: no manufacturing jumper; bit 4: 512 KiB base RAM.
        this.#push(0xb0, SOURCE_CONTROLLER);
        return;
      case I8042Command.READ_OUTPUT_PORT:
        this.#push(this.#words[W_OUTPUT_PORT]!, SOURCE_CONTROLLER);
        return;
      case I8042Command.READ_TEST_INPUTS:
        this.#push(0x00, SOURCE_CONTROLLER);
        return;
      case I8042Command.WRITE_OUTPUT_PORT:
      case I8042Command.WRITE_KBD_OUTPUT:
      case I8042Command.WRITE_AUX_OUTPUT:
      case I8042Command.WRITE_AUX:
        this.#words[W_PENDING_COMMAND] = command;
        return;
      default:
        this.#log.warn(`unknown controller command ${hex(command, 2)} ignored`, `command ${String(command)}`);
    }
  }

  #writeData(value: number): void {
    const command = this.#words[W_PENDING_COMMAND]!;
    this.#words[W_PENDING_COMMAND] = NONE;
    if (command === NONE) {
      this.#keyboard(value);
      return;
    }
    if (command >= 0x60 && command <= 0x7f) {
      this.#ram[command - 0x60] = value;
      return;
    }
    switch (command) {
      case I8042Command.WRITE_OUTPUT_PORT:
        this.#words[W_OUTPUT_PORT] = value;
        if ((value & OUTPUT_PORT_RESET) === 0) this.#reset();
        return;
      case I8042Command.WRITE_KBD_OUTPUT:
        this.#push(value, SOURCE_KEYBOARD);
        return;
      case I8042Command.WRITE_AUX_OUTPUT:
        this.#push(value, SOURCE_AUX);
        return;
      case I8042Command.WRITE_AUX:
        this.#setFlag(FLAG_TIMEOUT, true);
        this.#log.warn('byte for the aux device dropped: there is none', 'aux write');
        return;
    }
  }

  /** A byte sent to the keyboard. */
  #keyboard(value: number): void {
    const command = this.#words[W_KBD_PENDING_COMMAND]!;
    if (command !== NONE) {
      // The parameter of 0xED (LEDs), 0xF0 (scan code set) or 0xF3 (typematic rate).
      this.#words[W_KBD_PENDING_COMMAND] = NONE;
      this.#push(KBD_ACK, SOURCE_KEYBOARD);
      if (command === 0xf0 && value === 0) this.#push(0x02, SOURCE_KEYBOARD);
      return;
    }
    switch (value) {
      case 0xee: // echo
        this.#push(0xee, SOURCE_KEYBOARD);
        return;
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.#words[W_KBD_PENDING_COMMAND] = value;
        this.#push(KBD_ACK, SOURCE_KEYBOARD);
        return;
      case 0xf2: // identify: an MF2 keyboard
        this.#push(KBD_ACK, SOURCE_KEYBOARD);
        this.#push(0xab, SOURCE_KEYBOARD);
        this.#push(0x83, SOURCE_KEYBOARD);
        return;
      case 0xff: // reset and self-test (BAT)
        this.#push(KBD_ACK, SOURCE_KEYBOARD);
        this.#push(KBD_BAT_PASSED, SOURCE_KEYBOARD);
        return;
      default:
        this.#push(KBD_ACK, SOURCE_KEYBOARD);
    }
  }

  #reset(): void {
    try {
      this.#onReset();
    } catch (error) {
      this.#log.warn(`onReset failed: ${error instanceof Error ? error.message : String(error)}`, 'onReset failed');
    }
  }

  #updateIrqs(): void {
    const source = this.#headSource();
    this.#irq.set(source === SOURCE_KEYBOARD && (this.#commandByte & CTR_KBDINT) !== 0);
    this.#auxIrq.set(source === SOURCE_AUX && (this.#commandByte & CTR_AUXINT) !== 0);
  }
}
