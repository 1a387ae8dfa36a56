// Runs inside the test VM (L1, see tools/testvm): boots the guest kernel + initramfs with each
// VMM named in the config, one after the other, `repeat` times, and measures on the wall clock
// from the process's start to the kernel's "Linux version" banner, to the first console line
// containing `marker`, and to its exit. Plain JavaScript so that L1's node runs it without a loader. Used by test/boot.kvm.test.ts (our VMM
// alone) and bench/boot.bench.ts (ours and QEMU, side by side).
//
//   node l1_boot_driver.mjs '<json config>'
//   config: { runs: [{ name, argv: [program, ...args] }], repeat, marker, timeoutMs, silenceMs }
//   `@NOW@` in an argument becomes this VM's time in Unix seconds at launch (testvm.now=@NOW@).
//
// A boot that prints nothing for `silenceMs` (default 90 s; the kernel's RCU stall warnings come
// every 21 s) or runs past `timeoutMs` is killed, after a hang report of where each of its threads
// is (state, syscall, kernel stack, CPU time over 2 s) and the tail of this VM's kernel log, which
// says whether the guest, the VMM or the test VM's KVM is stuck. Each boot also records this VM's
// timer and IPI interrupt counts over its run.
// Prints one line per boot (`BOOT-DRIVER: <name> #<i> ...`) and writes every measurement with each
// boot's console output to `$TESTVM_OUT/boot-driver.json` (testvm returns that folder's files), or
// prints it as `BOOT-DRIVER-RESULT: <json>` when TESTVM_OUT is not set.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const config = JSON.parse(process.argv[2] ?? '{}');
const { runs = [], repeat = 1, marker = 'TESTVM-INIT: uptime=', timeoutMs = 240000, silenceMs = 90000 } = config;

const SYSCALLS = { 0: 'read', 1: 'write', 7: 'poll', 16: 'ioctl', 23: 'select', 35: 'nanosleep', 202: 'futex', 232: 'epoll_wait', 281: 'epoll_pwait', 441: 'epoll_pwait2' };
const readOr = (path, fallback = '?') => {
  try {
    return readFileSync(path, 'latin1').trim();
  } catch {
    return fallback;
  }
};
/** Each thread of `pid`: { tid, comm, state, syscall, cpuTicks (user + system), guestTicks, stack }. */
function threads(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.map((tid) => {
    const dir = `/proc/${pid}/task/${tid}`;
    const stat = readOr(`${dir}/stat`, '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sys = readOr(`${dir}/syscall`).split(' ')[0];
    return {
      tid,
      comm: readOr(`${dir}/comm`),
      state: fields[0] ?? '?',
      syscall: SYSCALLS[sys] ?? sys,
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      guestTicks: Number(fields[40]),
      stack: readOr(`${dir}/stack`, '').split('\n').slice(0, 6).map((l) => l.replace(/^\[<[0-9a-f]+>\] /, '')).join(' < '),
    };
  });
}
/** This VM's interrupt counts by kind, summed over its CPUs (/proc/interrupts: LOC timer, RES reschedule, CAL function-call and TLB shootdown IPIs). */
function interrupts() {
  const counts = {};
  for (const line of readOr('/proc/interrupts', '').split('\n').slice(1)) {
    const [name, ...rest] = line.trim().split(/\s+/);
    if (!['LOC:', 'RES:', 'CAL:', 'TLB:'].includes(name)) continue;
    counts[name.slice(0, -1)] = rest.filter((x) => /^\d+$/.test(x)).reduce((a, x) => a + Number(x), 0);
  }
  return counts;
}

/**
 * The report on a hung boot: each thread of `pid` (state, syscall, kernel stack, and its CPU and
 * guest-mode ticks over 2 s) and the tail of this VM's kernel log.
 */
async function hangReport(pid, reason) {
  const before = new Map(threads(pid).map((t) => [t.tid, t]));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = threads(pid).map((t) => {
    const b = before.get(t.tid);
    return { ...t, cpuTicks: b ? t.cpuTicks - b.cpuTicks : undefined, guestTicks: b ? t.guestTicks - b.guestTicks : undefined };
  });
  let testVmLog;
  try {
    testVmLog = execFileSync('dmesg', { encoding: 'latin1' }).trim().split('\n').slice(-15).join('\n');
  } catch (error) {
    testVmLog = `(dmesg failed: ${error.message})`;
  }
  const lines = after.map((t) => `${t.tid} ${t.comm} ${t.state} in ${t.syscall}; ${t.cpuTicks === undefined ? 'new' : `cpu +${t.cpuTicks} guest +${t.guestTicks} ticks in 2 s`}; kernel stack: ${t.stack || '-'}`);
  const text = [`${reason}; its threads:`, ...lines.map((l) => `  ${l}`), 'test VM kernel log (tail):', testVmLog].join('\n');
  return { reason, threads: after, testVmLog, text };
}

function bootOnce(run) {
  return new Promise((resolve) => {
    const irqsBefore = interrupts();
    const start = performance.now();
    const argv = run.argv.map((a) => a.replaceAll('@NOW@', String(Math.floor(Date.now() / 1000))));
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let markerMs;
    let kernelMs;
    let line = '';
    let head = '';
    let lastOutput = start;
    let hang;
    const timer = setInterval(async () => {
      const now = performance.now();
      const why = now - start > timeoutMs ? `still running after ${timeoutMs} ms` : now - lastOutput > silenceMs ? `no output for ${silenceMs} ms` : undefined;
      if (why === undefined || hang !== undefined) return;
      hang = { reason: why }; // at once, so that the next tick does not report again
      hang = await hangReport(child.pid, why);
      console.log(`${run.name} hung, killing it: ${hang.text}`.split('\n').map((l) => `BOOT-DRIVER: ${l}`).join('\n'));
      child.kill('SIGKILL');
    }, 1000);
    child.stdout.on('data', (chunk) => {
      lastOutput = performance.now();
      const text = chunk.toString('latin1');
      output += text;
      if (kernelMs === undefined) {
        head = (head + text).slice(-64);
        if (head.includes('Linux version')) kernelMs = performance.now() - start;
      }
      if (markerMs === undefined) {
        line += text;
        if (line.includes(marker)) markerMs = performance.now() - start;
        else line = line.slice(-marker.length);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk.toString('latin1')));
    child.on('error', (error) => {
      clearInterval(timer);
      resolve({ name: run.name, exitCode: null, signal: null, error: error.message, kernelMs, markerMs, totalMs: performance.now() - start, output, stderr });
    });
    child.on('close', (exitCode, signal) => {
      clearInterval(timer);
      const irqsAfter = interrupts();
      const irqs = Object.fromEntries(Object.entries(irqsAfter).map(([k, v]) => [k, v - (irqsBefore[k] ?? 0)]));
      resolve({ irqs, name: run.name, exitCode, signal, kernelMs, markerMs, totalMs: performance.now() - start, output, stderr, ...(hang === undefined ? {} : { hang }) });
    });
  });
}

const results = [];
for (let i = 0; i < repeat; i++) {
  for (const run of runs) {
    const r = await bootOnce(run);
    const uptime = /TESTVM-INIT: uptime=([\d.]+)/.exec(r.output)?.[1];
    r.uptime = uptime === undefined ? undefined : Number(uptime);
    r.iteration = i;
    results.push(r);
    console.log(`BOOT-DRIVER: ${r.name} #${i} exit=${r.exitCode ?? r.signal ?? r.error} kernel-banner=${r.kernelMs?.toFixed(0) ?? '-'}ms to-init=${r.markerMs?.toFixed(0) ?? '-'}ms total=${r.totalMs.toFixed(0)}ms guest-uptime-at-init=${r.uptime ?? '-'}s test-VM-interrupts=${JSON.stringify(r.irqs ?? {})}`);
  }
}
if (process.env.TESTVM_OUT) writeFileSync(join(process.env.TESTVM_OUT, 'boot-driver.json'), JSON.stringify(results, null, 1));
else console.log(`BOOT-DRIVER-RESULT: ${JSON.stringify(results)}`);
