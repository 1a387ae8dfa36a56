/** Tests of LogOnce: one message per key, a bounded number of keys, and a sink that may fail. */
import { expect, test } from 'vitest';
import { collectLog } from '../testing/index.ts';
import { LOG_ONCE_LIMIT, LogOnce, hex } from './log.ts';

test('logs each key once, with the prefix', () => {
  const { messages, log } = collectLog();
  const once = new LogOnce(log, 'serial');
  once.warn('odd access at 0x9');
  once.warn('odd access at 0x9');
  once.warn('another text', 'k');
  once.warn('same key, other text', 'k');
  expect(messages).toEqual(['serial: odd access at 0x9', 'serial: another text']);
});

test('falls silent after LOG_ONCE_LIMIT distinct keys, saying so once', () => {
  const { messages, log } = collectLog();
  const once = new LogOnce(log, 'bus');
  for (let port = 0; port < 0x10000; port++) once.warn(`unclaimed ${hex(port)}`);
  expect(messages).toHaveLength(LOG_ONCE_LIMIT + 1);
  expect(messages.at(-1)).toMatch(/suppressed/);
});

test('a throwing sink does not throw', () => {
  const once = new LogOnce(() => { throw new Error('closed'); }, 'x');
  expect(() => once.warn('m')).not.toThrow();
});
