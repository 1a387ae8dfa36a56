/** `error.ts`: codes, fields, offsets and failure lists in the message. */
import { describe, expect, test } from 'vitest';
import { SnpError, isSnpError } from './error.ts';

describe('error', () => {
  test('the message carries the code, the field and the offset in hex, and every failure', () => {
    const e = new SnpError('reportReserved', 'must be zero', { field: 'RESERVED_0x04C', offset: 0x4d });
    expect(e.message).toBe('[reportReserved] RESERVED_0x04C at 0x04D: must be zero');
    expect(e).toMatchObject({ name: 'SnpError', code: 'reportReserved', field: 'RESERVED_0x04C', offset: 0x4d, failures: [] });
    const p = new SnpError('policyViolation', 'two', { field: 'report', failures: [{ field: 'VMPL', check: 'vmpl', message: 'is 0, expected 1' }, { field: 'MEASUREMENT', check: 'measurement', message: 'differs' }] });
    expect(p.message).toBe('[policyViolation] report: two\n  - VMPL: is 0, expected 1 [vmpl]\n  - MEASUREMENT: differs [measurement]');
    const cause = new Error('inner');
    expect(new SnpError('crlMalformed', 'x', { cause }).cause).toBe(cause);
    expect(isSnpError(p)).toBe(true);
    expect(isSnpError(p, 'policyViolation')).toBe(true);
    expect(isSnpError(p, 'reportReserved')).toBe(false);
    expect(isSnpError(new Error('x'))).toBe(false);
  });
});
