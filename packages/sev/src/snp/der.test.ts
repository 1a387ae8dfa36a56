/** `der.ts`: strict DER, checked on good values and on the BER/non-minimal forms it must refuse. */
import { describe, expect, test } from 'vitest';
import { fromHex } from './bytes.ts';
import { DerError, Tag, bitStringBytes, boolean, children, ia5String, integerContent, oid, readSingle, readTlv, smallInteger, time } from './der.ts';

const single = (hex: string, tag: number) => {
  const der = fromHex(hex);
  return [der, readSingle(der, tag, 'value')] as const;
};

describe('der', () => {
  test('lengths: short, long and minimal only; truncation; trailing bytes', () => {
    expect(readTlv(fromHex('0400'), 0)).toEqual({ tag: 4, start: 0, contentStart: 2, end: 2 });
    const long = fromHex(`0481${'80'}${'00'.repeat(0x80)}`);
    expect(readTlv(long, 0).end).toBe(long.length);
    expect(() => readTlv(fromHex('048100'), 0)).toThrow(DerError); // 0x81 with a length under 0x80
    expect(() => readTlv(fromHex('04820080'), 0)).toThrow(DerError); // leading zero
    expect(() => readTlv(fromHex('0480'), 0)).toThrow(/indefinite/);
    expect(() => readTlv(fromHex('0403aa'), 0)).toThrow(/truncated/);
    expect(() => readTlv(fromHex('1f01'), 0)).toThrow(/multi-byte/);
    expect(() => readSingle(fromHex('0400ff'), Tag.OctetString, 'x')).toThrow(/after/);
    expect(() => readSingle(fromHex('0500'), Tag.OctetString, 'x')).toThrow(/expected tag/);
  });

  test('INTEGER: minimal, non-negative for smallInteger', () => {
    expect(smallInteger(...single('020100', Tag.Integer))).toBe(0);
    expect(smallInteger(...single('020200ff', Tag.Integer))).toBe(255);
    expect(smallInteger(...single('020173', Tag.Integer))).toBe(115);
    expect(() => smallInteger(...single('02020001', Tag.Integer))).toThrow(/non-minimal/);
    expect(() => smallInteger(...single('0201ff', Tag.Integer))).toThrow(/negative/);
    expect(() => integerContent(...single('0200', Tag.Integer))).toThrow(/empty/);
    expect(() => smallInteger(...single('020701020304050607', Tag.Integer))).toThrow(/too large/);
  });

  test('BOOLEAN, OID, IA5String, BIT STRING', () => {
    expect(boolean(...single('0101ff', Tag.Boolean))).toBe(true);
    expect(boolean(...single('010100', Tag.Boolean))).toBe(false);
    expect(() => boolean(...single('010101', Tag.Boolean))).toThrow(DerError);
    expect(oid(...single('060a2b060104019c78010301', Tag.Oid))).toBe('1.3.6.1.4.1.3704.1.3.1');
    expect(oid(...single('06092a864886f70d01010a', Tag.Oid))).toBe('1.2.840.113549.1.1.10');
    expect(() => oid(...single('0603808001', Tag.Oid))).toThrow(/non-minimal/);
    expect(() => oid(...single('060181', Tag.Oid))).toThrow(/malformed/);
    expect(ia5String(...single('16084d696c616e2d4230', Tag.Ia5String))).toBe('Milan-B0');
    expect(() => ia5String(...single('160180', Tag.Ia5String))).toThrow(DerError);
    expect(bitStringBytes(...single('030200ff', Tag.BitString))).toEqual(Uint8Array.of(0xff));
    expect(() => bitStringBytes(...single('030201fe', Tag.BitString))).toThrow(/unused/);
  });

  test('UTCTime (1950-2049) and GeneralizedTime, to the second in UTC; impossible dates refused', () => {
    const utc = (text: string) => `17${text.length.toString(16).padStart(2, '0')}${Buffer.from(text).toString('hex')}`;
    const gen = (text: string) => `18${text.length.toString(16).padStart(2, '0')}${Buffer.from(text).toString('hex')}`;
    expect(time(...single(utc('240106211400Z'), Tag.UtcTime))).toEqual(new Date('2024-01-06T21:14:00Z'));
    expect(time(...single(utc('500101000000Z'), Tag.UtcTime))).toEqual(new Date('1950-01-01T00:00:00Z'));
    expect(time(...single(gen('20500101000000Z'), Tag.GeneralizedTime))).toEqual(new Date('2050-01-01T00:00:00Z'));
    for (const bad of ['2401062114Z', '240106211400+0100', '240230000000Z', '241306000000Z', '240106250000Z']) expect(() => time(...single(utc(bad), Tag.UtcTime))).toThrow(DerError);
    expect(() => time(...single(gen('20500101000000.5Z'), Tag.GeneralizedTime))).toThrow(DerError);
  });

  test('children stay inside their parent', () => {
    const der = fromHex('3006020101020102');
    expect(children(der, readTlv(der, 0)).map((c) => c.start)).toEqual([2, 5]);
    const overflow = fromHex('30040201010201');
    expect(() => children(overflow, readTlv(overflow, 0))).toThrow(DerError);
    expect(() => children(der, readTlv(fromHex('0400'), 0))).toThrow(/constructed/);
  });
});
