/**
 * SEV-SNP certificates and reports on the command line, on the `@tsvmm/sev` SNP API
 * (`@tsvmm/sev/snp`): reading X.509 certificates (PEM bundles or DER) and classifying them by
 * subject CN, the checks of `certs verify` and `report verify`, and reading report files.
 *
 * The library verifies a chain in one call and stops at the first failure
 * (`verifyEndorsementKey`, `VerifiedEndorsementKey.verifyReport`). To list every failed check,
 * this module also runs each step on its own (AMD's certificate profile, each signature, each
 * validity period, each report-to-certificate binding) through the library's exported checks and
 * `@tsvmm/crypto`; when every step passes, the library's own verification runs last and must
 * agree.
 */
import { EcdsaPublicKey, HashAlgorithm, X509Certificate } from '@tsvmm/crypto';
import {
  AmdCrl,
  AttestationReport,
  SIGNATURE_ALGO_ECDSA_P384_SHA384,
  SnpError,
  SnpTrustRoots,
  amdSignatureToRaw,
  caRoleOf,
  checkCaProfile,
  checkEndorsementProfile,
  describeTcb,
  isProductLine,
  kdsCertChainUrl,
  kdsVcekUrl,
  verifyEndorsementKey,
  type AmdExtensions,
  type ProductLine,
  type VerifiedEndorsementKey,
} from '@tsvmm/sev/snp';
import { sevBuiltinCaChain } from '@tsvmm/sev/sev';
import { InputError, hex, type Check } from './io.ts';

/** The roles of the SEV-SNP PKI. */
export const SNP_ROLES = ['ark', 'ask', 'asvk', 'vcek', 'vlek'] as const;

export type SnpRole = (typeof SNP_ROLES)[number];

/** A parsed certificate, its role (from its subject CN) and where it came from. */
export interface SnpCertificate {
  certificate: X509Certificate;
  der: Uint8Array;
  role: SnpRole;
  /** The product line its CN names (CA certificates); endorsement keys get theirs from the profile check. */
  line: ProductLine | undefined;
  source: string;
}

/** The SEV-SNP certificates and CRLs given. */
export interface SnpSet {
  certificates: Partial<Record<SnpRole, SnpCertificate>>;
  crls: { crl: AmdCrl; source: string }[];
}

export const newSnpSet = (): SnpSet => ({ certificates: {}, crls: [] });

export const snpSetIsEmpty = (set: SnpSet): boolean => Object.keys(set.certificates).length === 0;

const SNP_NAME = /^((ark|ask|asvk|vcek|vlek)\.(pem|der|crt|cer)|cert_chain(\.pem)?|ask_ark.*\.pem)$/;

/** Whether a file name (lower case) is one of snpguest's or KDS's certificate names. */
export const isSnpFileName = (name: string): boolean => SNP_NAME.test(name);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** The DER certificates in `bytes`: every PEM `CERTIFICATE` block, or the bytes themselves (DER). */
function certificateDers(path: string, bytes: Uint8Array): Uint8Array[] {
  const text = new TextDecoder('latin1').decode(bytes);
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(PEM_CERTIFICATE)];
    if (blocks.length === 0) throw new InputError(`${path}: a PEM file without a CERTIFICATE block`, path);
    return blocks.map((m, i) => {
      const body = m[1]!.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new InputError(`${path}: certificate ${i + 1} is not valid base64`, path, `certificate ${i + 1}`);
      return new Uint8Array(Buffer.from(body, 'base64'));
    });
  }
  if (bytes[0] !== 0x30) throw new InputError(`${path}: neither a PEM file nor a DER certificate (first byte 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}, expected 0x30)`, path);
  return [bytes];
}

/** The role a certificate's subject CN gives it (`ARK-Milan` → ark, `SEV-VCEK` → vcek, ...). */
function roleOf(certificate: X509Certificate): { role: SnpRole; line: ProductLine | undefined } | undefined {
  const cn = certificate.subjectCommonName();
  if (cn === 'SEV-VCEK') return { role: 'vcek', line: undefined };
  if (cn === 'SEV-VLEK') return { role: 'vlek', line: undefined };
  const ca = caRoleOf(cn);
  return ca === undefined ? undefined : { role: ca.role.toLowerCase() as SnpRole, line: ca.line };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Adds the certificates of a file. `expected`, when the file was given for one role (`--vcek`,
 * `vcek.pem`), must be its only certificate's role (`ask` also takes an ASVK).
 */
export async function addSnpFile(set: SnpSet, path: string, bytes: Uint8Array, expected?: SnpRole): Promise<void> {
  const ders = certificateDers(path, bytes);
  if (expected !== undefined && ders.length !== 1) throw new InputError(`${path}: holds ${ders.length} certificates, expected one ${expected.toUpperCase()}`, path);
  for (const [i, der] of ders.entries()) {
    const where = ders.length === 1 ? path : `${path} (certificate ${i + 1})`;
    let certificate: X509Certificate;
    try {
      certificate = await X509Certificate.fromDer(der);
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new InputError(`${where}: not an X.509 certificate${cause}`, path);
    }
    const kind = roleOf(certificate);
    if (kind === undefined) throw new InputError(`${where}: subject CN "${certificate.subjectCommonName() ?? ''}" is not an AMD ARK, ASK, ASVK, VCEK or VLEK`, path, 'subject.CN');
    if (expected !== undefined && kind.role !== expected && !(expected === 'ask' && kind.role === 'asvk')) {
      throw new InputError(`${where}: holds the ${kind.role.toUpperCase()} (CN ${certificate.subjectCommonName()}), expected the ${expected.toUpperCase()}`, path, 'subject.CN');
    }
    const before = set.certificates[kind.role];
    if (before !== undefined) {
      if (sameBytes(before.der, der)) continue;
      throw new InputError(`two different ${kind.role.toUpperCase()} certificates: ${before.source} and ${where}`, path);
    }
    set.certificates[kind.role] = { certificate, der, role: kind.role, line: kind.line, source: where };
  }
}

/** Adds a CRL file (DER or PEM). */
export function addCrl(set: SnpSet, path: string, bytes: Uint8Array): void {
  const text = new TextDecoder('latin1').decode(bytes);
  try {
    set.crls.push({ crl: AmdCrl.parse(text.includes('-----BEGIN') ? text : bytes), source: path });
  } catch (error) {
    if (error instanceof SnpError) throw new InputError(`${path}: ${error.message}`, path, error.field);
    throw error;
  }
}

export interface SnpVerifyCliOptions {
  /** Accept an ARK whose key is not AMD's. */
  anyArk?: boolean;
  /** The time certificates and CRLs must be valid at. */
  now: Date;
}

const ROLE = { ark: 'ARK', ask: 'ASK', asvk: 'ASVK', vcek: 'VCEK', vlek: 'VLEK' } as const;

/** A check from a step that throws an {@link SnpError} on failure. */
async function step(name: string, run: () => Promise<unknown> | unknown): Promise<Check> {
  try {
    await run();
    return { name, ok: true };
  } catch (error) {
    if (error instanceof SnpError) return { name, ok: false, id: error.code, detail: error.message.replace(/^\[\w+\] /, '') };
    throw error;
  }
}

async function signedBy(subject: X509Certificate, issuer: X509Certificate): Promise<string | undefined> {
  if (!issuer.issued(subject)) return `not issued by ${issuer.subjectCommonName() ?? 'it'} (names, key identifiers or key usage do not match)`;
  const key = await issuer.publicKey();
  return (await subject.verify(key.key)) ? undefined : 'the signature does not verify';
}

const lineTitle = (line: ProductLine) => line.toLowerCase() as 'milan' | 'genoa' | 'turin';

/** Whether the ARK's RSA key is the key of AMD's own ARK of `line` (the AMD-format ARK of that generation holds the same key). */
async function arkIsAmds(ark: X509Certificate, line: ProductLine): Promise<boolean> {
  const key = await ark.publicKey();
  if (key.kind !== 'rsa') return false;
  const builtin = (await sevBuiltinCaChain(lineTitle(line)).ark.publicKey()).toComponents();
  const given = key.key.toComponents();
  return sameBytes(builtin.modulus, given.modulus) && sameBytes(builtin.publicExponent, given.publicExponent);
}

function validityCheck(c: SnpCertificate, now: Date): Check {
  const { notBefore, notAfter } = c.certificate.validity();
  const name = `the ${ROLE[c.role]} is valid at ${now.toISOString()}`;
  if (now.getTime() < notBefore.getTime()) return { name, ok: false, id: 'certificateValidity', detail: `not valid before ${notBefore.toISOString()}` };
  if (now.getTime() > notAfter.getTime()) return { name, ok: false, id: 'certificateValidity', detail: `expired at ${notAfter.toISOString()}` };
  return { name, ok: true };
}

/** The result of {@link verifySnpSet}: the checks, a description, and the library's verified key when everything passed. */
export interface SnpSetVerification {
  checks: Check[];
  description: string;
  endorsementKey: VerifiedEndorsementKey | undefined;
  extensions: AmdExtensions | undefined;
  line: ProductLine | undefined;
}

/**
 * The checks of a set of SEV-SNP certificates: AMD's profile of each, ARK self-signed, ARK → ASK
 * (ASVK), ASK → VCEK (ASVK → VLEK), one product line, each valid at `now`, the CRLs, the ARK's key
 * being AMD's; then, if all passed and there is a VCEK or VLEK, `verifyEndorsementKey`.
 */
export async function verifySnpSet(set: SnpSet, options: SnpVerifyCliOptions): Promise<SnpSetVerification> {
  const c = set.certificates;
  const checks: Check[] = [];
  const key = c.vcek ?? c.vlek;
  const intermediate = key === undefined ? (c.ask ?? c.asvk) : key.role === 'vcek' ? c.ask : c.asvk;
  let extensions: AmdExtensions | undefined;

  if (c.vcek !== undefined && c.vlek !== undefined) checks.push({ name: 'one endorsement key', ok: false, id: 'inputs', detail: 'both a VCEK and a VLEK were given; verify them one at a time' });
  if (c.ask !== undefined && c.asvk !== undefined && key === undefined) checks.push({ name: 'one intermediate', ok: false, id: 'inputs', detail: 'both an ASK and an ASVK were given without a VCEK or VLEK' });
  const missing = [c.ark === undefined ? 'ARK' : undefined, intermediate === undefined ? (key?.role === 'vlek' ? 'ASVK' : 'ASK') : undefined].filter((m) => m !== undefined);
  if (missing.length > 0) checks.push({ name: 'the chain is complete', ok: false, id: 'incompleteChain', detail: `missing the ${missing.join(' and the ')}` });

  // AMD's profile of each certificate.
  for (const cert of [c.ark, intermediate, key]) {
    if (cert === undefined) continue;
    if (cert.role === 'vcek' || cert.role === 'vlek') {
      checks.push(await step(`the ${ROLE[cert.role]} fits AMD's profile`, async () => (extensions = await checkEndorsementProfile(cert.certificate, ROLE[cert.role] as 'VCEK' | 'VLEK'))));
    } else {
      checks.push(await step(`the ${ROLE[cert.role]} fits AMD's profile (${cert.certificate.subjectCommonName()})`, () => checkCaProfile(cert.certificate, ROLE[cert.role] as 'ARK' | 'ASK' | 'ASVK', cert.line!)));
    }
  }

  const lines = new Set([c.ark?.line, intermediate?.line, extensions?.product.line].filter((l) => l !== undefined));
  const line = lines.size === 1 ? [...lines][0] : undefined;
  if (lines.size > 1) checks.push({ name: 'one product line', ok: false, id: 'productMismatch', detail: `the certificates are of ${[...lines].join(' and ')}` });

  // Signatures.
  const pairs: [SnpCertificate | undefined, SnpCertificate | undefined][] = [
    [c.ark, c.ark],
    [c.ark, intermediate],
    [intermediate, key],
  ];
  for (const [issuer, subject] of pairs) {
    if (issuer === undefined || subject === undefined) continue;
    const name = issuer === subject ? `the ${ROLE[issuer.role]} is self-signed` : `the ${ROLE[issuer.role]} signed the ${ROLE[subject.role]}`;
    const problem = await signedBy(subject.certificate, issuer.certificate);
    checks.push(problem === undefined ? { name, ok: true } : { name, ok: false, id: 'certificateSignature', detail: problem });
  }

  for (const cert of [c.ark, intermediate, key]) if (cert !== undefined) checks.push(validityCheck(cert, options.now));

  // CRLs: each must be the ARK's (or the intermediate's), signed, current; none may list the certificate it covers.
  for (const { crl, source } of set.crls) {
    const issuer = [c.ark, intermediate].find((i) => i !== undefined && crl.issuerDn === i.certificate.subjectDn());
    const name = `the CRL ${source}`;
    if (issuer === undefined) {
      checks.push({ name: `${name} is from this chain's ARK or ${intermediate === undefined ? 'ASK' : ROLE[intermediate.role]}`, ok: false, id: 'crlInvalid', detail: `its issuer is ${crl.issuerDn}` });
      continue;
    }
    const signed = await crl.verifiedBy(issuer.certificate);
    checks.push(signed ? { name: `${name} is signed by the ${ROLE[issuer.role]}`, ok: true } : { name: `${name} is signed by the ${ROLE[issuer.role]}`, ok: false, id: 'crlInvalid', detail: 'its signature does not verify' });
    const current = options.now.getTime() >= crl.thisUpdate.getTime() && (crl.nextUpdate === undefined || options.now.getTime() <= crl.nextUpdate.getTime());
    checks.push({
      name: `${name} is current at ${options.now.toISOString()}`,
      ok: current,
      ...(current ? {} : { id: 'crlInvalid', detail: `thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? 'none'}` }),
    });
    const covered = issuer === c.ark ? intermediate : key;
    if (covered !== undefined) {
      const revoked = crl.isRevoked(covered.certificate.serialNumber());
      checks.push({
        name: `the ${ROLE[covered.role]} is not revoked`,
        ok: revoked === undefined,
        ...(revoked === undefined ? {} : { id: 'certificateRevoked', detail: `serial ${hex(covered.certificate.serialNumber())} revoked at ${revoked.revocationDate.toISOString()}` }),
      });
    }
  }

  if (c.ark !== undefined && c.ark.line !== undefined) {
    const amds = await arkIsAmds(c.ark.certificate, c.ark.line);
    const name = `the ARK's key is AMD's ${c.ark.line} ARK key`;
    checks.push(amds ? { name, ok: true } : { name, ok: options.anyArk === true, id: 'untrustedArk', detail: options.anyArk ? 'it is not (accepted: --any-ark)' : `it is not the key of AMD's ${c.ark.line} ARK (--any-ark accepts it)` });
  }

  // The library's own verdict, when every step passed.
  let endorsementKey: VerifiedEndorsementKey | undefined;
  if (key !== undefined && c.ark !== undefined && intermediate !== undefined && checks.every((x) => x.ok)) {
    const verdict = await step(`@tsvmm/sev verifies the ${ROLE[key.role]} up to the ARK`, async () => {
      const roots = await SnpTrustRoots.fromCertificates([c.ark!.der, intermediate.der]);
      endorsementKey = await verifyEndorsementKey(key.certificate, { roots, now: options.now, crls: set.crls.map((x) => x.crl) });
    });
    checks.push(verdict);
  }

  const parts = SNP_ROLES.filter((r) => c[r] !== undefined).map((r) => `${ROLE[r]} (${c[r]!.source})`);
  const crls = set.crls.map((x) => `CRL (${x.source})`);
  return { checks, description: `SEV-SNP certificates: ${[...parts, ...crls].join(', ')}`, endorsementKey, extensions, line };
}

const HEX_TEXT = /^[\s0-9a-fA-F]+$/;

/**
 * Reads an attestation report file: the 1184 raw bytes, a zero-padded report of up to 3968 bytes
 * (as some services return it), or the same as hex text. A malformed report is an
 * {@link InputError} naming the file, the field and its offset.
 */
export function parseReportFile(path: string, bytes: Uint8Array, product?: ProductLine): AttestationReport {
  let raw = bytes;
  const text = bytes.length <= 2 * 3968 + 64 ? new TextDecoder('latin1').decode(bytes) : '';
  if (text.length > 0 && HEX_TEXT.test(text) && bytes.length >= 2 * 1184) {
    const digits = text.replace(/\s+/g, '');
    if (digits.length % 2 === 0) raw = new Uint8Array(Buffer.from(digits, 'hex'));
  }
  try {
    return AttestationReport.parse(raw, { allowZeroPadding: true, ...(product === undefined ? {} : { product }) });
  } catch (error) {
    if (error instanceof SnpError) {
      const hint = error.code === 'reportProduct' ? ' (give --product Milan, Genoa or Turin)' : '';
      throw new InputError(`${path}: ${error.message}${hint}`, path, error.field);
    }
    throw error;
  }
}

/** Checks `--product`. */
export function productOption(value: string | undefined): ProductLine | undefined {
  if (value === undefined) return undefined;
  const line = value[0]?.toUpperCase() + value.slice(1).toLowerCase();
  if (!isProductLine(line)) throw new InputError(`--product must be Milan, Genoa or Turin, not ${JSON.stringify(value)}`);
  return line;
}

/** Checks `--now` (an ISO 8601 date); default: the current time. */
export function nowOption(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InputError(`--now must be an ISO 8601 date (2025-01-31T12:00:00Z), not ${JSON.stringify(value)}`);
  return date;
}

/**
 * The checks that bind a report to its endorsement key, each on its own: the report names this
 * kind of key and is signed (KEY_INFO), ECDSA P-384 with SHA-384, the same product and TCB
 * layout, REPORTED_TCB = the certificate's TCB, CHIP_ID = the VCEK's hwID, and the signature
 * verifies under the key. When they and the chain all passed, `verifyReport` runs last.
 */
export async function verifyReportChecks(report: AttestationReport, key: SnpCertificate, extensions: AmdExtensions | undefined, endorsementKey: VerifiedEndorsementKey | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const role = ROLE[key.role];
  const info = report.keyInfo;
  const signed = info.signingKey === key.role && !info.maskChipKey;
  checks.push({
    name: `KEY_INFO says the ${role} signed the report`,
    ok: signed,
    ...(signed ? {} : { id: 'reportMismatch', detail: info.maskChipKey ? 'MASK_CHIP_KEY is set: the firmware did not sign it' : `SIGNING_KEY is ${info.signingKey.toUpperCase()}` }),
  });
  const algo = report.signatureAlgorithm === SIGNATURE_ALGO_ECDSA_P384_SHA384;
  checks.push({ name: 'SIGNATURE_ALGO is ECDSA P-384 with SHA-384', ok: algo, ...(algo ? {} : { id: 'reportSignature', detail: `it is ${report.signatureAlgorithm}` }) });
  if (extensions !== undefined) {
    const line = extensions.product.line;
    const sameLine = (report.product.line === undefined || report.product.line === line) && report.product.layout === extensions.tcb.layout;
    checks.push({
      name: `the report is from a ${line}, as the ${role}`,
      ok: sameLine,
      ...(sameLine ? {} : { id: 'reportMismatch', detail: `the report says ${report.product.line ?? 'Milan or Genoa'} (${report.product.source})` }),
    });
    const tcb = sameLine && report.reportedTcb.raw === extensions.tcb.raw;
    checks.push({ name: `REPORTED_TCB is the ${role}'s TCB`, ok: tcb, ...(tcb ? {} : { id: 'reportMismatch', detail: `${describeTcb(report.reportedTcb)}, the ${role} certifies ${describeTcb(extensions.tcb)}` }) });
    if (key.role === 'vcek') {
      if (report.chipIdMasked) checks.push({ name: "CHIP_ID is the VCEK's hwID", ok: true, detail: 'CHIP_ID is masked (all zero): not compared' });
      else {
        const expected = new Uint8Array(64);
        expected.set(extensions.hwId ?? new Uint8Array(0));
        const same = sameBytes(report.chipId, expected);
        checks.push({ name: "CHIP_ID is the VCEK's hwID", ok: same, ...(same ? {} : { id: 'reportMismatch', detail: `CHIP_ID ${hex(report.chipId)}, hwID ${hex(extensions.hwId ?? new Uint8Array(0))}` }) });
      }
    }
  }
  const publicKey = await key.certificate.publicKey();
  const raw = amdSignatureToRaw(report.signature.r, report.signature.s);
  const verifies = publicKey.kind === 'ecdsa' && raw !== undefined && (await (publicKey.key as EcdsaPublicKey).verify(report.signedBytes(), raw, HashAlgorithm.Sha384));
  checks.push({ name: `the signature verifies under the ${role}`, ok: verifies, ...(verifies ? {} : { id: 'reportSignature', detail: 'ECDSA P-384 with SHA-384 over bytes 0x000-0x29F' }) });

  if (endorsementKey !== undefined && checks.every((c) => c.ok)) {
    checks.push(await step(`@tsvmm/sev verifies the report against the ${role}`, () => endorsementKey.verifyReport(report)));
  }
  return checks;
}

/** Where to get what is missing: the KDS URLs of the report's VCEK and of its product's ASK and ARK. */
export function kdsHints(report: AttestationReport, line: ProductLine | undefined): string[] {
  const l = line ?? report.product.line;
  if (l === undefined) return ['(the report does not say whether it is from a Milan or a Genoa: give --product for the KDS URLs)'];
  const hints = [`ASK and ARK: ${kdsCertChainUrl(l, report.keyInfo.signingKey === 'vlek' ? 'vlek' : 'vcek')}`];
  if (report.keyInfo.signingKey === 'vcek' && !report.chipIdMasked) {
    try {
      hints.unshift(`VCEK: ${kdsVcekUrl(l, report.chipId, report.reportedTcb)}`);
    } catch {
      // a TCB layout that does not fit the line: no URL
    }
  }
  return hints;
}
