/** Tests of the interrupt-line helpers: levels are forwarded only on change; pulse is one edge. */
import { expect, test } from 'vitest';
import { RecordingIrq } from '../testing/index.ts';
import { IrqLevel, NO_IRQ, pulse } from './index.ts';

test('IrqLevel drives the line only when the level changes', () => {
  const line = new RecordingIrq();
  const level = new IrqLevel(line);
  for (const high of [false, true, true, true, false, false, true]) level.set(high);
  expect(line.levels).toEqual([true, false, true]);
  expect(level.high).toBe(true);
});

test('IrqLevel without a line is silent', () => {
  const level = new IrqLevel(undefined);
  level.set(true);
  expect(level.high).toBe(true);
  expect(() => NO_IRQ.setLevel(true)).not.toThrow();
});

test('pulse gives one rising edge and leaves the line low', () => {
  const line = new RecordingIrq();
  pulse(line);
  pulse(line);
  expect(line.levels).toEqual([true, false, true, false]);
  expect(line.edges).toBe(2);
  expect(line.high).toBe(false);
});

test('IrqLevel over a shared cell agrees with another IrqLevel over the same cell', () => {
  const line = new RecordingIrq();
  const cell = new Int32Array(new SharedArrayBuffer(8));
  const a = new IrqLevel(line, cell, 1);
  const b = new IrqLevel(line, cell, 1);
  a.set(true);
  b.set(true);
  b.set(false);
  a.set(false);
  expect(line.levels).toEqual([true, false]);
  expect(cell[1]).toBe(0);
});
