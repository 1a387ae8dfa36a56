/**
 * The serial console's host side: guest output to stdout (batched, one write per event-loop turn),
 * stdin to the guest (raw mode on a terminal, plain bytes from a pipe), and a watcher that reads
 * the guest's console lines for the kernel's own words on how it is ending ("Kernel panic - not
 * syncing", "reboot: System halted", "reboot: Power down"), which the exit policy uses.
 *
 * On a terminal, Ctrl-A then `x` quits the VMM (QEMU's escape); Ctrl-A Ctrl-A sends one Ctrl-A.
 */

/** What the console watcher has seen in the guest's output. */
export interface ConsoleEvents {
  /** The kernel's panic line ("Kernel panic - not syncing: …"), once seen. */
  panic: string | undefined;
  /** "reboot: System halted" / "reboot: Power down": the guest halted or powered off. */
  halted: string | undefined;
  /** The last few lines, for error messages. */
  tail: string[];
}

const PANIC = 'Kernel panic - not syncing';
const HALTED = /reboot: (System halted|Power down)/;
const TAIL_LINES = 12;
const MAX_LINE = 4096;

/** Scans console output line by line (bytes as they come, in any chunking). */
export class ConsoleWatcher {
  readonly events: ConsoleEvents = { panic: undefined, halted: undefined, tail: [] };
  private line = '';
  /** Called once when the guest says it halted or powered off. */
  onHalted: ((line: string) => void) | undefined;

  feed(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0a) this.endLine();
      else if (b !== 0x0d && this.line.length < MAX_LINE) this.line += String.fromCharCode(b);
    }
  }

  private endLine(): void {
    const line = this.line;
    this.line = '';
    const tail = this.events.tail;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    if (this.events.panic === undefined && line.includes(PANIC)) this.events.panic = line.slice(line.indexOf(PANIC));
    if (this.events.halted === undefined) {
      const m = HALTED.exec(line);
      if (m) {
        this.events.halted = m[0];
        this.onHalted?.(m[0]);
      }
    }
  }
}

export interface ConsoleStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
}

/** Bridges a serial port to the process's stdio. */
export class StdioConsole {
  readonly watcher = new ConsoleWatcher();
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private raw = false;
  private escape = false;
  private onData: ((chunk: Buffer | string) => void) | undefined;

  constructor(
    private readonly streams: ConsoleStreams,
    /** Bytes typed by the user, for the guest (the UART's receive FIFO). */
    private readonly toGuest: (bytes: Uint8Array) => void,
    /** Ctrl-A x. */
    private readonly onQuit: () => void,
  ) {}

  /** Guest output: handed to stdout once per event-loop turn (or at 64 KiB). */
  write(bytes: Uint8Array): void {
    this.watcher.feed(bytes);
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= 65536) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.streams.stdout.write(chunk);
  }

  /** Starts reading stdin (raw mode on a terminal). */
  start(): void {
    const { stdin } = this.streams;
    if (stdin.isTTY && stdin.setRawMode) {
      stdin.setRawMode(true);
      this.raw = true;
    }
    this.onData = (chunk) => this.input(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    stdin.on('data', this.onData);
    stdin.on('error', () => {});
    stdin.resume();
  }

  private input(chunk: Buffer): void {
    if (!this.raw) return this.toGuest(chunk);
    const out: number[] = [];
    for (const b of chunk) {
      if (this.escape) {
        this.escape = false;
        if (b === 0x78 /* x */) {
          this.toGuest(Uint8Array.from(out));
          return this.onQuit();
        }
        out.push(0x01);
        if (b !== 0x01) out.push(b);
        continue;
      }
      if (b === 0x01) this.escape = true;
      else out.push(b);
    }
    if (out.length > 0) this.toGuest(Uint8Array.from(out));
  }

  /** Flushes output, stops reading stdin and restores the terminal. Idempotent. */
  stop(): void {
    this.flush();
    const { stdin } = this.streams;
    if (this.onData) stdin.removeListener('data', this.onData);
    this.onData = undefined;
    if (this.raw && stdin.setRawMode) stdin.setRawMode(false);
    this.raw = false;
    stdin.pause();
  }
}
