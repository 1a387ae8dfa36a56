/**
 * Test doubles and helpers for device tests: an IRQ line that records its levels, a log that
 * collects messages, byte-access shorthands, and a seeded random access generator for the
 * hostile-guest tests (every test run makes the same accesses).
 */
import type { BusDevice } from '../bus/index.ts';
import type { IrqLine } from '../irq/index.ts';

/** An {@link IrqLine} that remembers every level driven. */
export class RecordingIrq implements IrqLine {
  readonly levels: boolean[] = [];

  setLevel(high: boolean): void {
    this.levels.push(high);
  }

  /** The level now (low if never driven). */
  get high(): boolean {
    return this.levels.at(-1) ?? false;
  }

  /** The number of rising edges seen. */
  get edges(): number {
    let edges = 0;
    let previous = false;
    for (const level of this.levels) {
      if (level && !previous) edges++;
      previous = level;
    }
    return edges;
  }
}

/** A log sink that keeps its messages. */
export function collectLog(): { messages: string[]; log: (message: string) => void } {
  const messages: string[] = [];
  return { messages, log: (message) => messages.push(message) };
}

/** One byte read at `offset`. */
export function inb(device: BusDevice, offset: number): number {
  const data = new Uint8Array(1);
  device.read(offset, data);
  return data[0]!;
}

/** One byte written at `offset`. */
export function outb(device: BusDevice, offset: number, value: number): void {
  device.write(offset, Uint8Array.of(value));
}

/** A little-endian read of `size` bytes at `offset`. */
export function inN(device: BusDevice, offset: number, size: 1 | 2 | 4): number {
  const data = new Uint8Array(size);
  device.read(offset, data);
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + data[i]!;
  return value;
}

/** A little-endian write of `size` bytes at `offset`. */
export function outN(device: BusDevice, offset: number, size: 1 | 2 | 4, value: number): void {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.floor(value / 256 ** i) % 256;
  device.write(offset, data);
}

/** A small deterministic PRNG (xorshift32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * `count` random guest accesses to `device`: offsets from -2 to `length + 1` (so some are out of
 * range when the device is called directly), sizes 0, 1, 2, 3, 4 and 8, random data. Returns
 * nothing; the caller checks that nothing threw.
 */
export function hostileAccesses(device: BusDevice, length: number, count: number, seed: number): void {
  const next = prng(seed);
  const sizes = [0, 1, 1, 1, 2, 3, 4, 8];
  for (let i = 0; i < count; i++) {
    const offset = (next() % (length + 4)) - 2;
    const size = sizes[next() % sizes.length]!;
    const data = new Uint8Array(size);
    for (let j = 0; j < size; j++) data[j] = next() & 0xff;
    if (next() & 1) device.write(offset, data);
    else device.read(offset, data);
  }
}
