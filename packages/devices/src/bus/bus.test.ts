/**
 * Tests of the port-I/O and MMIO buses: placement and overlap checks, routing by offset,
 * all-ones for unclaimed reads, splitting of straddling accesses, and containment of devices that
 * throw.
 */
import { describe, expect, test } from 'vitest';
import { collectLog } from '../testing/index.ts';
import { Bus, BusError, type BusDevice } from './index.ts';

/** A device that records its accesses and reads back `offset + i` in each byte. */
class Recorder implements BusDevice {
  readonly accesses: string[] = [];

  constructor(readonly label: string) {}

  read(offset: number, data: Uint8Array): void {
    this.accesses.push(`r ${String(offset)}/${String(data.length)}`);
    for (let i = 0; i < data.length; i++) data[i] = offset + i;
  }

  write(offset: number, data: Uint8Array): void {
    this.accesses.push(`w ${String(offset)}/${String(data.length)}=${[...data].join(',')}`);
  }
}

function pioBus() {
  const { messages, log } = collectLog();
  return { bus: new Bus('pio', { log }), messages };
}

describe('insert', () => {
  test('places devices and lists them in address order', () => {
    const { bus } = pioBus();
    const a = new Recorder('a');
    const b = new Recorder('b');
    bus.insert(b, 0x3f8, 8);
    bus.insert(a, 0x60, 5);
    expect(bus.ranges.map((r) => [r.base, r.length, r.device])).toEqual([
      [0x60, 5, a],
      [0x3f8, 8, b],
    ]);
  });

  test.each([
    [0x3f0, 9],
    [0x3ff, 1],
    [0x3f8, 8],
    [0x3fa, 2],
    [0x3f0, 0x20],
  ])('rejects [%i, +%i) overlapping [0x3f8, 0x400) with BusError overlap naming both', (base, length) => {
    const { bus } = pioBus();
    bus.insert(new Recorder('serial'), 0x3f8, 8);
    const call = () => bus.insert(new Recorder('intruder'), base, length);
    expect(call).toThrow(BusError);
    expect(call).toThrow(/intruder.*overlaps serial/);
    try {
      call();
    } catch (error) {
      expect((error as BusError).code).toBe('overlap');
    }
  });

  test('accepts adjacent ranges', () => {
    const { bus } = pioBus();
    bus.insert(new Recorder('a'), 0x3f0, 8);
    bus.insert(new Recorder('b'), 0x3f8, 8);
    bus.insert(new Recorder('c'), 0x400, 1);
    expect(bus.ranges).toHaveLength(3);
  });

  test.each([
    [-1, 1],
    [0, 0],
    [0xffff, 2],
    [0x10000, 1],
    [1.5, 1],
    [0, Number.NaN],
  ])('rejects the pio range [%s, +%s) with BusError invalid-range', (base, length) => {
    const { bus } = pioBus();
    try {
      bus.insert(new Recorder('x'), base, length);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BusError);
      expect((error as BusError).code).toBe('invalid-range');
    }
  });

  test('an MMIO bus takes addresses above 4 GiB (a 64-bit BAR at 256 GiB)', () => {
    const bus = new Bus('mmio', { log: () => {} });
    const device = new Recorder('bar');
    bus.insert(device, 256 * 2 ** 30, 0x80000);
    const data = new Uint8Array(8);
    expect(bus.read(256n * 2n ** 30n + 0x10n, data)).toBe(true);
    expect([...data]).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
  });

  test('remove takes a device off, and fails with not-found for an empty base', () => {
    const { bus } = pioBus();
    const device = new Recorder('a');
    bus.insert(device, 0x70, 2);
    expect(bus.remove(0x70)).toBe(device);
    expect(bus.ranges).toHaveLength(0);
    expect(() => bus.remove(0x70)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});

describe('access', () => {
  test('passes the offset within the device and the access size as data.length', () => {
    const { bus } = pioBus();
    const device = new Recorder('serial');
    bus.insert(device, 0x3f8, 8);
    const data = new Uint8Array(2);
    expect(bus.read(0x3fd, data)).toBe(true);
    expect(bus.write(0x3f9, Uint8Array.of(7))).toBe(true);
    expect(device.accesses).toEqual(['r 5/2', 'w 1/1=7']);
    expect([...data]).toEqual([5, 6]);
  });

  test('an unclaimed read returns all-ones and false, and is logged once per address', () => {
    const { bus, messages } = pioBus();
    for (const size of [1, 2, 4]) {
      const data = new Uint8Array(size).fill(0x12);
      expect(bus.read(0x80, data)).toBe(false);
      expect([...data]).toEqual(new Array(size).fill(0xff));
    }
    expect(bus.write(0x80, Uint8Array.of(0))).toBe(false);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/unclaimed read at 0x80/);
  });

  test('an access straddling the end of a device is split into bytes: the claimed ones reach the device', () => {
    const { bus } = pioBus();
    const device = new Recorder('dev');
    bus.insert(device, 0x100, 2);
    const data = new Uint8Array(4);
    expect(bus.read(0x101, data)).toBe(true);
    expect([...data]).toEqual([1, 0xff, 0xff, 0xff]);
    expect(device.accesses).toEqual(['r 1/1']);
  });

  test('an access straddling two devices reaches each, byte by byte', () => {
    const { bus } = pioBus();
    const a = new Recorder('a');
    const b = new Recorder('b');
    bus.insert(a, 0x100, 2);
    bus.insert(b, 0x102, 2);
    expect(bus.write(0x101, Uint8Array.of(1, 2))).toBe(true);
    expect(a.accesses).toEqual(['w 1/1=1']);
    expect(b.accesses).toEqual(['w 0/1=2']);
  });

  test('an access that starts in a gap before a device still reaches the device for its bytes', () => {
    const { bus } = pioBus();
    const device = new Recorder('dev');
    bus.insert(device, 0x102, 2);
    const data = new Uint8Array(4);
    expect(bus.read(0x100, data)).toBe(true);
    expect([...data]).toEqual([0xff, 0xff, 0, 1]);
  });

  test.each([0, 3, 8, 16])('a pio access of %i bytes is refused: all-ones, unclaimed, no device call', (size) => {
    const { bus } = pioBus();
    const device = new Recorder('dev');
    bus.insert(device, 0, 0x10000);
    const data = new Uint8Array(size).fill(1);
    expect(bus.read(0x10, data)).toBe(false);
    expect(data.every((b) => b === 0xff)).toBe(true);
    expect(device.accesses).toEqual([]);
  });

  test('an 8-byte MMIO access is allowed', () => {
    const bus = new Bus('mmio', { log: () => {} });
    const device = new Recorder('dev');
    bus.insert(device, 0x1000, 0x1000);
    expect(bus.write(0x1008, new Uint8Array(8))).toBe(true);
    expect(device.accesses).toEqual(['w 8/8=0,0,0,0,0,0,0,0']);
  });

  test.each([-1, 2 ** 53, Number.NaN, 1.5, -1n, 2n ** 64n - 1n])('the address %s is unclaimed, not an exception', (address) => {
    const { bus } = pioBus();
    bus.insert(new Recorder('all'), 0, 0x10000);
    const data = new Uint8Array(1);
    expect(bus.read(address, data)).toBe(false);
    expect(data[0]).toBe(0xff);
    expect(bus.write(address, data)).toBe(false);
  });

  test('a pio address past 0xffff is unclaimed', () => {
    const { bus } = pioBus();
    bus.insert(new Recorder('top'), 0xfff0, 0x10);
    expect(bus.read(0x10000, new Uint8Array(1))).toBe(false);
  });

  test('a device that throws does not throw out of the bus: the read answers all-ones, logged once', () => {
    const { bus, messages } = pioBus();
    const faulty: BusDevice = {
      label: 'faulty',
      read(_offset, data) {
        data[0] = 0;
        throw new Error('boom');
      },
      write() {
        throw new Error('boom');
      },
    };
    bus.insert(faulty, 0x10, 1);
    const data = new Uint8Array(1);
    for (let i = 0; i < 3; i++) {
      expect(bus.read(0x10, data)).toBe(true);
      expect(data[0]).toBe(0xff);
      expect(bus.write(0x10, data)).toBe(true);
    }
    expect(messages.filter((m) => m.includes('faulty threw'))).toHaveLength(1);
  });

  test('finds the device holding an address', () => {
    const { bus } = pioBus();
    const device = new Recorder('d');
    bus.insert(device, 0x70, 2);
    expect(bus.find(0x71)?.device).toBe(device);
    expect(bus.find(0x72)).toBeUndefined();
    expect(bus.find(-5)).toBeUndefined();
  });

  test('many devices: every port routes to the one holding it', () => {
    const { bus } = pioBus();
    const devices = Array.from({ length: 64 }, (_, i) => new Recorder(`d${String(i)}`));
    devices.forEach((d, i) => bus.insert(d, i * 16 + 1, 15));
    for (let port = 0; port < 64 * 16; port++) {
      const range = bus.find(port);
      if (port % 16 === 0) expect(range).toBeUndefined();
      else expect(range?.device).toBe(devices[Math.floor(port / 16)]);
    }
  });
});
