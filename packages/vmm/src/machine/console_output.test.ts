/**
 * Tests of the console output ring: bytes written by another thread arrive in order and complete
 * through `pump`, even when the ring is smaller than the output (the writer waits for room); with
 * nobody reading, a full ring drops and counts after the wait instead of blocking the vCPU.
 */
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { tsWorkerEntry } from '../vcpu/thread.ts';
import { ConsoleOutput } from './console_output.ts';

test('bytes from a worker thread arrive in order through pump, through a ring smaller than the output', async () => {
  const output = new ConsoleOutput(undefined, { capacity: 4096 });
  const count = 100_000;
  const received: number[] = [];
  const pumped = output.pump((bytes) => received.push(...bytes));
  const entry = tsWorkerEntry(new URL('./testing/console_writer.worker.ts', import.meta.url));
  const worker = new Worker('code' in entry ? entry.code : entry.url, { eval: 'code' in entry, workerData: { tsvmmVcpu: { buffer: output.buffer, count } } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  output.stop();
  await pumped;
  expect(received.length).toBe(count);
  expect(received.every((b, i) => b === i % 251)).toBe(true);
  expect(output.dropped).toBe(0);
});

test('with nobody reading, a full ring drops what does not fit after waiting, and counts it', () => {
  const output = new ConsoleOutput(undefined, { capacity: 8, fullWaitMs: 5 });
  const started = performance.now();
  output.write(Uint8Array.from({ length: 10 }, (_, i) => i));
  expect(performance.now() - started).toBeGreaterThanOrEqual(8);
  expect(output.dropped).toBe(2);
  expect([...output.take()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  output.stop();
  // After stop() a writer no longer waits for room.
  output.write(new Uint8Array(20));
  expect(output.dropped).toBe(14);
});

test('an instance over another one\'s buffer takes its capacity; a buffer too small for a ring is refused', () => {
  const output = new ConsoleOutput(undefined, { capacity: 8 });
  const other = new ConsoleOutput(output.buffer);
  other.write(Uint8Array.of(1, 2, 3));
  expect([...output.take()]).toEqual([1, 2, 3]);
  expect(() => new ConsoleOutput(new SharedArrayBuffer(4))).toThrow(/console output: state is a SharedArrayBuffer of 4 bytes, expected a SharedArrayBuffer of 29 bytes/);
});
