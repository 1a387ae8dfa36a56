/**
 * SEV-SNP attestation verification, as go-sev-guest's `verify` package and virtee/sev's
 * `Verifiable` chain, on `@tsvmm/crypto`:
 *
 * 1. {@link verifyEndorsementKey}: the VCEK (or VLEK) certificate fits AMD's profile and its
 *    extensions decode (`amd_certificate.ts`); a trusted ARK of its product line (from
 *    {@link SnpTrustRoots}) self-signed, ARK → ASK (ASVK for a VLEK) → VCEK/VLEK issued and signed
 *    (RSASSA-PSS, SHA-384, salt 48); every certificate valid at the caller's clock; none revoked by
 *    a given CRL (`crl.ts`). The result, a {@link VerifiedEndorsementKey}, can verify many reports.
 * 2. {@link VerifiedEndorsementKey.verifyReport}: the report says this kind of key signed it
 *    (KEY_INFO), its product and TCB layout are the certificate's, its REPORTED_TCB is the TCB the
 *    certificate certifies, its CHIP_ID is the VCEK's hwID (unless masked), the chain is still
 *    valid at the clock, and its signature verifies: ECDSA P-384 with SHA-384 over bytes
 *    0x000-0x29F, R and S taken from their 72-byte little-endian fields.
 *
 * Everything that fails throws an {@link SnpError} (never `false`): an unverified report cannot
 * be used by mistake. Policy (measurement, TCB minimums, guest policy...) is `validate.ts`'s.
 */
import { EcdsaPublicKey, HashAlgorithm, X509Certificate } from '@tsvmm/crypto';
import { type AmdExtensions, checkEndorsementProfile } from './amd_certificate.ts';
import { bytesEqual, toHex } from './bytes.ts';
import { AmdCrl } from './crl.ts';
import { SnpError, isSnpError } from './error.ts';
import { type ParseReportOptions, AttestationReport, SIGNATURE_ALGO_ECDSA_P384_SHA384 } from './report.ts';
import { type ProductLine, TURIN_HWID_LENGTH } from './product.ts';
import { amdSignatureToRaw } from './signature.ts';
import { type TcbVersion, describeTcb } from './tcb.ts';
import { type ProductRoots, SnpTrustRoots } from './trust_roots.ts';

/** A clock: a fixed time, or a function read at every check. */
export type SnpClock = Date | (() => Date);

/** An expected product (go-sev-guest's `Options.Product`): the line and, optionally, the stepping. */
export interface ExpectedProduct {
  readonly line: ProductLine;
  readonly stepping?: number;
}

export interface SnpVerifyOptions {
  /** The trusted AMD roots (caller-supplied). */
  readonly roots: SnpTrustRoots;
  /** When certificates (and CRLs) must be valid; default: the time of each check. */
  readonly now?: SnpClock;
  /**
   * CRLs (DER bytes, PEM text or parsed). A CRL issued by this chain's ARK (or ASK/ASVK) must verify
   * and be current, and must not list the certificate it issued; CRLs of other issuers are ignored.
   */
  readonly crls?: readonly (Uint8Array | string | AmdCrl)[];
  /** Require a current CRL from the chain's ARK (go-sev-guest's `CheckRevocations`). Default false. */
  readonly requireCrl?: boolean;
  /** The expected product line (and stepping). */
  readonly product?: ExpectedProduct;
  /** The kind of key; default: from the certificate's subject CN (SEV-VCEK, SEV-VLEK). */
  readonly kind?: 'vcek' | 'vlek';
}

const clockOf = (now: SnpClock | undefined): (() => Date) => (now === undefined ? () => new Date() : now instanceof Date ? () => now : now);

function checkValidity(cert: X509Certificate, role: string, at: Date): void {
  const { notBefore, notAfter } = cert.validity();
  if (at.getTime() < notBefore.getTime()) throw new SnpError('certificateValidity', `not valid before ${notBefore.toISOString()} (now ${at.toISOString()})`, { field: `${role}.validity.notBefore` });
  if (at.getTime() > notAfter.getTime()) throw new SnpError('certificateValidity', `expired at ${notAfter.toISOString()} (now ${at.toISOString()})`, { field: `${role}.validity.notAfter` });
}

async function signedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  if (!issuer.issued(cert)) return false;
  const key = await issuer.publicKey();
  return cert.verify(key.key);
}

/** A VCEK or VLEK whose chain to a trusted ARK verified; it verifies reports. */
export class VerifiedEndorsementKey {
  readonly kind: 'vcek' | 'vlek';
  readonly line: ProductLine;
  /** The stepping from the VCEK's productName (`Milan-B0` → 0), if it has one. */
  readonly stepping: number | undefined;
  /** The TCB the certificate certifies. */
  readonly tcb: TcbVersion;
  readonly extensions: AmdExtensions;
  readonly certificate: X509Certificate;
  readonly publicKey: EcdsaPublicKey;
  readonly ark: X509Certificate;
  /** The ASK (VCEK) or ASVK (VLEK). */
  readonly intermediate: X509Certificate;
  readonly #clock: () => Date;
  readonly #expected: ExpectedProduct | undefined;

  /** Not for use: made by {@link verifyEndorsementKey}. */
  constructor(
    token: symbol,
    fields: { kind: 'vcek' | 'vlek'; extensions: AmdExtensions; certificate: X509Certificate; publicKey: EcdsaPublicKey; roots: ProductRoots; intermediate: X509Certificate; clock: () => Date; expected: ExpectedProduct | undefined },
  ) {
    if (token !== TOKEN) throw new TypeError('use verifyEndorsementKey');
    this.kind = fields.kind;
    this.extensions = fields.extensions;
    this.line = fields.extensions.product.line;
    this.stepping = fields.extensions.product.stepping;
    this.tcb = fields.extensions.tcb;
    this.certificate = fields.certificate;
    this.publicKey = fields.publicKey;
    this.ark = fields.roots.ark;
    this.intermediate = fields.intermediate;
    this.#clock = fields.clock;
    this.#expected = fields.expected;
  }

  /** The role names of the chain, for messages. */
  get #roles(): { key: 'VCEK' | 'VLEK'; intermediate: 'ASK' | 'ASVK' } {
    return this.kind === 'vcek' ? { key: 'VCEK', intermediate: 'ASK' } : { key: 'VLEK', intermediate: 'ASVK' };
  }

  /** Parses; a report that cannot say its product (masked CHIP_ID in v2) is read as this key's line. */
  #parse(bytes: Uint8Array, options: ParseReportOptions): AttestationReport {
    try {
      return AttestationReport.parse(bytes, options);
    } catch (error) {
      if (!isSnpError(error, 'reportProduct') || options.product !== undefined) throw error;
      return AttestationReport.parse(bytes, { ...options, product: this.line });
    }
  }

  /** Throws `certificateValidity` unless the ARK, the intermediate and this certificate are valid at `at`. */
  checkValidity(at: Date = this.#clock()): void {
    checkValidity(this.ark, 'ARK', at);
    checkValidity(this.intermediate, this.#roles.intermediate, at);
    checkValidity(this.certificate, this.#roles.key, at);
  }

  /**
   * Verifies `report` (parsed, or bytes to parse with `parseOptions`) against this key (see the
   * module doc). Returns the report; throws {@link SnpError} otherwise.
   */
  async verifyReport(report: AttestationReport | Uint8Array, parseOptions: ParseReportOptions = {}): Promise<AttestationReport> {
    const parsed = report instanceof AttestationReport ? report : this.#parse(report, parseOptions);
    const { key } = this.#roles;
    const info = parsed.keyInfo;
    if (info.maskChipKey) throw new SnpError('reportSignature', 'MASK_CHIP_KEY is set: the firmware did not sign this report', { field: 'KEY_INFO', offset: 0x48 });
    if (info.signingKey === 'none') throw new SnpError('reportSignature', 'SIGNING_KEY is "none": the report is not signed', { field: 'KEY_INFO', offset: 0x48 });
    if (info.signingKey !== this.kind) throw new SnpError('reportMismatch', `the report says ${info.signingKey.toUpperCase()} signed it; this is a ${key}`, { field: 'KEY_INFO', offset: 0x48 });
    if (parsed.signatureAlgorithm !== SIGNATURE_ALGO_ECDSA_P384_SHA384) throw new SnpError('reportSignature', `SIGNATURE_ALGO ${parsed.signatureAlgorithm} is not 1 (ECDSA P-384 with SHA-384)`, { field: 'SIGNATURE_ALGO', offset: 0x34 });

    const product = parsed.product;
    const productField = parsed.cpuid !== undefined ? { field: 'CPUID_FAM_ID', offset: 0x188 } : { field: 'CHIP_ID', offset: 0x1a0 };
    if (product.line !== undefined && product.line !== this.line) throw new SnpError('reportMismatch', `the report is from a ${product.line}, the ${key} from a ${this.line}`, productField);
    if (product.layout !== this.tcb.layout) throw new SnpError('reportMismatch', `the report's TCB layout is ${product.layout}, the ${key}'s ${this.tcb.layout}`, productField);
    const stepping = this.#expected?.stepping;
    if (stepping !== undefined && parsed.cpuid !== undefined && parsed.cpuid.stepping !== stepping) {
      throw new SnpError('reportMismatch', `expected product stepping ${stepping}, got ${parsed.cpuid.stepping}`, { field: 'CPUID_STEP', offset: 0x18a });
    }

    if (parsed.reportedTcb.raw !== this.tcb.raw) {
      throw new SnpError('reportMismatch', `REPORTED_TCB ${describeTcb(parsed.reportedTcb)} is not the ${key}'s TCB ${describeTcb(this.tcb)}`, { field: 'REPORTED_TCB', offset: 0x180 });
    }
    if (this.kind === 'vcek' && !parsed.chipIdMasked) {
      const hwId = this.extensions.hwId!;
      const expected = new Uint8Array(64);
      expected.set(hwId);
      if (!bytesEqual(parsed.chipId, expected)) {
        const shown = hwId.length === TURIN_HWID_LENGTH ? `${toHex(hwId)} (then 56 zero bytes)` : toHex(hwId);
        throw new SnpError('reportMismatch', `CHIP_ID ${toHex(parsed.chipId)} is not the VCEK's hwID ${shown}`, { field: 'CHIP_ID', offset: 0x1a0 });
      }
    }

    this.checkValidity();

    const signature = amdSignatureToRaw(parsed.signature.r, parsed.signature.s);
    if (signature === undefined || !(await this.publicKey.verify(parsed.signedBytes(), signature, HashAlgorithm.Sha384))) {
      throw new SnpError('reportSignature', `the signature does not verify under the ${key}`, { field: 'SIGNATURE', offset: 0x2a0 });
    }
    return parsed;
  }
}

const TOKEN = Symbol('VerifiedEndorsementKey');

function roleOfSubject(cert: X509Certificate): 'vcek' | 'vlek' | undefined {
  const cn = cert.subjectCommonName();
  return cn === 'SEV-VCEK' ? 'vcek' : cn === 'SEV-VLEK' ? 'vlek' : undefined;
}

async function checkCrls(options: SnpVerifyOptions, roots: ProductRoots, intermediate: X509Certificate, certificate: X509Certificate, at: Date, roles: { key: string; intermediate: string }): Promise<void> {
  let fromArk = false;
  for (const input of options.crls ?? []) {
    const crl = input instanceof AmdCrl ? input : AmdCrl.parse(input);
    const scopes: [X509Certificate, string, X509Certificate, string][] = [
      [roots.ark, 'ARK', intermediate, roles.intermediate],
      [intermediate, roles.intermediate, certificate, roles.key],
    ];
    for (const [issuer, issuerRole, subject, subjectRole] of scopes) {
      if (crl.issuerDn !== issuer.subjectDn()) continue;
      if (!(await crl.verifiedBy(issuer))) throw new SnpError('crlInvalid', `the CRL names ${crl.issuerDn} as its issuer but the ${issuerRole} did not sign it`, { field: 'CRL.signature' });
      if (at.getTime() < crl.thisUpdate.getTime()) throw new SnpError('crlInvalid', `the CRL is not yet valid (thisUpdate ${crl.thisUpdate.toISOString()})`, { field: 'CRL.thisUpdate' });
      if (crl.nextUpdate !== undefined && at.getTime() > crl.nextUpdate.getTime()) throw new SnpError('crlInvalid', `the CRL is out of date (nextUpdate ${crl.nextUpdate.toISOString()})`, { field: 'CRL.nextUpdate' });
      const revoked = crl.isRevoked(subject.serialNumber());
      if (revoked !== undefined) {
        throw new SnpError('certificateRevoked', `the ${subjectRole} (serial ${toHex(subject.serialNumber())}) was revoked by the ${issuerRole} at ${revoked.revocationDate.toISOString()}`, { field: `${subjectRole}.serialNumber` });
      }
      if (issuerRole === 'ARK') fromArk = true;
    }
  }
  if (options.requireCrl && !fromArk) throw new SnpError('crlInvalid', `no CRL of ARK-${roots.line} was given, and one is required`, { field: 'CRL' });
}

/**
 * Verifies a VCEK or VLEK certificate (DER, or parsed) up to a trusted ARK (see the module doc).
 * Throws {@link SnpError}: `certificateMalformed`, `certificateProfile`, `trustRoots`,
 * `certificateSignature`, `certificateValidity`, `certificateRevoked`, `crlMalformed`,
 * `crlInvalid` or `reportMismatch` (the expected product).
 */
export async function verifyEndorsementKey(certificate: Uint8Array | X509Certificate, options: SnpVerifyOptions): Promise<VerifiedEndorsementKey> {
  if (!(options?.roots instanceof SnpTrustRoots)) throw new SnpError('trustRoots', 'options.roots must be an SnpTrustRoots', { field: 'options.roots' });
  let cert: X509Certificate;
  if (certificate instanceof X509Certificate) cert = certificate;
  else {
    try {
      cert = await X509Certificate.fromDer(certificate);
    } catch (error) {
      throw new SnpError('certificateMalformed', 'the endorsement key certificate is not an X.509 certificate', { field: 'VCEK', cause: error });
    }
  }
  const kind = options.kind ?? roleOfSubject(cert);
  if (kind === undefined) throw new SnpError('certificateProfile', `subject CN "${cert.subjectCommonName() ?? ''}" is neither SEV-VCEK nor SEV-VLEK`, { field: 'VCEK.subject.CN' });
  const roles = kind === 'vcek' ? ({ key: 'VCEK', intermediate: 'ASK' } as const) : ({ key: 'VLEK', intermediate: 'ASVK' } as const);
  const extensions = await checkEndorsementProfile(cert, roles.key);
  const line = extensions.product.line;

  const expected = options.product;
  if (expected !== undefined) {
    if (expected.line !== line) throw new SnpError('reportMismatch', `expected product ${expected.line}, the ${roles.key} is for ${line}`, { field: 'product' });
    // As go-sev-guest: the stepping is checked against the VCEK's productName (VLEKs have none);
    // for reports with CPUID fields, verifyReport checks it against CPUID_STEP as well.
    if (expected.stepping !== undefined && kind === 'vcek' && extensions.product.stepping !== expected.stepping) {
      throw new SnpError('reportMismatch', `expected product stepping ${expected.stepping}, got ${extensions.product.stepping ?? 'none'} (productName "${extensions.productName}")`, { field: 'product.stepping' });
    }
  }

  const candidates = options.roots.rootsOf(line);
  if (candidates.length === 0) throw new SnpError('trustRoots', `no trusted ARK-${line}`, { field: 'ARK' });
  let chain: { roots: ProductRoots; intermediate: X509Certificate } | undefined;
  let sawIntermediate = false;
  for (const roots of candidates) {
    for (const intermediate of kind === 'vcek' ? roots.asks : roots.asvks) {
      sawIntermediate = true;
      if (await signedBy(cert, intermediate)) {
        chain = { roots, intermediate };
        break;
      }
    }
    if (chain !== undefined) break;
  }
  if (!sawIntermediate) throw new SnpError('trustRoots', `no trusted ${roles.intermediate} for ${line} (${roles.intermediate === 'ASK' ? `SEV-${line}` : `SEV-VLEK-${line}`})`, { field: roles.intermediate });
  if (chain === undefined) throw new SnpError('certificateSignature', `the ${roles.key} was not issued and signed by a trusted ${roles.intermediate} of ${line}`, { field: `${roles.key}.signature` });

  const clock = clockOf(options.now);
  const at = clock();
  checkValidity(chain.roots.ark, 'ARK', at);
  checkValidity(chain.intermediate, roles.intermediate, at);
  checkValidity(cert, roles.key, at);
  await checkCrls(options, chain.roots, chain.intermediate, cert, at, roles);

  const publicKey = await cert.publicKey();
  if (publicKey.kind !== 'ecdsa') throw new SnpError('certificateProfile', 'the key is not ECDSA', { field: `${roles.key}.publicKey` });
  return new VerifiedEndorsementKey(TOKEN, { kind, extensions, certificate: cert, publicKey: publicKey.key, roots: chain.roots, intermediate: chain.intermediate, clock, expected });
}

/** A report verified against a chain. */
export interface VerifiedAttestation {
  readonly report: AttestationReport;
  readonly endorsementKey: VerifiedEndorsementKey;
}

/**
 * One call: {@link verifyEndorsementKey} then {@link VerifiedEndorsementKey.verifyReport}. The
 * report's own product (CPUID, CHIP_ID) must match the certificate's.
 */
export async function verifyAttestation(
  report: AttestationReport | Uint8Array,
  endorsementKey: Uint8Array | X509Certificate | VerifiedEndorsementKey,
  options: SnpVerifyOptions & { readonly parse?: ParseReportOptions },
): Promise<VerifiedAttestation> {
  const key = endorsementKey instanceof VerifiedEndorsementKey ? endorsementKey : await verifyEndorsementKey(endorsementKey, options);
  return { report: await key.verifyReport(report, options.parse), endorsementKey: key };
}

