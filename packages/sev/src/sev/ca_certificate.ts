/**
 * AMD-format CA certificates of the legacy SEV PKI: the AMD Root Key (ARK) and the AMD SEV Signing
 * Key (ASK), as AMD publishes them (`ask_ark_<generation>.cert`) and as `SEV_PDH_CERT_EXPORT`'s
 * callers download them (SEV API spec, appendix C, "AMD Certificate Format").
 *
 * Layout, little-endian:
 *
 * | offset | field | size |
 * |---|---|---|
 * | 0x00 | `version` (1) | 4 |
 * | 0x04 | `key_id` | 16 |
 * | 0x14 | `certifying_id` (the signer's `key_id`; the ARK's own for the ARK) | 16 |
 * | 0x24 | `key_usage` (ARK 0x0, ASK 0x13) | 4 |
 * | 0x28 | `reserved` | 16 |
 * | 0x38 | `pub_exp_size` (bits: 2048 or 4096) | 4 |
 * | 0x3c | `modulus_size` (bits: 2048 or 4096) | 4 |
 * | 0x40 | `pub_exp` | pub_exp_size / 8 |
 * | … | `modulus` | modulus_size / 8 |
 * | … | `signature` | modulus_size / 8 |
 *
 * The signed body is everything before `signature`. The signature is RSASSA-PSS (MGF1 with the
 * same hash, salt as long as the hash) over the body, as a little-endian integer; the hash is
 * SHA-256 for 2048-bit keys (Naples) and SHA-384 for 4096-bit keys (Rome and later). Only the ARK
 * signs AMD-format certificates: its own and the ASK.
 *
 * The Naples ARK that AMD first published lacks its signature (AMDESE/AMDSEV#17). As virtee/sev
 * does, an input that ends exactly after the modulus and whose header is the Naples ARK's gets
 * AMD's signature of that ARK appended (`signatureInjected`); verification then still decides.
 */
import { RsaPublicKey } from '@tsvmm/crypto';
import { ByteReader, ByteWriter, assertBytes, bytesEqual, reversed } from './bytes.ts';
import { BUILTIN_BASE64 } from './builtin_data.ts';
import { SevFormatError } from './error.ts';
import { SevUsage, usageName } from './usage.ts';

/** The size of the fixed header (before `pub_exp`). */
export const SEV_CA_HEADER_SIZE = 0x40;

/** The RSA key sizes of AMD-format certificates. */
export const SEV_CA_KEY_BITS = [2048, 4096] as const;

/** The decoded fields of an AMD-format certificate (byte arrays as stored: little-endian). */
export interface SevCaCertificateFields {
  version: 1;
  keyId: Uint8Array;
  certifyingId: Uint8Array;
  /** {@link SevUsage.Ark} or {@link SevUsage.Ask}. */
  keyUsage: typeof SevUsage.Ark | typeof SevUsage.Ask;
  reserved: Uint8Array;
  publicExponentBits: 2048 | 4096;
  modulusBits: 2048 | 4096;
  /** `pub_exp`, little-endian, `publicExponentBits / 8` bytes. */
  publicExponent: Uint8Array;
  /** `modulus`, little-endian, `modulusBits / 8` bytes. */
  modulus: Uint8Array;
  /** `signature`, little-endian, `modulusBits / 8` bytes. */
  signature: Uint8Array;
}

const STRUCTURE = 'ARK/ASK certificate';

const TOKEN = Symbol('SevCaCertificate');

let naplesArk: { header: Uint8Array; signature: Uint8Array } | undefined;

function naplesArkRepair(): { header: Uint8Array; signature: Uint8Array } {
  if (naplesArk === undefined) {
    const bytes = Uint8Array.from(atob(BUILTIN_BASE64.naples.ark), (c) => c.charCodeAt(0));
    naplesArk = { header: bytes.slice(0, SEV_CA_HEADER_SIZE), signature: bytes.slice(SEV_CA_HEADER_SIZE + 512) };
  }
  return naplesArk;
}

function keyBits(reader: ByteReader, field: string): 2048 | 4096 {
  const at = reader.offset;
  const bits = reader.u32(field);
  if (bits !== 2048 && bits !== 4096) throw reader.invalid(field, at, `${bits} bits; AMD-format keys are 2048 or 4096 bits`);
  return bits;
}

/**
 * Reads one AMD-format certificate at the reader's offset (for chains); `last` says whether it
 * is the last structure of the input (only then may a Naples ARK's missing signature be repaired).
 */
export function readCaCertificate(reader: ByteReader, last: boolean): SevCaCertificate {
  const start = reader.offset;
  const versionAt = start;
  const version = reader.u32('version');
  if (version !== 1) throw new SevFormatError('unsupportedVersion', reader.structure, 'version', versionAt, `version ${version}; only version 1 is defined`);
  const keyId = reader.take('key_id', 16);
  const certifyingId = reader.take('certifying_id', 16);
  const usageAt = reader.offset;
  const keyUsage = reader.u32('key_usage');
  if (keyUsage !== SevUsage.Ark && keyUsage !== SevUsage.Ask) {
    throw reader.invalid('key_usage', usageAt, `${usageName(keyUsage)}; an AMD-format certificate is an ARK (0x0000) or an ASK (0x0013)`);
  }
  const reserved = reader.take('reserved', 16);
  const publicExponentBits = keyBits(reader, 'pub_exp_size');
  const modulusBits = keyBits(reader, 'modulus_size');
  const publicExponent = reader.take('pub_exp', publicExponentBits / 8);
  const modulus = reader.take('modulus', modulusBits / 8);
  let signature: Uint8Array;
  let signatureInjected = false;
  if (last && reader.remaining === 0 && modulusBits === 2048) {
    const repair = naplesArkRepair();
    if (!bytesEqual(reader.bytes.subarray(start, start + SEV_CA_HEADER_SIZE), repair.header)) reader.need('signature', modulusBits / 8);
    signature = repair.signature.slice();
    signatureInjected = true;
  } else {
    signature = reader.take('signature', modulusBits / 8);
  }
  return new SevCaCertificate(
    TOKEN,
    { version: 1, keyId, certifyingId, keyUsage, reserved, publicExponentBits, modulusBits, publicExponent, modulus, signature },
    signatureInjected,
  );
}

/** An AMD-format ARK or ASK certificate; made by {@link SevCaCertificate.decode}. */
export class SevCaCertificate implements Readonly<SevCaCertificateFields> {
  readonly version: 1;
  readonly keyId: Uint8Array;
  readonly certifyingId: Uint8Array;
  readonly keyUsage: typeof SevUsage.Ark | typeof SevUsage.Ask;
  readonly reserved: Uint8Array;
  readonly publicExponentBits: 2048 | 4096;
  readonly modulusBits: 2048 | 4096;
  readonly publicExponent: Uint8Array;
  readonly modulus: Uint8Array;
  readonly signature: Uint8Array;
  /** Whether the signature was missing and AMD's Naples ARK signature was put in (see the module doc). */
  readonly signatureInjected: boolean;

  /** Not for use: certificates come from {@link decode} (the one door for untrusted bytes). */
  constructor(token: symbol, fields: SevCaCertificateFields, signatureInjected: boolean) {
    if (token !== TOKEN) throw new TypeError('use SevCaCertificate.decode');
    this.version = fields.version;
    this.keyId = fields.keyId;
    this.certifyingId = fields.certifyingId;
    this.keyUsage = fields.keyUsage;
    this.reserved = fields.reserved;
    this.publicExponentBits = fields.publicExponentBits;
    this.modulusBits = fields.modulusBits;
    this.publicExponent = fields.publicExponent;
    this.modulus = fields.modulus;
    this.signature = fields.signature;
    this.signatureInjected = signatureInjected;
    Object.freeze(this);
  }

  /**
   * Decodes exactly one certificate; throws {@link SevFormatError} (`truncated`, `trailingData`,
   * `unsupportedVersion`, `invalidValue`) naming the field and offset.
   */
  static decode(bytes: Uint8Array): SevCaCertificate {
    assertBytes(bytes, 'bytes');
    const reader = new ByteReader(bytes, STRUCTURE);
    const certificate = readCaCertificate(reader, true);
    reader.end();
    return certificate;
  }

  /** `ARK` or `ASK`. */
  get usageName(): 'ARK' | 'ASK' {
    return this.keyUsage === SevUsage.Ark ? 'ARK' : 'ASK';
  }

  /** The hash of this certificate's signature: SHA-256 for a 2048-bit certificate, SHA-384 for 4096. */
  get signatureHash(): 'SHA-256' | 'SHA-384' {
    return this.modulusBits === 2048 ? 'SHA-256' : 'SHA-384';
  }

  /** Whether `key_id` equals `certifying_id` (an ARK signs itself). */
  get selfCertified(): boolean {
    return bytesEqual(this.keyId, this.certifyingId);
  }

  /** The signed body: every byte before `signature`. */
  signedBody(): Uint8Array {
    return new ByteWriter()
      .u32(this.version)
      .bytes(this.keyId)
      .bytes(this.certifyingId)
      .u32(this.keyUsage)
      .bytes(this.reserved)
      .u32(this.publicExponentBits)
      .u32(this.modulusBits)
      .bytes(this.publicExponent)
      .bytes(this.modulus)
      .finish();
  }

  /** The certificate's bytes (a decoded certificate encodes to its input, byte for byte). */
  encode(): Uint8Array {
    return new ByteWriter().bytes(this.signedBody()).bytes(this.signature).finish();
  }

  /** The RSA public key (rejects with `RsaError` if the modulus or exponent is not a usable key). */
  publicKey(): Promise<RsaPublicKey> {
    return RsaPublicKey.fromComponents(reversed(this.modulus), reversed(this.publicExponent));
  }
}
