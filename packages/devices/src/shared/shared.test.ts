/**
 * Tests of the shared device state: the lock serializes real threads (a non-atomic counter
 * incremented under it by three threads ends exact), a second instance over the buffer sees the
 * first's words, a foreign buffer is refused with a located message, `run` passes its arguments
 * under the same lock (re-entrant, released when the body throws), and ByteRing is a FIFO.
 */
import { expect, test } from 'vitest';
import { runTsWorker } from '../testing/threads.ts';
import { ByteRing, DeviceState, DeviceStateError } from './index.ts';

test('the lock serializes three threads updating the same words', async () => {
  const state = new DeviceState('counter', 2, 0);
  const rounds = 20_000;
  const worker = new URL('./testing/counter.worker.ts', import.meta.url);
  const done = Promise.all([runTsWorker(worker, { state: state.buffer, rounds }), runTsWorker(worker, { state: state.buffer, rounds })]);
  for (let i = 0; i < rounds; i++) {
    state.locked(() => {
      // A read-modify-write split in two, so an unserialized writer would lose updates.
      const value = state.words[0]!;
      state.words[1] = value;
      state.words[0] = state.words[1]! + 1;
    });
  }
  await done;
  expect(state.words[0]).toBe(3 * rounds);
});

test('an instance over another one\'s buffer shares its words and is not fresh', () => {
  const a = new DeviceState('dev', 3, 5);
  const b = new DeviceState('dev', 3, 5, a.buffer);
  expect(a.fresh).toBe(true);
  expect(b.fresh).toBe(false);
  a.words[2] = 7;
  b.bytes[4] = 9;
  expect(b.words[2]).toBe(7);
  expect(a.bytes[4]).toBe(9);
});

test('a buffer of another size or kind is refused, naming the device and the size expected', () => {
  const a = new DeviceState('uart', 3, 5);
  expect(() => new DeviceState('cmos', 4, 5, a.buffer)).toThrow(DeviceStateError);
  expect(() => new DeviceState('cmos', 4, 5, a.buffer)).toThrow('cmos: state is a SharedArrayBuffer of 21 bytes, expected a SharedArrayBuffer of 25 bytes made by another cmos');
  expect(() => new DeviceState('cmos', 1, 0, new ArrayBuffer(8) as unknown as SharedArrayBuffer)).toThrow(/cmos: state is \[object ArrayBuffer\], expected a SharedArrayBuffer of 8 bytes/);
});

test('locked is re-entrant within one instance', () => {
  const state = new DeviceState('dev', 1, 0);
  expect(state.locked(() => state.locked(() => 42))).toBe(42);
  // And released afterwards: another instance can take it.
  expect(new DeviceState('dev', 1, 0, state.buffer).locked(() => 1)).toBe(1);
});

test('run serializes with threads using locked, passing its arguments to a body bound once', async () => {
  const state = new DeviceState('counter', 2, 0);
  const rounds = 20_000;
  const worker = new URL('./testing/counter.worker.ts', import.meta.url);
  const done = Promise.all([runTsWorker(worker, { state: state.buffer, rounds }), runTsWorker(worker, { state: state.buffer, rounds })]);
  const add = (words: Int32Array, step: number): void => {
    const value = words[0]!;
    words[1] = value;
    words[0] = words[1]! + step;
  };
  for (let i = 0; i < rounds; i++) state.run(add, state.words, 1);
  await done;
  expect(state.words[0]).toBe(3 * rounds);
});

test('run returns the body\'s result and takes one argument or two', () => {
  const state = new DeviceState('dev', 1, 0);
  expect(state.run((a: number, b: string) => `${b}${String(a)}`, 7, 'x')).toBe('x7');
  expect(state.run((a: number) => a * 2, 21)).toBe(42);
});

test('run is re-entrant within one instance, nested in itself and in locked, and released afterwards', () => {
  const state = new DeviceState('dev', 1, 0);
  const other = new DeviceState('dev', 1, 0, state.buffer);
  const inner = (a: number, b: number): number => state.locked(() => state.run((x: number) => x + b, a));
  expect(state.run(inner, 40, 2)).toBe(42);
  expect(state.locked(() => state.run(inner, 1, 2))).toBe(3);
  expect(other.run((a: number) => a, 1)).toBe(1);
});

test('the lock is released when the body throws, from run and from locked, nested or not', () => {
  const state = new DeviceState('dev', 1, 0);
  const lockWord = new Int32Array(state.buffer, 0, 1);
  const other = new DeviceState('dev', 1, 0, state.buffer);
  const fail = (message: string, code: number): never => {
    throw new Error(`${message} (${String(code)})`);
  };
  expect(() => state.run(fail, 'run', 0)).toThrow('run');
  expect(lockWord[0]).toBe(0);
  expect(() => state.locked(() => fail('locked', 0))).toThrow('locked');
  expect(lockWord[0]).toBe(0);
  // A throw from a nested run leaves the outer one holding the lock until it ends.
  const outer = state.run((message: string) => {
    expect(() => state.run(fail, message, 0)).toThrow(message);
    return lockWord[0];
  }, 'nested');
  expect(outer).not.toBe(0);
  expect(lockWord[0]).toBe(0);
  expect(() => state.run(() => state.run(fail, 'through', 0), undefined)).toThrow('through');
  expect(lockWord[0]).toBe(0);
  // Still usable from both instances.
  expect(other.run((a: number) => a + 1, 1)).toBe(2);
  expect(state.run((a: number) => a + 2, 1)).toBe(3);
});

test('ByteRing keeps order across the wrap, refuses when full, and take() drains in order', () => {
  const state = new DeviceState('ring', 2, 4);
  const ring = new ByteRing(state, 0, 0, 4);
  for (const b of [1, 2, 3]) expect(ring.push(b)).toBe(true);
  expect(ring.shift()).toBe(1);
  expect(ring.shift()).toBe(2);
  for (const b of [4, 5, 6]) expect(ring.push(b)).toBe(true);
  expect(ring.push(7)).toBe(false);
  expect(ring.free).toBe(0);
  expect([...ring.take(3)]).toEqual([3, 4, 5]);
  expect(ring.length).toBe(1);
  const again = new ByteRing(new DeviceState('ring', 2, 4, state.buffer), 0, 0, 4);
  expect(again.shift()).toBe(6);
  expect(ring.shift()).toBeUndefined();
  ring.push(8);
  ring.clear();
  expect(ring.length).toBe(0);
});

test('a ByteRing that does not fit its state is refused', () => {
  const state = new DeviceState('ring', 2, 4);
  expect(() => new ByteRing(state, 1, 0, 4)).toThrow(DeviceStateError);
  expect(() => new ByteRing(state, 0, 2, 4)).toThrow(DeviceStateError);
});
