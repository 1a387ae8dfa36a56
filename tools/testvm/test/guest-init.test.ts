/**
 * The guest initramfs's /init, run on the host: its own busybox and /init are taken out of the
 * built guest-initramfs.cpio.gz and run with `busybox sh` against a fake /proc and /sys
 * (TESTVM_ROOT) without mounts or reset (TESTVM_DRYRUN=1). This checks every FAIL path in
 * milliseconds and that the script and `parseGuestReport()` agree; the real boot is in
 * testvm.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGuestReport, type GuestReport } from '../src/guest/contract.ts';
import { ensureImages } from '../src/image/build.ts';
import { readCpio } from '../src/image/cpio.ts';

let dir: string;

beforeAll(async () => {
  const images = await ensureImages();
  dir = mkdtempSync(join(tmpdir(), 'testvm-init-'));
  const records = readCpio(gunzipSync(readFileSync(images.guestInitramfs)));
  const get = (path: string) => records.find((r) => r.path === path)?.data;
  writeFileSync(join(dir, 'busybox'), get('bin/busybox')!);
  chmodSync(join(dir, 'busybox'), 0o755);
  writeFileSync(join(dir, 'init'), get('init')!);
  mkdirSync(join(dir, 'bin'));
  for (const r of records) if (r.path.startsWith('bin/') && r.data.toString() === 'busybox') symlinkSync('../busybox', join(dir, r.path));
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Fake {
  cmdline: string;
  online?: string;
  uptime?: string;
  rtc?: number;
}

/** Runs the /init against a fake root; returns its output and what the parser makes of it. */
function runInit(fake: Fake): { output: string; report: GuestReport } {
  const root = mkdtempSync(join(dir, 'root-'));
  const put = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content + '\n');
  };
  put('proc/cmdline', fake.cmdline);
  put('proc/uptime', fake.uptime ?? '3.50 1.00');
  if (fake.online !== undefined) put('sys/devices/system/cpu/online', fake.online);
  if (fake.rtc !== undefined) put('sys/class/rtc/rtc0/since_epoch', String(fake.rtc));
  const output = execFileSync(join(dir, 'busybox'), ['sh', join(dir, 'init')], {
    env: { PATH: join(dir, 'bin'), TESTVM_ROOT: root, TESTVM_DRYRUN: '1' },
    encoding: 'utf8',
  });
  return { output, report: parseGuestReport(output) };
}

const now = () => Math.floor(Date.now() / 1000);

describe('guest /init (run on the host with its own busybox)', () => {
  it('passes with the expected CPUs online and the right time', () => {
    const { output, report } = runInit({ cmdline: `console=ttyS0 reboot=k testvm.cpus=2 testvm.now=${now() - 3}`, online: '0-1', rtc: now() });
    expect(report.result, output).toBe('pass');
    expect(report.uptime).toBe(3.5);
    expect(report.cpus).toEqual({ online: 2, list: '0-1', expected: 2, ok: true });
    expect(report.clock).toMatchObject({ uptime: 3, tolerance: 300, ok: true });
    expect(Math.abs(report.clock!.delta!)).toBeLessThanOrEqual(2);
    expect(report.clock!.rtc).toBeGreaterThan(0);
    // every line the /init printed is one the parser knows
    expect(report.lines).toHaveLength(output.trim().split('\n').length);
  });

  it('counts CPU lists with ranges and singles', () => {
    expect(runInit({ cmdline: 'testvm.cpus=7', online: '0-3,5,7-8' }).report.cpus).toEqual({ online: 7, list: '0-3,5,7-8', expected: 7, ok: true });
  });

  it('fails when fewer CPUs are online than the VMM created', () => {
    const { report } = runInit({ cmdline: `testvm.cpus=2 testvm.now=${now()}`, online: '0' });
    expect(report.result).toBe('fail');
    expect(report.failed).toEqual(['cpus']);
    expect(report.cpus).toEqual({ online: 1, list: '0', expected: 2, ok: false });
  });

  it('fails when the clock is off by more than the tolerance, and honours testvm.tolerance', () => {
    const off = runInit({ cmdline: `testvm.now=${now() - 86_400}`, online: '0' }).report;
    expect(off.result).toBe('fail');
    expect(off.failed).toEqual(['clock']);
    expect(off.clock!.delta).toBeGreaterThan(86_000);
    const tight = runInit({ cmdline: `testvm.now=${now() - 100} testvm.tolerance=10`, online: '0' }).report;
    expect(tight.failed).toEqual(['clock']);
    const loose = runInit({ cmdline: `testvm.now=${now() - 100} testvm.tolerance=200`, online: '0' }).report;
    expect(loose.result).toBe('pass');
  });

  it('checks only the year without testvm.now, and CPUs only with testvm.cpus', () => {
    const { report } = runInit({ cmdline: 'console=ttyS0' });
    expect(report.result).toBe('pass');
    expect(report.cpus).toEqual({ online: 0, list: 'none', expected: 'any', ok: true });
    expect(report.clock).toMatchObject({ host: null, delta: null, rtc: null, ok: true });
  });

  it('fails on parameters that are not numbers and on modules it cannot load', () => {
    const { report } = runInit({ cmdline: 'testvm.cpus=two testvm.now=soon testvm.modules=testvm_no_such_module', online: '0-1' });
    expect(report.result).toBe('fail');
    expect(report.failed).toEqual(['params', 'modules']);
    expect(report.badParams).toEqual(['testvm.cpus=two', 'testvm.now=soon']);
    expect(report.modules).toMatchObject([{ name: 'testvm_no_such_module', ok: false }]);
  });
});
