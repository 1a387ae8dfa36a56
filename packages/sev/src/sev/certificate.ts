/**
 * SEV-format platform certificates of the legacy SEV PKI: the PDH, PEK, OCA and CEK that
 * `SEV_PDH_CERT_EXPORT` returns (SEV API spec, appendix B, "Certificates"). Always 2084 bytes.
 *
 * Layout, little-endian:
 *
 * | offset | field | size |
 * |---|---|---|
 * | 0x000 | `version` (1) | 4 |
 * | 0x004 | `api_major`, `api_minor` (the firmware that made it) | 1 + 1 |
 * | 0x006 | `reserved` | 2 |
 * | 0x008 | `pubkey_usage` (OCA 0x1001, PEK 0x1002, PDH 0x1003, CEK 0x1004) | 4 |
 * | 0x00c | `pubkey_algo` (ECDSA/ECDH/RSA with SHA-256 or SHA-384) | 4 |
 * | 0x010 | `pubkey`: ECC `curve` (1 P-256, 2 P-384), `qx` 72, `qy` 72, reserved 880; or RSA `modulus_size` (bits), `pub_exp` 512, `modulus` 512 | 1028 |
 * | 0x414 | `sig1_usage`, `sig1_algo`, `sig1` (RSA: little-endian integer; ECDSA: `r` 72, `s` 72, reserved 368) | 4 + 4 + 512 |
 * | 0x61c | `sig2_usage`, `sig2_algo`, `sig2` | 4 + 4 + 512 |
 *
 * Integers, coordinates and signature values are little-endian. The signed body is bytes
 * 0..0x414. An empty signature slot has usage 0x1000 and algorithm 0 (and zero bytes).
 *
 * Decoding checks what the body declares (version, usage, algorithm, curve, key size, and that
 * the bytes of a coordinate or RSA number beyond its size are zero, so one key has one encoding);
 * the signature slots are kept as they are and judged by verification (`verify.ts`), so every
 * decoded certificate encodes back to its input byte for byte.
 */
import { EcdsaCurve, EcdsaPublicKey, RsaPublicKey } from '@tsvmm/crypto';
import { ByteReader, ByteWriter, assertBytes, isZero, reversed } from './bytes.ts';
import { SevFormatError } from './error.ts';
import { SevAlgorithm, SevCurve, SevUsage, algorithmName, curveName, isKeyAlgorithm, isRsaAlgorithm, usageName } from './usage.ts';

/** The size of every SEV-format certificate. */
export const SEV_CERTIFICATE_SIZE = 2084;

/** The size of the signed body (everything before the signature slots). */
export const SEV_CERTIFICATE_BODY_SIZE = 0x414;

/** The size of the `pubkey` union. */
const KEY_SIZE = 1028;

/** The size of a signature slot's value. */
export const SEV_SIGNATURE_SIZE = 512;

/** The usages a platform certificate's key can have. */
export type SevPlatformUsage = typeof SevUsage.Oca | typeof SevUsage.Pek | typeof SevUsage.Pdh | typeof SevUsage.Cek;

/** An ECC public key (`qx`, `qy` little-endian, 72 bytes each; the rest of the union as `reserved`). */
export interface SevEccKey {
  kind: 'ecc';
  curve: number;
  qx: Uint8Array;
  qy: Uint8Array;
  reserved: Uint8Array;
}

/** An RSA public key (`pub_exp`, `modulus` little-endian, 512 bytes each). */
export interface SevRsaKey {
  kind: 'rsa';
  modulusBits: 2048 | 4096;
  publicExponent: Uint8Array;
  modulus: Uint8Array;
}

/** A signature slot, as stored. */
export interface SevSignatureSlot {
  usage: number;
  algorithm: number;
  /** 512 bytes: an RSA signature (little-endian) or ECDSA `r` (72) ‖ `s` (72) ‖ reserved. */
  signature: Uint8Array;
}

/** The decoded fields of a SEV-format certificate. */
export interface SevCertificateFields {
  version: 1;
  apiMajor: number;
  apiMinor: number;
  reserved: number;
  usage: SevPlatformUsage;
  algorithm: Exclude<SevAlgorithm, typeof SevAlgorithm.None>;
  key: SevEccKey | SevRsaKey;
  signatures: readonly [SevSignatureSlot, SevSignatureSlot];
}

/** The public key of a platform certificate, as a `@tsvmm/crypto` key. */
export type SevPublicKey = { kind: 'ecdsa'; key: EcdsaPublicKey } | { kind: 'rsa'; key: RsaPublicKey };

const TOKEN = Symbol('SevCertificate');

const PLATFORM_USAGES: readonly number[] = [SevUsage.Oca, SevUsage.Pek, SevUsage.Pdh, SevUsage.Cek];

/** The coordinate size in bytes of a supported curve. */
export function curveSize(curve: number): number | undefined {
  return curve === SevCurve.P256 ? 32 : curve === SevCurve.P384 ? 48 : undefined;
}

/**
 * Reads a little-endian number stored in a `size`-byte field of which the value uses the low
 * `used` bytes; the rest must be zero, so that one value has one encoding.
 */
function wide(reader: ByteReader, field: string, size: number, used: number, what: string): Uint8Array {
  const at = reader.offset;
  const bytes = reader.take(field, size);
  if (!isZero(bytes, used)) throw reader.invalid(field, at, `bytes ${used} to ${size - 1} must be zero for ${what}`);
  return bytes;
}

/** Reads one SEV-format certificate at the reader's offset (for chains). */
export function readCertificate(reader: ByteReader): SevCertificate {
  const versionAt = reader.offset;
  const version = reader.u32('version');
  if (version !== 1) throw new SevFormatError('unsupportedVersion', reader.structure, 'version', versionAt, `version ${version}; only version 1 is defined`);
  const apiMajor = reader.u8('api_major');
  const apiMinor = reader.u8('api_minor');
  const reserved = reader.u16('reserved');
  const usageAt = reader.offset;
  const usage = reader.u32('pubkey_usage');
  if (!PLATFORM_USAGES.includes(usage)) {
    throw reader.invalid('pubkey_usage', usageAt, `${usageName(usage)}; a SEV-format certificate is an OCA, PEK, PDH or CEK (0x1001 to 0x1004)`);
  }
  const algoAt = reader.offset;
  const algorithm = reader.u32('pubkey_algo');
  if (!isKeyAlgorithm(algorithm)) throw reader.invalid('pubkey_algo', algoAt, `${algorithmName(algorithm)}; expected one of 0x1-0x3, 0x101-0x103`);
  reader.need('pubkey', KEY_SIZE);
  let key: SevEccKey | SevRsaKey;
  if (isRsaAlgorithm(algorithm)) {
    const sizeAt = reader.offset;
    const modulusBits = reader.u32('pubkey.modulus_size');
    if (modulusBits !== 2048 && modulusBits !== 4096) throw reader.invalid('pubkey.modulus_size', sizeAt, `${modulusBits} bits; expected 2048 or 4096`);
    const used = modulusBits / 8;
    const publicExponent = wide(reader, 'pubkey.pub_exp', 512, used, `a ${modulusBits}-bit key`);
    const modulus = wide(reader, 'pubkey.modulus', 512, used, `a ${modulusBits}-bit key`);
    key = { kind: 'rsa', modulusBits, publicExponent, modulus };
  } else {
    const curveAt = reader.offset;
    const curve = reader.u32('pubkey.curve');
    if (curveSize(curve) === undefined) throw reader.invalid('pubkey.curve', curveAt, `${curveName(curve)}; expected 1 (P-256) or 2 (P-384)`);
    const used = curveSize(curve)!;
    const qx = wide(reader, 'pubkey.qx', 72, used, `a ${curveName(curve)} coordinate`);
    const qy = wide(reader, 'pubkey.qy', 72, used, `a ${curveName(curve)} coordinate`);
    key = { kind: 'ecc', curve, qx, qy, reserved: reader.take('pubkey.reserved', KEY_SIZE - 4 - 144) };
  }
  const slot = (n: 1 | 2): SevSignatureSlot => ({
    usage: reader.u32(`sig${n}_usage`),
    algorithm: reader.u32(`sig${n}_algo`),
    signature: reader.take(`sig${n}`, SEV_SIGNATURE_SIZE),
  });
  const signatures = [slot(1), slot(2)] as const;
  return new SevCertificate(TOKEN, { version: 1, apiMajor, apiMinor, reserved, usage: usage as SevPlatformUsage, algorithm, key, signatures });
}

/** A SEV-format platform certificate (PDH, PEK, OCA or CEK); made by {@link SevCertificate.decode}. */
export class SevCertificate implements Readonly<SevCertificateFields> {
  readonly version: 1;
  readonly apiMajor: number;
  readonly apiMinor: number;
  readonly reserved: number;
  readonly usage: SevPlatformUsage;
  readonly algorithm: Exclude<SevAlgorithm, typeof SevAlgorithm.None>;
  readonly key: Readonly<SevEccKey> | Readonly<SevRsaKey>;
  readonly signatures: readonly [Readonly<SevSignatureSlot>, Readonly<SevSignatureSlot>];

  /** Not for use: certificates come from {@link decode} (the one door for untrusted bytes). */
  constructor(token: symbol, fields: SevCertificateFields) {
    if (token !== TOKEN) throw new TypeError('use SevCertificate.decode');
    this.version = fields.version;
    this.apiMajor = fields.apiMajor;
    this.apiMinor = fields.apiMinor;
    this.reserved = fields.reserved;
    this.usage = fields.usage;
    this.algorithm = fields.algorithm;
    this.key = Object.freeze({ ...fields.key });
    this.signatures = Object.freeze([Object.freeze({ ...fields.signatures[0] }), Object.freeze({ ...fields.signatures[1] })]) as unknown as readonly [SevSignatureSlot, SevSignatureSlot];
    Object.freeze(this);
  }

  /**
   * Decodes exactly one 2084-byte certificate; throws {@link SevFormatError} (`truncated`,
   * `trailingData`, `unsupportedVersion`, `invalidValue`) naming the field and offset.
   */
  static decode(bytes: Uint8Array): SevCertificate {
    assertBytes(bytes, 'bytes');
    const reader = new ByteReader(bytes, 'SEV certificate');
    const certificate = readCertificate(reader);
    reader.end();
    return certificate;
  }

  /** `OCA`, `PEK`, `PDH` or `CEK`. */
  get usageName(): 'OCA' | 'PEK' | 'PDH' | 'CEK' {
    return usageName(this.usage) as 'OCA' | 'PEK' | 'PDH' | 'CEK';
  }

  /** The signed body: bytes 0..0x414. */
  signedBody(): Uint8Array {
    const w = new ByteWriter().u32(this.version).u8(this.apiMajor).u8(this.apiMinor).u16(this.reserved).u32(this.usage).u32(this.algorithm);
    const key = this.key;
    if (key.kind === 'rsa') w.u32(key.modulusBits).bytes(key.publicExponent).bytes(key.modulus);
    else w.u32(key.curve).bytes(key.qx).bytes(key.qy).bytes(key.reserved);
    return w.finish();
  }

  /** The certificate's 2084 bytes (a decoded certificate encodes to its input, byte for byte). */
  encode(): Uint8Array {
    const w = new ByteWriter().bytes(this.signedBody());
    for (const slot of this.signatures) w.u32(slot.usage).u32(slot.algorithm).bytes(slot.signature);
    return w.finish();
  }

  /**
   * The public key. A P-384 key (ECDSA or ECDH: the point is the same) is an `EcdsaPublicKey`; an
   * RSA key an `RsaPublicKey`. Rejects with the crypto module's error (`EcdsaError`, `RsaError`)
   * when the key is not usable: a point off the curve, a P-256 key (`@tsvmm/crypto` has P-384
   * only: the cause is a `TypeError`), a bad modulus or exponent.
   */
  async publicKey(): Promise<SevPublicKey> {
    const key = this.key;
    if (key.kind === 'rsa') {
      const size = key.modulusBits / 8;
      return { kind: 'rsa', key: await RsaPublicKey.fromComponents(reversed(key.modulus.subarray(0, size)), reversed(key.publicExponent.subarray(0, size))) };
    }
    const size = curveSize(key.curve)!;
    const point = new Uint8Array(2 * size);
    point.set(reversed(key.qx.subarray(0, size)), 0);
    point.set(reversed(key.qy.subarray(0, size)), size);
    return { kind: 'ecdsa', key: await EcdsaPublicKey.fromPublicKeyBytes(key.curve === SevCurve.P384 ? EcdsaCurve.P384 : ('P-256' as never), point) };
  }
}
