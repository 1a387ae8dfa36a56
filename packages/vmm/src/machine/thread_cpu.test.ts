/**
 * Tests of the per-thread CPU reading: field counting from the last `)` (thread names may hold
 * spaces and parentheses), guest time taken out of user time, a located error for a line that is
 * not a stat line, and this process's own threads read from /proc.
 */
import { expect, test } from 'vitest';
import { nativeKvm } from '../native/addon.ts';
import { parseThreadStat, processThreads, threadCpu } from './thread_cpu.ts';

/** A stat line as Linux 6.1 writes it, with utime 2274, stime 1266, guest_time 1336 (fields 14, 15, 43). */
function statLine(name: string): string {
  const fields = ['R', '1', '117', '117', '0', '-1', '4194368', '5', '0', '0', '0', '2274', '1266', '0', '0', '20', '0', '13', '0', '4213', '1234', '567', '18446744073709551615'];
  while (fields.length < 40) fields.push('0');
  fields.push('1336', '0');
  while (fields.length < 50) fields.push('0');
  return `172 (${name}) ${fields.join(' ')}\n`;
}

test('fields are counted from the last parenthesis; guest time is not counted as user time', () => {
  for (const name of ['node', 'vcpu 0 (x) y']) {
    expect(parseThreadStat(172, statLine(name))).toEqual({ tid: 172, userMs: 9380, systemMs: 12660, guestMs: 13360 });
  }
});

test('a line that is not a stat line is refused with the file and the fields it lacked', () => {
  expect(() => parseThreadStat(9, 'garbage')).toThrow(/\/proc\/self\/task\/9\/stat: expected utime \(field 14\), stime \(15\) and guest_time \(43\), got "garbage"/);
});

test("this process's threads: the calling thread is among them and has used some CPU; a gone thread reads undefined", () => {
  const tid = nativeKvm().gettid();
  expect(processThreads()).toContain(tid);
  // Spend a little CPU so that at least one tick lands on this thread.
  const until = performance.now() + 50;
  while (performance.now() < until);
  const cpu = threadCpu(tid)!;
  expect(cpu.tid).toBe(tid);
  expect(cpu.userMs + cpu.systemMs).toBeGreaterThan(0);
  expect(cpu.guestMs).toBe(0);
  expect(threadCpu(0x7fff_fff0)).toBeUndefined();
});
