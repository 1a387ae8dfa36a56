/** `guest_message.ts`: the LIT MSG_REPORT_RSP (4000 bytes, STATUS 0, REPORT_SIZE 1184) and MSG_KEY_RSP (64 bytes, STATUS 0). */
import { describe, expect, test } from 'vitest';
import { toHex } from './bytes.ts';
import { SnpError } from './error.ts';
import { parseDerivedKeyResponse, parseReportResponse } from './guest_message.ts';
import { AttestationReport } from './report.ts';
import { DATA, sevFile } from './testing/data.ts';

describe('guest_message', () => {
  test('snp_report_msg_resp.bin: status 0, size 1184, and the report inside parses (v2, policy 0x30000)', () => {
    const bytes = sevFile(DATA.litMsgReportRsp);
    expect(bytes.length).toBe(4000);
    const response = parseReportResponse(bytes);
    expect(response.status).toBe(0);
    expect(response.reportSize).toBe(1184);
    const report = AttestationReport.parse(response.report);
    expect(report.version).toBe(2);
    expect(report.policy.raw).toBe(0x30000n);
    // The 3968 bytes after the header are the zero-padded form LIT's VALID_REPORT has.
    expect(AttestationReport.parse(bytes.subarray(32), { allowZeroPadding: true }).bytes()).toEqual(report.bytes());
  });

  test('snp_derived_key_msg_resp.bin: status 0 and a 32-byte key', () => {
    const response = parseDerivedKeyResponse(sevFile(DATA.litMsgKeyRsp));
    expect(response.status).toBe(0);
    expect(toHex(response.key)).toMatch(/^c479fbdb80a40801/);
    expect(response.key.length).toBe(32);
  });

  test('errors: short headers, a REPORT_SIZE beyond the buffer; a failed STATUS is returned', () => {
    expect(() => parseReportResponse(new Uint8Array(31))).toThrow(SnpError);
    const bad = new Uint8Array(64);
    bad[4] = 0xa0;
    bad[5] = 0x04;
    expect(() => parseReportResponse(bad)).toThrow(expect.objectContaining({ code: 'reportTruncated', field: 'REPORT_SIZE', offset: 4 }));
    bad[0] = 0x16;
    expect(parseReportResponse(bad)).toMatchObject({ status: 0x16, report: new Uint8Array(0) });
    expect(() => parseDerivedKeyResponse(new Uint8Array(40))).toThrow(expect.objectContaining({ code: 'reportTruncated', field: 'DERIVED_KEY' }));
  });
});
