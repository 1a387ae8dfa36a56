/**
 * Parses the test VM's serial console as it streams in. The L1 /init (src/image/l1-init.sh)
 * prints marker lines `TESTVM-L1[<nonce>]: <event>`; everything between `begin` and `end` is the
 * command's own output. Markers are matched anywhere in a line, so an end marker after output
 * that lacks a final newline is still found, and the nonce keeps a nested run's markers apart.
 *
 *   init uptime=<s>              /init started, <s> seconds after the kernel started
 *   kvm=ok|missing uptime=<s>    modules loaded; whether /dev/kvm exists
 *   error <text>                 setup failed; the VM powers off
 *   begin uptime=<s>             the command starts
 *   end exit=<code> uptime=<s>   the command ended with <code>
 */

export interface ConsoleEvents {
  initUptime?: number;
  kvm?: boolean;
  modulesUptime?: number;
  error?: string;
  beginUptime?: number;
  endUptime?: number;
  exitCode?: number;
  /** host times (performance.now()) at which the markers arrived */
  at: { init?: number; begin?: number; end?: number };
}

export class ConsoleParser {
  readonly events: ConsoleEvents = { at: {} };
  /** the whole console, \r\n turned into \n */
  private all = '';
  private pending = '';
  private output: string[] = [];
  private readonly marker: string;

  constructor(
    nonce: string,
    /** called with each piece of the command's output as it arrives (whole lines) */
    private readonly onOutput?: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.marker = `TESTVM-L1[${nonce}]: `;
  }

  push(chunk: string): void {
    const text = chunk.replace(/\r/g, '');
    this.all += text;
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl), true);
      this.pending = this.pending.slice(nl + 1);
    }
  }

  /** Call when the console closed; handles a last line without a newline. */
  finish(): void {
    if (this.pending !== '') this.line(this.pending, false);
    this.pending = '';
  }

  private line(line: string, newline: boolean): void {
    const at = line.indexOf(this.marker);
    const inCommand = this.events.at.begin !== undefined && this.events.at.end === undefined;
    if (at < 0) {
      if (inCommand) this.emit(line + (newline ? '\n' : ''));
      return;
    }
    if (at > 0 && inCommand) this.emit(line.slice(0, at));
    const event = line.slice(at + this.marker.length).trim();
    const num = (name: string) => {
      const m = new RegExp(`(?:^| )${name}=(-?[\\d.]+)`).exec(event);
      return m === null ? undefined : Number(m[1]);
    };
    if (event.startsWith('init ')) {
      this.events.initUptime = num('uptime');
      this.events.at.init = this.now();
    } else if (event.startsWith('kvm=')) {
      this.events.kvm = event.startsWith('kvm=ok');
      this.events.modulesUptime = num('uptime');
    } else if (event.startsWith('error ')) {
      this.events.error = event.slice('error '.length);
    } else if (event.startsWith('begin')) {
      this.events.beginUptime = num('uptime');
      this.events.at.begin = this.now();
    } else if (event.startsWith('end ') && this.events.at.begin !== undefined) {
      this.events.exitCode = num('exit');
      this.events.endUptime = num('uptime');
      this.events.at.end = this.now();
    }
  }

  private emit(text: string): void {
    if (text === '') return;
    this.output.push(text);
    this.onOutput?.(text);
  }

  /** The command's output so far (between the begin and end markers). */
  commandOutput(): string {
    return this.output.join('');
  }

  /** The whole console so far. */
  console(): string {
    return this.all;
  }

  /** The last `n` lines of the console, for error messages. */
  tail(n = 30): string {
    return this.all.replace(/\s+$/, '').split('\n').slice(-n).join('\n').trim();
  }
}
