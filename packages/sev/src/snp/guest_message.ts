/**
 * The guest's view of two SNP guest-request responses (SNP ABI specification, "MSG_REPORT_RSP"
 * and "MSG_KEY_RSP"), as the Linux `sev-guest` driver hands them back: a 32-byte header then the
 * payload. {@link parseReportResponse} gives STATUS, REPORT_SIZE and the report (parse it with
 * `AttestationReport.parse`); {@link parseDerivedKeyResponse} gives STATUS and the 32-byte key.
 *
 * | offset | MSG_REPORT_RSP | MSG_KEY_RSP |
 * |---|---|---|
 * | 0x00 | STATUS (u32: 0 success, 0x16 invalid parameters, 0x27 invalid key selection) | STATUS |
 * | 0x04 | REPORT_SIZE (u32) | reserved |
 * | 0x08-0x1F | reserved | reserved |
 * | 0x20 | REPORT (REPORT_SIZE bytes; the rest of the buffer is padding) | DERIVED_KEY (32 bytes) |
 */
import { u32 } from './bytes.ts';
import { SnpError } from './error.ts';

/** Size of the header before REPORT or DERIVED_KEY. */
export const GUEST_RESPONSE_HEADER_SIZE = 0x20;

/** Length of a derived key. */
export const DERIVED_KEY_LENGTH = 32;

export interface ReportResponse {
  readonly status: number;
  readonly reportSize: number;
  /** REPORT_SIZE bytes from offset 0x20 (empty when STATUS is not 0). */
  readonly report: Uint8Array;
}

export interface DerivedKeyResponse {
  readonly status: number;
  /** DERIVED_KEY (32 bytes; meaningful only when STATUS is 0). */
  readonly key: Uint8Array;
}

function header(bytes: Uint8Array, what: string): number {
  if (bytes.length < GUEST_RESPONSE_HEADER_SIZE) throw new SnpError('reportTruncated', `${what} has a ${GUEST_RESPONSE_HEADER_SIZE}-byte header, the input is ${bytes.length} bytes`, { field: 'STATUS', offset: 0 });
  return u32(bytes, 0);
}

/** Reads a MSG_REPORT_RSP (a failed STATUS is returned, not thrown; the caller decides). */
export function parseReportResponse(bytes: Uint8Array): ReportResponse {
  const status = header(bytes, 'MSG_REPORT_RSP');
  const reportSize = u32(bytes, 4);
  if (status !== 0) return { status, reportSize, report: new Uint8Array(0) };
  if (GUEST_RESPONSE_HEADER_SIZE + reportSize > bytes.length) {
    throw new SnpError('reportTruncated', `REPORT_SIZE is ${reportSize}, the response has ${bytes.length - GUEST_RESPONSE_HEADER_SIZE} bytes after its header`, { field: 'REPORT_SIZE', offset: 4 });
  }
  return { status, reportSize, report: bytes.slice(GUEST_RESPONSE_HEADER_SIZE, GUEST_RESPONSE_HEADER_SIZE + reportSize) };
}

/** Reads a MSG_KEY_RSP. */
export function parseDerivedKeyResponse(bytes: Uint8Array): DerivedKeyResponse {
  const status = header(bytes, 'MSG_KEY_RSP');
  if (bytes.length < GUEST_RESPONSE_HEADER_SIZE + DERIVED_KEY_LENGTH) {
    throw new SnpError('reportTruncated', `MSG_KEY_RSP is ${GUEST_RESPONSE_HEADER_SIZE + DERIVED_KEY_LENGTH} bytes, got ${bytes.length}`, { field: 'DERIVED_KEY', offset: GUEST_RESPONSE_HEADER_SIZE });
  }
  return { status, key: bytes.slice(GUEST_RESPONSE_HEADER_SIZE, GUEST_RESPONSE_HEADER_SIZE + DERIVED_KEY_LENGTH) };
}
