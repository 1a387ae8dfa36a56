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
 */
import { type BusDevice, readBytes, writeBytes } from '../bus/index.ts';
import { type DeviceLog, LogOnce, hex } from '../internal/log.ts';

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

/** The one error of this module, thrown only for bad construction options. */
export class CmosError extends Error {
  override readonly name = 'CmosError';
}

/** Options of a {@link Cmos}. */
export interface CmosOptions {
  /** Bytes of guest RAM below 4 GiB. */
  memBelow4g: number;
  /** Bytes of guest RAM above 4 GiB. */
  memAbove4g: number;
  /** The host clock (default `() => new Date()`). */
  now?: () => Date;
  /** Where messages about odd guest accesses go (default `console.warn`). */
  log?: DeviceLog;
}

/** The CMOS/RTC. Insert it on the port-I/O bus at {@link Cmos.BASE} with length {@link Cmos.LENGTH}. */
export class Cmos implements BusDevice {
  static readonly BASE = 0x70;
  static readonly LENGTH = 2;
  readonly label = 'cmos';

  readonly #now: () => Date;
  readonly #log: LogOnce;
  readonly #ram = new Uint8Array(128);
  #index = 0;
  #nmiDisabled = false;
  /** Guest time minus host time, in milliseconds. */
  #offsetMs = 0;
  /** Added to the computed day of week (1-7), mod 7, after the guest writes it. */
  #dayOfWeekDelta = 0;
  /** The clock registers while SET is 1. */
  #held: Map<number, number> | undefined;
  /** Guest time of the last register C read. */
  #lastFlagsCheckMs: number;

  /**
   * @throws {CmosError} if a memory size is not a non-negative integer or `memBelow4g` exceeds 4 GiB.
   */
  constructor(options: CmosOptions) {
    const { memBelow4g, memAbove4g } = options;
    if (!Number.isSafeInteger(memBelow4g) || memBelow4g < 0 || memBelow4g > 4 * GIB) throw new CmosError(`memBelow4g must be an integer in [0, 4 GiB], got ${String(memBelow4g)}`);
    if (!Number.isSafeInteger(memAbove4g) || memAbove4g < 0) throw new CmosError(`memAbove4g must be a non-negative integer, got ${String(memAbove4g)}`);
    this.#now = options.now ?? (() => new Date());
    this.#log = new LogOnce(options.log, this.label);
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

  /** Whether the guest last wrote port 0x70 with bit 7 set (NMI disabled). */
  get nmiDisabled(): boolean {
    return this.#nmiDisabled;
  }

  /** The guest's idea of the current time (the host clock plus whatever the guest set). */
  get guestTime(): Date {
    return new Date(this.#guestMs());
  }

  read(offset: number, data: Uint8Array): void {
    readBytes(offset, data, (o) => {
      if (o === 0) return this.#index;
      if (o === 1) return this.#readRegister(this.#index);
      this.#log.warn(`read at offset ${hex(o)} outside the two ports`, 'read offset');
      return 0xff;
    });
  }

  write(offset: number, data: Uint8Array): void {
    writeBytes(offset, data, (o, v) => {
      if (o === 0) {
        this.#index = v & 0x7f;
        this.#nmiDisabled = (v & 0x80) !== 0;
      } else if (o === 1) {
        this.#writeRegister(this.#index, v);
      } else {
        this.#log.warn(`write at offset ${hex(o)} outside the two ports`, 'write offset');
      }
    });
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
    if (this.#held !== undefined && this.#held.has(index)) return this.#held.get(index)!;
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
        } else if (this.#held !== undefined) {
          this.#held.set(index, value);
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
    if (!wasSet && isSet) this.#held = this.#clockRegisters(this.#guestMs());
    // "UIE ... is cleared when the SET bit goes high."
    this.#ram[CmosRegister.STATUS_B] = isSet ? value & ~REG_B_UIE : value;
    if (wasSet && !isSet && this.#held !== undefined) {
      const held = this.#held;
      this.#held = undefined;
      // The divider chain restarts: the set second begins now.
      this.#setClock(held, 0);
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
