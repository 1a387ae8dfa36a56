/** The test VM console parser: markers, the command's output between them, chunk boundaries. */
import { describe, expect, it } from 'vitest';
import { ConsoleParser } from '../src/run/console.ts';

const M = 'TESTVM-L1[abc]: ';

describe('ConsoleParser', () => {
  it('reads boot, begin and end markers and the output between them', () => {
    const p = new ConsoleParser('abc');
    p.push(`SeaBIOS\r\n${M}init uptime=4.50\r\n${M}kvm=ok uptime=6.20\r\n${M}begin uptime=6.30\r\nhello\r\nworld\r\n${M}end exit=3 uptime=7.40\r\n[ 7.5] reboot: Power down\r\n`);
    p.finish();
    expect(p.events).toMatchObject({ initUptime: 4.5, kvm: true, modulesUptime: 6.2, beginUptime: 6.3, endUptime: 7.4, exitCode: 3 });
    expect(p.commandOutput()).toBe('hello\nworld\n');
  });

  it('finds an end marker after output without a final newline, across chunks', () => {
    const seen: string[] = [];
    const p = new ConsoleParser('abc', (t) => seen.push(t));
    const text = `${M}begin uptime=1\nline\nno newline${M}end exit=0 uptime=2\n`;
    for (const ch of text) p.push(ch);
    p.finish();
    expect(p.commandOutput()).toBe('line\nno newline');
    expect(seen.join('')).toBe('line\nno newline');
    expect(p.events.exitCode).toBe(0);
  });

  it('ignores markers with another nonce (a nested run) and reports setup errors', () => {
    const p = new ConsoleParser('abc');
    p.push(`${M}begin uptime=1\nTESTVM-L1[other]: end exit=9 uptime=1\n${M}end exit=0 uptime=2\n`);
    expect(p.commandOutput()).toBe('TESTVM-L1[other]: end exit=9 uptime=1\n');
    expect(p.events.exitCode).toBe(0);
    const q = new ConsoleParser('abc');
    q.push(`${M}init uptime=1\n${M}error mount testvm-job at /job\n`);
    expect(q.events.error).toBe('mount testvm-job at /job');
    expect(q.tail(1)).toBe(`${M}error mount testvm-job at /job`);
  });
});
