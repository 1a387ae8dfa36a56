/**
 * Tests of the 16550A UART against the National Semiconductor PC16550D datasheet (quoted as
 * "PC16550D") and against the register sequences of Linux's 8250 driver
 * (drivers/tty/serial/8250/8250_port.c, quoted as "8250_port.c") and early console
 * (8250_early.c), and shared between instances and threads (one state, as crosvm's vCPU threads
 * share one device behind a mutex).
 */
import { describe, expect, test } from 'vitest';
import { DeviceStateError } from '../shared/index.ts';
import { RecordingIrq, collectLog, hostileAccesses, inb, outb } from '../testing/index.ts';
import { runTsWorker } from '../testing/threads.ts';
import {
  FCR_CLEAR_RX,
  FCR_FIFO_ENABLE,
  FIFO_SIZE,
  IER_EDSSI,
  IER_ELSI,
  IER_ERBFI,
  IER_ETBEI,
  IIR_CHAR_TIMEOUT,
  IIR_FIFOS_ENABLED,
  IIR_LINE_STATUS,
  IIR_MODEM_STATUS,
  IIR_NO_INTERRUPT,
  IIR_RX_DATA,
  IIR_THRE,
  LCR_DLAB,
  LSR_DR,
  LSR_OE,
  LSR_TEMT,
  LSR_THRE,
  MCR_DTR,
  MCR_LOOP,
  MCR_OUT1,
  MCR_OUT2,
  MCR_RTS,
  MSR_CTS,
  MSR_DCD,
  MSR_DDSR,
  MSR_DSR,
  MSR_RI,
  MSR_TERI,
  Serial,
  SerialRegister as R,
} from './index.ts';

function uart(options: { inputCapacity?: number; state?: SharedArrayBuffer } = {}) {
  const output: number[] = [];
  const irq = new RecordingIrq();
  const { messages, log } = collectLog();
  const serial = new Serial({ output: (bytes) => output.push(...bytes), irq, log, ...options });
  return { serial, output, irq, messages };
}

const iir = (s: Serial) => inb(s, R.IIR_FCR);

describe('reset state (PC16550D Table III, "Reset Control")', () => {
  test('IER, LCR, MCR, SCR are 0; IIR says no interrupt; LSR has THRE and TEMT; MSR shows the remote CTS, DSR, DCD', () => {
    const { serial, irq } = uart();
    expect(inb(serial, R.IER)).toBe(0);
    expect(iir(serial)).toBe(IIR_NO_INTERRUPT);
    expect(inb(serial, R.LCR)).toBe(0);
    expect(inb(serial, R.MCR)).toBe(0);
    expect(inb(serial, R.LSR)).toBe(LSR_THRE | LSR_TEMT);
    expect(inb(serial, R.MSR)).toBe(MSR_CTS | MSR_DSR | MSR_DCD);
    expect(inb(serial, R.SCR)).toBe(0);
    expect(irq.high).toBe(false);
  });
});

describe('transmit', () => {
  test('bytes written to THR reach the output in order', () => {
    const { serial, output } = uart();
    for (const c of 'login: ') outb(serial, R.DATA, c.charCodeAt(0));
    expect(String.fromCharCode(...output)).toBe('login: ');
  });

  test('8250_early.c: the early console polls LSR for THRE|TEMT ("BOTH_EMPTY") before each byte', () => {
    const { serial, output } = uart();
    // init_port(): LCR 8N1, IER 0, FCR 0, MCR DTR|RTS, then the divisor with DLAB set.
    outb(serial, R.LCR, 0x03);
    outb(serial, R.IER, 0);
    outb(serial, R.IIR_FCR, 0);
    outb(serial, R.MCR, MCR_DTR | MCR_RTS);
    outb(serial, R.LCR, 0x03 | LCR_DLAB);
    outb(serial, R.DATA, 1);
    outb(serial, R.IER, 0);
    outb(serial, R.LCR, 0x03);
    for (const c of 'Linux') {
      expect(inb(serial, R.LSR) & (LSR_THRE | LSR_TEMT)).toBe(LSR_THRE | LSR_TEMT);
      outb(serial, R.DATA, c.charCodeAt(0));
    }
    expect(String.fromCharCode(...output)).toBe('Linux');
    expect(serial.divisor).toBe(1);
  });

  test('a throwing output sink does not throw into the guest access', () => {
    const { messages, log } = collectLog();
    const serial = new Serial({ output: () => { throw new Error('EPIPE'); }, log });
    expect(() => outb(serial, R.DATA, 0x41)).not.toThrow();
    expect(messages.join()).toMatch(/output sink failed: EPIPE/);
  });
});

describe('divisor latch (PC16550D: "DLAB must be set high to access the Divisor Latches")', () => {
  test('with DLAB set, offsets 0 and 1 are DLL and DLM; THR and IER are untouched', () => {
    const { serial, output } = uart();
    outb(serial, R.IER, IER_ERBFI);
    outb(serial, R.LCR, LCR_DLAB);
    outb(serial, R.DATA, 0x34);
    outb(serial, R.IER, 0x12);
    expect(inb(serial, R.DATA)).toBe(0x34);
    expect(inb(serial, R.IER)).toBe(0x12);
    expect(serial.divisor).toBe(0x1234);
    expect(output).toEqual([]);
    outb(serial, R.LCR, 0x03);
    expect(inb(serial, R.IER)).toBe(IER_ERBFI);
  });

  test('the divisor after reset is 12 (9600 baud)', () => {
    expect(uart().serial.divisor).toBe(12);
  });
});

describe("Linux's autoconfig() (8250_port.c) identifies a 16550A", () => {
  test('the IER existence test: IER[3:0] read back, IER[7:4] read 0', () => {
    const { serial } = uart();
    const scratch = inb(serial, R.IER);
    outb(serial, R.IER, 0);
    const scratch2 = inb(serial, R.IER) & 0x0f;
    outb(serial, R.IER, 0x0f);
    const scratch3 = inb(serial, R.IER) & 0x0f;
    outb(serial, R.IER, scratch);
    expect(scratch2).toBe(0);
    expect(scratch3).toBe(0x0f);
    // autoconfig_16550a(): "Try writing and reading the UART_IER_UUE bit (b6)": it must not stick.
    outb(serial, R.IER, 0x40);
    expect(inb(serial, R.IER) & 0x40).toBe(0);
    outb(serial, R.IER, 0xff);
    expect(inb(serial, R.IER)).toBe(0x0f);
  });

  test('the loopback test: MCR = LOOP|OUT2|RTS reads MSR status bits DCD|CTS (0x90)', () => {
    const { serial } = uart();
    const saveMcr = inb(serial, R.MCR);
    outb(serial, R.MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
    expect(inb(serial, R.MSR) & 0xf0).toBe(0x90);
    outb(serial, R.MCR, saveMcr);
  });

  test('FCR = ENABLE_FIFO makes IIR[7:6] = 3 (16550A); IIR[5:4] stay 0, so it is no 16750', () => {
    const { serial } = uart();
    outb(serial, R.LCR, 0xbf);
    outb(serial, R.IIR_FCR, 0); // "serial_out(up, UART_EFR, 0)": on a 16550A this is FCR
    outb(serial, R.LCR, 0);
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    expect(iir(serial) >> 6).toBe(3);
    // The 16750 probe: FCR with bit 5 (64-byte FIFO) set, read IIR >> 5, with and without DLAB.
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE | 0x20);
    const status1 = iir(serial) >> 5;
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.LCR, LCR_DLAB);
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE | 0x20);
    const status2 = iir(serial) >> 5;
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.LCR, 0);
    expect(status1).toBe(6);
    expect(status2).toBe(6);
  });

  test('the EFR probes (LCR 0x80 and 0xBF, offset 2) read IIR, which is never 0 with FIFOs on: no 16650', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.LCR, 0x80);
    expect(iir(serial)).not.toBe(0);
    outb(serial, R.LCR, 0xbf);
    expect(iir(serial)).not.toBe(0);
  });

  test('the scratch register holds any value (autoconfig_8250)', () => {
    const { serial } = uart();
    for (const v of [0xa5, 0x5a, 0x00, 0xff]) {
      outb(serial, R.SCR, v);
      expect(inb(serial, R.SCR)).toBe(v);
    }
  });
});

describe('THRE interrupt', () => {
  test('PC16550D Table IV: reset by "Reading the IIR Register (if source of interrupt) or Writing into the Transmitter Holding Register"', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_ETBEI);
    expect(irq.high).toBe(true);
    expect(iir(serial)).toBe(IIR_THRE);
    expect(irq.high).toBe(false);
    expect(iir(serial)).toBe(IIR_NO_INTERRUPT);
    // The byte leaves at once: THR is empty again, which sets the interrupt again.
    outb(serial, R.DATA, 0x41);
    expect(irq.high).toBe(true);
    expect(iir(serial)).toBe(IIR_THRE);
  });

  test('8250_port.c serial8250_do_startup(): "Real 16550s should always reassert this interrupt whenever the transmitter is idle and the interrupt is enabled"', () => {
    const { serial } = uart();
    // The UART_BUG_THRE test, verbatim in register terms.
    outb(serial, R.IER, IER_ETBEI);
    const iir1 = iir(serial);
    outb(serial, R.IER, 0);
    outb(serial, R.IER, IER_ETBEI);
    const iir2 = iir(serial);
    outb(serial, R.IER, 0);
    // Linux sets UART_BUG_THRE if "(!(iir1 & UART_IIR_NO_INT) && (iir & UART_IIR_NO_INT))".
    expect(iir1 & IIR_NO_INTERRUPT).toBe(0);
    expect(iir2 & IIR_NO_INTERRUPT).toBe(0);
  });

  test("8250_port.c's UART_BUG_TXEN test: with ETBEI on, LSR has TEMT and IIR reports an interrupt", () => {
    const { serial } = uart();
    outb(serial, R.IER, IER_ETBEI);
    const lsr = inb(serial, R.LSR);
    const id = iir(serial);
    outb(serial, R.IER, 0);
    expect(lsr & LSR_TEMT).toBe(LSR_TEMT);
    expect(id & IIR_NO_INTERRUPT).toBe(0);
  });

  test('__start_tx(): writing IER with THRI newly set re-arms THRE even after IIR cleared it', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_ERBFI | IER_ETBEI);
    iir(serial);
    expect(irq.high).toBe(false);
    outb(serial, R.IER, IER_ERBFI); // __stop_tx
    outb(serial, R.IER, IER_ERBFI | IER_ETBEI); // __start_tx
    expect(irq.high).toBe(true);
    expect(iir(serial)).toBe(IIR_THRE);
  });

  test('rewriting IER without a rising edge of ETBEI does not re-arm a cleared THRE (QEMU, Bochs)', () => {
    const { serial } = uart();
    outb(serial, R.IER, IER_ETBEI);
    iir(serial);
    outb(serial, R.IER, IER_ETBEI | IER_ERBFI);
    expect(iir(serial)).toBe(IIR_NO_INTERRUPT);
  });

  test('clearing ETBEI lowers the line while THRE stays pending inside', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_ETBEI);
    expect(irq.high).toBe(true);
    outb(serial, R.IER, 0);
    expect(irq.high).toBe(false);
    expect(iir(serial)).toBe(IIR_NO_INTERRUPT);
  });

  test('a serial8250_tx_chars() burst: 16 bytes per THRE interrupt, each one re-arming it', () => {
    const { serial, output, irq } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.IER, IER_ETBEI);
    for (let burst = 0; burst < 3; burst++) {
      expect(irq.high).toBe(true);
      expect(iir(serial)).toBe(IIR_FIFOS_ENABLED | IIR_THRE);
      for (let i = 0; i < FIFO_SIZE; i++) outb(serial, R.DATA, burst);
    }
    expect(output).toHaveLength(48);
  });
});

describe('receive', () => {
  test('16450 mode: one byte at a time, IIR 0x04, DR in LSR; reading RBR clears both', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_ERBFI);
    expect(serial.queueInput(new TextEncoder().encode('ls\n'))).toBe(3);
    expect(irq.high).toBe(true);
    const received: number[] = [];
    while (inb(serial, R.LSR) & LSR_DR) {
      expect(iir(serial)).toBe(IIR_RX_DATA);
      received.push(inb(serial, R.DATA));
    }
    expect(new TextDecoder().decode(Uint8Array.from(received))).toBe('ls\n');
    expect(irq.high).toBe(false);
    expect(iir(serial)).toBe(IIR_NO_INTERRUPT);
    expect(serial.pendingInput).toBe(0);
  });

  test('FIFO mode: below the trigger level IIR reports a character timeout (0x0C), at or above it received data (0x04)', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE | 0x80); // trigger level 8 (Linux's UART_FCR_R_TRIG_10)
    outb(serial, R.IER, IER_ERBFI);
    serial.queueInput(new Uint8Array(3));
    expect(iir(serial)).toBe(IIR_FIFOS_ENABLED | IIR_CHAR_TIMEOUT);
    serial.queueInput(new Uint8Array(5));
    expect(iir(serial)).toBe(IIR_FIFOS_ENABLED | IIR_RX_DATA);
    inb(serial, R.DATA);
    expect(iir(serial)).toBe(IIR_FIFOS_ENABLED | IIR_CHAR_TIMEOUT);
  });

  test('FCR[7:6] select trigger levels 1, 4, 8 and 14', () => {
    for (const [bits, level] of [[0x00, 1], [0x40, 4], [0x80, 8], [0xc0, 14]] as const) {
      const { serial } = uart();
      outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE | bits);
      outb(serial, R.IER, IER_ERBFI);
      serial.queueInput(new Uint8Array(level - 1));
      expect(iir(serial) & 0x0f).toBe(level === 1 ? IIR_NO_INTERRUPT : IIR_CHAR_TIMEOUT);
      serial.queueInput(new Uint8Array(1));
      expect(iir(serial) & 0x0f).toBe(IIR_RX_DATA);
    }
  });

  test('host input beyond the 16-byte FIFO waits and arrives in order, with no overrun', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    const input = Uint8Array.from({ length: 100 }, (_, i) => i);
    serial.queueInput(input);
    const received: number[] = [];
    while (inb(serial, R.LSR) & LSR_DR) received.push(inb(serial, R.DATA));
    expect(received).toEqual([...input]);
    expect(inb(serial, R.LSR) & LSR_OE).toBe(0);
  });

  test('the host queue is bounded: extra input is dropped and reported by the return value', () => {
    const { serial, messages } = uart({ inputCapacity: 4 });
    expect(serial.queueInput(new Uint8Array(10))).toBe(4);
    expect(messages.join()).toMatch(/input queue full/);
  });

  test('FCR bit 1 clears the receiver FIFO; queued host input then refills it', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    serial.queueInput(Uint8Array.from({ length: 20 }, (_, i) => i));
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE | FCR_CLEAR_RX);
    expect(inb(serial, R.DATA)).toBe(16);
  });

  test('PC16550D: "This bit must be a 1 when other FCR bits are written to or they will not be programmed"', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE); // trigger level 1
    outb(serial, R.IIR_FCR, 0xc0); // FIFO off: trigger bits not programmed
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.IER, IER_ERBFI);
    serial.queueInput(new Uint8Array(1));
    expect(iir(serial)).toBe(IIR_FIFOS_ENABLED | IIR_RX_DATA);
  });

  test('PC16550D: "When changing from the FIFO Mode to the 16450 Mode and vice versa, data is automatically cleared from the FIFOs"', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.MCR, MCR_LOOP);
    for (const b of [1, 2, 3]) outb(serial, R.DATA, b);
    outb(serial, R.IIR_FCR, 0);
    expect(inb(serial, R.LSR) & LSR_DR).toBe(0);
  });

  test('reading RBR with nothing received returns the last byte again', () => {
    const { serial } = uart();
    serial.queueInput(Uint8Array.of(0x61));
    expect(inb(serial, R.DATA)).toBe(0x61);
    expect(inb(serial, R.DATA)).toBe(0x61);
    expect(inb(serial, R.LSR) & LSR_DR).toBe(0);
  });
});

describe('loopback (PC16550D, MCR bit 4)', () => {
  test('"data that is transmitted is immediately received" and not sent out', () => {
    const { serial, output } = uart();
    outb(serial, R.MCR, MCR_LOOP);
    outb(serial, R.DATA, 0x55);
    expect(output).toEqual([]);
    expect(inb(serial, R.LSR) & LSR_DR).toBe(LSR_DR);
    expect(inb(serial, R.DATA)).toBe(0x55);
  });

  test('"the four MODEM Control outputs (DTR, RTS, OUT 1, and OUT 2) are internally connected to the four MODEM Control inputs" (DSR, CTS, RI, DCD)', () => {
    const { serial } = uart();
    const cases: [number, number][] = [
      [MCR_DTR, MSR_DSR],
      [MCR_RTS, MSR_CTS],
      [MCR_OUT1, MSR_RI],
      [MCR_OUT2, MSR_DCD],
      [0, 0],
      [0x0f, MSR_DSR | MSR_CTS | MSR_RI | MSR_DCD],
    ];
    for (const [mcr, msr] of cases) {
      outb(serial, R.MCR, MCR_LOOP | mcr);
      expect(inb(serial, R.MSR) & 0xf0).toBe(msr);
    }
  });

  test('"the receiver Serial Input (SIN) is disconnected": host input waits until loopback ends', () => {
    const { serial } = uart();
    outb(serial, R.MCR, MCR_LOOP);
    serial.queueInput(Uint8Array.of(0x42));
    expect(inb(serial, R.LSR) & LSR_DR).toBe(0);
    outb(serial, R.MCR, 0);
    expect(inb(serial, R.DATA)).toBe(0x42);
  });

  test('a full receiver overruns: LSR.OE, a receiver line status interrupt of the highest priority; reading LSR clears it', () => {
    const { serial, irq } = uart();
    outb(serial, R.MCR, MCR_LOOP);
    outb(serial, R.IER, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI);
    outb(serial, R.DATA, 1);
    outb(serial, R.DATA, 2); // 16450 mode holds one character
    expect(iir(serial)).toBe(IIR_LINE_STATUS);
    expect(inb(serial, R.LSR) & LSR_OE).toBe(LSR_OE);
    expect(inb(serial, R.LSR) & LSR_OE).toBe(0);
    // Next in priority: received data, then THRE, then modem status.
    expect(iir(serial)).toBe(IIR_RX_DATA);
    expect(inb(serial, R.DATA)).toBe(1);
    expect(iir(serial)).toBe(IIR_THRE);
    expect(irq.high).toBe(true);
  });

  test('a FIFO of 16 overruns on the 17th character', () => {
    const { serial } = uart();
    outb(serial, R.IIR_FCR, FCR_FIFO_ENABLE);
    outb(serial, R.MCR, MCR_LOOP);
    for (let i = 0; i < 16; i++) outb(serial, R.DATA, i);
    expect(inb(serial, R.LSR) & LSR_OE).toBe(0);
    outb(serial, R.DATA, 16);
    expect(inb(serial, R.LSR) & LSR_OE).toBe(LSR_OE);
    const received: number[] = [];
    while (inb(serial, R.LSR) & LSR_DR) received.push(inb(serial, R.DATA));
    expect(received).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });
});

describe('modem status', () => {
  test('line changes set the delta bits; a modem status interrupt (lowest priority) until MSR is read', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_EDSSI);
    outb(serial, R.MCR, MCR_LOOP | MCR_RTS | MCR_OUT2); // DSR drops: DDSR
    expect(irq.high).toBe(true);
    expect(iir(serial)).toBe(IIR_MODEM_STATUS);
    expect(inb(serial, R.MSR)).toBe(MSR_CTS | MSR_DCD | MSR_DDSR);
    expect(irq.high).toBe(false);
    expect(inb(serial, R.MSR)).toBe(MSR_CTS | MSR_DCD);
  });

  test('PC16550D: TERI is set when RI "has changed from a low to a high state" at the pin, i.e. on its trailing edge only', () => {
    const { serial } = uart();
    outb(serial, R.MCR, MCR_LOOP);
    inb(serial, R.MSR);
    outb(serial, R.MCR, MCR_LOOP | MCR_OUT1);
    expect(inb(serial, R.MSR) & MSR_TERI).toBe(0);
    outb(serial, R.MCR, MCR_LOOP);
    expect(inb(serial, R.MSR) & MSR_TERI).toBe(MSR_TERI);
  });
});

describe('interrupt line', () => {
  test('is driven only on changes', () => {
    const { serial, irq } = uart();
    outb(serial, R.IER, IER_ERBFI);
    for (let i = 0; i < 10; i++) serial.queueInput(Uint8Array.of(i));
    expect(irq.levels).toEqual([true]);
    for (let i = 0; i < 10; i++) inb(serial, R.DATA);
    expect(irq.levels).toEqual([true, false]);
  });

  test('is not gated by MCR.OUT2 (as crosvm, QEMU, Firecracker)', () => {
    const { serial, irq } = uart();
    outb(serial, R.MCR, 0);
    outb(serial, R.IER, IER_ETBEI);
    expect(irq.high).toBe(true);
  });
});

describe('hostile guest', () => {
  test('a 2-byte write at offset 0 is two byte writes, THR then IER (an ISA bus cycle split)', () => {
    const { serial, output } = uart();
    serial.write(0, Uint8Array.of(0x41, 0x0f));
    expect(output).toEqual([0x41]);
    expect(inb(serial, R.IER)).toBe(0x0f);
  });

  test('offsets outside the 8 registers read 0xff and ignore writes, logged once', () => {
    const { serial, messages } = uart();
    expect(inb(serial, 8)).toBe(0xff);
    expect(inb(serial, -1)).toBe(0xff);
    outb(serial, 100, 1);
    inb(serial, 8);
    expect(messages.filter((m) => m.includes('outside'))).toHaveLength(3);
  });

  test('writes to the read-only LSR and MSR change nothing', () => {
    const { serial } = uart();
    outb(serial, R.LSR, 0x00);
    outb(serial, R.MSR, 0x00);
    expect(inb(serial, R.LSR)).toBe(LSR_THRE | LSR_TEMT);
    expect(inb(serial, R.MSR)).toBe(MSR_CTS | MSR_DSR | MSR_DCD);
  });

  test('100,000 random accesses of any offset and width, in any order, never throw and keep the registers in range', () => {
    const { serial, irq } = uart();
    expect(() => hostileAccesses(serial, Serial.LENGTH, 100_000, 0x16550)).not.toThrow();
    expect(inb(serial, R.IER) & 0xf0).toBe(0);
    expect(inb(serial, R.MCR) & 0xe0).toBe(0);
    expect(iir(serial) & 0x30).toBe(0);
    expect(typeof irq.high).toBe('boolean');
  });
});

describe('one UART shared by instances over one state (the `state` option)', () => {
  test('a second instance attaches without a reset and sees the registers the first wrote, and the reverse', () => {
    const a = uart();
    outb(a.serial, R.LCR, 0x03 | LCR_DLAB);
    outb(a.serial, R.DATA, 0x01);
    outb(a.serial, R.IER, 0x00);
    outb(a.serial, R.LCR, 0x03);
    outb(a.serial, R.SCR, 0xa5);
    outb(a.serial, R.MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    outb(a.serial, R.IER, IER_ERBFI);
    const b = uart({ state: a.serial.state });
    expect(b.serial.state).toBe(a.serial.state);
    expect(inb(b.serial, R.IER)).toBe(IER_ERBFI);
    expect(inb(b.serial, R.LCR)).toBe(0x03);
    expect(inb(b.serial, R.MCR)).toBe(MCR_DTR | MCR_RTS | MCR_OUT2);
    expect(inb(b.serial, R.SCR)).toBe(0xa5);
    expect(b.serial.divisor).toBe(1);
    outb(b.serial, R.LCR, 0x03 | LCR_DLAB);
    expect(inb(b.serial, R.DATA)).toBe(0x01);
    outb(b.serial, R.IER, 0x02);
    outb(b.serial, R.LCR, 0x03);
    expect(a.serial.divisor).toBe(0x0201);
    outb(b.serial, R.SCR, 0x5a);
    expect(inb(a.serial, R.SCR)).toBe(0x5a);
  });

  test('a fresh state attached at once reads the reset values', () => {
    const a = uart();
    const b = uart({ state: a.serial.state });
    expect(b.serial.divisor).toBe(12);
    expect(inb(b.serial, R.LSR)).toBe(LSR_THRE | LSR_TEMT);
    expect(iir(b.serial)).toBe(IIR_NO_INTERRUPT);
  });

  test('the FIFO and the host input queue are shared: input queued through one is read through the other, in order', () => {
    const a = uart();
    const b = uart({ state: a.serial.state });
    outb(a.serial, R.IIR_FCR, FCR_FIFO_ENABLE | 0x40); // trigger level 4
    expect(a.serial.queueInput(Uint8Array.from({ length: 40 }, (_, i) => i))).toBe(40);
    expect(b.serial.pendingInput).toBe(40);
    const received: number[] = [];
    for (let i = 0; inb(i % 2 ? a.serial : b.serial, R.LSR) & LSR_DR; i++) received.push(inb(i % 2 ? b.serial : a.serial, R.DATA));
    expect(received).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(a.serial.pendingInput).toBe(0);
    // Loopback through one instance lands in the FIFO the other reads.
    outb(b.serial, R.MCR, MCR_LOOP);
    outb(b.serial, R.DATA, 0x77);
    expect(inb(a.serial, R.DATA)).toBe(0x77);
    expect(a.output).toEqual([]);
    expect(b.output).toEqual([]);
  });

  test('each instance transmits through its own output, in THR order', () => {
    const a = uart();
    const b = uart({ state: a.serial.state });
    outb(a.serial, R.DATA, 0x41);
    outb(b.serial, R.DATA, 0x42);
    outb(a.serial, R.DATA, 0x43);
    expect(a.output).toEqual([0x41, 0x43]);
    expect(b.output).toEqual([0x42]);
  });

  test('the THRE interrupt is pending for both, cleared for both by one IIR read; each edge reaches one line only', () => {
    const a = uart();
    const b = uart({ state: a.serial.state });
    outb(a.serial, R.IER, IER_ETBEI);
    expect(a.irq.levels).toEqual([true]);
    // B sees the level already high: nothing to drive, no second edge.
    outb(b.serial, R.IER, IER_ETBEI);
    expect(b.irq.levels).toEqual([]);
    expect(iir(b.serial)).toBe(IIR_THRE);
    expect(b.irq.levels).toEqual([false]);
    expect(iir(a.serial)).toBe(IIR_NO_INTERRUPT);
    expect(a.irq.levels).toEqual([true]);
    // A THR write through B re-arms THRE; the edge goes out once, on B's line.
    outb(b.serial, R.DATA, 0x41);
    expect(b.irq.levels).toEqual([false, true]);
    expect(iir(a.serial)).toBe(IIR_THRE);
    expect(a.irq.levels).toEqual([true, false]);
    expect(a.irq.edges + b.irq.edges).toBe(2);
  });

  test('a buffer of another size (another inputCapacity) or kind is refused with DeviceStateError', () => {
    const small = new Serial({ inputCapacity: 4 });
    expect(() => new Serial({ state: small.state })).toThrow(DeviceStateError);
    expect(() => new Serial({ state: small.state })).toThrow(/^serial: state is a SharedArrayBuffer of \d+ bytes, expected a SharedArrayBuffer of \d+ bytes made by another serial$/);
    expect(() => new Serial({ state: new SharedArrayBuffer(8), label: 'com2' })).toThrow(/^com2: state is a SharedArrayBuffer of 8 bytes/);
    expect(() => new Serial({ state: new ArrayBuffer(64 * 1024 + 100) as unknown as SharedArrayBuffer })).toThrow(DeviceStateError);
    expect(new Serial({ state: small.state, inputCapacity: 4 }).pendingInput).toBe(0);
  });

  test('a worker thread transmits while the main thread queues and receives: no byte lost, duplicated or reordered, no IRQ edge doubled', { timeout: 60_000 }, async () => {
    const count = 50_000;
    const main = uart();
    outb(main.serial, R.IIR_FCR, FCR_FIFO_ENABLE | 0x80);
    // THRE interrupts only: each THR write (worker) raises the line, each IIR read (main) lowers it.
    outb(main.serial, R.IER, IER_ETBEI);
    // sync: ready (set by the worker), go (set here), the worker's progress.
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const worker = runTsWorker<{ output: Uint8Array; rises: number; falls: number }>(new URL('./testing/serial.worker.ts', import.meta.url), { state: main.serial.state, count, sync: flags.buffer });
    while (Atomics.load(flags, 0) === 0) await Promise.race([worker, new Promise((resolve) => setTimeout(resolve, 1))]);

    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    const input = Uint8Array.from({ length: count }, (_, i) => (i * 7) & 0xff);
    const received: number[] = [];
    let queued = 0;
    const deadline = performance.now() + 30_000;
    // Until the worker has written all its bytes too, so both threads' accesses overlap.
    for (let i = 0; received.length < count || Atomics.load(flags, 2) < count; i++) {
      if (queued < count && main.serial.pendingInput < 256) queued += main.serial.queueInput(input.subarray(queued, queued + 64));
      if (inb(main.serial, R.LSR) & LSR_DR) received.push(inb(main.serial, R.DATA));
      iir(main.serial);
      if (i % 1024 === 0 && performance.now() > deadline) break;
    }
    const transmitted = await worker;
    outb(main.serial, R.IER, 0);

    expect(transmitted.output).toEqual(Uint8Array.from({ length: count }, (_, i) => i & 0xff));
    expect(Uint8Array.from(received)).toEqual(input);
    expect(main.output).toEqual([]);
    expect(main.serial.pendingInput).toBe(0);
    expect(inb(main.serial, R.LSR) & LSR_OE).toBe(0);
    // Both lines are one GSI: the level changes they saw, merged, alternate from low and end low,
    // so as many falls as rises (an unserialized level would drive some edge twice).
    const mainRises = main.irq.levels.filter((high) => high).length;
    expect(mainRises + transmitted.rises).toBe(main.irq.levels.length - mainRises + transmitted.falls);
    expect(mainRises + transmitted.rises).toBeGreaterThan(0);
  });
});
