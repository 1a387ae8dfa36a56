/**
 * Certificate chains of the legacy SEV PKI, as virtee/sev groups them:
 *
 * - {@link SevCaChain}: ASK then ARK, AMD format (AMD's `ask_ark_<generation>.cert`);
 * - {@link SevPlatformChain}: PDH, PEK, OCA, CEK, SEV format (what `SEV_PDH_CERT_EXPORT` gives);
 * - {@link SevChain}: the platform chain followed by the CA chain, in one file.
 *
 * ```
 *   ARK ──▶ ARK (self)          OCA ──▶ OCA (self)
 *   ARK ──▶ ASK ──▶ CEK ──▶ PEK ◀── OCA
 *                           PEK ──▶ PDH
 * ```
 *
 * Decoding checks each certificate's usage against its place (an `invalidValue`
 * `SevFormatError` at `key_usage` / `pubkey_usage` otherwise). `verify()` runs every check of
 * the chain, even after one fails, and reports each: a caller can list everything that is wrong.
 * It does not say whether the ARK is one to trust: compare it with AMD's (`builtin.ts`).
 */
import { ByteReader, ByteWriter, assertBytes } from './bytes.ts';
import { SevCaCertificate, readCaCertificate } from './ca_certificate.ts';
import { SEV_CERTIFICATE_SIZE, SevCertificate, readCertificate } from './certificate.ts';
import { SevUsage, usageName } from './usage.ts';
import { verifySevSignature, type SevAnyCertificate, type SevVerifyResult } from './verify.ts';

/** One signature check of a chain: `signer` → `signee` (names such as `ARK`, `PEK`). */
export interface SevChainCheck {
  signer: string;
  signee: string;
  result: SevVerifyResult;
}

/** The outcome of a chain's `verify()`: valid when every check is. */
export interface SevChainReport {
  valid: boolean;
  checks: SevChainCheck[];
}

async function run(pairs: readonly (readonly [SevAnyCertificate, SevAnyCertificate])[]): Promise<SevChainReport> {
  const checks: SevChainCheck[] = [];
  for (const [signer, signee] of pairs) {
    checks.push({ signer: signer.usageName, signee: signee.usageName, result: await verifySevSignature(signer, signee) });
  }
  return { valid: checks.every((c) => c.result.valid), checks };
}

function expectCaUsage(reader: ByteReader, usage: number, read: (last: boolean) => SevCaCertificate, last: boolean): SevCaCertificate {
  const at = reader.offset;
  const certificate = read(last);
  if (certificate.keyUsage !== usage) throw reader.invalid('key_usage', at + 0x24, `${certificate.usageName}; expected the ${usageName(usage)} here`);
  return certificate;
}

function readCaChain(reader: ByteReader, prefix: string): SevCaChain {
  reader.structure = `${prefix}ASK`;
  const ask = expectCaUsage(reader, SevUsage.Ask, (last) => readCaCertificate(reader, last), false);
  reader.structure = `${prefix}ARK`;
  const ark = expectCaUsage(reader, SevUsage.Ark, (last) => readCaCertificate(reader, last), true);
  return new SevCaChain(ask, ark);
}

const PLATFORM_ORDER = [SevUsage.Pdh, SevUsage.Pek, SevUsage.Oca, SevUsage.Cek] as const;

function readPlatformChain(reader: ByteReader, prefix: string): SevPlatformChain {
  const certificates = PLATFORM_ORDER.map((usage) => {
    reader.structure = `${prefix}${usageName(usage)}`;
    const at = reader.offset;
    const certificate = readCertificate(reader);
    if (certificate.usage !== usage) throw reader.invalid('pubkey_usage', at + 0x08, `${certificate.usageName}; expected the ${usageName(usage)} here`);
    return certificate;
  });
  const [pdh, pek, oca, cek] = certificates as [SevCertificate, SevCertificate, SevCertificate, SevCertificate];
  return new SevPlatformChain(pdh, pek, oca, cek);
}

/** The AMD half of a chain: the ASK and the ARK that signs it. */
export class SevCaChain {
  constructor(
    readonly ask: SevCaCertificate,
    readonly ark: SevCaCertificate,
  ) {
    if (!(ask instanceof SevCaCertificate) || !(ark instanceof SevCaCertificate)) throw new TypeError('a SevCaChain holds two SevCaCertificates');
    Object.freeze(this);
  }

  /** Decodes ASK ‖ ARK (AMD's `ask_ark_<generation>.cert`); throws `SevFormatError`. */
  static decode(bytes: Uint8Array): SevCaChain {
    assertBytes(bytes, 'bytes');
    const reader = new ByteReader(bytes, 'SEV CA chain');
    const chain = readCaChain(reader, 'SEV CA chain: ');
    reader.end();
    return chain;
  }

  encode(): Uint8Array {
    return new ByteWriter().bytes(this.ask.encode()).bytes(this.ark.encode()).finish();
  }

  /** ARK → ARK, ARK → ASK. */
  verify(): Promise<SevChainReport> {
    return run([
      [this.ark, this.ark],
      [this.ark, this.ask],
    ]);
  }
}

/** The platform half of a chain: PDH, PEK, OCA, CEK. */
export class SevPlatformChain {
  constructor(
    readonly pdh: SevCertificate,
    readonly pek: SevCertificate,
    readonly oca: SevCertificate,
    readonly cek: SevCertificate,
  ) {
    if (![pdh, pek, oca, cek].every((c) => c instanceof SevCertificate)) throw new TypeError('a SevPlatformChain holds four SevCertificates');
    Object.freeze(this);
  }

  /** Decodes PDH ‖ PEK ‖ OCA ‖ CEK (4 × 2084 bytes); throws `SevFormatError`. */
  static decode(bytes: Uint8Array): SevPlatformChain {
    assertBytes(bytes, 'bytes');
    const reader = new ByteReader(bytes, 'SEV platform chain');
    const chain = readPlatformChain(reader, 'SEV platform chain: ');
    reader.end();
    return chain;
  }

  encode(): Uint8Array {
    return new ByteWriter().bytes(this.pdh.encode()).bytes(this.pek.encode()).bytes(this.oca.encode()).bytes(this.cek.encode()).finish();
  }

  /** OCA → OCA, OCA → PEK, CEK → PEK, PEK → PDH (the CEK's own signer is checked by {@link SevChain}). */
  verify(): Promise<SevChainReport> {
    return run([
      [this.oca, this.oca],
      [this.oca, this.pek],
      [this.cek, this.pek],
      [this.pek, this.pdh],
    ]);
  }
}

/** A whole legacy SEV chain: the platform's certificates and AMD's ASK and ARK. */
export class SevChain {
  constructor(
    readonly platform: SevPlatformChain,
    readonly ca: SevCaChain,
  ) {
    if (!(platform instanceof SevPlatformChain) || !(ca instanceof SevCaChain)) throw new TypeError('a SevChain holds a SevPlatformChain and a SevCaChain');
    Object.freeze(this);
  }

  /** Decodes PDH ‖ PEK ‖ OCA ‖ CEK ‖ ASK ‖ ARK (virtee/sev's `Chain` encoding); throws `SevFormatError`. */
  static decode(bytes: Uint8Array): SevChain {
    assertBytes(bytes, 'bytes');
    const reader = new ByteReader(bytes, 'SEV chain');
    if (bytes.length < 4 * SEV_CERTIFICATE_SIZE) reader.need('PDH ‖ PEK ‖ OCA ‖ CEK', 4 * SEV_CERTIFICATE_SIZE);
    const platform = readPlatformChain(reader, 'SEV chain: ');
    const ca = readCaChain(reader, 'SEV chain: ');
    reader.structure = 'SEV chain';
    reader.end();
    return new SevChain(platform, ca);
  }

  encode(): Uint8Array {
    return new ByteWriter().bytes(this.platform.encode()).bytes(this.ca.encode()).finish();
  }

  /** ARK → ARK, ARK → ASK, ASK → CEK, then the platform chain's checks. */
  async verify(): Promise<SevChainReport> {
    const ca = await this.ca.verify();
    const cek = await run([[this.ca.ask, this.platform.cek]]);
    const platform = await this.platform.verify();
    const checks = [...ca.checks, ...cek.checks, ...platform.checks];
    return { valid: checks.every((c) => c.result.valid), checks };
  }
}
