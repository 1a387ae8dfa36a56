/**
 * Tests of the i8042 against what Linux's driver (drivers/input/serio/i8042.c, quoted as
 * "i8042.c") does with `i8042.noaux i8042.nomux i8042.dumbkbd`, the reboot path of `reboot=k`
 * (arch/x86/kernel/reboot.c), and the IBM PC/AT keyboard controller's command set; and of one
 * controller shared by several instances and threads through its state.
 */
import { describe, expect, test } from 'vitest';
import { Cmos } from '../cmos/index.ts';
import { DeviceStateError } from '../shared/index.ts';
import { RecordingIrq, collectLog, hostileAccesses, inb, outb } from '../testing/index.ts';
import { runTsWorker } from '../testing/threads.ts';
import {
  CTR_AUXDIS,
  CTR_KBDDIS,
  CTR_KBDINT,
  CTR_XLATE,
  DEFAULT_CTR,
  I8042,
  I8042Command as C,
  KBD_ACK,
  SELF_TEST_PASSED,
  STATUS_AUXDATA,
  STATUS_CMD,
  STATUS_IBF,
  STATUS_OBF,
  STATUS_SYS,
  STATUS_TIMEOUT,
  STATUS_UNLOCKED,
} from './index.ts';

const DATA = 0;
const PORT_B = 1;
const STATUS = 4;

function controller() {
  let resets = 0;
  const irq = new RecordingIrq();
  const auxIrq = new RecordingIrq();
  const { messages, log } = collectLog();
  const i8042 = new I8042({ onReset: () => resets++, irq, auxIrq, log });
  return { i8042, irq, auxIrq, messages, resets: () => resets };
}

/** i8042.c's i8042_command(): write the command, wait for IBF clear, write params, read results while OBF. */
function command(i8042: I8042, cmd: number, params: number[] = [], results = 0): number[] {
  expect(inb(i8042, STATUS) & STATUS_IBF).toBe(0);
  outb(i8042, STATUS, cmd);
  for (const p of params) {
    expect(inb(i8042, STATUS) & STATUS_IBF).toBe(0);
    outb(i8042, DATA, p);
  }
  const out: number[] = [];
  for (let i = 0; i < results; i++) {
    expect(inb(i8042, STATUS) & STATUS_OBF, `result ${String(i)} of command 0x${cmd.toString(16)}`).toBe(STATUS_OBF);
    out.push(inb(i8042, DATA));
  }
  return out;
}

describe("Linux's probe (i8042.c)", () => {
  test('i8042_flush(): the output buffer is empty after reset, so the controller exists', () => {
    const { i8042 } = controller();
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(0);
  });

  test('i8042_controller_selftest(): 0xAA returns I8042_RET_CTL_TEST (0x55)', () => {
    const { i8042 } = controller();
    expect(command(i8042, C.SELF_TEST, [], 1)).toEqual([SELF_TEST_PASSED]);
    expect(inb(i8042, STATUS) & STATUS_SYS).toBe(STATUS_SYS);
  });

  test('i8042_controller_init(): two equal CTR reads, no "Keylock active", the CTR written back reads back', () => {
    const { i8042 } = controller();
    const [ctr0] = command(i8042, C.READ_CTR, [], 1);
    const [ctr1] = command(i8042, C.READ_CTR, [], 1);
    expect(ctr0).toBe(ctr1);
    expect(ctr0).toBe(DEFAULT_CTR);
    // "if (~i8042_read_status() & I8042_STR_KEYLOCK) ... pr_warn("Warning: Keylock active\n")"
    expect(inb(i8042, STATUS) & STATUS_UNLOCKED).toBe(STATUS_UNLOCKED);
    const ctr = (ctr0! | CTR_KBDDIS) & ~CTR_KBDINT;
    command(i8042, C.WRITE_CTR, [ctr]);
    expect(command(i8042, C.READ_CTR, [], 1)).toEqual([ctr]);
    expect(i8042.commandByte).toBe(ctr);
  });

  test('the default CTR has translation on (so Linux keeps i8042_direct off) and the aux port disabled', () => {
    expect(DEFAULT_CTR & CTR_XLATE).toBe(CTR_XLATE);
    expect(DEFAULT_CTR & CTR_AUXDIS).toBe(CTR_AUXDIS);
  });

  test('i8042_enable_kbd_port(): clearing KBDDIS and setting KBDINT through 0x60', () => {
    const { i8042 } = controller();
    command(i8042, C.WRITE_CTR, [(DEFAULT_CTR & ~CTR_KBDDIS) | CTR_KBDINT]);
    expect(i8042.commandByte & (CTR_KBDDIS | CTR_KBDINT)).toBe(CTR_KBDINT);
  });

  test('0xAD/0xAE and 0xA7/0xA8 set and clear the disable bits of the command byte', () => {
    const { i8042 } = controller();
    command(i8042, C.DISABLE_KBD);
    expect(i8042.commandByte & CTR_KBDDIS).toBe(CTR_KBDDIS);
    command(i8042, C.ENABLE_KBD);
    expect(i8042.commandByte & CTR_KBDDIS).toBe(0);
    command(i8042, C.ENABLE_AUX);
    expect(i8042.commandByte & CTR_AUXDIS).toBe(0);
    command(i8042, C.DISABLE_AUX);
    expect(i8042.commandByte & CTR_AUXDIS).toBe(CTR_AUXDIS);
  });

  test('interface tests 0xAB and 0xA9 report 0x00 (no fault)', () => {
    const { i8042 } = controller();
    expect(command(i8042, C.KBD_TEST, [], 1)).toEqual([0]);
    expect(command(i8042, C.AUX_TEST, [], 1)).toEqual([0]);
  });

  test('status bit 3 tells whether the last write went to the command port', () => {
    const { i8042 } = controller();
    outb(i8042, STATUS, C.WRITE_CTR);
    expect(inb(i8042, STATUS) & STATUS_CMD).toBe(STATUS_CMD);
    outb(i8042, DATA, DEFAULT_CTR);
    expect(inb(i8042, STATUS) & STATUS_CMD).toBe(0);
  });
});

describe('reset', () => {
  test('reboot.c BOOT_KBD: "outb(0xfe, 0x64); /* Pulse reset low */" after kb_wait() finds IBF clear', () => {
    const { i8042, resets } = controller();
    expect(inb(i8042, STATUS) & STATUS_IBF).toBe(0);
    outb(i8042, STATUS, C.PULSE_RESET);
    expect(resets()).toBe(1);
  });

  test('0xF0-0xFF pulse the output lines whose bit is 0; bit 0 is reset', () => {
    const { i8042, resets } = controller();
    for (let cmd = 0xf0; cmd <= 0xff; cmd++) outb(i8042, STATUS, cmd);
    expect(resets()).toBe(8);
  });

  test('0xD1 with output port bit 0 clear resets; 0xD0 reads the output port back', () => {
    const { i8042, resets } = controller();
    command(i8042, C.WRITE_OUTPUT_PORT, [0xdf]);
    expect(resets()).toBe(0);
    expect(command(i8042, C.READ_OUTPUT_PORT, [], 1)).toEqual([0xdf]);
    command(i8042, C.WRITE_OUTPUT_PORT, [0xde]);
    expect(resets()).toBe(1);
  });

  test('a throwing onReset does not throw into the guest access', () => {
    const { messages, log } = collectLog();
    const i8042 = new I8042({ onReset: () => { throw new Error('no'); }, log });
    expect(() => outb(i8042, STATUS, C.PULSE_RESET)).not.toThrow();
    expect(messages.join()).toMatch(/onReset failed/);
  });
});

describe('keyboard and output buffer', () => {
  test('bytes for the keyboard are ACKed (0xFA); reset adds BAT 0xAA; identify adds 0xAB 0x83; echo answers 0xEE', () => {
    const { i8042 } = controller();
    const send = (byte: number, replies: number) => {
      outb(i8042, DATA, byte);
      return Array.from({ length: replies }, () => inb(i8042, DATA));
    };
    expect(send(0xff, 2)).toEqual([KBD_ACK, 0xaa]);
    expect(send(0xf2, 3)).toEqual([KBD_ACK, 0xab, 0x83]);
    expect(send(0xee, 1)).toEqual([0xee]);
    expect(send(0xed, 1)).toEqual([KBD_ACK]);
    expect(send(0x07, 1)).toEqual([KBD_ACK]); // the LED parameter
    expect(send(0xf0, 1)).toEqual([KBD_ACK]);
    expect(send(0x00, 2)).toEqual([KBD_ACK, 0x02]); // "get scan code set"
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(0);
  });

  test('IRQ 1 is high while a keyboard byte waits and KBDINT is set; controller responses raise none', () => {
    const { i8042, irq } = controller();
    command(i8042, C.READ_CTR, [], 1);
    expect(irq.levels).toEqual([]);
    outb(i8042, DATA, 0xf4);
    expect(irq.high).toBe(true);
    inb(i8042, DATA);
    expect(irq.high).toBe(false);
    command(i8042, C.WRITE_CTR, [DEFAULT_CTR & ~CTR_KBDINT]);
    outb(i8042, DATA, 0xf4);
    expect(irq.high).toBe(false);
  });

  test('0xD2 puts a byte in the output buffer as keyboard data; 0xD3 as aux data (status bit 5, IRQ 12 if enabled)', () => {
    const { i8042, auxIrq } = controller();
    command(i8042, C.WRITE_KBD_OUTPUT, [0x1c]);
    expect(inb(i8042, STATUS) & (STATUS_OBF | STATUS_AUXDATA)).toBe(STATUS_OBF);
    expect(inb(i8042, DATA)).toBe(0x1c);
    command(i8042, C.WRITE_CTR, [DEFAULT_CTR | 0x02]);
    command(i8042, C.WRITE_AUX_OUTPUT, [0x08]);
    expect(inb(i8042, STATUS) & (STATUS_OBF | STATUS_AUXDATA)).toBe(STATUS_OBF | STATUS_AUXDATA);
    expect(auxIrq.high).toBe(true);
    expect(inb(i8042, DATA)).toBe(0x08);
    expect(auxIrq.high).toBe(false);
  });

  test('0xD4: there is no aux device, so the byte is dropped and the timeout bit is set until the next command', () => {
    const { i8042 } = controller();
    command(i8042, C.WRITE_AUX, [0xff]);
    expect(inb(i8042, STATUS) & (STATUS_TIMEOUT | STATUS_OBF)).toBe(STATUS_TIMEOUT);
    command(i8042, C.READ_CTR, [], 1);
    expect(inb(i8042, STATUS) & STATUS_TIMEOUT).toBe(0);
  });

  test('reading port 0x60 with the buffer empty returns the last byte again', () => {
    const { i8042 } = controller();
    command(i8042, C.SELF_TEST, [], 1);
    expect(inb(i8042, DATA)).toBe(SELF_TEST_PASSED);
  });

  test('controller RAM: 0x21-0x3F read and 0x61-0x7F write the bytes after the command byte', () => {
    const { i8042 } = controller();
    command(i8042, 0x65, [0x99]);
    expect(command(i8042, 0x25, [], 1)).toEqual([0x99]);
  });

  test('a guest that never reads port 0x60 cannot grow the buffer past 16 bytes', () => {
    const { i8042 } = controller();
    for (let i = 0; i < 1000; i++) outb(i8042, STATUS, C.READ_CTR);
    let count = 0;
    while (inb(i8042, STATUS) & STATUS_OBF) {
      inb(i8042, DATA);
      count++;
    }
    expect(count).toBe(16);
  });
});

describe('port 0x61 (system control port B)', () => {
  test('bit 5 (PIT channel 2 output) reads 1, so pit_calibrate_tsc()\'s "while ((inb(0x61) & 0x20) == 0)" ends (crosvm, kvmtool)', () => {
    const { i8042 } = controller();
    // pit_calibrate_tsc(): "outb((inb(0x61) & ~0x02) | 0x01, 0x61);" then poll bit 5.
    outb(i8042, PORT_B, (inb(i8042, PORT_B) & ~0x02) | 0x01);
    expect(inb(i8042, PORT_B) & 0x20).toBe(0x20);
  });

  test('bits 3:0 read back as written; bit 4 (refresh) toggles; bits 7:6 (parity/channel check) are 0', () => {
    const { i8042 } = controller();
    outb(i8042, PORT_B, 0xff);
    const a = inb(i8042, PORT_B);
    const b = inb(i8042, PORT_B);
    expect(a & 0x0f).toBe(0x0f);
    expect((a ^ b) & 0x10).toBe(0x10);
    expect(a & 0xc0).toBe(0);
  });
});

describe('hostile guest', () => {
  test('ports 0x62 and 0x63 read 0xff and ignore writes', () => {
    const { i8042 } = controller();
    outb(i8042, 2, 0);
    outb(i8042, 3, 0);
    expect(inb(i8042, 2)).toBe(0xff);
    expect(inb(i8042, 3)).toBe(0xff);
  });

  test('unknown commands are ignored and logged once', () => {
    const { i8042, messages } = controller();
    outb(i8042, STATUS, 0xc8);
    outb(i8042, STATUS, 0xc8);
    expect(messages.filter((m) => m.includes('0xc8'))).toHaveLength(1);
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(0);
  });

  test('a parameter byte after an interrupted command goes to the keyboard, not the old command', () => {
    const { i8042 } = controller();
    outb(i8042, STATUS, C.WRITE_CTR);
    outb(i8042, STATUS, C.READ_CTR); // a new command cancels the pending one
    expect(inb(i8042, DATA)).toBe(DEFAULT_CTR);
    outb(i8042, DATA, 0x00);
    expect(i8042.commandByte).toBe(DEFAULT_CTR);
    expect(inb(i8042, DATA)).toBe(KBD_ACK);
  });

  test('100,000 random accesses never throw', () => {
    const { messages, log } = collectLog();
    const i8042 = new I8042({ log });
    expect(() => hostileAccesses(i8042, I8042.LENGTH, 100_000, 0x8042)).not.toThrow();
    expect(messages.length).toBeLessThanOrEqual(65);
  });
});

describe('one controller shared through its state', () => {
  /** A second instance over `i8042`'s state, with its own callbacks. */
  function attach(i8042: I8042) {
    let resets = 0;
    const irq = new RecordingIrq();
    const other = new I8042({ state: i8042.state, onReset: () => resets++, irq });
    return { other, irq, resets: () => resets };
  }

  test('the state getter gives the buffer, which the attached instance shares', () => {
    const { i8042 } = controller();
    const { other } = attach(i8042);
    expect(i8042.state).toBeInstanceOf(SharedArrayBuffer);
    expect(other.state).toBe(i8042.state);
  });

  test('attaching resets nothing: the command byte and a queued byte stay', () => {
    const { i8042 } = controller();
    command(i8042, C.WRITE_CTR, [0x45]);
    outb(i8042, STATUS, C.SELF_TEST);
    const { other } = attach(i8042);
    expect(other.commandByte).toBe(0x45);
    expect(inb(other, DATA)).toBe(SELF_TEST_PASSED);
  });

  test('command 0x60 through one instance and its parameter through the other write the command byte; 0x20 through the other reads it back through the first', () => {
    const { i8042 } = controller();
    const { other } = attach(i8042);
    outb(i8042, STATUS, C.WRITE_CTR);
    outb(other, DATA, 0x47);
    expect(i8042.commandByte).toBe(0x47);
    expect(other.commandByte).toBe(0x47);
    outb(other, STATUS, C.READ_CTR);
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(STATUS_OBF);
    expect(inb(i8042, DATA)).toBe(0x47);
    expect(inb(other, STATUS) & STATUS_OBF).toBe(0);
  });

  test('the output queue filled through one instance drains in order through the other', () => {
    const { i8042 } = controller();
    const { other } = attach(i8042);
    outb(i8042, DATA, 0xf2); // identify: ACK 0xAB 0x83
    outb(i8042, STATUS, C.SELF_TEST);
    expect([0, 1, 2, 3].map(() => inb(other, DATA))).toEqual([KBD_ACK, 0xab, 0x83, SELF_TEST_PASSED]);
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(0);
    expect(inb(i8042, DATA)).toBe(SELF_TEST_PASSED); // the last byte, shared too
  });

  test('a pending keyboard command started through one instance takes its parameter through the other', () => {
    const { i8042 } = controller();
    const { other } = attach(i8042);
    outb(i8042, DATA, 0xf0); // scan code set, parameter follows
    expect(inb(i8042, DATA)).toBe(KBD_ACK);
    outb(other, DATA, 0x00); // "get": ACK and set 2
    expect([inb(i8042, DATA), inb(i8042, DATA)]).toEqual([KBD_ACK, 0x02]);
  });

  test('the reset callback called is the one of the instance whose access pulsed the line', () => {
    const { i8042, resets } = controller();
    const other = attach(i8042);
    outb(i8042, STATUS, C.PULSE_RESET);
    expect([resets(), other.resets()]).toEqual([1, 0]);
    outb(i8042, STATUS, C.WRITE_OUTPUT_PORT);
    outb(other.other, DATA, 0xde); // output port bit 0 clear
    expect([resets(), other.resets()]).toEqual([1, 1]);
  });

  test('the IRQ level is shared: the instance whose access changes it drives its own line', () => {
    const { i8042, irq } = controller();
    const other = attach(i8042);
    outb(i8042, DATA, 0xf4);
    expect(irq.levels).toEqual([true]);
    expect(inb(other.other, DATA)).toBe(KBD_ACK);
    expect(other.irq.levels).toEqual([false]);
    expect(irq.levels).toEqual([true]);
  });

  test('port B and its refresh bit are shared', () => {
    const { i8042 } = controller();
    const { other } = attach(i8042);
    outb(i8042, PORT_B, 0x0a);
    const a = inb(i8042, PORT_B);
    const b = inb(other, PORT_B);
    expect(b & 0x0f).toBe(0x0a);
    expect((a ^ b) & 0x10).toBe(0x10);
  });

  test('a state of another size (another device\'s, or none made for this) is refused with DeviceStateError', () => {
    const cmos = new Cmos({ memBelow4g: 0, memAbove4g: 0 });
    expect(() => new I8042({ state: cmos.state })).toThrow(DeviceStateError);
    expect(() => new I8042({ state: new SharedArrayBuffer(8) })).toThrow(/i8042: state is a SharedArrayBuffer of 8 bytes/);
  });

  test('a worker thread and this one, each queueing a controller RAM byte and reading one back, get every byte queued exactly once', async () => {
    const { i8042 } = controller();
    command(i8042, 0x61, [0x11]); // RAM byte 1: the worker's
    command(i8042, 0x62, [0x22]); // RAM byte 2: this thread's
    const rounds = 100_000;
    const sync = new SharedArrayBuffer(4);
    const worker = runTsWorker<Record<number, number>>(new URL('./testing/i8042.worker.ts', import.meta.url), { state: i8042.state, sync, rounds, ram: 1 });
    const start = new Int32Array(sync);
    Atomics.add(start, 0, 1);
    const deadline = Date.now() + 30_000;
    while (Atomics.load(start, 0) < 2 && Date.now() < deadline) Atomics.wait(start, 0, 1, 10);
    expect(Atomics.load(start, 0), 'the worker reached the start line').toBe(2);
    const mine: Record<number, number> = {};
    for (let i = 0; i < rounds; i++) {
      outb(i8042, STATUS, 0x22);
      const byte = inb(i8042, DATA);
      mine[byte] = (mine[byte] ?? 0) + 1;
    }
    const theirs = await worker;
    // Each thread reads only after queueing, so the queue is never empty when read and never
    // holds more than two bytes: a lost update of the queue would lose or repeat a byte.
    expect(Object.keys({ ...mine, ...theirs }).map(Number).sort()).toEqual([0x11, 0x22]);
    expect((mine[0x11] ?? 0) + (theirs[0x11] ?? 0)).toBe(rounds);
    expect((mine[0x22] ?? 0) + (theirs[0x22] ?? 0)).toBe(rounds);
    expect(inb(i8042, STATUS) & STATUS_OBF).toBe(0);
  });
});
