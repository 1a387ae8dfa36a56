// Runs inside the test VM (L1, see tools/testvm): boots the guest kernel + initramfs with each
// VMM named in the config, one after the other, `repeat` times, and measures on the wall clock
// from the process's start to the kernel's "Linux version" banner, to the first console line
// containing `marker`, and to its exit. Plain JavaScript so that L1's node runs it without a loader. Used by test/boot.kvm.test.ts (our VMM
// alone) and bench/boot.bench.ts (ours and QEMU, side by side).
//
//   node l1_boot_driver.mjs '<json config>'
//   config: { runs: [{ name, argv: [program, ...args], qmpPinVcpus? }], repeat, marker, timeoutMs, silenceMs }
//   `@NOW@` in an argument becomes this VM's time in Unix seconds at launch (testvm.now=@NOW@).
//
// `qmpPinVcpus: { socket, cpus }` is for a QEMU started paused (`-S -qmp unix:<socket>,...`), which
// has no option to place its vCPU threads: the driver does what libvirt's vcpupin does, asks QMP
// for the vCPU thread ids (query-cpus-fast), pins each with `taskset -p -c <cpus>`, then `cont`s.
// The time QEMU sat paused for that is taken out of its measurements (`pausedMs`).
//
// A boot that prints nothing for `silenceMs` (default 90 s; the kernel's RCU stall warnings come
// every 21 s) or runs past `timeoutMs` is killed, after a hang report of where each of its threads
// is (state, syscall, kernel stack, CPU time over 2 s) and the tail of this VM's kernel log, which
// says whether the guest, the VMM or the test VM's KVM is stuck. Each boot also records this VM's
// timer and IPI interrupt counts over its run.
// Prints one line per boot (`BOOT-DRIVER: <name> #<i> ...`) and writes every measurement with each
// boot's console output to `$TESTVM_OUT/boot-driver.json` (testvm returns that folder's files),
// rewritten after every boot so that the boots done survive a test VM that dies later, or prints
// it as `BOOT-DRIVER-RESULT: <json>` at the end when TESTVM_OUT is not set.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
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

/** One QMP session on a unix socket that QEMU is about to open: `command(name)` resolves with its `return`. */
async function qmpSession(socket, deadlineMs) {
  let conn;
  for (;;) {
    conn = await new Promise((resolve) => {
      const c = connect(socket);
      c.once('connect', () => resolve(c));
      c.once('error', () => resolve(undefined));
    });
    if (conn !== undefined) break;
    if (performance.now() > deadlineMs) throw new Error(`QMP socket ${socket} did not open`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const waiting = [];
  let buffer = '';
  conn.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line === '') continue;
      const message = JSON.parse(line);
      if ('event' in message) continue;
      waiting.shift()?.(message);
    }
  });
  const reply = () => new Promise((resolve) => waiting.push(resolve));
  await reply(); // the greeting
  return {
    async command(name) {
      const answer = reply();
      conn.write(`${JSON.stringify({ execute: name })}\n`);
      const message = await answer;
      if ('error' in message) throw new Error(`QMP ${name}: ${message.error.desc}`);
      return message.return;
    },
    close: () => conn.destroy(),
  };
}

/** Pins a paused QEMU's vCPU threads to `cpus` and lets it run; resolves with how long it was kept paused (ms). */
async function pinQemuVcpus({ socket, cpus }) {
  const qmp = await qmpSession(socket, performance.now() + 60000);
  try {
    await qmp.command('qmp_capabilities');
    const vcpus = await qmp.command('query-cpus-fast');
    const readyAt = performance.now();
    for (const vcpu of vcpus) execFileSync('taskset', ['-p', '-c', cpus, String(vcpu['thread-id'])], { stdio: 'ignore' });
    await qmp.command('cont');
    return performance.now() - readyAt;
  } finally {
    qmp.close();
  }
}

function bootOnce(run) {
  return new Promise((resolve) => {
    const irqsBefore = interrupts();
    const start = performance.now();
    const argv = run.argv.map((a) => a.replaceAll('@NOW@', String(Math.floor(Date.now() / 1000))));
    if (run.qmpPinVcpus) rmSync(run.qmpPinVcpus.socket, { force: true });
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let pausedMs = 0;
    let placementError;
    if (run.qmpPinVcpus) {
      pinQemuVcpus(run.qmpPinVcpus).then(
        (ms) => (pausedMs = ms),
        (error) => {
          placementError = `placing the vCPU threads failed: ${error.message}`;
          child.kill('SIGKILL');
        },
      );
    }
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
      const unpaused = (ms) => (ms === undefined ? undefined : ms - pausedMs);
      resolve({
        irqs, name: run.name, exitCode, signal, kernelMs: unpaused(kernelMs), markerMs: unpaused(markerMs), totalMs: unpaused(performance.now() - start), pausedMs, output, stderr,
        ...(placementError === undefined ? {} : { error: placementError }),
        ...(hang === undefined ? {} : { hang }),
      });
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
    if (process.env.TESTVM_OUT) writeFileSync(join(process.env.TESTVM_OUT, 'boot-driver.json'), JSON.stringify(results, null, 1));
    console.log(`BOOT-DRIVER: ${r.name} #${i} exit=${r.error ?? r.exitCode ?? r.signal} ${r.pausedMs ? `paused-for-placement=${r.pausedMs.toFixed(0)}ms ` : ''}kernel-banner=${r.kernelMs?.toFixed(0) ?? '-'}ms to-init=${r.markerMs?.toFixed(0) ?? '-'}ms total=${r.totalMs.toFixed(0)}ms guest-uptime-at-init=${r.uptime ?? '-'}s test-VM-interrupts=${JSON.stringify(r.irqs ?? {})}`);
  }
}
if (!process.env.TESTVM_OUT) console.log(`BOOT-DRIVER-RESULT: ${JSON.stringify(results)}`);
