/** `vmm` argument parsing: crosvm's defaults, the default kernel parameters, usage errors. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_KERNEL_PARAMS, parseArgs, UsageError } from './args.ts';

describe('parseArgs', () => {
  it('uses crosvm\'s defaults: 256 MiB, 1 vCPU, the default kernel parameters', () => {
    expect(parseArgs(['run', 'bzImage'])).toEqual({
      command: 'run',
      kernel: 'bzImage',
      initrd: undefined,
      memoryMiB: 256,
      vcpus: 1,
      cmdline: DEFAULT_KERNEL_PARAMS.join(' '),
      kvmPath: '/dev/kvm',
      cpuAffinity: undefined,
      tscDeadline: true,
      stats: false,
    });
  });
  it('takes -m, -c, -i and repeated -p (appended after the defaults, in order)', () => {
    const c = parseArgs(['run', '-m', '512', '-c', '2', '-i', 'initrd.img', '-p', 'quiet', '--params', 'rdinit=/bin/sh', 'vmlinuz']);
    expect(c).toMatchObject({ memoryMiB: 512, vcpus: 2, initrd: 'initrd.img', kernel: 'vmlinuz' });
    expect(c.command === 'run' && c.cmdline).toBe(`${DEFAULT_KERNEL_PARAMS.join(' ')} quiet rdinit=/bin/sh`);
  });
  it('takes --cpu-affinity in crosvm\'s two forms, checked against -c', () => {
    expect(parseArgs(['run', '-c', '2', '--cpu-affinity', '0', 'k'])).toMatchObject({ cpuAffinity: { kind: 'all', cpus: [0] } });
    expect(parseArgs(['run', '-c', '2', '--cpu-affinity', '1=2-3', 'k'])).toMatchObject({ cpuAffinity: { kind: 'each', cpus: new Map([[1, [2, 3]]]) } });
  });
  it('has the console, reboot and panic parameters the exit policy relies on', () => {
    expect(DEFAULT_KERNEL_PARAMS).toEqual(expect.arrayContaining(['console=ttyS0', 'reboot=k,panic_warm', 'panic=-1']));
  });
  it('drops the defaults with --no-default-params', () => {
    const c = parseArgs(['run', '--no-default-params', '-p', 'console=ttyS0', 'k']);
    expect(c.command === 'run' && c.cmdline).toBe('console=ttyS0');
  });
  it.each([[[]], [['--help']], [['-h']], [['run', '--help']]])('%j is help', (argv) => expect(parseArgs(argv)).toEqual({ command: 'help' }));
  it.each([
    [['start', 'k'], /unknown command "start"/],
    [['run'], /missing KERNEL/],
    [['run', 'a', 'b'], /expected one KERNEL/],
    [['run', '-m', 'lots', 'k'], /--mem must be a positive integer/],
    [['run', '-m', '8', 'k'], /at least 16 MiB/],
    [['run', '-c', '0', 'k'], /--cpus must be between 1 and 254/],
    [['run', '--bogus', 'k'], /bogus/],
    [['run', '--cpu-affinity', 'spread', 'k'], /--cpu-affinity "spread": "spread" in CPU set "spread" is not a CPU number or a range/],
    [['run', '-c', '2', '--cpu-affinity', '0=0:2=1', 'k'], /--cpu-affinity "0=0:2=1": vCPU 2 in "2=1" does not exist: the VM has 2 vCPUs \(0-1\)/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
