/**
 * The CMOS RAM and real-time clock (Motorola MC146818A) at ports 0x70 (index) and 0x71 (data),
 * answering the real time from an injectable clock, in UTC.
 *
 * - Port 0x70: bits 6:0 select one of 128 bytes; bit 7 disables NMI on a PC
 *   ({@link Cmos.nmiDisabled}). Reading it returns the index (as crosvm does; on many chipsets the
 *   port is write-only).
 * - 0x00-0x09: seconds, seconds alarm, minutes, minutes alarm, hours, hours alarm, day of week
 *   (1 = Sunday), day of month, month, year (two digits); 0x32: century (crosvm's and the IBM
 *   AT's place, the one ACPI's FADT usually names). Values are BCD unless register B's DM bit
 *   selects binary, and hours are 24-hour unless register B's 24/12 bit is clear (then 1-12 with
 *   bit 7 = PM). The default register B is 0x02: 24-hour, BCD, which is what Linux on x86 needs
 *   (`RTC_ALWAYS_BCD` is 1 there: it decodes BCD whatever DM says).
 * - Register A (0x0A): bits 6:0 as written (default 0x26: 32.768 kHz time base, 1024 Hz rate);
 *   bit 7, UIP, is 1 during the last 2 ms of each second, while SET is clear. The time registers
 *   change exactly when UIP falls, so "UIP clear" guarantees at least 244 µs before the next
 *   update, the datasheet's promise that Linux's `mc146818_get_time()` relies on.
 * - Register B (0x0B): all bits as written (SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE); setting SET
 *   clears UIE. While SET is 1 the clock registers hold still and take the guest's writes; when
 *   SET is cleared the written date becomes the guest's time (kept as an offset from the host
 *   clock). A write to a single clock register while SET is 0 changes that field at once. An
 *   invalid date is ignored (logged once).
 * - Register C (0x0C): read-only flags, cleared by reading: UF if a second boundary passed since
 *   the last read, AF if the alarm matched one, PF if a periodic interval (register A's rate)
 *   elapsed, and IRQF if any of those is enabled in register B. They are computed when read: the
 *   RTC has no timer here and raises no IRQ 8.
 * - Register D (0x0D): 0x80 (VRT: RAM and time valid). Linux checks that bit 6 is 0.
 * - Memory size, set at construction as crosvm (and the PC BIOS) do: 0x15/0x16 base memory in KiB
 *   (640), 0x17/0x18 and 0x30/0x31 memory from 1 MiB in KiB (at most 0xFFFF), 0x34/0x35 memory
 *   from 16 MiB to 4 GiB in 64 KiB units, 0x5B-0x5D memory above 4 GiB in 64 KiB units. The rest
 *   of the 128 bytes is plain RAM the guest may read and write.
 *
 * Changing DM or 24/12 changes how the clock reads from then on; the real chip would leave the
 * stored values in the old format until the guest rewrites them.
 *
 * Sharing between threads: every register (the 128 bytes of RAM, the index and the NMI bit, the
 * guest's offset from the host clock, the day-of-week adjustment, the clock registers held while
 * SET is 1, and the time register C was last read) lives in one {@link DeviceState}. Construct the
 * CMOS once, pass its {@link Cmos.state} to each vCPU thread, and construct it there with the
 * `state` option: each instance is then the same chip, and every access (a 2-byte access to
 * 0x70-0x71 included, so an index and its data go together) runs under the state's lock. Each
 * thread supplies its own `now` and log; `now` must be the same clock on every thread (the
 * default, host time, is), since the guest's time is kept as an offset from it.
 */
import { type BusDevice, readBytes, writeBytes } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';
import { DeviceState } from '../shared/index.ts';

/** CMOS register indices. */
export const CmosRegister = {
  SECONDS: 0x00,
  SECONDS_ALARM: 0x01,
  MINUTES: 0x02,
  MINUTES_ALARM: 0x03,
  HOURS: 0x04,
  HOURS_ALARM: 0x05,
  DAY_OF_WEEK: 0x06,
  DAY_OF_MONTH: 0x07,
  MONTH: 0x08,
  YEAR: 0x09,
  STATUS_A: 0x0a,
  STATUS_B: 0x0b,
  STATUS_C: 0x0c,
  STATUS_D: 0x0d,
  CENTURY: 0x32,
} as const;

/** Register A: update in progress. */
export const REG_A_UIP = 0x80;
/** Register B bits. */
export const REG_B_SET = 0x80;
export const REG_B_PIE = 0x40;
export const REG_B_AIE = 0x20;
export const REG_B_UIE = 0x10;
export const REG_B_DM_BINARY = 0x04;
export const REG_B_24H = 0x02;
/** Register C bits. */
export const REG_C_IRQF = 0x80;
export const REG_C_PF = 0x40;
export const REG_C_AF = 0x20;
export const REG_C_UF = 0x10;
/** Register D: valid RAM and time. */
export const REG_D_VRT = 0x80;

const DEFAULT_REG_A = 0x26;
const DEFAULT_REG_B = REG_B_24H;
/** UIP is set this many milliseconds before each second boundary (244 µs + 1984 µs update cycle, rounded up). */
const UIP_WINDOW_MS = 2;
const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const SECONDS_PER_DAY = 86_400;
/** The registers that hold the clock (alarms excepted). */
const CLOCK_REGISTERS: readonly number[] = [0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32];

/** The shared state's Int32 words. */
const W_INDEX = 0;
const W_FLAGS = 1;
/** Added to the computed day of week (1-7), mod 7, after the guest writes it. */
const W_DAY_OF_WEEK_DELTA = 2;
const WORDS = 3;
/** Bits of `W_FLAGS`: port 0x70 bit 7; the clock registers are held (SET went to 1). */
const FLAG_NMI_DISABLED = 0x1;
const FLAG_HELD = 0x2;
/**
 * The shared state's bytes: the RAM; the held clock registers, in {@link CLOCK_REGISTERS} order;
 * two little-endian doubles: the guest time minus the host time, and the guest time of the last
 * register C read (both in milliseconds).
 */
const RAM_SIZE = 128;
const B_HELD = RAM_SIZE;
const B_OFFSET_MS = B_HELD + CLOCK_REGISTERS.length;
const B_LAST_FLAGS_CHECK_MS = B_OFFSET_MS + 8;
const BYTES = B_LAST_FLAGS_CHECK_MS + 8;

/** The one error of this module, thrown only for bad construction options. */
export class CmosError extends Error {
  override readonly name = 'CmosError';
}

/** Options of a {@link Cmos}. */
export interface CmosOptions {
  /** Bytes of guest RAM below 4 GiB (checked, but not written when attaching to `state`). */
  memBelow4g: number;
  /** Bytes of guest RAM above 4 GiB (likewise). */
  memAbove4g: number;
  /**
   * The host clock (default `() => new Date()`). Every instance sharing a state must use the same
   * clock.
   */
  now?: () => Date;
  /** Where messages about odd guest accesses go (default `console.warn`). */
  log?: DeviceLog;
  /**
   * The state of a CMOS constructed elsewhere ({@link Cmos.state}), usually in another thread:
   * this instance attaches to it without resetting anything. Absent: a new chip, its RAM holding
   * the memory sizes.
   */
  state?: SharedArrayBuffer;
}

/** The CMOS/RTC. Insert it on the port-I/O bus at {@link Cmos.BASE} with length {@link Cmos.LENGTH}. */
export class Cmos implements BusDevice {
  static readonly BASE = 0x70;
  static readonly LENGTH = 2;
  readonly label = 'cmos';

  readonly #now: () => Date;
  readonly #log: LogOnce;
  readonly #state: DeviceState;
  readonly #words: Int32Array;
  readonly #ram: Uint8Array;
  /** The clock registers while they are held (SET went to 1), in {@link CLOCK_REGISTERS} order. */
  readonly #held: Uint8Array;
  /** The state's bytes, for its two doubles. */
  readonly #times: DataView;

  /**
   * @throws {CmosError} if a memory size is not a non-negative integer or `memBelow4g` exceeds 4 GiB.
   * @throws {DeviceStateError} if `state` is not the state of a Cmos.
   */
  constructor(options: CmosOptions) {
    const { memBelow4g, memAbove4g } = options;
    if (!Number.isSafeInteger(memBelow4g) || memBelow4g < 0 || memBelow4g > 4 * GIB) throw new CmosError(`memBelow4g must be an integer in [0, 4 GiB], got ${String(memBelow4g)}`);
    if (!Number.isSafeInteger(memAbove4g) || memAbove4g < 0) throw new CmosError(`memAbove4g must be a non-negative integer, got ${String(memAbove4g)}`);
    this.#now = options.now ?? (() => new Date());
    this.#log = new LogOnce(options.log, this.label);
    this.#state = new DeviceState(this.label, WORDS, BYTES, options.state);
    this.#words = this.#state.words;
    const bytes = this.#state.bytes;
    this.#ram = bytes.subarray(0, RAM_SIZE);
    this.#held = bytes.subarray(B_HELD, B_HELD + CLOCK_REGISTERS.length);
    this.#times = new DataView(this.#state.buffer, bytes.byteOffset, bytes.byteLength);
    if (!this.#state.fresh) return;
    // A new buffer is all zeros: index 0, NMI enabled, no offset, nothing held.
    const ram = this.#ram;
    ram[CmosRegister.STATUS_A] = DEFAULT_REG_A;
    ram[CmosRegister.STATUS_B] = DEFAULT_REG_B;
    const base = 640; // KiB below 640 KiB
    ram[0x15] = base & 0xff;
    ram[0x16] = base >>> 8;
    const extended = Math.min(0xffff, Math.floor(Math.max(0, memBelow4g - MIB) / KIB));
    ram[0x17] = ram[0x30] = extended & 0xff;
    ram[0x18] = ram[0x31] = extended >>> 8;
    const above16m = Math.min(0xffff, Math.floor(Math.max(0, memBelow4g - 16 * MIB) / (64 * KIB)));
    ram[0x34] = above16m & 0xff;
    ram[0x35] = above16m >>> 8;
    const above4g = Math.min(0xff_ffff, Math.floor(memAbove4g / (64 * KIB)));
    ram[0x5b] = above4g & 0xff;
    ram[0x5c] = (above4g >>> 8) & 0xff;
    ram[0x5d] = above4g >>> 16;
    this.#lastFlagsCheckMs = this.#guestMs();
  }

  /** The shared state, for constructing this CMOS in another thread (`state` option). */
  get state(): SharedArrayBuffer {
    return this.#state.buffer;
  }

  /** Whether the guest last wrote port 0x70 with bit 7 set (NMI disabled). */
  get nmiDisabled(): boolean {
    return this.#state.locked(() => this.#flag(FLAG_NMI_DISABLED));
  }

  /** The guest's idea of the current time (the host clock plus whatever the guest set). */
  get guestTime(): Date {
    return this.#state.locked(() => new Date(this.#guestMs()));
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
   * one step; so a 2-byte write to 0x70 sets the index and writes that register with no other
   * thread's index in between.
   */
  readonly #readLocked = (offset: number, data: Uint8Array): void => {
    readBytes(offset, data, this.#readPort);
  };

  readonly #writeLocked = (offset: number, data: Uint8Array): void => {
    writeBytes(offset, data, this.#writePort);
  };

  readonly #readPort = (offset: number): number => {
    if (offset === 0) return this.#words[W_INDEX]!;
    if (offset === 1) return this.#readRegister(this.#words[W_INDEX]!);
    this.#log.warn(`read at offset ${hex(offset)} outside the two ports`, 'read offset');
    return 0xff;
  };

  readonly #writePort = (offset: number, value: number): void => {
    if (offset === 0) {
      this.#words[W_INDEX] = value & 0x7f;
      this.#setFlag(FLAG_NMI_DISABLED, (value & 0x80) !== 0);
    } else if (offset === 1) {
      this.#writeRegister(this.#words[W_INDEX]!, value);
    } else {
      this.#log.warn(`write at offset ${hex(offset)} outside the two ports`, 'write offset');
    }
  };

  #flag(bit: number): boolean {
    return (this.#words[W_FLAGS]! & bit) !== 0;
  }

  #setFlag(bit: number, on: boolean): void {
    const flags = this.#words[W_FLAGS]!;
    this.#words[W_FLAGS] = on ? flags | bit : flags & ~bit;
  }

  /** Guest time minus host time, in milliseconds. */
  get #offsetMs(): number {
    return this.#times.getFloat64(B_OFFSET_MS, true);
  }

  set #offsetMs(ms: number) {
    this.#times.setFloat64(B_OFFSET_MS, ms, true);
  }

  /** Guest time of the last register C read. */
  get #lastFlagsCheckMs(): number {
    return this.#times.getFloat64(B_LAST_FLAGS_CHECK_MS, true);
  }

  set #lastFlagsCheckMs(ms: number) {
    this.#times.setFloat64(B_LAST_FLAGS_CHECK_MS, ms, true);
  }

  get #dayOfWeekDelta(): number {
    return this.#words[W_DAY_OF_WEEK_DELTA]!;
  }

  set #dayOfWeekDelta(delta: number) {
    this.#words[W_DAY_OF_WEEK_DELTA] = delta;
  }

  /** Holds the clock registers (SET went to 1). */
  #hold(registers: Map<number, number>): void {
    CLOCK_REGISTERS.forEach((index, slot) => (this.#held[slot] = registers.get(index)!));
    this.#setFlag(FLAG_HELD, true);
  }

  /** The held clock registers, no longer held. */
  #release(): Map<number, number> {
    this.#setFlag(FLAG_HELD, false);
    return new Map(CLOCK_REGISTERS.map((index, slot) => [index, this.#held[slot]!]));
  }

  /** Where clock register `index` is held, or -1 if it is not held (or not a clock register). */
  #heldSlot(index: number): number {
    return this.#flag(FLAG_HELD) ? CLOCK_REGISTERS.indexOf(index) : -1;
  }

  get #regB(): number {
    return this.#ram[CmosRegister.STATUS_B]!;
  }

  #hostMs(): number {
    let ms = Number.NaN;
    try {
      ms = this.#now().getTime();
    } catch {
      // handled below
    }
    if (!Number.isFinite(ms)) {
      this.#log.warn('the host clock gave no valid time; using the epoch', 'bad clock');
      return 0;
    }
    return ms;
  }

  #guestMs(): number {
    return this.#hostMs() + this.#offsetMs;
  }

  #readRegister(index: number): number {
    const slot = this.#heldSlot(index);
    if (slot >= 0) return this.#held[slot]!;
    switch (index) {
      case CmosRegister.STATUS_A: {
        const updating = (this.#regB & REG_B_SET) === 0 && mod(this.#guestMs(), 1000) >= 1000 - UIP_WINDOW_MS;
        return (this.#ram[index]! & 0x7f) | (updating ? REG_A_UIP : 0);
      }
      case CmosRegister.STATUS_C:
        return this.#readFlags();
      case CmosRegister.STATUS_D:
        return REG_D_VRT;
      default:
        if (CLOCK_REGISTERS.includes(index)) return this.#clockRegisters(this.#guestMs()).get(index)!;
        return this.#ram[index]!;
    }
  }

  #writeRegister(index: number, value: number): void {
    switch (index) {
      case CmosRegister.STATUS_A:
        this.#ram[index] = value & 0x7f;
        return;
      case CmosRegister.STATUS_B:
        this.#writeRegB(value);
        return;
      case CmosRegister.STATUS_C:
      case CmosRegister.STATUS_D:
        this.#log.warn(`write ${hex(value, 2)} to read-only register ${hex(index, 2)} ignored`, `write ${String(index)}`);
        return;
      default:
        if (!CLOCK_REGISTERS.includes(index)) {
          this.#ram[index] = value;
        } else if (this.#flag(FLAG_HELD)) {
          this.#held[CLOCK_REGISTERS.indexOf(index)] = value;
        } else {
          const now = this.#guestMs();
          const registers = this.#clockRegisters(now);
          registers.set(index, value);
          this.#setClock(registers, mod(now, 1000));
        }
    }
  }

  #writeRegB(value: number): void {
    const wasSet = (this.#regB & REG_B_SET) !== 0;
    const isSet = (value & REG_B_SET) !== 0;
    if (!wasSet && isSet) this.#hold(this.#clockRegisters(this.#guestMs()));
    // "UIE ... is cleared when the SET bit goes high."
    this.#ram[CmosRegister.STATUS_B] = isSet ? value & ~REG_B_UIE : value;
    if (wasSet && !isSet && this.#flag(FLAG_HELD)) {
      // The divider chain restarts: the set second begins now.
      this.#setClock(this.#release(), 0);
    }
  }

  /** The clock registers encoded for the guest time `ms`, in the current format. */
  #clockRegisters(ms: number): Map<number, number> {
    const date = new Date(ms);
    const year = date.getUTCFullYear();
    return new Map([
      [CmosRegister.SECONDS, this.#encode(date.getUTCSeconds())],
      [CmosRegister.MINUTES, this.#encode(date.getUTCMinutes())],
      [CmosRegister.HOURS, this.#encodeHours(date.getUTCHours())],
      [CmosRegister.DAY_OF_WEEK, this.#encode(mod(date.getUTCDay() + this.#dayOfWeekDelta, 7) + 1)],
      [CmosRegister.DAY_OF_MONTH, this.#encode(date.getUTCDate())],
      [CmosRegister.MONTH, this.#encode(date.getUTCMonth() + 1)],
      [CmosRegister.YEAR, this.#encode(mod(year, 100))],
      [CmosRegister.CENTURY, this.#encode(Math.floor(year / 100))],
    ]);
  }

  /**
   * Makes the date in `registers` (current format) the guest's time, `phaseMs` into its second;
   * ignores an invalid date.
   */
  #setClock(registers: Map<number, number>, phaseMs: number): void {
    const field = (index: number) => this.#decode(registers.get(index)!);
    const seconds = field(CmosRegister.SECONDS);
    const minutes = field(CmosRegister.MINUTES);
    const hours = this.#decodeHours(registers.get(CmosRegister.HOURS)!);
    const dayOfWeek = field(CmosRegister.DAY_OF_WEEK);
    const day = field(CmosRegister.DAY_OF_MONTH);
    const month = field(CmosRegister.MONTH);
    const year = field(CmosRegister.CENTURY) * 100 + field(CmosRegister.YEAR);
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hours, minutes, seconds, phaseMs);
    const valid =
      seconds <= 59 && minutes <= 59 && hours <= 23 && dayOfWeek >= 1 && dayOfWeek <= 7 &&
      Number.isFinite(date.getTime()) && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    if (!valid) {
      this.#log.warn(`the guest set an invalid date (${[...registers.values()].map((v) => hex(v, 2)).join(' ')}); the clock keeps its time`, 'invalid date');
      return;
    }
    this.#offsetMs = date.getTime() - this.#hostMs();
    this.#dayOfWeekDelta = mod(dayOfWeek - 1 - date.getUTCDay(), 7);
    this.#lastFlagsCheckMs = this.#guestMs();
  }

  #encode(value: number): number {
    if (this.#regB & REG_B_DM_BINARY) return value & 0xff;
    return ((Math.floor(value / 10) % 10) << 4) | value % 10;
  }

  /** A field's value, or NaN if it is not valid BCD in BCD mode. */
  #decode(raw: number): number {
    if (this.#regB & REG_B_DM_BINARY) return raw;
    const high = raw >>> 4;
    const low = raw & 0x0f;
    return high <= 9 && low <= 9 ? high * 10 + low : Number.NaN;
  }

  #encodeHours(hours: number): number {
    if (this.#regB & REG_B_24H) return this.#encode(hours);
    return this.#encode(hours % 12 || 12) | (hours >= 12 ? 0x80 : 0);
  }

  #decodeHours(raw: number): number {
    if (this.#regB & REG_B_24H) return this.#decode(raw);
    const hours = this.#decode(raw & 0x7f);
    if (!(hours >= 1 && hours <= 12)) return Number.NaN;
    return (hours % 12) + (raw & 0x80 ? 12 : 0);
  }

  /** Register C, computed for the time since it was last read, then cleared. */
  #readFlags(): number {
    const now = this.#guestMs();
    const last = this.#lastFlagsCheckMs;
    this.#lastFlagsCheckMs = now;
    const regB = this.#regB;
    if (regB & REG_B_SET || now <= last) return 0;
    let flags = 0;
    const nowSecond = Math.floor(now / 1000);
    const lastSecond = Math.floor(last / 1000);
    if (nowSecond > lastSecond) {
      flags |= REG_C_UF;
      if (this.#alarmMatchedBetween(lastSecond, nowSecond)) flags |= REG_C_AF;
    }
    const rate = this.#ram[CmosRegister.STATUS_A]! & 0x0f;
    if (rate !== 0) {
      // MC146818A Table 5 (32.768 kHz time base): rates 1 and 2 are 3.90625 and 7.8125 ms,
      // rate n >= 3 is 2^(n-1) / 32768 s.
      const periodMs = (rate <= 2 ? 2 ** (rate + 6) : 2 ** (rate - 1)) / 32.768;
      if (now - last >= periodMs) flags |= REG_C_PF;
    }
    if ((flags & REG_C_UF && regB & REG_B_UIE) || (flags & REG_C_AF && regB & REG_B_AIE) || (flags & REG_C_PF && regB & REG_B_PIE)) flags |= REG_C_IRQF;
    return flags;
  }

  /** Whether the alarm matched at some second in (from, to]; a day covers every pattern. */
  #alarmMatchedBetween(from: number, to: number): boolean {
    const alarm = (index: number) => this.#ram[index]!;
    const dontCare = (value: number) => (value & 0xc0) === 0xc0;
    const [alarmSeconds, alarmMinutes, alarmHours] = [alarm(CmosRegister.SECONDS_ALARM), alarm(CmosRegister.MINUTES_ALARM), alarm(CmosRegister.HOURS_ALARM)];
    for (let second = Math.max(from + 1, to - SECONDS_PER_DAY + 1); second <= to; second++) {
      const ofDay = mod(second, SECONDS_PER_DAY);
      if (!dontCare(alarmSeconds) && alarmSeconds !== this.#encode(ofDay % 60)) continue;
      if (!dontCare(alarmMinutes) && alarmMinutes !== this.#encode(Math.floor(ofDay / 60) % 60)) continue;
      if (!dontCare(alarmHours) && alarmHours !== this.#encodeHours(Math.floor(ofDay / 3600))) continue;
      return true;
    }
    return false;
  }
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
