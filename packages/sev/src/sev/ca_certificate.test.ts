/**
 * `SevCaCertificate`: AMD's real AMD-format ARKs and ASKs (Naples 2048-bit, Rome to Turin
 * 4096-bit; virtee-sev MANIFEST, "Legacy SEV") decode to the expected fields and encode back byte
 * for byte; the truncated Naples ARK (AMDESE/AMDSEV#17) gets its signature; every malformed input
 * is a `SevFormatError` naming the field and the offset.
 */
import { describe, expect, test } from 'vitest';
import { SevFormatError } from './error.ts';
import { SevCaCertificate } from './ca_certificate.ts';
import { SevUsage } from './usage.ts';
import { builtinFile, concat, hex, sevFile } from './testing/files.ts';

const GENERATIONS = [
  { generation: 'naples', bits: 2048, size: 832, arkId: '1bb987c359494606b174945601c9ea5b', askId: 'e139970cfc464377ae61b289e2f9e96e' },
  { generation: 'rome', bits: 4096, size: 1600, arkId: 'e6002122fb58419399d15fee7b131351', askId: 'c6cbcf145b3146f498e40ecb4ad4fded' },
  { generation: 'milan', bits: 4096, size: 1600, arkId: '94c38e4177d0479292a7ae671d083fb6', askId: '73478c05cc174bfeb06e718fa75dc3c8' },
  { generation: 'genoa', bits: 4096, size: 1600, arkId: '9f9d4a8fe761456599f6946c4c010f3a', askId: 'acbb4ad21acc436fb3e932f812cd01b0' },
  { generation: 'turin', bits: 4096, size: 1600, arkId: 'd05c3a8bde484904b49552422ceb3942', askId: '15051693f7304d65a527b4a7f3f7cb77' },
] as const;

/** The error `run` throws (fails the test if it throws nothing). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** `{ code, field, offset }` of a `SevFormatError` thrown by decoding `bytes`. */
function decodeError(bytes: Uint8Array) {
  const error = thrown(() => SevCaCertificate.decode(bytes));
  expect(error).toBeInstanceOf(SevFormatError);
  const { code, field, offset, structure } = error as SevFormatError;
  return { code, field, offset, structure };
}

describe.each(GENERATIONS)('the $generation ARK and ASK', ({ generation, bits, size, arkId, askId }) => {
  const arkBytes = builtinFile(generation, 'ark');
  const askBytes = builtinFile(generation, 'ask');

  test('decode to the fields of appendix C', () => {
    const ark = SevCaCertificate.decode(arkBytes);
    const ask = SevCaCertificate.decode(askBytes);
    expect(arkBytes.length).toBe(size);
    for (const cert of [ark, ask]) {
      expect(cert.version).toBe(1);
      expect(cert.publicExponentBits).toBe(bits);
      expect(cert.modulusBits).toBe(bits);
      expect(cert.publicExponent.length).toBe(bits / 8);
      expect(cert.modulus.length).toBe(bits / 8);
      expect(cert.signature.length).toBe(bits / 8);
      expect(hex(cert.reserved)).toBe('00'.repeat(16));
      expect(cert.signatureHash).toBe(bits === 2048 ? 'SHA-256' : 'SHA-384');
      expect(cert.signatureInjected).toBe(false);
      // e = 65537, little-endian
      expect(hex(cert.publicExponent.subarray(0, 4))).toBe('01000100');
    }
    expect(ark.keyUsage).toBe(SevUsage.Ark);
    expect(ark.usageName).toBe('ARK');
    expect(hex(ark.keyId)).toBe(arkId);
    expect(hex(ark.certifyingId)).toBe(arkId);
    expect(ark.selfCertified).toBe(true);
    expect(ask.keyUsage).toBe(SevUsage.Ask);
    expect(ask.usageName).toBe('ASK');
    expect(hex(ask.keyId)).toBe(askId);
    expect(hex(ask.certifyingId)).toBe(arkId);
    expect(ask.selfCertified).toBe(false);
  });

  test('encode back byte for byte; the signed body is everything before the signature', () => {
    for (const bytes of [arkBytes, askBytes]) {
      const cert = SevCaCertificate.decode(bytes);
      expect(hex(cert.encode())).toBe(hex(bytes));
      expect(hex(cert.signedBody())).toBe(hex(bytes.subarray(0, size - bits / 8)));
    }
  });

  test('decoded certificates are frozen and own their bytes', () => {
    const copy = arkBytes.slice();
    const ark = SevCaCertificate.decode(copy);
    copy.fill(0);
    expect(hex(ark.keyId)).toBe(arkId);
    expect(Object.isFrozen(ark)).toBe(true);
  });

  test('the RSA public key is the big-endian modulus and exponent', async () => {
    const key = await SevCaCertificate.decode(arkBytes).publicKey();
    expect(key.modulusBits()).toBe(bits);
    const { modulus, publicExponent } = key.toComponents();
    expect(hex(publicExponent)).toBe('010001');
    expect(hex(modulus)).toBe(hex(SevCaCertificate.decode(arkBytes).modulus.slice().reverse()));
  });
});

describe('the truncated Naples ARK (ark.cert.bad, AMDESE/AMDSEV#17)', () => {
  const bad = sevFile('virtee-sev/tests/naples/ark.cert.bad');
  const good = builtinFile('naples', 'ark');

  test('is the body of the real ARK; ark.cert.sig is its signature', () => {
    expect(bad.length).toBe(576);
    expect(hex(bad)).toBe(hex(good.subarray(0, 576)));
    expect(hex(sevFile('virtee-sev/tests/naples/ark.cert.sig'))).toBe(hex(good.subarray(576)));
  });

  test('decodes with AMD\'s signature put in, and encodes to the 832-byte ark.cert', () => {
    const ark = SevCaCertificate.decode(bad);
    expect(ark.signatureInjected).toBe(true);
    expect(hex(ark.encode())).toBe(hex(good));
  });

  test('only the Naples ARK\'s header gets a signature: another 2048-bit body is truncated', () => {
    const ask = builtinFile('naples', 'ask');
    expect(decodeError(ask.subarray(0, 576))).toEqual({ code: 'truncated', field: 'signature', offset: 576, structure: 'ARK/ASK certificate' });
    // The Naples ARK's header with another modulus still gets it (verification then fails).
    const other = bad.slice();
    other[0x100]! ^= 1;
    expect(SevCaCertificate.decode(other).signatureInjected).toBe(true);
  });
});

describe('malformed input is a SevFormatError naming the field and offset', () => {
  const rome = builtinFile('rome', 'ark');
  const naples = builtinFile('naples', 'ask');

  test.each([
    { length: 0, field: 'version', offset: 0 },
    { length: 3, field: 'version', offset: 0 },
    { length: 4, field: 'key_id', offset: 4 },
    { length: 19, field: 'key_id', offset: 4 },
    { length: 20, field: 'certifying_id', offset: 20 },
    { length: 36, field: 'key_usage', offset: 36 },
    { length: 40, field: 'reserved', offset: 40 },
    { length: 56, field: 'pub_exp_size', offset: 56 },
    { length: 60, field: 'modulus_size', offset: 60 },
    { length: 64, field: 'pub_exp', offset: 64 },
    { length: 64 + 511, field: 'pub_exp', offset: 64 },
    { length: 64 + 512, field: 'modulus', offset: 576 },
    { length: 64 + 1024, field: 'signature', offset: 1088 },
    { length: 1599, field: 'signature', offset: 1088 },
  ])('a Rome ARK cut to $length bytes: truncated at $field ($offset)', ({ length, field, offset }) => {
    expect(decodeError(rome.subarray(0, length))).toEqual({ code: 'truncated', field, offset, structure: 'ARK/ASK certificate' });
  });

  test('the message says where and what', () => {
    const error = thrown(() => SevCaCertificate.decode(rome.subarray(0, 1000))) as SevFormatError;
    expect(error.name).toBe('SevFormatError');
    expect(error.message).toBe('ARK/ASK certificate: modulus at offset 576 (0x240): needs 512 bytes, the input has 424 left');
  });

  test.each([
    { what: 'version 2', at: 0, value: 2, code: 'unsupportedVersion', field: 'version' },
    { what: 'version 0', at: 0, value: 0, code: 'unsupportedVersion', field: 'version' },
    { what: 'usage OCA', at: 0x24, value: 0x1001, code: 'invalidValue', field: 'key_usage' },
    { what: 'usage 0x12', at: 0x24, value: 0x12, code: 'invalidValue', field: 'key_usage' },
    { what: 'a 1024-bit exponent', at: 0x38, value: 1024, code: 'invalidValue', field: 'pub_exp_size' },
    { what: 'a 3072-bit modulus', at: 0x3c, value: 3072, code: 'invalidValue', field: 'modulus_size' },
    { what: 'a zero modulus size', at: 0x3c, value: 0, code: 'invalidValue', field: 'modulus_size' },
  ])('$what: $code at $field', ({ at, value, code, field }) => {
    const bytes = rome.slice();
    new DataView(bytes.buffer).setUint32(at, value, true);
    expect(decodeError(bytes)).toEqual({ code, field, offset: at, structure: 'ARK/ASK certificate' });
  });

  test('bytes after the certificate are trailing data', () => {
    expect(decodeError(concat(naples, new Uint8Array(1)))).toEqual({ code: 'trailingData', field: 'end', offset: 832, structure: 'ARK/ASK certificate' });
    expect(decodeError(concat(rome, rome))).toMatchObject({ code: 'trailingData', offset: 1600 });
  });

  test('a 4096-bit exponent size with a 2048-bit modulus is laid out by each size', () => {
    // pub_exp 512 bytes, modulus 256, signature 256: the Naples ASK's fields do not fit that.
    const bytes = naples.slice();
    new DataView(bytes.buffer).setUint32(0x38, 4096, true);
    expect(decodeError(bytes)).toEqual({ code: 'truncated', field: 'signature', offset: 64 + 512 + 256, structure: 'ARK/ASK certificate' });
  });

  test('non-bytes are a TypeError (misuse, not malformed input)', () => {
    expect(() => SevCaCertificate.decode('ark' as never)).toThrow(TypeError);
  });

  test('decode is the only way to make one', () => {
    const fields = SevCaCertificate.decode(rome);
    expect(() => new SevCaCertificate(Symbol('SevCaCertificate'), fields, false)).toThrow('use SevCaCertificate.decode');
  });
});
