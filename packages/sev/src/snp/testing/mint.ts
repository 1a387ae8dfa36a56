/**
 * Mints AMD-like chains, reports and CRLs at test time (tests only), as go-sev-guest's
 * `testing/fake_certs.go` does: the ARK, ASK and ASVK are signed with go-sev-guest's test-only
 * RSA-4096 keys (`testing/data/keys/*.pem`), the VCEK or VLEK gets a fresh P-384 key, and reports
 * are signed with it. Certificates and CRLs are built with `@peculiar/asn1-x509` (an ASN.1
 * implementation independent of the package's own DER reader) and signed through the public API
 * of `@tsvmm/crypto`, on whichever backend the test run links.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1, id_sha384 } from '@peculiar/asn1-rsa';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  CertificateList,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  Extension,
  Extensions,
  GeneralName,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  RevokedCertificate,
  SubjectPublicKeyInfo,
  TBSCertList,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_keyUsage,
} from '@peculiar/asn1-x509';
import { EcdsaCurve, EcdsaKeyPair, HashAlgorithm, RsaKeyPair } from '@tsvmm/crypto';
import { AMD_OID } from '../amd_certificate.ts';
import { u64Bytes } from '../bytes.ts';
import { kdsCrlUrl } from '../kds.ts';
import { type ProductLine } from '../product.ts';
import { REPORT_SIZE, SIGNATURE_OFFSET } from '../report.ts';
import { rawSignatureToAmd } from '../signature.ts';
import { SnpTrustRoots } from '../trust_roots.ts';
import { DATA, pemPrivateKey } from './data.ts';

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

/** go-sev-guest's test-only RSA keys, loaded once per process. */
let keys: Promise<{ ark: RsaKeyPair; ask: RsaKeyPair; asvk: RsaKeyPair }> | undefined;
export function testKeys(): Promise<{ ark: RsaKeyPair; ask: RsaKeyPair; asvk: RsaKeyPair }> {
  keys ??= (async () => ({
    ark: await RsaKeyPair.fromPkcs8Der(pemPrivateKey(DATA.keys.ark)),
    ask: await RsaKeyPair.fromPkcs8Der(pemPrivateKey(DATA.keys.ask)),
    asvk: await RsaKeyPair.fromPkcs8Der(pemPrivateKey(DATA.keys.asvk)),
  }))();
  return keys;
}

/** An AMD Name in AMD's encoding order (OU, C, L, ST, O, CN); `overrides` replaces or removes attributes. */
export function amdName(commonName: string, overrides: Partial<Record<'OU' | 'C' | 'L' | 'ST' | 'O' | 'CN', string | null>> = {}): Name {
  const OIDS = { OU: '2.5.4.11', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', CN: '2.5.4.3' } as const;
  const values = { OU: 'Engineering', C: 'US', L: 'Santa Clara', ST: 'CA', O: 'Advanced Micro Devices', CN: commonName, ...overrides };
  return new Name(
    (Object.keys(OIDS) as (keyof typeof OIDS)[])
      .filter((k) => values[k] !== null)
      .map((k) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type: OIDS[k], value: new AttributeValue(k === 'C' ? { printableString: values[k]! } : { utf8String: values[k]! }) })])),
  );
}

/** AMD's RSASSA-PSS AlgorithmIdentifier (SHA-384, MGF1-SHA-384, salt 48), or PSS with another salt. */
export function pssAlgorithm(saltLength = 48): AlgorithmIdentifier {
  const sha384 = new AlgorithmIdentifier({ algorithm: id_sha384, parameters: null });
  const params = new RsaSaPssParams({
    hashAlgorithm: sha384,
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithm: id_mgf1, parameters: AsnConvert.serialize(sha384) }),
    saltLength,
  });
  return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnConvert.serialize(params) });
}

const ext = (oid: string, value: ArrayBuffer, critical = false) => new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
const derInteger = (n: number) => (n < 0x80 ? Uint8Array.of(0x02, 1, n) : Uint8Array.of(0x02, 2, 0, n));
const derIa5 = (s: string) => Uint8Array.of(0x16, s.length, ...Array.from(s, (c) => c.charCodeAt(0)));

/** The extensions of an ARK, ASK or ASVK. */
export function caExtensions(line: ProductLine, kind: 'vcek' | 'vlek', options: { crlSign?: boolean; crlUrl?: string } = {}): Extension[] {
  const usage = KeyUsageFlags.keyCertSign | (options.crlSign === false ? 0 : KeyUsageFlags.cRLSign);
  const dp = new CRLDistributionPoints([
    new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: [new GeneralName({ uniformResourceIdentifier: options.crlUrl ?? kdsCrlUrl(line, kind) })] }) }),
  ]);
  return [
    ext(id_ce_keyUsage, AsnConvert.serialize(new KeyUsage(usage)), true),
    ext(id_ce_basicConstraints, AsnConvert.serialize(new BasicConstraints({ cA: true })), true),
    ext(id_ce_cRLDistributionPoints, AsnConvert.serialize(dp)),
  ];
}

/** The SPLs of a minted VCEK/VLEK (names as AMD's extensions). */
export interface MintSpls {
  fmcSPL?: number;
  blSPL: number;
  teeSPL: number;
  snpSPL: number;
  spl4?: number;
  spl5?: number;
  spl6?: number;
  spl7?: number;
  ucodeSPL: number;
}

/** AMD's extensions of a VCEK (hwId) or VLEK (cspId); `omit` drops some, `raw` replaces values. */
export function endorsementExtensions(options: {
  structVersion?: number;
  productName: string;
  spls: MintSpls;
  hwId?: Uint8Array;
  cspId?: string;
  omit?: readonly (keyof typeof AMD_OID)[];
  raw?: Partial<Record<keyof typeof AMD_OID, Uint8Array>>;
  extra?: Extension[];
}): Extension[] {
  const values: Partial<Record<keyof typeof AMD_OID, Uint8Array>> = {
    structVersion: derInteger(options.structVersion ?? 0),
    productName: derIa5(options.productName),
  };
  for (const [name, v] of Object.entries(options.spls)) if (v !== undefined) values[name as keyof typeof AMD_OID] = derInteger(v);
  if (options.hwId) values.hwID = options.hwId;
  if (options.cspId !== undefined) values.cspId = derIa5(options.cspId);
  Object.assign(values, options.raw ?? {});
  const out: Extension[] = [];
  for (const [name, value] of Object.entries(values) as [keyof typeof AMD_OID, Uint8Array][]) {
    if (options.omit?.includes(name)) continue;
    out.push(ext(AMD_OID[name], buffer(value)));
  }
  return [...out, ...(options.extra ?? [])];
}

export interface CertificateTemplate {
  subject: Name;
  issuer: Name;
  spki: Uint8Array;
  serial?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  extensions: Extension[];
  signatureAlgorithm?: AlgorithmIdentifier;
  version?: number;
}

/** Builds a certificate and signs it with `signer` (RSA-PSS SHA-384 salt 48 unless `sign` says otherwise). */
export async function mintCertificate(template: CertificateTemplate, signer: RsaKeyPair, sign?: (tbs: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
  const algorithm = template.signatureAlgorithm ?? pssAlgorithm();
  const tbs = new TBSCertificate({
    version: template.version ?? Version.v3,
    serialNumber: buffer(template.serial ?? Uint8Array.of(0)),
    signature: algorithm,
    issuer: template.issuer,
    validity: new Validity({ notBefore: template.notBefore ?? new Date('2024-01-01T00:00:00Z'), notAfter: template.notAfter ?? new Date('2031-01-01T00:00:00Z') }),
    subject: template.subject,
    subjectPublicKeyInfo: AsnConvert.parse(template.spki, SubjectPublicKeyInfo),
    ...(template.extensions.length ? { extensions: new Extensions(template.extensions) } : {}),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = sign ? await sign(tbsDer) : await signer.pssSign(tbsDer, HashAlgorithm.Sha384, { saltLength: 48 });
  return new Uint8Array(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: buffer(signature) })));
}

/** The DER SubjectPublicKeyInfo of an RSA key pair. */
export function rsaSpki(key: RsaKeyPair): Uint8Array {
  const { modulus, publicExponent } = key.toComponents();
  const int = (b: Uint8Array) => (b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b);
  const tlv = (tag: number, content: Uint8Array) => {
    const n = content.length;
    const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    return Uint8Array.of(tag, ...len, ...content);
  };
  const rsaKey = tlv(0x30, Uint8Array.of(...tlv(0x02, int(modulus)), ...tlv(0x02, int(publicExponent))));
  const algorithm = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);
  return tlv(0x30, Uint8Array.of(...algorithm, ...tlv(0x03, Uint8Array.of(0, ...rsaKey))));
}

/** A minted chain: ARK → ASK (or ASVK) → VCEK (or VLEK), with the keys. */
export interface MintedChain {
  readonly line: ProductLine;
  readonly kind: 'vcek' | 'vlek';
  readonly ark: Uint8Array;
  readonly intermediate: Uint8Array;
  readonly endorsement: Uint8Array;
  readonly endorsementKey: EcdsaKeyPair;
  readonly arkKey: RsaKeyPair;
  readonly intermediateKey: RsaKeyPair;
  readonly roots: SnpTrustRoots;
  /** A PEM bundle (intermediate, then ARK), as the KDS serves it. */
  readonly bundlePem: string;
}

/** PEM of DER certificates. */
export function toPem(label: string, ...ders: Uint8Array[]): string {
  return ders.map((der) => `-----BEGIN ${label}-----\n${(Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`).join('');
}

export interface MintChainOptions {
  line?: ProductLine;
  kind?: 'vcek' | 'vlek';
  /** The VCEK/VLEK's SPLs; default: bl 3, tee 0, snp 8, ucode 115 (Turin: fmc 1, bl 2, tee 0, snp 4, ucode 9). */
  spls?: MintSpls;
  /** The CHIP_ID whose hwID goes into a VCEK (64 bytes; Turin: its first 8). */
  chipId?: Uint8Array;
  productName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Changes to the VCEK/VLEK's extensions or template. */
  endorsement?: Partial<Parameters<typeof endorsementExtensions>[0]> & Partial<CertificateTemplate>;
  /** An existing key for the VCEK/VLEK (default: a fresh one). */
  endorsementKey?: EcdsaKeyPair;
}

/** A default CHIP_ID: 64 bytes, or for Turin 8 bytes and 56 zeros. */
export function defaultChipId(line: ProductLine): Uint8Array {
  const chip = new Uint8Array(64);
  for (let i = 0; i < (line === 'Turin' ? 8 : 64); i++) chip[i] = (i * 37 + 11) & 0xff || 1;
  return chip;
}

export function defaultSpls(line: ProductLine): MintSpls {
  return line === 'Turin' ? { fmcSPL: 1, blSPL: 2, teeSPL: 0, snpSPL: 4, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 9 } : { blSPL: 3, teeSPL: 0, snpSPL: 8, spl4: 0, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 115 };
}

/** Mints a whole chain (see the module doc). */
export async function mintChain(options: MintChainOptions = {}): Promise<MintedChain> {
  const line = options.line ?? 'Milan';
  const kind = options.kind ?? 'vcek';
  const { ark: arkKey, ask, asvk } = await testKeys();
  const intermediateKey = kind === 'vcek' ? ask : asvk;
  const intermediateCn = kind === 'vcek' ? `SEV-${line}` : `SEV-VLEK-${line}`;
  const ark = await mintCertificate({ subject: amdName(`ARK-${line}`), issuer: amdName(`ARK-${line}`), spki: rsaSpki(arkKey), serial: Uint8Array.of(1, 0, 0), notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z'), extensions: caExtensions(line, 'vcek') }, arkKey);
  const intermediate = await mintCertificate({ subject: amdName(intermediateCn), issuer: amdName(`ARK-${line}`), spki: rsaSpki(intermediateKey), serial: Uint8Array.of(1, 0, 1), notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z'), extensions: caExtensions(line, kind) }, arkKey);
  const endorsementKey = options.endorsementKey ?? (await EcdsaKeyPair.generate(EcdsaCurve.P384));
  const chipId = options.chipId ?? defaultChipId(line);
  const e = options.endorsement ?? {};
  const extensions = endorsementExtensions({
    structVersion: line === 'Turin' ? 1 : 0,
    productName: options.productName ?? (kind === 'vlek' || line === 'Turin' ? line : `${line}-B0`),
    spls: options.spls ?? defaultSpls(line),
    ...(kind === 'vcek' ? { hwId: line === 'Turin' ? chipId.slice(0, 8) : chipId } : { cspId: 'test-csp' }),
    ...e,
  });
  const endorsement = await mintCertificate(
    {
      subject: e.subject ?? amdName(kind === 'vcek' ? 'SEV-VCEK' : 'SEV-VLEK'),
      issuer: e.issuer ?? amdName(intermediateCn),
      spki: e.spki ?? endorsementKey.publicKeyDer(),
      notBefore: options.notBefore ?? new Date('2024-01-01T00:00:00Z'),
      notAfter: options.notAfter ?? new Date('2031-01-01T00:00:00Z'),
      extensions: e.extensions ?? extensions,
      ...(e.signatureAlgorithm ? { signatureAlgorithm: e.signatureAlgorithm } : {}),
      ...(e.version !== undefined ? { version: e.version } : {}),
    },
    intermediateKey,
  );
  const bundlePem = toPem('CERTIFICATE', intermediate, ark);
  return { line, kind, ark, intermediate, endorsement, endorsementKey, arkKey, intermediateKey, roots: await SnpTrustRoots.fromPem(bundlePem), bundlePem };
}

/** Report fields for {@link buildReport}; TCBs are raw 64-bit values. */
export interface ReportTemplate {
  version: number;
  guestSvn: number;
  policy: bigint;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  signatureAlgo: number;
  currentTcb: bigint;
  platformInfo: bigint;
  keyInfo: number;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  reportIdMa: Uint8Array;
  reportedTcb: bigint;
  cpuid: { family: number; model: number; stepping: number } | undefined;
  chipId: Uint8Array;
  committedTcb: bigint;
  current: { major: number; minor: number; build: number };
  committed: { major: number; minor: number; build: number };
  launchTcb: bigint;
  launchMitVector: bigint;
  currentMitVector: bigint;
}

/** CPUID family/model of each line (the first model, as go-sev-guest). */
export const CPUID_OF: Record<ProductLine, { family: number; model: number; stepping: number }> = {
  Milan: { family: 0x19, model: 0x01, stepping: 1 },
  Genoa: { family: 0x19, model: 0x11, stepping: 1 },
  Turin: { family: 0x1a, model: 0x02, stepping: 0 },
};

/** An unsigned report with these fields (everything else zero). */
export function buildReport(fields: Partial<ReportTemplate>): Uint8Array {
  const f: ReportTemplate = {
    version: 2,
    guestSvn: 0,
    policy: 0x30000n,
    familyId: new Uint8Array(16),
    imageId: new Uint8Array(16),
    vmpl: 0,
    signatureAlgo: 1,
    currentTcb: 0n,
    platformInfo: 1n,
    keyInfo: 0,
    reportData: new Uint8Array(64),
    measurement: new Uint8Array(48),
    hostData: new Uint8Array(32),
    idKeyDigest: new Uint8Array(48),
    authorKeyDigest: new Uint8Array(48),
    reportId: new Uint8Array(32).fill(7),
    reportIdMa: new Uint8Array(32).fill(0xff),
    reportedTcb: 0n,
    cpuid: undefined,
    chipId: new Uint8Array(64),
    committedTcb: 0n,
    current: { major: 1, minor: 55, build: 3 },
    committed: { major: 1, minor: 55, build: 3 },
    launchTcb: 0n,
    launchMitVector: 0n,
    currentMitVector: 0n,
    ...fields,
  };
  const b = new Uint8Array(REPORT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0x00, f.version, true);
  dv.setUint32(0x04, f.guestSvn, true);
  b.set(u64Bytes(f.policy), 0x08);
  b.set(f.familyId, 0x10);
  b.set(f.imageId, 0x20);
  dv.setUint32(0x30, f.vmpl, true);
  dv.setUint32(0x34, f.signatureAlgo, true);
  b.set(u64Bytes(f.currentTcb), 0x38);
  b.set(u64Bytes(f.platformInfo), 0x40);
  dv.setUint32(0x48, f.keyInfo, true);
  b.set(f.reportData, 0x50);
  b.set(f.measurement, 0x90);
  b.set(f.hostData, 0xc0);
  b.set(f.idKeyDigest, 0xe0);
  b.set(f.authorKeyDigest, 0x110);
  b.set(f.reportId, 0x140);
  b.set(f.reportIdMa, 0x160);
  b.set(u64Bytes(f.reportedTcb), 0x180);
  if (f.version >= 3 && f.cpuid) b.set([f.cpuid.family, f.cpuid.model, f.cpuid.stepping], 0x188);
  b.set(f.chipId, 0x1a0);
  b.set(u64Bytes(f.committedTcb), 0x1e0);
  b.set([f.current.build, f.current.minor, f.current.major], 0x1e8);
  b.set([f.committed.build, f.committed.minor, f.committed.major], 0x1ec);
  b.set(u64Bytes(f.launchTcb), 0x1f0);
  if (f.version >= 5) {
    b.set(u64Bytes(f.launchMitVector), 0x1f8);
    b.set(u64Bytes(f.currentMitVector), 0x200);
  }
  return b;
}

/** Signs bytes 0x000-0x29F of `report` with `key` and writes R and S (little-endian); returns a new array. */
export async function signReport(report: Uint8Array, key: EcdsaKeyPair): Promise<Uint8Array> {
  const out = report.slice();
  const { r, s } = rawSignatureToAmd(await key.sign(out.subarray(0, SIGNATURE_OFFSET), HashAlgorithm.Sha384));
  out.fill(0, SIGNATURE_OFFSET);
  out.set(r, SIGNATURE_OFFSET);
  out.set(s, SIGNATURE_OFFSET + 72);
  return out;
}

/** A report for `chain` (its TCB, CHIP_ID, product and key kind), signed by its key. */
export async function mintReport(chain: MintedChain, fields: Partial<ReportTemplate> = {}, spls: MintSpls = defaultSpls(chain.line)): Promise<Uint8Array> {
  const turin = chain.line === 'Turin';
  const tcb = turin
    ? BigInt(spls.fmcSPL ?? 0) | (BigInt(spls.blSPL) << 8n) | (BigInt(spls.teeSPL) << 16n) | (BigInt(spls.snpSPL) << 24n) | (BigInt(spls.ucodeSPL) << 56n)
    : BigInt(spls.blSPL) | (BigInt(spls.teeSPL) << 8n) | (BigInt(spls.snpSPL) << 48n) | (BigInt(spls.ucodeSPL) << 56n);
  const report = buildReport({
    version: 3,
    cpuid: CPUID_OF[chain.line],
    currentTcb: tcb,
    reportedTcb: tcb,
    committedTcb: tcb,
    launchTcb: tcb,
    chipId: chain.kind === 'vcek' ? defaultChipId(chain.line) : new Uint8Array(64),
    keyInfo: chain.kind === 'vcek' ? 0 : 1 << 2,
    ...fields,
  });
  return signReport(report, chain.endorsementKey);
}

/** A CRL issued by `issuerCn`, signed by `signer` (AMD's RSA-PSS unless `algorithm` says otherwise). */
export async function mintCrl(options: {
  issuerCn: string;
  signer: RsaKeyPair;
  revoked?: readonly { serial: Uint8Array; date?: Date; extensions?: Extension[] }[];
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  extensions?: Extension[];
  algorithm?: AlgorithmIdentifier;
  version?: boolean;
}): Promise<Uint8Array> {
  const algorithm = options.algorithm ?? pssAlgorithm();
  const tbs = new TBSCertList({
    ...(options.version === false ? {} : { version: Version.v2 }),
    signature: algorithm,
    issuer: amdName(options.issuerCn),
    thisUpdate: new Time(options.thisUpdate ?? new Date('2024-01-01T00:00:00Z')),
    ...(options.nextUpdate === null ? {} : { nextUpdate: new Time(options.nextUpdate ?? new Date('2030-01-01T00:00:00Z')) }),
    ...(options.revoked?.length
      ? {
          revokedCertificates: options.revoked.map(
            (r) => new RevokedCertificate({ userCertificate: buffer(r.serial), revocationDate: new Time(r.date ?? new Date('2024-06-01T00:00:00Z')), ...(r.extensions ? { crlEntryExtensions: r.extensions } : {}) }),
          ),
        }
      : {}),
    ...(options.extensions?.length ? { crlExtensions: options.extensions } : {}),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await options.signer.pssSign(tbsDer, HashAlgorithm.Sha384, { saltLength: 48 });
  return new Uint8Array(AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: algorithm, signature: buffer(signature) })));
}

export { ext as mintExtension };
