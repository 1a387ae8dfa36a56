/**
 * The whole `vmm run` path on this machine's /dev/kvm (PVM: a real kernel cannot boot here), with a
 * tiny bzImage (support/tiny_kernel.ts) entered exactly as Linux is: bzImage parsing, zero page and
 * command line, page tables and GDT, the 64-bit entry on vCPU 0, the 8250 on stdout, the i8042
 * reset (also when the vCPU faults right after it), the panic flag, a triple fault and the halt
 * line, each with its exit status. One case
 * runs the built bundle (dist/main.mjs as a separate process, its vCPU workers running dist/vcpu.mjs,
 * and the addon the build copies next to them). A missing /dev/kvm fails these tests (support/kvm.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/run.ts';
import { EXIT_STATUS } from '../src/machine/exit.ts';
import { KVM_PATH, kvmOrFail, skipWithoutKvm } from './support/kvm.ts';
import { tinyBzImage, type TinyMode } from './support/tiny_kernel.ts';

/** This machine's /dev/kvm is PVM (shared/notes/kvm-on-these-machines.md), which emulates some things differently. */
const PVM = existsSync('/sys/module/kvm_pvm');

const dir = mkdtempSync(join(tmpdir(), 'tsvmm-tiny-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kernelFile(mode: TinyMode): string {
  const path = join(dir, `tiny-${mode}.bzImage`);
  writeFileSync(path, tinyBzImage(mode));
  return path;
}

async function runVmm(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString('latin1')));
  stderr.on('data', (b: Buffer) => (err += b.toString('latin1')));
  const status = await main(['run', '--kvm', KVM_PATH, ...args], { stdin, stdout, stderr });
  return { status, stdout: out, stderr: err };
}

describe.skipIf(skipWithoutKvm())('vmm run with a tiny bzImage (this machine\'s /dev/kvm)', () => {
  it('boots to the 64-bit entry, prints through the 8250, and exits 0 on the i8042 reset', async () => {
    kvmOrFail();
    const r = await runVmm(['-p', 'tiny.param=1', kernelFile('reboot')]);
    expect(r.stdout).toContain('tiny: hello from 64-bit mode\r\n');
    expect(r.stdout).toMatch(/tiny: cmdline: console=ttyS0 .*reboot=k,panic_warm panic=-1 .* tiny\.param=1\r\n/);
    expect(r.stdout).toContain('tiny: rebooting');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(EXIT_STATUS.ok);
  });

  it('runs with several vCPUs (the APs wait for INIT/SIPI in the kernel) and stops them all', async () => {
    kvmOrFail();
    const r = await runVmm(['-c', '4', '-m', '64', kernelFile('reboot')]);
    expect(r.stdout).toContain('tiny: rebooting');
    expect(r.status).toBe(EXIT_STATUS.ok);
  });

  it('pins each vCPU thread where --cpu-affinity says, and ends with exit 5 naming a CPU the kernel refuses', async () => {
    kvmOrFail();
    // vCPU 0 only: the guest resets before a second vCPU's worker is surely up (its line says "-" then).
    const r = await runVmm(['--cpu-affinity', '0=1', '--stats', kernelFile('reboot')]);
    expect(r.status).toBe(EXIT_STATUS.ok);
    expect(r.stderr).toMatch(/vmm: threads on CPUs: main on [\d,-]+, vCPU 0 on 1 \(pinned\)\n/);
    const refused = await runVmm(['--cpu-affinity', '1000', kernelFile('reboot')]);
    expect(refused.status).toBe(EXIT_STATUS.setup);
    expect(refused.stderr).toContain('vmm: the VM could not be set up: vCPU 0 cannot run on CPU 1000 (--cpu-affinity): sched_setaffinity failed with EINVAL');
    expect(refused.stdout).toBe('');
  });

  it('tells a panic from a reboot by the warm-reset flag and exits 1 with the panic line', async () => {
    kvmOrFail();
    const r = await runVmm([kernelFile('panic')]);
    expect(r.status).toBe(EXIT_STATUS.panic);
    expect(r.stderr).toContain('vmm: guest kernel panicked: Kernel panic - not syncing: tiny test panic');
    expect(r.stderr).toContain('last console lines');
  });

  it('exits 3 on a triple fault, or 4 with the instruction bytes where KVM cannot emulate it (PVM)', async () => {
    // int3 into the boot IDT (limit 7): #GP, #DF, shutdown on hardware KVM (the test VM checks it
    // in test/boot.kvm.test.ts). PVM emulates exception delivery and gives up on it instead.
    kvmOrFail();
    const r = await runVmm([kernelFile('triple-fault')]);
    expect(r.stdout).toContain('tiny: triple fault');
    if (PVM) {
      expect(r.status).toBe(EXIT_STATUS.kvm);
      expect(r.stderr).toMatch(/KVM error on vCPU 0: KVM_EXIT_INTERNAL_ERROR, suberror 1 \(emulation failure\), instruction bytes cc /);
      // Where it failed: the tiny kernel's 64-bit code, paging on (cr0.PG), long mode (EFER.LMA).
      expect(r.stderr).toMatch(/vmm: vCPU 0 registers: rip 0x[0-9a-f]+ .*cs 0x[0-9a-f]+ \(64-bit, dpl 0\) cr0 0x8[0-9a-f]{7} .*efer 0x[0-9a-f]*[45cd]0[0-9a-f] /);
    } else {
      expect(r.status).toBe(EXIT_STATUS.tripleFault);
      expect(r.stderr).toMatch(/triple-faulted on vCPU 0 \(KVM_EXIT_SHUTDOWN\)/);
    }
  });

  it.each([
    ['reset-then-fault', 'i8042 reset, port 0x64'],
    ['cf9-reset-then-fault', 'reset control, port 0xcf9'],
  ] as const)('a reset counts even when the vCPU faults right after it (%s): exit 0, whichever thread sees what first', async (mode, via) => {
    // The reset is emulated in the vCPU's worker and reaches the main thread as an event; the fault
    // ends the worker's loop a few instructions later. Several runs: an ordering bug is a race.
    kvmOrFail();
    for (let run = 0; run < 5; run++) {
      const r = await runVmm(['--stats', kernelFile(mode)]);
      expect(r.stderr).toContain(`vmm: guest requested a reset (${via}); exit status 0`);
      expect(r.status).toBe(EXIT_STATUS.ok);
    }
  });

  it('exits 0 when the guest halts after "reboot: Power down"', async () => {
    kvmOrFail();
    const r = await runVmm([kernelFile('poweroff')]);
    expect(r.status).toBe(EXIT_STATUS.ok);
  });

  it('gives the guest the initrd and the memory size (an initrd too large for RAM is a setup error)', async () => {
    kvmOrFail();
    const initrd = join(dir, 'big.img');
    writeFileSync(initrd, new Uint8Array(20 << 20));
    const r = await runVmm(['-m', '16', '-i', initrd, kernelFile('reboot')]);
    expect(r.status).toBe(EXIT_STATUS.setup);
    expect(r.stderr).toMatch(/vmm: .*initrd/);
  });
});

describe('vmm run without a guest', () => {
  it('rejects a file that is not a bzImage with exit 5', async () => {
    const path = join(dir, 'not-a-kernel');
    writeFileSync(path, new Uint8Array(8192));
    const r = await runVmm([path]);
    expect(r.status).toBe(EXIT_STATUS.setup);
    expect(r.stderr).toMatch(/vmm: BzImageError: .*boot_flag/);
  });
  it('reports a missing kernel file with exit 5', async () => {
    const r = await runVmm([join(dir, 'missing')]);
    expect(r.status).toBe(EXIT_STATUS.setup);
    expect(r.stderr).toContain('ENOENT');
  });
});

describe.skipIf(skipWithoutKvm())('the built bundle (dist/main.mjs)', () => {
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  const out = join(dir, 'dist');
  beforeAll(async () => {
    const { buildApp } = await import('@tsvmm/backend-guard');
    await buildApp({ app: '@tsvmm/vmm', workspaceRoot: join(pkg, '..', '..'), outdir: out, logLevel: 'silent' });
  }, 120_000);

  it('is main.mjs, the vCPU workers\' vcpu.mjs without any crypto, and the addon (package.json guard.app)', () => {
    for (const file of ['main.mjs', 'vcpu.mjs', 'tsvmm_kvm.node']) expect(existsSync(join(out, file)), file).toBe(true);
    const guard = JSON.parse(readFileSync(join(out, 'guard.json'), 'utf8')) as { workers: Record<string, { inputs: string[] }> };
    const inputs = guard.workers['vcpu']!.inputs;
    expect(inputs.some((i) => i.includes('packages/vmm/src/machine/vcpu_main.ts'))).toBe(true);
    expect(inputs.filter((i) => i.includes('packages/crypto/') || i.includes('node_modules'))).toEqual([]);
  });

  it('runs as its own vCPU workers and exits 0 on the guest reset', () => {
    kvmOrFail();
    const r = spawnSync(process.execPath, [join(out, 'main.mjs'), 'run', '--kvm', KVM_PATH, '-c', '2', kernelFile('reboot')], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('tiny: rebooting');
    expect(r.status).toBe(0);
  });

  it('ends the VM on SIGTERM with status 143, its vCPUs kicked out of KVM_RUN', async () => {
    kvmOrFail();
    const child = spawn(process.execPath, [join(out, 'main.mjs'), 'run', '--kvm', KVM_PATH, '-c', '2', kernelFile('hang')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('tiny: waiting forever')) resolve();
      });
      child.on('close', (code) => reject(new Error(`the VMM exited (${String(code)}) before the guest waited: ${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('vmm: stopped by SIGTERM');
  });

  it('prints its usage', () => {
    const r = spawnSync(process.execPath, [join(out, 'main.mjs'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: vmm run [OPTIONS] KERNEL');
  });
});
