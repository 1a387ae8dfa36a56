/**
 * The contract between the guest initramfs's /init (src/image/guest-init.sh) and whoever boots it
 * (the VMM under test, or QEMU as the baseline): `guestCommandLine()` builds the kernel command
 * line, `parseGuestReport()` reads the /init's lines back from a serial console transcript.
 *
 * Parameters (kernel command line):
 *   testvm.cpus=<n>        vCPUs the VMM created; all must be online (default: not checked)
 *   testvm.now=<unix s>    the host's time at launch; the guest clock must be within tolerance
 *   testvm.tolerance=<s>   default 300: the guest's clock may be off by this much (nested TCG boots are slow and
 *                          their clocks drift; a missing or wrong RTC is off by years or hours)
 *   testvm.modules=<a,b>   modules to modprobe first (virtio_pci, virtio_rng, virtio_blk, ...)
 *   testvm.mode=shell      after the checks, an interactive sh on the console; reset when it exits
 *
 * Lines (each starts with "TESTVM-INIT: "):
 *   uptime=<s>                                             /proc/uptime when /init started
 *   param testvm.<name>=<value> FAIL                       a parameter that is not a number
 *   module <name> ok|FAIL <error>                          one per testvm.modules entry
 *   cpus online=<n> list=<l> expected=<n|any> ok|FAIL
 *   clock guest=<s> host=<s|none> uptime=<s> delta=<s|none> tolerance=<s> year=<y> rtc=<s|none> ok|FAIL
 *                                                          delta = guest - host - uptime
 *   PASS | FAIL <failed checks, in this order: params modules cpus clock>
 *   shell                                                  (testvm.mode=shell only)
 *   reboot                                                 then `reboot -f`: with reboot=k, 0xFE to port 0x64
 */

/** The command line the project's VMM uses for Linux (docs: x86-linux-boot notes, section 7). */
export const VMM_BASE_COMMAND_LINE = 'console=ttyS0 earlycon=uart8250,io,0x3f8 reboot=k panic=1 i8042.noaux i8042.nomux i8042.dumbkbd';

export interface GuestCommandLineOptions {
  /** vCPUs the guest must see online */
  cpus?: number;
  /** the host's time in unix seconds; default: now. `null` leaves the clock unchecked (the year is still checked) */
  now?: number | null;
  /** seconds; default (in /init) 300 */
  tolerance?: number;
  /** modules to load before the checks */
  modules?: readonly string[];
  /** 'check' (default): check and reset; 'shell': check, then an interactive shell */
  mode?: 'check' | 'shell';
  /** the part before the testvm.* parameters; default VMM_BASE_COMMAND_LINE */
  base?: string;
  /** more parameters at the end (e.g. "quiet") */
  extra?: string;
}

/** The kernel command line for the guest initramfs. */
export function guestCommandLine(options: GuestCommandLineOptions = {}): string {
  const parts = [options.base ?? VMM_BASE_COMMAND_LINE];
  if (options.cpus !== undefined) parts.push(`testvm.cpus=${options.cpus}`);
  const now = options.now === undefined ? Math.floor(Date.now() / 1000) : options.now;
  if (now !== null) parts.push(`testvm.now=${now}`);
  if (options.tolerance !== undefined) parts.push(`testvm.tolerance=${options.tolerance}`);
  if (options.modules !== undefined && options.modules.length > 0) parts.push(`testvm.modules=${options.modules.join(',')}`);
  if (options.mode === 'shell') parts.push('testvm.mode=shell');
  if (options.extra !== undefined && options.extra !== '') parts.push(options.extra);
  return parts.join(' ');
}

/** What the guest's /init reported. */
export interface GuestReport {
  /** 'none' when no PASS/FAIL line was seen (the guest did not reach the end of its checks) */
  result: 'pass' | 'fail' | 'none';
  /** the checks named on the FAIL line */
  failed: string[];
  /** seconds from kernel start to /init (guest /proc/uptime) */
  uptime?: number;
  cpus?: { online: number; list: string; expected: number | 'any'; ok: boolean };
  /** `delta` is guest - host - uptime: how far the guest clock is from the host's launch time plus the boot so far */
  clock?: { guest: number; host: number | null; uptime: number; delta: number | null; tolerance: number; year: number; rtc: number | null; ok: boolean };
  modules: { name: string; ok: boolean; error?: string }[];
  /** parameters that were not numbers ("testvm.cpus=x") */
  badParams: string[];
  /** whether the /init announced its reset (the last thing before `reboot -f`) */
  rebooting: boolean;
  /** every TESTVM-INIT line, without the prefix */
  lines: string[];
}

const PREFIX = 'TESTVM-INIT: ';
const orNull = (s: string) => (s === 'none' ? null : Number(s));

/** Reads the /init's lines from a console transcript (\r is ignored; other output is skipped). */
export function parseGuestReport(consoleText: string): GuestReport {
  const report: GuestReport = { result: 'none', failed: [], modules: [], badParams: [], rebooting: false, lines: [] };
  for (const raw of consoleText.replace(/\r/g, '').split('\n')) {
    const at = raw.indexOf(PREFIX);
    if (at < 0) continue;
    const line = raw.slice(at + PREFIX.length).trim();
    report.lines.push(line);
    let m: RegExpExecArray | null;
    if ((m = /^uptime=([\d.]+)$/.exec(line))) report.uptime = Number(m[1]);
    else if ((m = /^param (\S+) FAIL$/.exec(line))) report.badParams.push(m[1]!);
    else if ((m = /^module (\S+) (ok|FAIL)(?: (.*))?$/.exec(line))) report.modules.push({ name: m[1]!, ok: m[2] === 'ok', ...(m[3] !== undefined ? { error: m[3] } : {}) });
    else if ((m = /^cpus online=(\d+) list=(\S+) expected=(\d+|any) (ok|FAIL)$/.exec(line))) {
      report.cpus = { online: Number(m[1]), list: m[2]!, expected: m[3] === 'any' ? 'any' : Number(m[3]), ok: m[4] === 'ok' };
    } else if ((m = /^clock guest=(\d+) host=(\d+|none) uptime=(\d+) delta=(-?\d+|none) tolerance=(\d+) year=(\d+) rtc=(\d+|none) (ok|FAIL)$/.exec(line))) {
      report.clock = {
        guest: Number(m[1]),
        host: orNull(m[2]!),
        uptime: Number(m[3]),
        delta: orNull(m[4]!),
        tolerance: Number(m[5]),
        year: Number(m[6]),
        rtc: orNull(m[7]!),
        ok: m[8] === 'ok',
      };
    } else if (line === 'PASS') report.result = 'pass';
    else if ((m = /^FAIL(?: (.*))?$/.exec(line))) {
      report.result = 'fail';
      report.failed = (m[1] ?? '').split(' ').filter((s) => s !== '');
    } else if (line === 'reboot') report.rebooting = true;
  }
  return report;
}
