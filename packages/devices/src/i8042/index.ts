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
 */
import { type BusDevice, readBytes, writeBytes } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';
import { IrqLevel, type IrqLine } from '../irq/index.ts';

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

type Source = 'controller' | 'keyboard' | 'aux';

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

  /** Controller RAM; byte 0 is the command byte. */
  readonly #ram = new Uint8Array(32);
  #output: { byte: number; source: Source }[] = [];
  #lastOutput = 0;
  #pendingCommand: number | undefined;
  #kbdPendingCommand: number | undefined;
  #lastWasCommand = false;
  #timeout = false;
  #outputPort = DEFAULT_OUTPUT_PORT;
  #portB = 0;
  #refresh = false;

  constructor(options: I8042Options = {}) {
    this.#onReset = options.onReset ?? (() => {});
    this.#irq = new IrqLevel(options.irq);
    this.#auxIrq = new IrqLevel(options.auxIrq);
    this.#log = new LogOnce(options.log, this.label);
    this.#ram[0] = DEFAULT_CTR;
  }

  /** The command byte. */
  get commandByte(): number {
    return this.#ram[0]!;
  }

  read(offset: number, data: Uint8Array): void {
    readBytes(offset, data, (o) => this.#readPort(o));
    this.#updateIrqs();
  }

  write(offset: number, data: Uint8Array): void {
    writeBytes(offset, data, (o, v) => this.#writePort(o, v));
    this.#updateIrqs();
  }

  #readPort(offset: number): number {
    switch (offset) {
      case 0:
        return this.#readData();
      case 1:
        this.#refresh = !this.#refresh;
        return (this.#portB & 0x0f) | (this.#refresh ? PORT_B_REFRESH : 0) | PORT_B_TIMER2_OUT;
      case 4:
        return this.#status();
      default:
        this.#log.warn(`read of port ${hex(I8042.BASE + offset)}: nothing there`, `read ${String(offset)}`);
        return 0xff;
    }
  }

  #writePort(offset: number, value: number): void {
    switch (offset) {
      case 0:
        this.#lastWasCommand = false;
        this.#writeData(value);
        return;
      case 1:
        this.#portB = value & 0x0f;
        return;
      case 4:
        this.#lastWasCommand = true;
        this.#command(value);
        return;
      default:
        this.#log.warn(`write ${hex(value, 2)} to port ${hex(I8042.BASE + offset)}: nothing there`, `write ${String(offset)}`);
    }
  }

  #status(): number {
    const head = this.#output[0];
    return (
      (head !== undefined ? STATUS_OBF : 0) |
      (head?.source === 'aux' ? STATUS_AUXDATA : 0) |
      (this.commandByte & CTR_SYS ? STATUS_SYS : 0) |
      (this.#lastWasCommand ? STATUS_CMD : 0) |
      STATUS_UNLOCKED |
      (this.#timeout ? STATUS_TIMEOUT : 0)
    );
  }

  #readData(): number {
    const head = this.#output.shift();
    if (head !== undefined) this.#lastOutput = head.byte;
    return this.#lastOutput;
  }

  #push(byte: number, source: Source): void {
    if (this.#output.length >= OUTPUT_QUEUE_DEPTH) {
      this.#log.warn('output buffer overrun: the guest is not reading port 0x60; byte dropped', 'overrun');
      return;
    }
    this.#output.push({ byte, source });
  }

  #command(command: number): void {
    this.#pendingCommand = undefined;
    this.#timeout = false;
    if (command >= 0x20 && command <= 0x3f) {
      this.#push(this.#ram[command - 0x20]!, 'controller');
      return;
    }
    if (command >= 0x60 && command <= 0x7f) {
      this.#pendingCommand = command;
      return;
    }
    if (command >= 0xf0) {
      // "Pulse output line low": bits 3:0 select lines (0 = pulse); bit 0 is the reset line.
      if ((command & 0x01) === 0) this.#reset();
      return;
    }
    switch (command) {
      case I8042Command.DISABLE_AUX:
        this.#ram[0] = this.commandByte | CTR_AUXDIS;
        return;
      case I8042Command.ENABLE_AUX:
        this.#ram[0] = this.commandByte & ~CTR_AUXDIS;
        return;
      case I8042Command.AUX_TEST:
      case I8042Command.KBD_TEST:
        this.#push(0x00, 'controller');
        return;
      case I8042Command.SELF_TEST:
        this.#ram[0] = this.commandByte | CTR_SYS;
        this.#push(SELF_TEST_PASSED, 'controller');
        return;
      case I8042Command.DISABLE_KBD:
        this.#ram[0] = this.commandByte | CTR_KBDDIS;
        return;
      case I8042Command.ENABLE_KBD:
        this.#ram[0] = this.commandByte & ~CTR_KBDDIS;
        return;
      case I8042Command.READ_INPUT_PORT:
        // Bit 7: keyboard not inhibited; bit 5: no manufacturing jumper; bit 4: 512 KiB base RAM.
        this.#push(0xb0, 'controller');
        return;
      case I8042Command.READ_OUTPUT_PORT:
        this.#push(this.#outputPort, 'controller');
        return;
      case I8042Command.READ_TEST_INPUTS:
        this.#push(0x00, 'controller');
        return;
      case I8042Command.WRITE_OUTPUT_PORT:
      case I8042Command.WRITE_KBD_OUTPUT:
      case I8042Command.WRITE_AUX_OUTPUT:
      case I8042Command.WRITE_AUX:
        this.#pendingCommand = command;
        return;
      default:
        this.#log.warn(`unknown controller command ${hex(command, 2)} ignored`, `command ${String(command)}`);
    }
  }

  #writeData(value: number): void {
    const command = this.#pendingCommand;
    this.#pendingCommand = undefined;
    if (command === undefined) {
      this.#keyboard(value);
      return;
    }
    if (command >= 0x60 && command <= 0x7f) {
      this.#ram[command - 0x60] = value;
      return;
    }
    switch (command) {
      case I8042Command.WRITE_OUTPUT_PORT:
        this.#outputPort = value;
        if ((value & OUTPUT_PORT_RESET) === 0) this.#reset();
        return;
      case I8042Command.WRITE_KBD_OUTPUT:
        this.#push(value, 'keyboard');
        return;
      case I8042Command.WRITE_AUX_OUTPUT:
        this.#push(value, 'aux');
        return;
      case I8042Command.WRITE_AUX:
        this.#timeout = true;
        this.#log.warn('byte for the aux device dropped: there is none', 'aux write');
        return;
    }
  }

  /** A byte sent to the keyboard. */
  #keyboard(value: number): void {
    if (this.#kbdPendingCommand !== undefined) {
      // The parameter of 0xED (LEDs), 0xF0 (scan code set) or 0xF3 (typematic rate).
      const command = this.#kbdPendingCommand;
      this.#kbdPendingCommand = undefined;
      this.#push(KBD_ACK, 'keyboard');
      if (command === 0xf0 && value === 0) this.#push(0x02, 'keyboard');
      return;
    }
    switch (value) {
      case 0xee: // echo
        this.#push(0xee, 'keyboard');
        return;
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.#kbdPendingCommand = value;
        this.#push(KBD_ACK, 'keyboard');
        return;
      case 0xf2: // identify: an MF2 keyboard
        this.#push(KBD_ACK, 'keyboard');
        this.#push(0xab, 'keyboard');
        this.#push(0x83, 'keyboard');
        return;
      case 0xff: // reset and self-test (BAT)
        this.#push(KBD_ACK, 'keyboard');
        this.#push(KBD_BAT_PASSED, 'keyboard');
        return;
      default:
        this.#push(KBD_ACK, 'keyboard');
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
    const head = this.#output[0];
    this.#irq.set(head?.source === 'keyboard' && (this.commandByte & CTR_KBDINT) !== 0);
    this.#auxIrq.set(head?.source === 'aux' && (this.commandByte & CTR_AUXINT) !== 0);
  }
}
