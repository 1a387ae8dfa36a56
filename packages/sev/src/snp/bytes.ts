/**
 * Byte helpers shared by the SEV-SNP modules: little-endian integers of the SNP ABI, hex, PEM,
 * comparisons. No cryptography (that is `@tsvmm/crypto`'s).
 */

/** `bytes` as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes from hex (whitespace ignored); throws a `TypeError` on anything else. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new TypeError('not an even number of hex digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Whether every byte of `bytes[start, end)` is zero. */
export function isZero(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The offset of the first non-zero byte of `bytes[start, end)`, or -1. */
export function firstNonZero(bytes: Uint8Array, start = 0, end = bytes.length): number {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return i;
  return -1;
}

/** Whether `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Little-endian unsigned 32-bit integer at `offset`. */
export function u32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

/** Little-endian unsigned 64-bit integer at `offset`. */
export function u64(bytes: Uint8Array, offset: number): bigint {
  return BigInt(u32(bytes, offset)) | (BigInt(u32(bytes, offset + 4)) << 32n);
}

/** `value` as 8 little-endian bytes. */
export function u64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** A reversed copy (little-endian ↔ big-endian). */
export function reversed(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/** Base64 (standard alphabet, padding optional, whitespace ignored) to bytes; throws a `TypeError` on anything else. */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) throw new TypeError('not base64');
  const binary = atob(clean.padEnd(Math.ceil(clean.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** One PEM block: its label (`CERTIFICATE`, `X509 CRL`, ...) and its DER. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/**
 * Every PEM block of `text` in order (RFC 7468, without headers). Text between blocks is ignored,
 * as OpenSSL does; a block that is not closed or not base64 throws a `TypeError`.
 */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  for (let match = begin.exec(text); match !== null; match = begin.exec(text)) {
    const label = match[1]!;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, begin.lastIndex);
    if (end < 0) throw new TypeError(`PEM block "${label}" is not closed`);
    const body = text.slice(begin.lastIndex, end);
    if (body.includes(':')) throw new TypeError(`PEM block "${label}" has headers`);
    out.push({ label, der: fromBase64(body) });
    begin.lastIndex = end + endMarker.length;
  }
  return out;
}
