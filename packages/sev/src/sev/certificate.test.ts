/**
 * `SevCertificate`: the real Naples and Rome platform certificates (PDH, PEK, OCA, CEK; virtee-sev
 * MANIFEST, "Legacy SEV") decode to the expected fields and encode back byte for byte; every
 * malformed input is a `SevFormatError` naming the field and the offset.
 */
import { describe, expect, test } from 'vitest';
import { SEV_CERTIFICATE_BODY_SIZE, SEV_CERTIFICATE_SIZE, SevCertificate } from './certificate.ts';
import { SevFormatError } from './error.ts';
import { SevAlgorithm, SevCurve, SevUsage } from './usage.ts';
import { concat, hex, platformFile } from './testing/files.ts';

/** What the MANIFEST (and a dump of the files) says each certificate holds. */
const EXPECTED = [
  { generation: 'naples', which: 'pdh', api: [0, 16], usage: SevUsage.Pdh, algorithm: SevAlgorithm.EcdhSha256, slots: [[SevUsage.Pek, SevAlgorithm.EcdsaSha256], [SevUsage.Invalid, SevAlgorithm.None]] },
  { generation: 'naples', which: 'pek', api: [0, 16], usage: SevUsage.Pek, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Oca, SevAlgorithm.EcdsaSha256], [SevUsage.Cek, SevAlgorithm.EcdsaSha256]] },
  { generation: 'naples', which: 'oca', api: [0, 16], usage: SevUsage.Oca, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Oca, SevAlgorithm.EcdsaSha256], [SevUsage.Invalid, SevAlgorithm.None]] },
  { generation: 'naples', which: 'cek', api: [0, 14], usage: SevUsage.Cek, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Ask, SevAlgorithm.RsaSha256], [SevUsage.Invalid, SevAlgorithm.None]] },
  { generation: 'rome', which: 'pdh', api: [0, 22], usage: SevUsage.Pdh, algorithm: SevAlgorithm.EcdhSha256, slots: [[SevUsage.Pek, SevAlgorithm.EcdsaSha256], [SevUsage.Invalid, SevAlgorithm.None]] },
  { generation: 'rome', which: 'pek', api: [0, 22], usage: SevUsage.Pek, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Oca, SevAlgorithm.EcdsaSha256], [SevUsage.Cek, SevAlgorithm.EcdsaSha256]] },
  { generation: 'rome', which: 'oca', api: [0, 22], usage: SevUsage.Oca, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Oca, SevAlgorithm.EcdsaSha256], [SevUsage.Invalid, SevAlgorithm.None]] },
  { generation: 'rome', which: 'cek', api: [0, 14], usage: SevUsage.Cek, algorithm: SevAlgorithm.EcdsaSha256, slots: [[SevUsage.Ask, SevAlgorithm.RsaSha384], [SevUsage.Invalid, SevAlgorithm.None]] },
] as const;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function decodeError(bytes: Uint8Array) {
  const error = thrown(() => SevCertificate.decode(bytes));
  expect(error).toBeInstanceOf(SevFormatError);
  const { code, field, offset, structure } = error as SevFormatError;
  return { code, field, offset, structure };
}

describe.each(EXPECTED)('the $generation $which', ({ generation, which, api, usage, algorithm, slots }) => {
  const bytes = platformFile(generation, which);

  test('decodes to the fields of appendix B', () => {
    expect(bytes.length).toBe(SEV_CERTIFICATE_SIZE);
    const cert = SevCertificate.decode(bytes);
    expect(cert.version).toBe(1);
    expect([cert.apiMajor, cert.apiMinor]).toEqual(api);
    expect(cert.reserved).toBe(0);
    expect(cert.usage).toBe(usage);
    expect(cert.usageName).toBe(which.toUpperCase());
    expect(cert.algorithm).toBe(algorithm);
    expect(cert.key.kind).toBe('ecc');
    if (cert.key.kind === 'ecc') {
      expect(cert.key.curve).toBe(SevCurve.P384);
      expect(cert.key.qx.length).toBe(72);
      expect(cert.key.reserved.length).toBe(880);
    }
    expect(cert.signatures.map((s) => [s.usage, s.algorithm])).toEqual(slots);
  });

  test('encodes back byte for byte; the signed body is bytes 0..0x414', () => {
    const cert = SevCertificate.decode(bytes);
    expect(hex(cert.encode())).toBe(hex(bytes));
    expect(hex(cert.signedBody())).toBe(hex(bytes.subarray(0, SEV_CERTIFICATE_BODY_SIZE)));
  });

  test('its key is a P-384 point that @tsvmm/crypto accepts (x, y little-endian)', async () => {
    const cert = SevCertificate.decode(bytes);
    const key = await cert.publicKey();
    expect(key.kind).toBe('ecdsa');
    if (key.kind === 'ecdsa' && cert.key.kind === 'ecc') {
      expect(hex(key.key.publicKeyBytes().subarray(0, 48))).toBe(hex(cert.key.qx.slice(0, 48).reverse()));
    }
  });
});

describe('malformed input is a SevFormatError naming the field and offset', () => {
  const pek = platformFile('naples', 'pek');

  test.each([
    { length: 0, field: 'version', offset: 0 },
    { length: 4, field: 'api_major', offset: 4 },
    { length: 5, field: 'api_minor', offset: 5 },
    { length: 6, field: 'reserved', offset: 6 },
    { length: 8, field: 'pubkey_usage', offset: 8 },
    { length: 12, field: 'pubkey_algo', offset: 12 },
    { length: 16, field: 'pubkey', offset: 16 },
    { length: 0x413, field: 'pubkey', offset: 16 },
    { length: 0x414, field: 'sig1_usage', offset: 0x414 },
    { length: 0x418, field: 'sig1_algo', offset: 0x418 },
    { length: 0x41c, field: 'sig1', offset: 0x41c },
    { length: 0x61c, field: 'sig2_usage', offset: 0x61c },
    { length: 0x620, field: 'sig2_algo', offset: 0x620 },
    { length: 0x624, field: 'sig2', offset: 0x624 },
    { length: 2083, field: 'sig2', offset: 0x624 },
  ])('a PEK cut to $length bytes: truncated at $field ($offset)', ({ length, field, offset }) => {
    expect(decodeError(pek.subarray(0, length))).toEqual({ code: 'truncated', field, offset, structure: 'SEV certificate' });
  });

  const set32 = (at: number, value: number) => {
    const bytes = pek.slice();
    new DataView(bytes.buffer).setUint32(at, value, true);
    return bytes;
  };

  test.each([
    { what: 'version 2', at: 0, value: 2, code: 'unsupportedVersion', field: 'version' },
    { what: 'usage ASK', at: 8, value: SevUsage.Ask, code: 'invalidValue', field: 'pubkey_usage' },
    { what: 'usage 0x1000 (empty)', at: 8, value: SevUsage.Invalid, code: 'invalidValue', field: 'pubkey_usage' },
    { what: 'algorithm none', at: 12, value: SevAlgorithm.None, code: 'invalidValue', field: 'pubkey_algo' },
    { what: 'algorithm 0x4', at: 12, value: 4, code: 'invalidValue', field: 'pubkey_algo' },
    { what: 'curve 3', at: 16, value: 3, code: 'invalidValue', field: 'pubkey.curve' },
    { what: 'curve 0', at: 16, value: 0, code: 'invalidValue', field: 'pubkey.curve' },
  ])('$what: $code at $field', ({ at, value, code, field }) => {
    expect(decodeError(set32(at, value))).toEqual({ code, field, offset: at, structure: 'SEV certificate' });
  });

  test('an RSA key: the modulus size must be 2048 or 4096', () => {
    const bytes = set32(12, SevAlgorithm.RsaSha256);
    expect(decodeError(bytes)).toEqual({ code: 'invalidValue', field: 'pubkey.modulus_size', offset: 16, structure: 'SEV certificate' });
  });

  test('the bytes of a coordinate beyond the curve size must be zero (one encoding per key)', () => {
    const qx = pek.slice();
    qx[0x14 + 48] = 1;
    expect(decodeError(qx)).toEqual({ code: 'invalidValue', field: 'pubkey.qx', offset: 0x14, structure: 'SEV certificate' });
    const qy = pek.slice();
    qy[0x5c + 71] = 0x80;
    expect(decodeError(qy)).toEqual({ code: 'invalidValue', field: 'pubkey.qy', offset: 0x5c, structure: 'SEV certificate' });
    // P-256: bytes 32.. of the P-384 coordinates are not zero.
    expect(decodeError(set32(16, SevCurve.P256))).toEqual({ code: 'invalidValue', field: 'pubkey.qx', offset: 0x14, structure: 'SEV certificate' });
  });

  test('signature slots are kept as they are (verification judges them)', () => {
    const bytes = set32(0x414, 0x4242);
    const cert = SevCertificate.decode(bytes);
    expect(cert.signatures[0].usage).toBe(0x4242);
    expect(hex(cert.encode())).toBe(hex(bytes));
  });

  test('decode is the only way to make one', () => {
    const fields = SevCertificate.decode(pek);
    expect(() => new SevCertificate(Symbol('SevCertificate'), fields)).toThrow('use SevCertificate.decode');
  });

  test('bytes after the certificate are trailing data; the message says so', () => {
    expect(decodeError(concat(pek, pek))).toEqual({ code: 'trailingData', field: 'end', offset: 2084, structure: 'SEV certificate' });
    expect((thrown(() => SevCertificate.decode(concat(pek, new Uint8Array(3)))) as Error).message).toBe('SEV certificate: end at offset 2084 (0x824): 3 bytes after the end');
  });
});
