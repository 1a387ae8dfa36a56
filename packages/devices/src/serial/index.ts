/**
 * An 8250/16550A UART (National Semiconductor PC16550D) for the guest's serial console: the
 * eight registers at base 0x3f8 (COM1; the VMM wires IRQ 4), with divisor latch, 16-byte FIFOs,
 * interrupt identification by priority, modem lines and loopback.
 *
 * Transmission is instantaneous: a byte written to THR goes to {@link SerialOptions.output} at
 * once, so THR and the transmitter are always empty (LSR.THRE = LSR.TEMT = 1) and the THRE
 * interrupt re-arms right after each write. Host input goes through {@link Serial.queueInput} into
 * a host-side queue that refills the 16-byte receiver FIFO as the guest drains it, so host input
 * never overruns; only loopback data can (LSR.OE).
 *
 * Behaviour Linux's 8250 driver (drivers/tty/serial/8250/8250_port.c) relies on:
 * - `autoconfig()`: IER[3:0] read back as written and IER[7:4] read as 0; loopback with
 *   MCR = LOOP|OUT2|RTS reads MSR[7:4] = DCD|CTS (0x90); FCR = 0x01 makes IIR[7:6] = 11
 *   (16550A); IIR[5:4] read 0 (no 64-byte FIFO); scratch register holds its value.
 * - `serial8250_do_startup()` THRE test: enabling ETBEI with THR empty makes IIR report THRE; reading
 *   IIR clears it; writing IER = 0 and then ETBEI again re-asserts it ("Real 16550s should always
 *   reassert this interrupt whenever the transmitter is idle and the interrupt is enabled").
 *   Here a write to IER that turns ETBEI on (a rising edge of IER[1]) while THR is empty sets the
 *   THRE interrupt; QEMU and Bochs do the same. crosvm re-arms on every IER write with ETBEI set.
 * - the console (`serial8250_console_write`) polls LSR for THRE|TEMT and restores IER afterwards.
 *
 * Choices where the datasheet leaves room:
 * - the character timeout (IIR = 0x0C) is reported as soon as the FIFO holds fewer bytes than the
 *   trigger level: there is no bit clock, so four character times have always passed;
 * - the IRQ output is not gated by MCR.OUT2 (a PC serial card gates it; crosvm, QEMU and
 *   Firecracker do not, and Linux sets OUT2 before enabling interrupts either way);
 * - reading RBR with the FIFO empty returns the last byte received; LSR and MSR ignore writes;
 * - breaks and parity/framing errors never occur (no physical line).
 *
 * Shared between threads: every vCPU's worker thread can emulate its own port-I/O exits on its
 * own `Serial` over one {@link DeviceState} (the first instance's {@link Serial.state}, passed to
 * the others as {@link SerialOptions.state}), as crosvm's vCPU threads share one device behind a
 * mutex. Shared, and changed only under the state's lock: every register (IER, LCR, MCR, SCR, the
 * divisor latch, the FCR settings, LSR errors, MSR deltas, the pending THRE interrupt, the last byte
 * received), the receiver FIFO, the host input queue and the IRQ level, so the instances act as
 * one UART and an interrupt edge is driven once, by the instance whose access makes it. Per
 * instance: the `output` callback (called under the lock, so bytes leave in THR order whichever
 * thread wrote them), the `irq` line (each thread's own handle on the same GSI, also driven under
 * the lock) and the log ({@link LogOnce} is per instance, so each thread logs a given message
 * once). The state's size depends on `inputCapacity`: every instance must be built with the same
 * one, or the constructor throws a `DeviceStateError`.
 */
import { type BusDevice, readBytes, writeBytes } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';
import { IrqLevel, type IrqLine } from '../irq/index.ts';
import { ByteRing, DeviceState } from '../shared/index.ts';

/** Register offsets from the base (PC16550D Table II). */
export const SerialRegister = {
  /** RBR (read) / THR (write); DLL when LCR.DLAB = 1. */
  DATA: 0,
  /** IER; DLM when LCR.DLAB = 1. */
  IER: 1,
  /** IIR (read) / FCR (write). */
  IIR_FCR: 2,
  LCR: 3,
  MCR: 4,
  LSR: 5,
  MSR: 6,
  SCR: 7,
} as const;

/** IER bits. */
export const IER_ERBFI = 0x01;
export const IER_ETBEI = 0x02;
export const IER_ELSI = 0x04;
export const IER_EDSSI = 0x08;
/** IIR values (bits 3:0) in priority order, highest first, and the FIFO-enabled bits. */
export const IIR_LINE_STATUS = 0x06;
export const IIR_RX_DATA = 0x04;
export const IIR_CHAR_TIMEOUT = 0x0c;
export const IIR_THRE = 0x02;
export const IIR_MODEM_STATUS = 0x00;
export const IIR_NO_INTERRUPT = 0x01;
export const IIR_FIFOS_ENABLED = 0xc0;
/** FCR bits. */
export const FCR_FIFO_ENABLE = 0x01;
export const FCR_CLEAR_RX = 0x02;
export const FCR_CLEAR_TX = 0x04;
/** LCR.DLAB. */
export const LCR_DLAB = 0x80;
/** MCR bits. */
export const MCR_DTR = 0x01;
export const MCR_RTS = 0x02;
export const MCR_OUT1 = 0x04;
export const MCR_OUT2 = 0x08;
export const MCR_LOOP = 0x10;
/** LSR bits. */
export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
/** MSR bits: deltas (3:0) and line states (7:4). */
export const MSR_DCTS = 0x01;
export const MSR_DDSR = 0x02;
export const MSR_TERI = 0x04;
export const MSR_DDCD = 0x08;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_RI = 0x40;
export const MSR_DCD = 0x80;

/** Bytes in each FIFO of a 16550A. */
export const FIFO_SIZE = 16;
/** Receiver FIFO trigger levels selected by FCR[7:6]. */
const RX_TRIGGER_LEVELS = [1, 4, 8, 14] as const;
/** The divisor after reset: 12, i.e. 9600 baud from a 1.8432 MHz clock (crosvm's default). */
const DEFAULT_DIVISOR = 12;
/** The modem lines the other end drives when not in loopback: CTS, DSR and DCD asserted, RI not. */
const REMOTE_MODEM_LINES = MSR_CTS | MSR_DSR | MSR_DCD;
/** The host input queue's default capacity. */
export const DEFAULT_INPUT_CAPACITY = 64 * 1024;

/** Options of a {@link Serial}. */
export interface SerialOptions {
  /** Receives each byte the guest transmits (a fresh one-byte array per byte), under the state's lock. */
  output?: (bytes: Uint8Array) => void;
  /** The UART's interrupt output, level-driven (COM1 is IRQ 4). */
  irq?: IrqLine;
  /** Where messages about odd guest accesses go (default `console.warn`). */
  log?: DeviceLog;
  /**
   * Bytes of host input held before the guest reads them; more are dropped (default 64 KiB). An
   * instance attaching to a `state` must give the same value as the one that allocated it.
   */
  inputCapacity?: number;
  /** A name for log messages and errors (default "serial"). */
  label?: string;
  /**
   * The shared state of another `Serial` ({@link Serial.state}, e.g. received by a worker thread):
   * this instance attaches to it as it is, without a reset. Absent: a fresh state, reset.
   */
  state?: SharedArrayBuffer;
}

/** The Int32 words of the shared state. */
const Word = {
  IER: 0,
  LCR: 1,
  MCR: 2,
  LSR_ERRORS: 3,
  SCRATCH: 4,
  DIVISOR: 5,
  /** 0 or 1. */
  FIFO_ENABLED: 6,
  RX_TRIGGER: 7,
  /** 0 or 1. */
  THRE_PENDING: 8,
  MSR_DELTAS: 9,
  LAST_RX: 10,
  /** The {@link IrqLevel} cell. */
  IRQ_LEVEL: 11,
  /** Two words each: a {@link ByteRing}'s head and length. */
  RX_FIFO: 12,
  HOST_INPUT: 14,
} as const;
const WORDS = 16;
/** The byte region: the receiver FIFO, then the host input queue. */
const RX_FIFO_BYTES = 0;
const HOST_INPUT_BYTES = FIFO_SIZE;

/** The UART. Insert it on the port-I/O bus at 0x3f8 with length {@link Serial.LENGTH}. */
export class Serial implements BusDevice {
  /** The number of ports the UART decodes. */
  static readonly LENGTH = 8;
  readonly label: string;

  readonly #output: (bytes: Uint8Array) => void;
  readonly #log: LogOnce;
  readonly #state: DeviceState;
  readonly #words: Int32Array;
  readonly #irq: IrqLevel;
  readonly #hostInput: ByteRing;
  readonly #rxFifo: ByteRing;

  readonly #readByte = (offset: number): number => this.#readRegister(offset);
  readonly #writeByte = (offset: number, value: number): void => this.#writeRegister(offset, value);

  /**
   * @throws {RangeError} when `inputCapacity` is not a positive integer.
   * @throws {DeviceStateError} when `state` is not a SharedArrayBuffer of the size this
   *   `inputCapacity` gives (another device's, or a UART's built with another capacity).
   */
  constructor(options: SerialOptions = {}) {
    const capacity = options.inputCapacity ?? DEFAULT_INPUT_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`inputCapacity must be a positive integer, got ${String(capacity)}`);
    this.label = options.label ?? 'serial';
    this.#output = options.output ?? (() => {});
    this.#log = new LogOnce(options.log, this.label);
    this.#state = new DeviceState(this.label, WORDS, FIFO_SIZE + capacity, options.state);
    this.#words = this.#state.words;
    this.#irq = new IrqLevel(options.irq, this.#words, Word.IRQ_LEVEL);
    this.#rxFifo = new ByteRing(this.#state, Word.RX_FIFO, RX_FIFO_BYTES, FIFO_SIZE);
    this.#hostInput = new ByteRing(this.#state, Word.HOST_INPUT, HOST_INPUT_BYTES, capacity);
    if (this.#state.fresh) {
      // A new buffer is all zeros: registers, FIFOs, IRQ level low. The rest of the reset values:
      this.#divisor = DEFAULT_DIVISOR;
      this.#rxTrigger = RX_TRIGGER_LEVELS[0];
    }
  }

  /** The shared state, to hand to another thread's `Serial` as {@link SerialOptions.state}. */
  get state(): SharedArrayBuffer {
    return this.#state.buffer;
  }

  /**
   * Queues bytes from the host for the guest to receive, in order; returns how many were accepted
   * (the rest did not fit in the input queue and were dropped). Raises the receive interrupt if
   * enabled. In loopback mode the receiver is disconnected from the line, so the bytes wait.
   */
  queueInput(bytes: Uint8Array): number {
    return this.#state.locked(() => {
      let accepted = 0;
      for (const byte of bytes) {
        if (!this.#hostInput.push(byte)) break;
        accepted++;
      }
      if (accepted < bytes.length) this.#log.warn(`host input queue full (${String(this.#hostInput.capacity)} bytes): dropped input`);
      this.#refillRx();
      this.#updateIrq();
      return accepted;
    });
  }

  /** Bytes queued by the host that the guest has not read yet (FIFO included). */
  get pendingInput(): number {
    return this.#state.locked(() => this.#hostInput.length + this.#rxFifo.length);
  }

  /** The divisor latch (DLM:DLL), for a VMM that wants to report the baud rate. */
  get divisor(): number {
    return this.#state.locked(() => this.#divisor);
  }

  read(offset: number, data: Uint8Array): void {
    this.#state.run(this.#readLocked, offset, data);
  }

  write(offset: number, data: Uint8Array): void {
    this.#state.run(this.#writeLocked, offset, data);
  }

  /**
   * `read` and `write` under the lock, bound once: the hot path (LSR polls and THR writes, once
   * per console character) allocates no closure per access.
   */
  readonly #readLocked = (offset: number, data: Uint8Array): void => {
    readBytes(offset, data, this.#readByte);
    this.#updateIrq();
  };

  readonly #writeLocked = (offset: number, data: Uint8Array): void => {
    writeBytes(offset, data, this.#writeByte);
    this.#updateIrq();
  };

  // The registers, as words of the shared state.
  get #ier(): number {
    return this.#words[Word.IER]!;
  }
  set #ier(value: number) {
    this.#words[Word.IER] = value;
  }
  get #lcr(): number {
    return this.#words[Word.LCR]!;
  }
  set #lcr(value: number) {
    this.#words[Word.LCR] = value;
  }
  get #mcr(): number {
    return this.#words[Word.MCR]!;
  }
  set #mcr(value: number) {
    this.#words[Word.MCR] = value;
  }
  get #lsrErrors(): number {
    return this.#words[Word.LSR_ERRORS]!;
  }
  set #lsrErrors(value: number) {
    this.#words[Word.LSR_ERRORS] = value;
  }
  get #scratch(): number {
    return this.#words[Word.SCRATCH]!;
  }
  set #scratch(value: number) {
    this.#words[Word.SCRATCH] = value;
  }
  get #divisor(): number {
    return this.#words[Word.DIVISOR]!;
  }
  set #divisor(value: number) {
    this.#words[Word.DIVISOR] = value;
  }
  get #fifoEnabled(): boolean {
    return this.#words[Word.FIFO_ENABLED] !== 0;
  }
  set #fifoEnabled(value: boolean) {
    this.#words[Word.FIFO_ENABLED] = value ? 1 : 0;
  }
  get #rxTrigger(): number {
    return this.#words[Word.RX_TRIGGER]!;
  }
  set #rxTrigger(value: number) {
    this.#words[Word.RX_TRIGGER] = value;
  }
  get #threPending(): boolean {
    return this.#words[Word.THRE_PENDING] !== 0;
  }
  set #threPending(value: boolean) {
    this.#words[Word.THRE_PENDING] = value ? 1 : 0;
  }
  get #msrDeltas(): number {
    return this.#words[Word.MSR_DELTAS]!;
  }
  set #msrDeltas(value: number) {
    this.#words[Word.MSR_DELTAS] = value;
  }
  get #lastRx(): number {
    return this.#words[Word.LAST_RX]!;
  }
  set #lastRx(value: number) {
    this.#words[Word.LAST_RX] = value;
  }

  get #dlab(): boolean {
    return (this.#lcr & LCR_DLAB) !== 0;
  }

  get #loopback(): boolean {
    return (this.#mcr & MCR_LOOP) !== 0;
  }

  #readRegister(offset: number): number {
    switch (offset) {
      case SerialRegister.DATA:
        return this.#dlab ? this.#divisor & 0xff : this.#readRbr();
      case SerialRegister.IER:
        return this.#dlab ? this.#divisor >>> 8 : this.#ier;
      case SerialRegister.IIR_FCR:
        return this.#readIir();
      case SerialRegister.LCR:
        return this.#lcr;
      case SerialRegister.MCR:
        return this.#mcr;
      case SerialRegister.LSR:
        return this.#readLsr();
      case SerialRegister.MSR:
        return this.#readMsr();
      case SerialRegister.SCR:
        return this.#scratch;
      default:
        this.#log.warn(`read at offset ${hex(offset)} outside the UART's 8 registers`);
        return 0xff;
    }
  }

  #writeRegister(offset: number, value: number): void {
    switch (offset) {
      case SerialRegister.DATA:
        if (this.#dlab) this.#divisor = (this.#divisor & 0xff00) | value;
        else this.#writeThr(value);
        return;
      case SerialRegister.IER:
        if (this.#dlab) this.#divisor = (this.#divisor & 0x00ff) | (value << 8);
        else this.#writeIer(value);
        return;
      case SerialRegister.IIR_FCR:
        this.#writeFcr(value);
        return;
      case SerialRegister.LCR:
        this.#lcr = value;
        return;
      case SerialRegister.MCR:
        this.#writeMcr(value);
        return;
      case SerialRegister.SCR:
        this.#scratch = value;
        return;
      case SerialRegister.LSR:
      case SerialRegister.MSR:
        this.#log.warn(`write ${hex(value, 2)} to the read-only ${offset === SerialRegister.LSR ? 'LSR' : 'MSR'} ignored`, `write to read-only ${String(offset)}`);
        return;
      default:
        this.#log.warn(`write at offset ${hex(offset)} outside the UART's 8 registers`);
    }
  }

  #readRbr(): number {
    const byte = this.#rxFifo.shift();
    if (byte !== undefined) this.#lastRx = byte;
    this.#refillRx();
    return this.#lastRx;
  }

  #writeThr(value: number): void {
    // Writing THR clears the THRE interrupt; the byte leaves at once and THR is empty again, which
    // is the event that sets it (PC16550D Table IV, "Interrupt Control Functions").
    if (this.#loopback) {
      // "The output of the Transmitter Shift Register is looped back into the Receiver Shift
      // Register input ... data that is transmitted is immediately received." A full FIFO
      // overruns: the new character is lost and LSR.OE is set.
      if (this.#rxFifo.length >= this.#rxCapacity) this.#lsrErrors |= LSR_OE;
      else this.#rxFifo.push(value);
    } else {
      try {
        this.#output(Uint8Array.of(value));
      } catch (error) {
        this.#log.warn(`output sink failed: ${error instanceof Error ? error.message : String(error)}`, 'output sink failed');
      }
    }
    this.#threPending = true;
  }

  #writeIer(value: number): void {
    const rising = value & ~this.#ier & IER_ETBEI;
    this.#ier = value & 0x0f;
    // THR is always empty here, so turning ETBEI on always finds THRE set.
    if (rising) this.#threPending = true;
  }

  #writeFcr(value: number): void {
    const enable = (value & FCR_FIFO_ENABLE) !== 0;
    if (enable !== this.#fifoEnabled) {
      // "When changing from the FIFO Mode to the 16450 Mode and vice versa, data is automatically
      // cleared from the FIFOs."
      this.#fifoEnabled = enable;
      this.#rxFifo.clear();
    }
    // "This bit must be a 1 when other FCR bits are written to or they will not be programmed."
    if (enable) {
      if (value & FCR_CLEAR_RX) this.#rxFifo.clear();
      // FCR_CLEAR_TX: the transmitter FIFO is always empty.
      this.#rxTrigger = RX_TRIGGER_LEVELS[value >>> 6]!;
    }
    this.#refillRx();
  }

  #writeMcr(value: number): void {
    const before = this.#modemInputs();
    const wasLoopback = this.#loopback;
    this.#mcr = value & 0x1f;
    this.#noteModemChange(before, this.#modemInputs());
    // Leaving loopback reconnects the receiver to the line: pending host input flows again.
    if (wasLoopback && !this.#loopback) this.#refillRx();
  }

  #readIir(): number {
    const id = this.#interruptId();
    // "Reading the IIR Register (if source of interrupt)" resets the THRE interrupt.
    if (id === IIR_THRE) this.#threPending = false;
    return id | (this.#fifoEnabled ? IIR_FIFOS_ENABLED : 0);
  }

  #readLsr(): number {
    const value = (this.#rxFifo.length > 0 ? LSR_DR : 0) | this.#lsrErrors | LSR_THRE | LSR_TEMT;
    // Reading LSR resets the error bits (and with them the receiver line status interrupt).
    this.#lsrErrors = 0;
    return value;
  }

  #readMsr(): number {
    const value = this.#modemInputs() | this.#msrDeltas;
    this.#msrDeltas = 0;
    return value;
  }

  /** MSR[7:4]: the line states; in loopback, "DTR, RTS, OUT1, OUT2 are internally connected to DSR, CTS, RI, DCD". */
  #modemInputs(): number {
    if (!this.#loopback) return REMOTE_MODEM_LINES;
    return (
      (this.#mcr & MCR_RTS ? MSR_CTS : 0) |
      (this.#mcr & MCR_DTR ? MSR_DSR : 0) |
      (this.#mcr & MCR_OUT1 ? MSR_RI : 0) |
      (this.#mcr & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  /** Accumulates the MSR delta bits for a change of line states; TERI is set on RI's trailing edge only. */
  #noteModemChange(before: number, after: number): void {
    const changed = before ^ after;
    if (changed & MSR_CTS) this.#msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.#msrDeltas |= MSR_DDSR;
    if (before & MSR_RI & ~after) this.#msrDeltas |= MSR_TERI;
    if (changed & MSR_DCD) this.#msrDeltas |= MSR_DDCD;
  }

  get #rxCapacity(): number {
    return this.#fifoEnabled ? FIFO_SIZE : 1;
  }

  #refillRx(): void {
    if (this.#loopback) return;
    while (this.#rxFifo.length < this.#rxCapacity && this.#hostInput.length > 0) this.#rxFifo.push(this.#hostInput.shift()!);
  }

  /** IIR[3:0]: the highest-priority enabled pending interrupt (PC16550D Table IV). */
  #interruptId(): number {
    if (this.#ier & IER_ELSI && this.#lsrErrors) return IIR_LINE_STATUS;
    if (this.#ier & IER_ERBFI && this.#rxFifo.length > 0) {
      return this.#fifoEnabled && this.#rxFifo.length < this.#rxTrigger ? IIR_CHAR_TIMEOUT : IIR_RX_DATA;
    }
    if (this.#ier & IER_ETBEI && this.#threPending) return IIR_THRE;
    if (this.#ier & IER_EDSSI && this.#msrDeltas) return IIR_MODEM_STATUS;
    return IIR_NO_INTERRUPT;
  }

  #updateIrq(): void {
    this.#irq.set(this.#interruptId() !== IIR_NO_INTERRUPT);
  }
}
