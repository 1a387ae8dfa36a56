/**
 * `sev-tool report validate` against go-sev-guest's `tools/check/check_test.go` cases on its real
 * report (`verify/testdata/attestation.bin`, go-sev-guest MANIFEST): every good value passes
 * (exit 0); every bad value fails (exit 1, the check listed), or, where the value itself is not a
 * valid option (65 bytes, not hex, vmpl 4 or -1, version "0."), is a usage error (exit 2).
 */
import { describe, expect, test } from 'vitest';
import { sevPath, sevTool } from '../testing/run.ts';

const REPORT = () => sevPath('go-sev-guest/verify/testdata/attestation.bin');
const zeros = (n: number) => '00'.repeat(n);
const CHIP_ID = '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d';
const TCB = '4901323769462652930';

const validate = (...args: string[]) => sevTool('report', 'validate', '--report', REPORT(), ...args);

const GOOD: [string, ...string[]][] = [
  ['report-data', `0102030405${zeros(59)}`],
  ['host-data', zeros(32)],
  ['family-id', zeros(16)],
  ['image-id', zeros(16)],
  ['report-id', '8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a'],
  ['report-id-ma', 'ff'.repeat(32)],
  ['measurement', 'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01'],
  ['chip-id', CHIP_ID],
  ['minimum-tcb', TCB],
  ['minimum-launch-tcb', TCB],
  ['max-guest-policy', '0xb0000'],
  ['minimum-build', '0'],
  ['minimum-version', '1.49'],
  ['provisional'],
  ['vmpl', '0'],
  ['platform-info', '1'],
];

/** Bad values that are valid options: validation fails (exit 1) with this check. */
const FAILS: [string, string, string][] = [
  ['report-data', `${zeros(63)}01`, 'FAIL  REPORT_DATA is the expected value'],
  ['host-data', `${zeros(31)}01`, 'FAIL  HOST_DATA is the expected value'],
  ['family-id', `${zeros(15)}01`, 'FAIL  FAMILY_ID is the expected value'],
  ['image-id', `${zeros(15)}01`, 'FAIL  IMAGE_ID is the expected value'],
  ['chip-id', `${CHIP_ID.slice(0, -2)}5e`, 'FAIL  CHIP_ID is the expected value'],
  ['minimum-tcb', '4901323769462652931', 'FAIL  REPORTED_TCB is at least 4901323769462652931'],
  ['minimum-launch-tcb', '4901323769462652931', 'FAIL  LAUNCH_TCB is at least 4901323769462652931'],
  ['minimum-build', '90', 'FAIL  CURRENT_BUILD is at least 90: CURRENT_BUILD 3 is below the minimum 90'],
  ['minimum-version', '1.50', 'FAIL  the firmware is at least 1.50'],
  ['vmpl', '1', 'FAIL  VMPL is 1: VMPL is 0, expected 1'],
  ['platform-info', '0', 'FAIL  PLATFORM_INFO is within 0: PLATFORM_INFO SMT is enabled but not allowed'],
  ['max-guest-policy', '0x30000', 'FAIL  POLICY is within 0x30000: POLICY DEBUG is allowed by the guest policy but not by the validation policy'],
];

/** Bad values that are not valid options: usage error (exit 2) naming the option. */
const INVALID: [string, string, string][] = [
  ['report-data', zeros(65), '--report-data: is 65 bytes, expected 64'],
  ['report-data', 'not hex', '--report-data: "not hex" is not hex'],
  ['host-data', zeros(33), '--host-data: is 33 bytes, expected 32'],
  ['chip-id', `${CHIP_ID}00`, '--chip-id: is 65 bytes, expected 64'],
  ['minimum-build', '257', '--minimum-build: is 257, expected an integer 0-255'],
  ['minimum-version', '0.0.0', '--minimum-version: "0.0.0" is not "major.minor"'],
  ['minimum-version', '0.', '--minimum-version: "0." is not "major.minor"'],
  ['minimum-version', '.0', '--minimum-version: ".0" is not "major.minor"'],
  ['vmpl', '4', '--vmpl: is 4, expected an integer 0-3'],
  ['vmpl=-1', '', '--vmpl: "-1" is not a non-negative integer'],
  ['max-guest-policy', '0', '--max-guest-policy: 0x0 does not have the reserved bit 17 set'],
];

describe("go-sev-guest check_test's good values pass", () => {
  test.each(GOOD)('--%s %s', async (flag, ...value) => {
    const run = await validate(`--${flag}`, ...value);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('report validation: OK');
  });

  test('all of them at once', async () => {
    const run = await validate(...GOOD.flatMap(([flag, ...value]) => [`--${flag}`, ...value]));
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`report validation: OK (${GOOD.length} checks)`);
  });
});

describe("go-sev-guest check_test's bad values fail (exit 1)", () => {
  test.each(FAILS)('--%s %s', async (flag, value, line) => {
    const run = await validate(`--${flag}`, value);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(line);
    expect(run.stdout).toContain('report validation: FAILED (1 of 2 checks failed)');
  });

  test('--require-author-key, --require-id-block: the report has no ID block', async () => {
    const author = await validate('--require-author-key');
    expect(author.status).toBe(1);
    expect(author.stdout).toContain('FAIL  a trusted author key signed the ID block: KEY_INFO AUTHOR_KEY_EN is 0 but an author key is required');
    const id = await validate('--require-id-block');
    expect(id.status).toBe(1);
    expect(id.stdout).toContain('FAIL  a trusted ID key signed the ID block: ID_KEY_DIGEST ID key 0000');
    const both = await validate('--require-author-key', '--require-id-block');
    expect(both.stdout).toContain('(--require-author-key includes --require-id-block)');
    expect(both.stdout).not.toContain('ok    a trusted ID key');
  });

  test('every failure is listed, one line per option', async () => {
    const run = await validate(...FAILS.flatMap(([flag, value]) => [`--${flag}`, value]));
    expect(run.status).toBe(1);
    for (const [, , line] of FAILS) expect(run.stdout).toContain(line);
    expect(run.stdout).toContain(`report validation: FAILED (${FAILS.length} of ${FAILS.length + 1} checks failed)`);
  });

  test("LIT's report has provisional firmware (committed 1.49.6, current 1.51.3)", async () => {
    const lit = sevPath('lit-sev-snp-utils/resources/test/guest_report.bin');
    const strict = await sevTool('report', 'validate', '--report', lit);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('FAIL  the firmware is committed (COMMITTED = CURRENT TCB and version): COMMITTED_TCB bl=2 tee=0 snp=5');
    expect(strict.stdout).toContain('committed firmware 1.49.6 is not the current 1.51.3');
    // --provisional: committed at most current, versions compared as (major, minor, build), so
    // 1.49.6 is below 1.51.3 (go-sev-guest compares the build alone and would refuse it).
    const permissive = await sevTool('report', 'validate', '--report', lit, '--provisional');
    expect(permissive.status).toBe(0);
    expect(permissive.stdout).toContain('ok    the committed firmware is at most the current one (--provisional)');
  });

  test('--json lists the checks and the library failures', async () => {
    const run = await validate('--vmpl', '1', '--json');
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as { ok: boolean; failures: { field: string; check: string }[] };
    expect(json.ok).toBe(false);
    expect(json.failures).toEqual([{ field: 'VMPL', check: 'vmpl', message: 'is 0, expected 1' }]);
  });
});

describe('invalid option values are usage errors (exit 2), all listed', () => {
  test.each(INVALID)('--%s %s', async (flag, value, message) => {
    const run = await validate(...(value === '' ? [`--${flag}`] : [`--${flag}`, value]));
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  test('several at once', async () => {
    const run = await validate('--vmpl', '4', '--report-data', '00', '--minimum-version', '0.');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'sev-tool: report validate: invalid policy options:\n  --report-data: is 1 bytes, expected 64\n  --vmpl: is 4, expected an integer 0-3\n  --minimum-version: "0." is not "major.minor"\n',
    );
  });

  test('--vmpl -1 (not --vmpl=-1) needs the = form', async () => {
    const run = await validate('--vmpl', '-1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--vmpl needs a value; one that starts with "-" is written --vmpl=VALUE');
  });
});
