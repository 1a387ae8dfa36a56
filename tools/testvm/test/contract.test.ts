/** The guest /init contract: the command line built for it and the parser of its lines. */
import { describe, expect, it } from 'vitest';
import { guestCommandLine, parseGuestReport, VMM_BASE_COMMAND_LINE } from '../src/guest/contract.ts';

describe('guestCommandLine', () => {
  it('puts the testvm parameters after the VMM base command line', () => {
    expect(guestCommandLine({ cpus: 2, now: 1_800_000_000, modules: ['virtio_pci', 'virtio_rng'], extra: 'quiet' })).toBe(
      `${VMM_BASE_COMMAND_LINE} testvm.cpus=2 testvm.now=1800000000 testvm.modules=virtio_pci,virtio_rng quiet`,
    );
    expect(VMM_BASE_COMMAND_LINE).toContain('reboot=k');
  });

  it('defaults now to the current time and leaves it out with null', () => {
    const now = Number(/testvm\.now=(\d+)/.exec(guestCommandLine())?.[1]);
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5);
    expect(guestCommandLine({ now: null, mode: 'shell', tolerance: 60 })).toBe(`${VMM_BASE_COMMAND_LINE} testvm.tolerance=60 testvm.mode=shell`);
  });
});

describe('parseGuestReport', () => {
  it('reads a passing report from a raw console (\\r\\n, escapes, kernel lines)', () => {
    const text = [
      '\x1bc\x1b[?7l\x1b[2JTESTVM-INIT: uptime=3.52',
      'TESTVM-INIT: module virtio_pci ok',
      'TESTVM-INIT: cpus online=2 list=0-1 expected=2 ok',
      'TESTVM-INIT: clock guest=1795310946 host=1795310918 uptime=20 delta=8 tolerance=300 year=2026 rtc=1795310946 ok',
      'TESTVM-INIT: PASS',
      'TESTVM-INIT: reboot',
      '[   16.066972] reboot: Restarting system',
    ].join('\r\n');
    const r = parseGuestReport(text);
    expect(r).toMatchObject({ result: 'pass', failed: [], uptime: 3.52, rebooting: true, modules: [{ name: 'virtio_pci', ok: true }] });
    expect(r.cpus).toEqual({ online: 2, list: '0-1', expected: 2, ok: true });
    expect(r.clock).toEqual({ guest: 1795310946, host: 1795310918, uptime: 20, delta: 8, tolerance: 300, year: 2026, rtc: 1795310946, ok: true });
  });

  it('reads failures, missing values and bad parameters', () => {
    const r = parseGuestReport(
      [
        'TESTVM-INIT: uptime=1.00',
        'TESTVM-INIT: param testvm.now=abc FAIL',
        'TESTVM-INIT: module nosuch FAIL modprobe: module nosuch not found in modules.dep',
        'TESTVM-INIT: cpus online=1 list=0 expected=2 FAIL',
        'TESTVM-INIT: clock guest=12 host=none uptime=1 delta=none tolerance=300 year=1970 rtc=none FAIL',
        'TESTVM-INIT: FAIL params modules cpus clock',
      ].join('\n'),
    );
    expect(r.result).toBe('fail');
    expect(r.failed).toEqual(['params', 'modules', 'cpus', 'clock']);
    expect(r.badParams).toEqual(['testvm.now=abc']);
    expect(r.modules[0]).toEqual({ name: 'nosuch', ok: false, error: 'modprobe: module nosuch not found in modules.dep' });
    expect(r.clock).toMatchObject({ host: null, delta: null, rtc: null, year: 1970, ok: false });
    expect(r.rebooting).toBe(false);
  });

  it("says 'none' when the /init never reached its result", () => {
    expect(parseGuestReport('Kernel panic - not syncing: VFS').result).toBe('none');
  });
});
