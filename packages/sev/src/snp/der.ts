/**
 * A small, strict DER reader (X.690 section 10) for the few ASN.1 structures this package reads
 * itself: the values inside AMD's certificate extensions (INTEGER, IA5String, OCTET STRING), the
 * CRL distribution points of the ARK and ASK, and AMD's CRL (RFC 5280 CertificateList).
 * Certificates themselves are parsed by `@tsvmm/crypto`; no cryptography here.
 *
 * Strict means: single-byte tags, definite minimal lengths, minimal INTEGERs, BOOLEAN 00/FF,
 * times to the second with `Z`, and nothing after a value where one value is expected. Anything
 * else throws {@link DerError} with the offset, which callers wrap in their own error.
 */

/** A DER decoding problem at `offset` of the input. */
export class DerError extends Error {
  override readonly name = 'DerError';

  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Universal tags used here. */
export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** One TLV: its tag, where it starts, where its content starts and where it ends. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** The TLV at `offset` (which must lie within `limit`, default the whole input). */
export function readTlv(input: Uint8Array, offset: number, limit = input.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated value', offset);
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported', offset);
  const first = input[offset + 1]!;
  let length = first;
  let contentStart = offset + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('indefinite length (BER) is not DER', offset + 1);
    if (count > 4) throw new DerError('length too large', offset + 1);
    if (contentStart + count > limit) throw new DerError('truncated length', offset + 1);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[contentStart + i]!;
    if (input[contentStart] === 0 || length < 0x80) throw new DerError('non-minimal length (not DER)', offset + 1);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('truncated value', offset);
  return { tag, start: offset, contentStart, end };
}

/** The one TLV that is the whole of `input`, with tag `tag`. */
export function readSingle(input: Uint8Array, tag: number, what: string): Tlv {
  const tlv = expectTag(readTlv(input, 0), tag, what);
  if (tlv.end !== input.length) throw new DerError(`${input.length - tlv.end} bytes after the ${what}`, tlv.end);
  return tlv;
}

/** `tlv` if it has tag `tag`; otherwise throws. */
export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`, tlv.start);
  return tlv;
}

/** The TLVs directly inside the constructed `outer`. */
export function children(input: Uint8Array, outer: Tlv): Tlv[] {
  if ((outer.tag & 0x20) === 0) throw new DerError('not a constructed value', outer.start);
  const out: Tlv[] = [];
  for (let offset = outer.contentStart; offset < outer.end; ) {
    const tlv = readTlv(input, offset, outer.end);
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

/** The content octets of `tlv`. */
export function contentOf(input: Uint8Array, tlv: Tlv): Uint8Array {
  return input.subarray(tlv.contentStart, tlv.end);
}

/** The whole encoding (tag, length, content) of `tlv`. */
export function encodingOf(input: Uint8Array, tlv: Tlv): Uint8Array {
  return input.subarray(tlv.start, tlv.end);
}

/** An INTEGER's content octets after checking they are minimal two's complement. */
export function integerContent(input: Uint8Array, tlv: Tlv): Uint8Array {
  expectTag(tlv, Tag.Integer, 'INTEGER');
  const c = contentOf(input, tlv);
  if (c.length === 0) throw new DerError('empty INTEGER', tlv.start);
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) throw new DerError('non-minimal INTEGER', tlv.start);
  return c;
}

/** A non-negative INTEGER that fits a safe integer. */
export function smallInteger(input: Uint8Array, tlv: Tlv): number {
  const c = integerContent(input, tlv);
  if (c[0]! >= 0x80) throw new DerError('negative INTEGER', tlv.start);
  if (c.length > 6) throw new DerError('INTEGER too large', tlv.start);
  let value = 0;
  for (const b of c) value = value * 256 + b;
  return value;
}

/** A BOOLEAN (DER: 0x00 or 0xFF). */
export function boolean(input: Uint8Array, tlv: Tlv): boolean {
  expectTag(tlv, Tag.Boolean, 'BOOLEAN');
  const c = contentOf(input, tlv);
  if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) throw new DerError('BOOLEAN is not 00 or FF', tlv.start);
  return c[0] === 0xff;
}

/** An OBJECT IDENTIFIER in dotted form. */
export function oid(input: Uint8Array, tlv: Tlv): string {
  expectTag(tlv, Tag.Oid, 'OBJECT IDENTIFIER');
  const c = contentOf(input, tlv);
  if (c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) throw new DerError('malformed OBJECT IDENTIFIER', tlv.start);
  const arcs: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const b of c) {
    if (fresh && b === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER arc', tlv.start);
    value = (value << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]! < 80n ? arcs[0]! / 40n : 2n;
  return [first, arcs[0]! - first * 40n, ...arcs.slice(1)].join('.');
}

/** An IA5String (ASCII). */
export function ia5String(input: Uint8Array, tlv: Tlv): string {
  expectTag(tlv, Tag.Ia5String, 'IA5String');
  const c = contentOf(input, tlv);
  if (c.some((b) => b >= 0x80)) throw new DerError('IA5String with a non-ASCII byte', tlv.start);
  return String.fromCharCode(...c);
}

/** UTCTime (`YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), RFC 5280 section 4.1.2.5. */
export function time(input: Uint8Array, tlv: Tlv): Date {
  const text = String.fromCharCode(...contentOf(input, tlv));
  const utc = tlv.tag === Tag.UtcTime && /^\d{12}Z$/.test(text);
  const general = tlv.tag === Tag.GeneralizedTime && /^\d{14}Z$/.test(text);
  if (!utc && !general) throw new DerError('not a UTCTime or GeneralizedTime to the second in UTC', tlv.start);
  let rest = text;
  let year: number;
  if (utc) {
    const yy = Number(rest.slice(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = rest.slice(2);
  } else {
    year = Number(rest.slice(0, 4));
    rest = rest.slice(4);
  }
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Reject impossible dates (Date.UTC would roll 2023-02-30 over into March).
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw new DerError('impossible date', tlv.start);
  if (year < 100) date.setUTCFullYear(year);
  return date;
}

/** A BIT STRING's bytes; its unused-bits count must be 0. */
export function bitStringBytes(input: Uint8Array, tlv: Tlv): Uint8Array {
  expectTag(tlv, Tag.BitString, 'BIT STRING');
  const c = contentOf(input, tlv);
  if (c.length === 0 || c[0] !== 0) throw new DerError('BIT STRING with unused bits', tlv.start);
  return c.subarray(1);
}
