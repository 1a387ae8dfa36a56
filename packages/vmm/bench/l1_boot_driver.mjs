// Runs inside the test VM (L1, see tools/testvm): boots the guest kernel + initramfs with each
// VMM named in the config, one after the other, `repeat` times, and measures on the wall clock
// from the process's start to the kernel's "Linux version" banner, to the first console line
// containing `marker`, and to its exit. Plain JavaScript so that L1's node runs it without a loader. Used by test/boot.kvm.test.ts (our VMM
// alone) and bench/boot.bench.ts (ours and QEMU, side by side).
//
//   node l1_boot_driver.mjs '<json config>'
//   config: { runs: [{ name, argv: [program, ...args] }], repeat, marker, timeoutMs }
//   `@NOW@` in an argument becomes this VM's time in Unix seconds at launch (testvm.now=@NOW@).
//
// Prints one line per boot (`BOOT-DRIVER: <name> #<i> ...`) and writes every measurement with each
// boot's console output to `$TESTVM_OUT/boot-driver.json` (testvm returns that folder's files), or
// prints it as `BOOT-DRIVER-RESULT: <json>` when TESTVM_OUT is not set.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const config = JSON.parse(process.argv[2] ?? '{}');
const { runs = [], repeat = 1, marker = 'TESTVM-INIT: uptime=', timeoutMs = 240000 } = config;

function bootOnce(run) {
  return new Promise((resolve) => {
    const start = performance.now();
    const argv = run.argv.map((a) => a.replaceAll('@NOW@', String(Math.floor(Date.now() / 1000))));
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let markerMs;
    let kernelMs;
    let line = '';
    let head = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => {
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
      clearTimeout(timer);
      resolve({ name: run.name, exitCode: null, signal: null, error: error.message, kernelMs, markerMs, totalMs: performance.now() - start, output, stderr });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ name: run.name, exitCode, signal, kernelMs, markerMs, totalMs: performance.now() - start, output, stderr });
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
    console.log(`BOOT-DRIVER: ${r.name} #${i} exit=${r.exitCode ?? r.signal ?? r.error} kernel-banner=${r.kernelMs?.toFixed(0) ?? '-'}ms to-init=${r.markerMs?.toFixed(0) ?? '-'}ms total=${r.totalMs.toFixed(0)}ms guest-uptime-at-init=${r.uptime ?? '-'}s`);
  }
}
if (process.env.TESTVM_OUT) writeFileSync(join(process.env.TESTVM_OUT, 'boot-driver.json'), JSON.stringify(results, null, 1));
else console.log(`BOOT-DRIVER-RESULT: ${JSON.stringify(results)}`);
