/** The console watcher (panic and halt lines in any chunking) and the stdio bridge (batching, Ctrl-A x). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleWatcher, StdioConsole } from './console.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('ConsoleWatcher', () => {
  it('finds the panic line across chunks and keeps a tail', () => {
    const w = new ConsoleWatcher();
    for (const c of ['[ 1.0] hello\r\n[ 2.0] Kernel pa', 'nic - not syncing: VFS: Unable to mount root fs\r', '\n']) w.feed(bytes(c));
    expect(w.events.panic).toBe('Kernel panic - not syncing: VFS: Unable to mount root fs');
    expect(w.events.tail).toEqual(['[ 1.0] hello', '[ 2.0] Kernel panic - not syncing: VFS: Unable to mount root fs']);
  });
  it('reports "reboot: Power down" and "reboot: System halted" once', () => {
    const w = new ConsoleWatcher();
    const seen: string[] = [];
    w.onHalted = (l) => seen.push(l);
    w.feed(bytes('[ 9.1] reboot: Power down\n[ 9.2] reboot: System halted\n'));
    expect(seen).toEqual(['reboot: Power down']);
  });
  it('keeps at most 12 lines of tail', () => {
    const w = new ConsoleWatcher();
    for (let i = 0; i < 20; i++) w.feed(bytes(`line ${i}\n`));
    expect(w.events.tail).toHaveLength(12);
    expect(w.events.tail[11]).toBe('line 19');
  });
});

describe('StdioConsole', () => {
  function make(tty: boolean) {
    const stdin = Object.assign(new PassThrough(), { isTTY: tty, raw: false as boolean, setRawMode(raw: boolean) { this.raw = raw; } });
    const stdout = new PassThrough();
    const out: Buffer[] = [];
    stdout.on('data', (b: Buffer) => out.push(b));
    const toGuest: number[] = [];
    let quit = 0;
    const con = new StdioConsole({ stdin, stdout }, (b) => toGuest.push(...b), () => quit++);
    return { stdin, con, out, toGuest, quits: () => quit };
  }
  it('batches guest output into one write per event-loop turn', async () => {
    const { con, out } = make(false);
    for (const c of 'hello') con.write(bytes(c));
    expect(out).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(out).toString()).toBe('hello');
  });
  it('passes pipe input through unchanged, Ctrl-A included', async () => {
    const { stdin, con, toGuest, quits } = make(false);
    con.start();
    stdin.write(Buffer.from([0x61, 0x01, 0x78]));
    await new Promise((r) => setImmediate(r));
    expect(toGuest).toEqual([0x61, 0x01, 0x78]);
    expect(quits()).toBe(0);
    con.stop();
  });
  it('on a terminal: raw mode, Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A, raw mode restored', async () => {
    const { stdin, con, toGuest, quits } = make(true);
    con.start();
    expect(stdin.raw).toBe(true);
    stdin.write(Buffer.from([0x6c, 0x01, 0x01, 0x73, 0x01, 0x78]));
    await new Promise((r) => setImmediate(r));
    expect(toGuest).toEqual([0x6c, 0x01, 0x73]);
    expect(quits()).toBe(1);
    con.stop();
    expect(stdin.raw).toBe(false);
  });
});
