/**
 * CPU time per thread of this process, from `/proc/self/task/<tid>/stat` (proc(5)): user, system,
 * and the part of user time spent running a guest (`guest_time`, which Linux also counts in
 * `utime`). `--stats` prints it: with the VMM's threads sharing one CPU, what the main thread and
 * the runtime's helper threads take is what the vCPUs lose.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** proc(5) reports times in clock ticks of USER_HZ, which is 100 on every Linux architecture. */
const USER_HZ = 100;

/** One thread's CPU time so far, in ms. `userMs` excludes `guestMs`. */
export interface ThreadCpu {
  tid: number;
  userMs: number;
  systemMs: number;
  guestMs: number;
}

/**
 * Parses a `/proc/<pid>/task/<tid>/stat` line. The name (field 2) is in parentheses and may hold
 * spaces or parentheses itself, so fields are counted from the last `)`.
 * @throws {Error} if the line is not a stat line.
 */
export function parseThreadStat(tid: number, line: string): ThreadCpu {
  const close = line.lastIndexOf(')');
  // Fields after the name start with field 3 (state); utime is 14, stime 15, guest_time 43.
  const fields = close < 0 ? [] : line.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(fields[n - 3]);
  const [utime, stime, guest] = [field(14), field(15), field(43)];
  if (![utime, stime, guest].every(Number.isInteger)) throw new Error(`/proc/self/task/${tid}/stat: expected utime (field 14), stime (15) and guest_time (43), got ${JSON.stringify(line.slice(0, 120))}`);
  const ms = (ticks: number) => (ticks * 1000) / USER_HZ;
  return { tid, userMs: ms(utime - guest), systemMs: ms(stime), guestMs: ms(guest) };
}

/** CPU time of thread `tid` of this process, or undefined if it is gone (or /proc is not there). */
export function threadCpu(tid: number): ThreadCpu | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseThreadStat(tid, line);
}

/** The thread ids of this process (empty without /proc). */
export function processThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [];
  }
}
