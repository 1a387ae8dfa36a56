/**
 * The test VM itself, booted for real (QEMU TCG with -cpu max on the host): a command's exit code,
 * output, environment, files in and out and shared folders, and its files kept when the test VM
 * dies under it; then the smoke test: Node and
 * /dev/kvm inside, and QEMU -enable-kvm booting the guest kernel and guest initramfs with 2 vCPUs
 * to a PASS. Without qemu-system-x86_64 (or any host tool) these tests fail, naming the fix.
 * Timings are printed; they vary a lot with the machine's load.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_TOOLS, missingTools, type HostTool } from '../src/host/exec.ts';
import { ensureImages, type TestVmImages } from '../src/image/build.ts';
import { silentProgress } from '../src/progress.ts';
import { TestVmError } from '../src/run/errors.ts';
import { runInTestVm } from '../src/run/run.ts';
import { smoke } from '../src/smoke.ts';
import { workspaceRoot } from '../src/paths.ts';

let images: TestVmImages;

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

describe('test VM', () => {
  it('has every host tool it needs (bash scripts/setup installs them)', () => {
    const missing = missingTools(Object.keys(HOST_TOOLS) as HostTool[]);
    expect(missing, `missing host tools: ${missing.map((t) => `${t} (apt package ${HOST_TOOLS[t]})`).join(', ')}; run bash scripts/setup`).toEqual([]);
  });

  beforeAll(async () => {
    images = await ensureImages();
  });

  it('runs a command: exit code, output, env, files in and out, shared folders', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'testvm-share-'));
    try {
      const script = [
        'echo "cwd=$(pwd)"',
        'echo "greeting=$GREETING"',
        'cat /etc/testvm-hello',
        'test -r package.json && echo "workspace readable"',
        'touch testvm-write-probe 2>/dev/null && echo "workspace writable" || echo "workspace read-only"',
        'echo written-in-vm > /mnt/shared/from-vm.txt',
        'echo result > "$TESTVM_OUT/result.txt"',
        'printf "no newline"',
        'exit 7',
      ].join('\n');
      const r = await runInTestVm({
        command: script,
        images,
        progress: silentProgress,
        env: { GREETING: "it's me" },
        files: { '/etc/testvm-hello': 'hello from the host\n' },
        mounts: [{ host: shared, guest: '/mnt/shared', readonly: false }],
        timeoutMs: 300_000,
      });
      console.log(`command run (load ${load()}): ${JSON.stringify(r.durations)}`);
      expect(r.exitCode).toBe(7);
      expect(r.kvm).toBe(true);
      expect(r.output).toBe(
        [`cwd=${workspaceRoot()}`, "greeting=it's me", 'hello from the host', 'workspace readable', 'workspace read-only', 'no newline'].join('\n'),
      );
      expect(r.files.get('result.txt')?.toString()).toBe('result\n');
      expect(readFileSync(join(shared, 'from-vm.txt'), 'utf8')).toBe('written-in-vm\n');
      expect(existsSync(join(workspaceRoot(), 'testvm-write-probe'))).toBe(false);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('keeps what the command wrote when the test VM dies before the command ends', async () => {
    const run = runInTestVm({ command: 'echo saved > "$TESTVM_OUT/partial.txt"; poweroff -f; sleep 60', images, progress: silentProgress, timeoutMs: 300_000 });
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TestVmError);
    expect((error as TestVmError).code).toBe('no-result');
    expect((error as TestVmError).files.get('partial.txt')?.toString()).toBe('saved\n');
  });

  it('smoke: Node and /dev/kvm inside; QEMU -enable-kvm boots the guest initramfs with 2 CPUs to PASS', async () => {
    const r = await smoke({ images, progress: silentProgress });
    const d = r.run.durations;
    console.log(
      `smoke (load ${load()}): test VM boot to /init ${(d.bootMs / 1000).toFixed(2)} s (kernel uptime ${d.initUptimeS} s, /dev/kvm at ${d.modulesUptimeS} s), ` +
        `guest under QEMU/KVM: boot to /init ${r.good.report.uptime} s, QEMU wall ${r.good.wallS.toFixed(2)} s; total ${(d.totalMs / 1000).toFixed(2)} s`,
    );
    expect(r.run.exitCode, r.run.output).toBe(0);
    expect(r.run.kvm).toBe(true);
    expect(r.nodeVersion).toBe(process.version);
    expect(r.good.qemuExit, r.good.console).toBe(0);
    expect(r.good.report.result, r.good.console).toBe('pass');
    expect(r.good.report.cpus).toMatchObject({ online: 2, expected: 2, ok: true });
    expect(r.good.report.clock?.ok).toBe(true);
    expect(r.good.report.modules).toEqual([
      { name: 'virtio_pci', ok: true },
      { name: 'virtio_rng', ok: true },
    ]);
    expect(r.good.report.rebooting).toBe(true);
  });
});
