/**
 * Tests of the CMOS/RTC against the Motorola MC146818A datasheet (quoted as "MC146818A") and the
 * way Linux reads and sets it: `mc146818_get_time()` / `mc146818_set_time()`
 * (drivers/rtc/rtc-mc146818-lib.c) with x86's `RTC_ALWAYS_BCD`; and of one chip shared by several
 * instances and threads through its state.
 */
import { describe, expect, test } from 'vitest';
import { I8042 } from '../i8042/index.ts';
import { DeviceStateError } from '../shared/index.ts';
import { collectLog, hostileAccesses, inb, outb } from '../testing/index.ts';
import { runTsWorker } from '../testing/threads.ts';
import {
  Cmos,
  CmosError,
  CmosRegister as R,
  REG_A_UIP,
  REG_B_24H,
  REG_B_AIE,
  REG_B_DM_BINARY,
  REG_B_PIE,
  REG_B_SET,
  REG_B_UIE,
  REG_C_AF,
  REG_C_IRQF,
  REG_C_PF,
  REG_C_UF,
  REG_D_VRT,
} from './index.ts';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** A clock the test moves by hand. */
function clock(iso: string) {
  let ms = Date.parse(iso);
  return {
    now: () => new Date(ms),
    set: (value: string) => { ms = Date.parse(value); },
    advance: (delta: number) => { ms += delta; },
  };
}

function rtc(iso = '2026-11-21T23:59:58.500Z', mem = { memBelow4g: 512 * MIB, memAbove4g: 0 }) {
  const c = clock(iso);
  const { messages, log } = collectLog();
  const cmos = new Cmos({ ...mem, now: c.now, log });
  return { cmos, clock: c, messages };
}

function read(cmos: Cmos, index: number): number {
  outb(cmos, 0, index);
  return inb(cmos, 1);
}

function write(cmos: Cmos, index: number, value: number): void {
  outb(cmos, 0, index);
  outb(cmos, 1, value);
}

const bcd2bin = (v: number) => (v >> 4) * 10 + (v & 0x0f);

/**
 * rtc-mc146818-lib.c mc146818_get_time(), register for register, with x86's RTC_ALWAYS_BCD = 1;
 * `tick` runs after every port access (the clock moving while the guest reads).
 */
function linuxGetTime(cmos: Cmos, tick: () => void) {
  const cmosRead = (index: number) => {
    const value = read(cmos, index);
    tick();
    return value;
  };
  for (let attempts = 0; attempts < 1000; attempts++) {
    // "Ensure that the RTC is accessible. Bit 6 must be 0!"
    if (cmosRead(R.STATUS_D) & 0x40) throw new Error('RTC_VALID bit 6 set');
    const sec = cmosRead(R.SECONDS);
    if (cmosRead(R.STATUS_A) & REG_A_UIP) continue;
    if (sec !== cmosRead(R.SECONDS)) continue;
    const min = cmosRead(R.MINUTES);
    const hour = cmosRead(R.HOURS);
    const mday = cmosRead(R.DAY_OF_MONTH);
    const mon = cmosRead(R.MONTH);
    const year = cmosRead(R.YEAR);
    cmosRead(R.STATUS_B);
    let retry = (cmosRead(R.STATUS_A) & REG_A_UIP) !== 0;
    retry ||= sec !== cmosRead(R.SECONDS);
    if (retry) continue;
    let y = bcd2bin(year);
    if (y <= 69) y += 100;
    return { sec: bcd2bin(sec), min: bcd2bin(min), hour: bcd2bin(hour), mday: bcd2bin(mday), mon: bcd2bin(mon) - 1, year: y + 1900 };
  }
  throw new Error('no stable reading');
}

describe('clock registers', () => {
  test('read the injected time in BCD, 24-hour (register B 0x02 after reset), in UTC', () => {
    const { cmos } = rtc('2026-11-21T23:59:58.500Z');
    expect(read(cmos, R.STATUS_B)).toBe(REG_B_24H);
    expect(read(cmos, R.SECONDS)).toBe(0x58);
    expect(read(cmos, R.MINUTES)).toBe(0x59);
    expect(read(cmos, R.HOURS)).toBe(0x23);
    expect(read(cmos, R.DAY_OF_WEEK)).toBe(7); // MC146818A: day of week 1-7, Sunday = 1; 2026-11-21 is a Saturday
    expect(read(cmos, R.DAY_OF_MONTH)).toBe(0x21);
    expect(read(cmos, R.MONTH)).toBe(0x11);
    expect(read(cmos, R.YEAR)).toBe(0x26);
    expect(read(cmos, R.CENTURY)).toBe(0x20);
  });

  test('MC146818A Table 3: with DM = 1 the values are binary', () => {
    const { cmos } = rtc('2026-11-21T23:59:58.500Z');
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_DM_BINARY);
    expect([R.SECONDS, R.MINUTES, R.HOURS, R.DAY_OF_MONTH, R.MONTH, R.YEAR, R.CENTURY].map((r) => read(cmos, r))).toEqual([58, 59, 23, 21, 11, 26, 20]);
  });

  test.each([
    ['00:30', 0x12],
    ['11:00', 0x11],
    ['12:00', 0x92],
    ['23:15', 0x91],
  ])('MC146818A: in 12-hour mode %s reads as %s (hours 1-12, bit 7 = PM)', (time, hours) => {
    const { cmos } = rtc(`2026-01-01T${time}:00Z`);
    write(cmos, R.STATUS_B, 0);
    expect(read(cmos, R.HOURS)).toBe(hours);
  });

  test('the clock follows the injected clock across a day, month, year and century boundary', () => {
    const { cmos, clock } = rtc('2099-12-31T23:59:59.000Z');
    clock.advance(1000);
    expect([R.SECONDS, R.MINUTES, R.HOURS, R.DAY_OF_MONTH, R.MONTH, R.YEAR, R.CENTURY].map((r) => read(cmos, r))).toEqual([0, 0, 0, 1, 1, 0, 0x21]);
  });
});

describe('update in progress (register A bit 7)', () => {
  test('MC146818A: "When the UIP bit is a 1, the update transfer will soon occur. When UIP is a 0, the update transfer will not occur for at least 244 µs": UIP is 1 only in the last 2 ms of a second', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    const uipAt = (ms: number) => {
      clock.set(`2026-11-21T10:00:00.${String(ms).padStart(3, '0')}Z`);
      return read(cmos, R.STATUS_A) & REG_A_UIP;
    };
    expect(uipAt(0)).toBe(0);
    expect(uipAt(997)).toBe(0);
    expect(uipAt(998)).toBe(REG_A_UIP);
    expect(uipAt(999)).toBe(REG_A_UIP);
  });

  test('register A reads 0x26 after reset (32.768 kHz time base, 1024 Hz) and keeps bits 6:0 as written; UIP is read-only', () => {
    const { cmos } = rtc('2026-11-21T10:00:00.000Z');
    expect(read(cmos, R.STATUS_A)).toBe(0x26);
    write(cmos, R.STATUS_A, 0xff);
    expect(read(cmos, R.STATUS_A)).toBe(0x7f);
  });

  test('UIP stays 0 while SET is 1 (updates are inhibited)', () => {
    const { cmos } = rtc('2026-11-21T10:00:00.999Z');
    write(cmos, R.STATUS_B, REG_B_SET | REG_B_24H);
    expect(read(cmos, R.STATUS_A) & REG_A_UIP).toBe(0);
  });

  test.each([0, 500, 990, 995, 997, 998, 999])("Linux's mc146818_get_time() reads a consistent time starting %i ms into a second, with the clock moving 1 ms per access", (startMs) => {
    const start = Date.parse('2026-11-21T23:59:59.000Z') + startMs;
    const { cmos, clock } = rtc(new Date(start).toISOString());
    const time = linuxGetTime(cmos, () => clock.advance(1));
    const read = Date.UTC(time.year, time.mon, time.mday, time.hour, time.min, time.sec);
    // The time read is a whole second of the clock between the start and now.
    expect(read).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000);
    expect(read).toBeLessThanOrEqual(cmos.guestTime.getTime());
  });
});

describe('status registers C and D', () => {
  test('register D is 0x80 (VRT) with bit 6 clear, and ignores writes', () => {
    const { cmos } = rtc();
    write(cmos, R.STATUS_D, 0x40);
    expect(read(cmos, R.STATUS_D)).toBe(REG_D_VRT);
  });

  test('register C: UF after a second boundary, cleared by reading; IRQF only with UIE', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.100Z');
    write(cmos, R.STATUS_A, 0x20); // rate 0: no periodic flag
    read(cmos, R.STATUS_C);
    expect(read(cmos, R.STATUS_C)).toBe(0);
    clock.advance(1000);
    expect(read(cmos, R.STATUS_C)).toBe(REG_C_UF);
    expect(read(cmos, R.STATUS_C)).toBe(0);
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_UIE);
    clock.advance(1000);
    expect(read(cmos, R.STATUS_C)).toBe(REG_C_UF | REG_C_IRQF);
  });

  test('register C: AF when the alarm time passed; 0xC0-0xFF in an alarm byte is "don\'t care"', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.100Z');
    write(cmos, R.STATUS_A, 0x20);
    write(cmos, R.SECONDS_ALARM, 0x30);
    write(cmos, R.MINUTES_ALARM, 0xff);
    write(cmos, R.HOURS_ALARM, 0xc0);
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_AIE);
    read(cmos, R.STATUS_C);
    clock.advance(20_000);
    expect(read(cmos, R.STATUS_C) & REG_C_AF).toBe(0);
    clock.advance(20_000);
    expect(read(cmos, R.STATUS_C)).toBe(REG_C_UF | REG_C_AF | REG_C_IRQF);
  });

  test('register C: PF with the reset rate of 1024 Hz as soon as a millisecond passed', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    read(cmos, R.STATUS_C);
    clock.advance(1);
    expect(read(cmos, R.STATUS_C)).toBe(REG_C_PF);
  });

  test('register C: PF once the periodic interval of register A elapsed (rate 0xF: 500 ms)', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    write(cmos, R.STATUS_A, 0x2f);
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_PIE);
    read(cmos, R.STATUS_C);
    clock.advance(400);
    expect(read(cmos, R.STATUS_C) & REG_C_PF).toBe(0);
    clock.advance(500);
    expect(read(cmos, R.STATUS_C) & (REG_C_PF | REG_C_IRQF)).toBe(REG_C_PF | REG_C_IRQF);
  });
});

describe('setting the time', () => {
  test("Linux's mc146818_set_time(): SET, divider reset, the fields, then the saved B and A: the clock runs on from the time set", () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    const saveControl = read(cmos, R.STATUS_B);
    write(cmos, R.STATUS_B, saveControl | REG_B_SET);
    const saveFreqSelect = read(cmos, R.STATUS_A);
    write(cmos, R.STATUS_A, saveFreqSelect | 0x70); // RTC_DIV_RESET2
    write(cmos, R.YEAR, 0x30);
    write(cmos, R.MONTH, 0x02);
    write(cmos, R.DAY_OF_MONTH, 0x29);
    write(cmos, R.HOURS, 0x08);
    write(cmos, R.MINUTES, 0x15);
    write(cmos, R.SECONDS, 0x30);
    clock.advance(5000); // held while SET is 1
    expect(read(cmos, R.SECONDS)).toBe(0x30);
    write(cmos, R.STATUS_B, saveControl);
    write(cmos, R.STATUS_A, saveFreqSelect);
    clock.advance(2000);
    // 2030-02-29 does not exist: the whole date is refused...
    expect(read(cmos, R.YEAR)).toBe(0x26);
  });

  test('a valid date set under SET becomes the guest time and advances with the host clock', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_SET);
    write(cmos, R.CENTURY, 0x20);
    write(cmos, R.YEAR, 0x28);
    write(cmos, R.MONTH, 0x02);
    write(cmos, R.DAY_OF_MONTH, 0x29);
    write(cmos, R.HOURS, 0x08);
    write(cmos, R.MINUTES, 0x15);
    write(cmos, R.SECONDS, 0x30);
    write(cmos, R.STATUS_B, REG_B_24H);
    clock.advance(61_000);
    expect(cmos.guestTime.toISOString()).toBe('2028-02-29T08:16:31.000Z');
    // The day of week is a register of its own, which mc146818_set_time() does not write ("we
    // ignore it, as it is only updated by the RTC when initially set"): it keeps counting from
    // the Saturday it held.
    expect(read(cmos, R.DAY_OF_WEEK)).toBe(7);
  });

  test('an invalid date (BCD 0x5A seconds) is refused and logged; the clock keeps its time', () => {
    const { cmos, messages } = rtc('2026-11-21T10:00:00.000Z');
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_SET);
    write(cmos, R.SECONDS, 0x5a);
    write(cmos, R.STATUS_B, REG_B_24H);
    expect(cmos.guestTime.toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(messages.join()).toMatch(/invalid date/);
  });

  test('SET also clears UIE (MC146818A: "UIE is ... cleared when the SET bit goes high")', () => {
    const { cmos } = rtc();
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_UIE | REG_B_SET);
    expect(read(cmos, R.STATUS_B)).toBe(REG_B_24H | REG_B_SET);
  });

  test('one clock register written while SET is 0 changes that field at once', () => {
    const { cmos } = rtc('2026-11-21T10:00:00.250Z');
    write(cmos, R.MINUTES, 0x42);
    expect(cmos.guestTime.toISOString()).toBe('2026-11-21T10:42:00.250Z');
    write(cmos, R.HOURS, 0x24); // invalid hour: ignored
    expect(cmos.guestTime.toISOString()).toBe('2026-11-21T10:42:00.250Z');
  });

  test('a 12-hour write with bit 7 sets PM', () => {
    const { cmos } = rtc('2026-11-21T10:00:00.000Z');
    write(cmos, R.STATUS_B, 0);
    write(cmos, R.HOURS, 0x80 | 0x03);
    expect(cmos.guestTime.getUTCHours()).toBe(15);
  });

  test('the day of week keeps the value written and advances daily', () => {
    const { cmos, clock } = rtc('2026-11-21T10:00:00.000Z');
    write(cmos, R.DAY_OF_WEEK, 2);
    expect(read(cmos, R.DAY_OF_WEEK)).toBe(2);
    clock.advance(86_400_000);
    expect(read(cmos, R.DAY_OF_WEEK)).toBe(3);
    clock.advance(5 * 86_400_000);
    expect(read(cmos, R.DAY_OF_WEEK)).toBe(1);
  });
});

describe('memory size registers (as crosvm)', () => {
  test.each([
    [64 * MIB, 0, { base: 640, ext: 0xfc00, above16m: 0x0300, above4g: 0 }],
    [3 * GIB, GIB, { base: 640, ext: 0xffff, above16m: 0xbf00, above4g: 0x4000 }],
    [4 * GIB, 1024 * GIB, { base: 640, ext: 0xffff, above16m: 0xff00, above4g: 0xffffff }],
    [MIB / 2, 0, { base: 640, ext: 0, above16m: 0, above4g: 0 }],
  ])('below 4G %i, above %i', (memBelow4g, memAbove4g, expected) => {
    const { cmos } = rtc(undefined, { memBelow4g, memAbove4g });
    const word = (lo: number) => read(cmos, lo) | (read(cmos, lo + 1) << 8);
    expect(word(0x15)).toBe(expected.base);
    expect(word(0x17)).toBe(expected.ext);
    expect(word(0x30)).toBe(expected.ext);
    expect(word(0x34)).toBe(expected.above16m);
    expect(read(cmos, 0x5b) | (read(cmos, 0x5c) << 8) | (read(cmos, 0x5d) << 16)).toBe(expected.above4g);
  });

  test.each([
    [{ memBelow4g: -1, memAbove4g: 0 }],
    [{ memBelow4g: 5 * GIB, memAbove4g: 0 }],
    [{ memBelow4g: 0, memAbove4g: 0.5 }],
    [{ memBelow4g: Number.NaN, memAbove4g: 0 }],
  ])('rejects %o with CmosError', (mem) => {
    expect(() => new Cmos(mem)).toThrow(CmosError);
  });
});

describe('index port', () => {
  test('bit 7 disables NMI; bits 6:0 select the register; reading port 0x70 returns the index', () => {
    const { cmos } = rtc();
    outb(cmos, 0, 0x80 | R.STATUS_D);
    expect(cmos.nmiDisabled).toBe(true);
    expect(inb(cmos, 0)).toBe(R.STATUS_D);
    expect(inb(cmos, 1)).toBe(REG_D_VRT);
    outb(cmos, 0, R.STATUS_D);
    expect(cmos.nmiDisabled).toBe(false);
  });

  test('general-purpose RAM bytes read back', () => {
    const { cmos } = rtc();
    for (const index of [0x0e, 0x0f, 0x40, 0x7f]) {
      write(cmos, index, index ^ 0xa5);
      expect(read(cmos, index)).toBe(index ^ 0xa5);
    }
  });

  test('a 2-byte write at port 0x70 sets the index and writes the data port, like outb 0x70 then outb 0x71', () => {
    const { cmos } = rtc();
    cmos.write(0, Uint8Array.of(0x40, 0x99));
    expect(read(cmos, 0x40)).toBe(0x99);
  });
});

describe('hostile guest and broken clocks', () => {
  test('100,000 random accesses never throw', () => {
    const { cmos } = rtc();
    expect(() => hostileAccesses(cmos, Cmos.LENGTH, 100_000, 0x146818)).not.toThrow();
  });

  test.each([
    ['throws', () => { throw new Error('clock gone'); }],
    ['returns an invalid Date', () => new Date(Number.NaN)],
  ])('a clock that %s reads as the epoch, logged once', (_, now) => {
    const { messages, log } = collectLog();
    const cmos = new Cmos({ memBelow4g: 0, memAbove4g: 0, now: now as () => Date, log });
    expect(read(cmos, R.YEAR)).toBe(0x70);
    expect(read(cmos, R.CENTURY)).toBe(0x19);
    expect(messages.filter((m) => m.includes('host clock'))).toHaveLength(1);
  });
});

describe('one chip shared through its state', () => {
  /** `rtc()` plus a second instance over its state, on the same clock, with a log of its own. */
  function pair(iso?: string) {
    const first = rtc(iso);
    const { messages, log } = collectLog();
    const other = new Cmos({ memBelow4g: 0, memAbove4g: 0, now: first.clock.now, log, state: first.cmos.state });
    return { ...first, other, otherMessages: messages };
  }

  test('the state getter gives the buffer, which the attached instance shares', () => {
    const { cmos, other } = pair();
    expect(cmos.state).toBeInstanceOf(SharedArrayBuffer);
    expect(other.state).toBe(cmos.state);
  });

  test('attaching resets nothing: the memory sizes stay those of the first instance, and guest writes stay', () => {
    const { cmos, other } = pair(); // `other` was given 0 bytes of memory
    expect(read(other, 0x34) | (read(other, 0x35) << 8)).toBe((512 * MIB - 16 * MIB) / (64 * 1024));
    write(cmos, 0x40, 0x5a);
    const third = new Cmos({ memBelow4g: 0, memAbove4g: 0, state: cmos.state });
    expect(read(third, 0x40)).toBe(0x5a);
  });

  test('the index written through one instance selects the register read through the other; so does the NMI bit', () => {
    const { cmos, other } = pair('2026-11-21T23:59:58.500Z');
    outb(cmos, 0, 0x80 | R.MINUTES);
    expect(other.nmiDisabled).toBe(true);
    expect(inb(other, 0)).toBe(R.MINUTES);
    expect(inb(other, 1)).toBe(0x59);
  });

  test('an NVRAM byte written through one instance reads back through the other', () => {
    const { cmos, other } = pair();
    write(cmos, 0x4e, 0xc3);
    expect(read(other, 0x4e)).toBe(0xc3);
  });

  test('the time set through one instance (mc146818_set_time() order) is the time read through the other', () => {
    const { cmos, other, clock } = pair('2026-11-21T10:00:00.000Z');
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_SET);
    write(cmos, R.CENTURY, 0x20);
    write(cmos, R.YEAR, 0x28);
    // The held registers are shared: the other instance reads and adds to them.
    expect(read(other, R.YEAR)).toBe(0x28);
    write(other, R.MONTH, 0x02);
    write(cmos, R.DAY_OF_MONTH, 0x29);
    write(cmos, R.HOURS, 0x08);
    write(cmos, R.MINUTES, 0x15);
    write(cmos, R.SECONDS, 0x30);
    write(other, R.STATUS_B, REG_B_24H);
    clock.advance(61_000);
    expect(other.guestTime.toISOString()).toBe('2028-02-29T08:16:31.000Z');
    expect([R.SECONDS, R.MINUTES, R.HOURS, R.DAY_OF_MONTH, R.MONTH, R.YEAR, R.CENTURY].map((r) => read(other, r))).toEqual([0x31, 0x16, 0x08, 0x29, 0x02, 0x28, 0x20]);
    expect(cmos.guestTime.toISOString()).toBe('2028-02-29T08:16:31.000Z');
  });

  test('the guest\'s offset from the host clock is kept exactly, even when it is more than 2^31 ms (173 years)', () => {
    const { cmos, other } = pair('2026-11-21T10:00:00.123Z');
    write(cmos, R.STATUS_B, REG_B_24H | REG_B_SET);
    write(cmos, R.CENTURY, 0x21);
    write(cmos, R.YEAR, 0x99);
    write(cmos, R.STATUS_B, REG_B_24H);
    expect(other.guestTime.toISOString()).toBe('2199-11-21T10:00:00.000Z');
  });

  test('register C read through one instance is cleared for the other', () => {
    const { cmos, other, clock } = pair('2026-11-21T10:00:00.100Z');
    write(cmos, R.STATUS_A, 0x20);
    read(cmos, R.STATUS_C);
    clock.advance(1000);
    expect(read(cmos, R.STATUS_C)).toBe(REG_C_UF);
    expect(read(other, R.STATUS_C)).toBe(0);
  });

  test('each instance logs through its own log', () => {
    const { other, messages, otherMessages } = pair();
    write(other, R.STATUS_D, 0);
    expect(otherMessages.join()).toMatch(/read-only register/);
    expect(messages).toEqual([]);
  });

  test('a state of another size (another device\'s, or none made for this) is refused with DeviceStateError', () => {
    expect(() => new Cmos({ memBelow4g: 0, memAbove4g: 0, state: new I8042().state })).toThrow(DeviceStateError);
    expect(() => new Cmos({ memBelow4g: 0, memAbove4g: 0, state: new SharedArrayBuffer(8) })).toThrow(/cmos: state is a SharedArrayBuffer of 8 bytes/);
  });

  test('a worker thread and this one, each writing its own NVRAM bytes through 2-byte index+data writes, never see the other\'s index in between, and every last value lands', async () => {
    const { cmos } = rtc();
    const rounds = 100_000;
    const sync = new SharedArrayBuffer(4);
    const worker = runTsWorker<{ mismatches: number; last: [number, number][] }>(new URL('./testing/cmos.worker.ts', import.meta.url), {
      state: cmos.state,
      sync,
      rounds,
      first: 0x40,
      count: 16,
      tag: 0x80,
    });
    const start = new Int32Array(sync);
    Atomics.add(start, 0, 1);
    const deadline = Date.now() + 30_000;
    while (Atomics.load(start, 0) < 2 && Date.now() < deadline) Atomics.wait(start, 0, 1, 10);
    expect(Atomics.load(start, 0), 'the worker reached the start line').toBe(2);
    // The same loop as the worker's, on bytes 0x60-0x6f with bit 7 clear in every value.
    const last = new Map<number, number>();
    const pairRead = new Uint8Array(2);
    let mismatches = 0;
    for (let i = 0; i < rounds; i++) {
      const index = 0x60 + (i % 16);
      const value = i & 0x7f;
      cmos.write(0, Uint8Array.of(index, value));
      last.set(index, value);
      cmos.read(0, pairRead);
      if (last.has(pairRead[0]!) && last.get(pairRead[0]!) !== pairRead[1]) mismatches++;
    }
    const theirs = await worker;
    expect([mismatches, theirs.mismatches]).toEqual([0, 0]);
    expect(theirs.last).toHaveLength(16);
    for (const [index, value] of [...last, ...theirs.last]) expect(read(cmos, index), `byte ${hex(index)}`).toBe(value);
  });
});

const hex = (value: number) => `0x${value.toString(16)}`;
