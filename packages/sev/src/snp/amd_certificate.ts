/**
 * AMD's X.509 certificate profile for SEV-SNP (KDS specification, AMD document 57230), checked the
 * way go-sev-guest's `verify` package does, on certificates parsed by `@tsvmm/crypto`:
 *
 * | role | subject CN | issuer CN | key | extensions |
 * |---|---|---|---|---|
 * | ARK | `ARK-<line>` | itself | RSA-4096 | CA, keyCertSign, one CRL DP: `<KDS>/vcek/v1/<line>/crl` |
 * | ASK | `SEV-<line>` | `ARK-<line>` | RSA-4096 | CA, keyCertSign, CRL DP `<KDS>/vcek/v1/<line>/crl` |
 * | ASVK | `SEV-VLEK-<line>` | `ARK-<line>` | RSA-4096 | CA, keyCertSign, CRL DP `<KDS>/vlek/v1/<line>/crl` |
 * | VCEK | `SEV-VCEK` | `SEV-<line>` | ECDSA P-384 | AMD's 1.3.6.1.4.1.3704.1.*: hwID, no cspId |
 * | VLEK | `SEV-VLEK` | `SEV-VLEK-<line>` | ECDSA P-384 | AMD's, cspId, no hwID |
 *
 * Every one is X.509 v3, signed with RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48), and has
 * C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, OU=Engineering in subject and issuer.
 * An unknown *critical* extension is refused; unknown non-critical ones are ignored. The part the
 * signature does not cover (outer algorithm, signature BIT STRING) must be strict DER.
 *
 * AMD's extensions (OID 1.3.6.1.4.1.3704.1.x, each value DER inside extnValue):
 * structVersion (1, INTEGER), productName (2, IA5String), SPLs (3.x, INTEGER 0-255: blSPL 3.1,
 * teeSPL 3.2, snpSPL 3.3, spl4-spl7 3.4-3.7, ucodeSPL 3.8, Turin's fmcSPL 3.9), hwID (4: the raw
 * CHIP_ID bytes, not wrapped in an OCTET STRING: 64 bytes, or 8 on Turin; a wrapped value is also
 * accepted, as go-sev-guest does) and cspId (5, IA5String, VLEK). Milan and Genoa need spl4-spl7
 * (their TCB bytes 2-5); Turin needs fmcSPL and has no spl4 (spl5-7, if present, must be 0).
 *
 * Every problem of one certificate is reported together, as one `certificateProfile` error. The
 * checks are async because reading a certificate's public key is (WebCrypto's import).
 */
import { type X509Certificate, X509Error, type X509PublicKey } from '@tsvmm/crypto';
import { type Tlv, DerError, Tag, bitStringBytes, boolean, children, contentOf, expectTag, ia5String, readSingle, readTlv, smallInteger } from './der.ts';
import { SnpError, type SnpFailure } from './error.ts';
import { type KdsKeyKind, kdsCrlUrl } from './kds.ts';
import { type ProductLine, type ProductName, TURIN_HWID_LENGTH, parseProductName } from './product.ts';
import { type TcbVersion, decodeTcb, encodeTcb, tcbLayoutOf } from './tcb.ts';

/** The certificates of an SEV-SNP chain. */
export type AmdRole = 'ARK' | 'ASK' | 'ASVK' | 'VCEK' | 'VLEK';

/** AMD's extension OIDs. */
export const AMD_OID = {
  structVersion: '1.3.6.1.4.1.3704.1.1',
  productName: '1.3.6.1.4.1.3704.1.2',
  blSPL: '1.3.6.1.4.1.3704.1.3.1',
  teeSPL: '1.3.6.1.4.1.3704.1.3.2',
  snpSPL: '1.3.6.1.4.1.3704.1.3.3',
  spl4: '1.3.6.1.4.1.3704.1.3.4',
  spl5: '1.3.6.1.4.1.3704.1.3.5',
  spl6: '1.3.6.1.4.1.3704.1.3.6',
  spl7: '1.3.6.1.4.1.3704.1.3.7',
  ucodeSPL: '1.3.6.1.4.1.3704.1.3.8',
  fmcSPL: '1.3.6.1.4.1.3704.1.3.9',
  hwID: '1.3.6.1.4.1.3704.1.4',
  cspId: '1.3.6.1.4.1.3704.1.5',
} as const;

type AmdExtensionName = keyof typeof AMD_OID;

const AMD_NAME_OF = new Map<string, AmdExtensionName>(Object.entries(AMD_OID).map(([k, v]) => [v, k as AmdExtensionName]));

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  crlDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** Extensions whose criticality this package understands. */
const KNOWN_CRITICAL = new Set<string>([OID.basicConstraints, OID.keyUsage]);

/** The SPLs a VCEK or VLEK certifies, by extension name (absent ones undefined). */
export interface AmdSpls {
  readonly fmcSPL: number | undefined;
  readonly blSPL: number;
  readonly teeSPL: number;
  readonly snpSPL: number;
  readonly spl4: number | undefined;
  readonly spl5: number | undefined;
  readonly spl6: number | undefined;
  readonly spl7: number | undefined;
  readonly ucodeSPL: number;
}

/** AMD's extensions of a VCEK or VLEK, decoded and checked. */
export interface AmdExtensions {
  readonly structVersion: number;
  readonly productName: string;
  readonly product: ProductName;
  readonly spls: AmdSpls;
  /** The certified TCB_VERSION, in the product line's layout. */
  readonly tcb: TcbVersion;
  /** VCEK: the chip's hardware ID (64 bytes; 8 on Turin). */
  readonly hwId: Uint8Array | undefined;
  /** VLEK: the cloud service provider's ID. */
  readonly cspId: string | undefined;
}

/** The AMD location every subject and issuer carries. */
export const AMD_LOCATION: readonly (readonly [string, string])[] = [
  ['C', 'US'],
  ['L', 'Santa Clara'],
  ['ST', 'CA'],
  ['O', 'Advanced Micro Devices'],
  ['OU', 'Engineering'],
];

/** The RSASSA-PSS parameters of every AMD certificate signature. */
export const AMD_SIGNATURE = { hash: 'SHA-384', mgf1Hash: 'SHA-384', saltLength: 48 } as const;

/** The CN of `role` for `line`. */
export function commonNameOf(role: AmdRole, line: ProductLine): string {
  switch (role) {
    case 'ARK':
      return `ARK-${line}`;
    case 'ASK':
      return `SEV-${line}`;
    case 'ASVK':
      return `SEV-VLEK-${line}`;
    case 'VCEK':
      return 'SEV-VCEK';
    case 'VLEK':
      return 'SEV-VLEK';
  }
}

/** The role and line a CA certificate's subject CN names (`ARK-Milan`, `SEV-Genoa`, `SEV-VLEK-Turin`), or undefined. */
export function caRoleOf(commonName: string | undefined): { role: 'ARK' | 'ASK' | 'ASVK'; line: ProductLine } | undefined {
  const match = /^(ARK-|SEV-VLEK-|SEV-)(Milan|Genoa|Turin)$/.exec(commonName ?? '');
  if (match === null) return undefined;
  const role = match[1] === 'ARK-' ? 'ARK' : match[1] === 'SEV-' ? 'ASK' : 'ASVK';
  return { role, line: match[2] as ProductLine };
}

/**
 * An RFC 4514 string (as `X509Certificate.issuerDn()` gives it) as attribute type → values, in
 * order. Handles `\`-escapes (a character or two hex digits) and `+` in multi-valued RDNs.
 */
export function parseDn(dn: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let type = '';
  let value = '';
  let inValue = false;
  const flush = () => {
    if (type === '' && value === '') return;
    out.set(type, [...(out.get(type) ?? []), value]);
    type = '';
    value = '';
    inValue = false;
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        value += String.fromCharCode(Number.parseInt(hex, 16));
        i += 2;
      } else {
        value += dn[i + 1];
        i += 1;
      }
    } else if (!inValue && c === '=') {
      inValue = true;
    } else if (c === ',' || c === '+') {
      flush();
    } else if (inValue) {
      value += c;
    } else {
      type += c;
    }
  }
  flush();
  return out;
}

/** Collects a certificate's problems, each with its field. */
class Problems {
  readonly list: SnpFailure[] = [];

  constructor(readonly role: AmdRole) {}

  add(field: string, check: string, message: string): void {
    this.list.push({ field: `${this.role}.${field}`, check, message });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new SnpError('certificateProfile', `the ${this.role} certificate does not fit AMD's profile (${this.list.length} problem${this.list.length === 1 ? '' : 's'})`, { field: this.role, failures: this.list });
  }
}

function checkName(problems: Problems, which: 'subject' | 'issuer', dn: string, commonName: string | undefined): void {
  const attributes = parseDn(dn);
  for (const [type, expected] of [...AMD_LOCATION, ...(commonName === undefined ? [] : ([['CN', commonName]] as const))]) {
    const values = attributes.get(type) ?? [];
    if (values.length !== 1) problems.add(`${which}.${type}`, `${which}.${type}`, `has ${values.length} ${type} attributes, expected one: "${expected}"`);
    else if (values[0] !== expected) problems.add(`${which}.${type}`, `${which}.${type}`, `is "${values[0]}", expected "${expected}"`);
  }
}

/** Runs `read` on `cert`, turning a crypto error into a problem (undefined result). */
function attempt<T>(problems: Problems, field: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    problems.add(field, field, `cannot be read: ${error instanceof X509Error && error.cause instanceof Error ? error.cause.message : String(error)}`);
    return undefined;
  }
}

async function publicKeyOf(problems: Problems, cert: X509Certificate): Promise<X509PublicKey | undefined> {
  try {
    return await cert.publicKey();
  } catch (error) {
    problems.add('publicKey', 'publicKey', `is not an RSA or ECDSA P-384 key: ${error instanceof X509Error && error.cause instanceof Error ? error.cause.message : String(error)}`);
    return undefined;
  }
}

/**
 * The certificate's outer structure in strict DER (`der.ts`): SEQUENCE { TBS, AlgorithmIdentifier
 * equal byte for byte to the TBS's own, BIT STRING with no unused bits }. Nothing outside the TBS is
 * covered by the signature, so this is where a re-encoded certificate could differ from the one
 * AMD signed; `@tsvmm/crypto`'s pure-JS parser (the `noble` and `native` backends) accepts a
 * signature BIT STRING with unused bits that OpenSSL refuses, so it is checked here for all.
 */
function checkEncoding(problems: Problems, cert: X509Certificate): void {
  const der = cert.toDer();
  try {
    const outer = readSingle(der, Tag.Sequence, 'Certificate');
    const [tbs, algorithm, signature, ...rest] = children(der, outer);
    if (tbs === undefined || algorithm === undefined || signature === undefined || rest.length > 0) throw new DerError('a certificate is three fields', outer.start);
    const inner = children(der, expectTag(tbs, Tag.Sequence, 'TBSCertificate')).find((f) => f.tag === Tag.Sequence);
    const bytesOf = (t: Tlv) => der.subarray(t.start, t.end);
    if (inner === undefined || bytesOf(inner).length !== bytesOf(algorithm).length || !bytesOf(inner).every((b, i) => b === bytesOf(algorithm)[i])) throw new DerError('the outer signature algorithm is not the TBS one', algorithm.start);
    bitStringBytes(der, signature);
  } catch (error) {
    problems.add('encoding', 'encoding', `is not strict DER: ${error instanceof DerError ? error.message : String(error)}`);
  }
}

function checkCommon(problems: Problems, cert: X509Certificate): void {
  checkEncoding(problems, cert);
  const version = attempt(problems, 'version', () => cert.version());
  if (version !== undefined && version !== 3) problems.add('version', 'version', `is ${version}, expected 3`);
  const algorithm = attempt(problems, 'signatureAlgorithm', () => cert.signatureAlgorithm());
  if (algorithm !== undefined) {
    const ok = algorithm.kind === 'rsa-pss' && algorithm.hash === AMD_SIGNATURE.hash && algorithm.mgf1Hash === AMD_SIGNATURE.mgf1Hash && algorithm.saltLength === AMD_SIGNATURE.saltLength;
    if (!ok) problems.add('signatureAlgorithm', 'signatureAlgorithm', `is ${JSON.stringify(algorithm)}, expected RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48`);
  }
}

/** The extensions by OID; duplicates and unknown critical extensions are problems. */
function extensionMap(problems: Problems, cert: X509Certificate): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const list = attempt(problems, 'extensions', () => cert.extensions()) ?? [];
  for (const e of list) {
    const name = AMD_NAME_OF.get(e.oid) ?? e.oid;
    if (out.has(e.oid)) problems.add(`extensions.${name}`, 'extensions.duplicate', 'appears more than once');
    out.set(e.oid, e.value);
    if (e.critical && !KNOWN_CRITICAL.has(e.oid)) problems.add(`extensions.${name}`, 'extensions.unknownCritical', 'is critical and not understood');
  }
  return out;
}

/** Decodes `value` (the DER inside extnValue) with `read`, or records a problem. */
function decodeExtension<T>(problems: Problems, field: string, value: Uint8Array, read: (value: Uint8Array, tlv: Tlv) => T, tag: number): T | undefined {
  try {
    return read(value, readSingle(value, tag, field));
  } catch (error) {
    problems.add(`extensions.${field}`, `extensions.${field}`, `is not valid DER: ${error instanceof DerError ? error.message : String(error)}`);
    return undefined;
  }
}

/** keyUsage: whether bit `bit` (0 = digitalSignature, 5 = keyCertSign, 6 = cRLSign) is set. */
function keyUsageHas(value: Uint8Array, bit: number): boolean {
  const tlv = readSingle(value, Tag.BitString, 'keyUsage');
  const c = contentOf(value, tlv);
  if (c.length < 1 || c[0]! > 7) throw new DerError('malformed BIT STRING', 0);
  const byte = c[1 + (bit >> 3)] ?? 0;
  return (byte & (0x80 >> (bit & 7))) !== 0;
}

/** basicConstraints' cA flag. */
function basicConstraintsCa(value: Uint8Array): boolean {
  const seq = readSingle(value, Tag.Sequence, 'basicConstraints');
  const fields = children(value, seq);
  return fields[0]?.tag === Tag.Boolean ? boolean(value, fields[0]) : false;
}

/** The URIs of a cRLDistributionPoints value (fullName uniformResourceIdentifier entries). */
export function crlDistributionPointUris(value: Uint8Array): string[] {
  const uris: string[] = [];
  const seq = readSingle(value, Tag.Sequence, 'cRLDistributionPoints');
  for (const point of children(value, seq)) {
    expectTag(point, Tag.Sequence, 'DistributionPoint');
    for (const field of children(value, point)) {
      if (field.tag !== 0xa0) continue; // reasons [1], cRLIssuer [2]
      for (const name of children(value, field)) {
        if (name.tag !== 0xa0) continue; // nameRelativeToCRLIssuer [1]
        for (const general of children(value, name)) {
          if (general.tag === 0x86) uris.push(String.fromCharCode(...contentOf(value, general)));
        }
      }
    }
  }
  return uris;
}

/**
 * Checks an ARK, ASK or ASVK of `line` against the profile (not its signature, not its dates).
 * Throws one `certificateProfile` {@link SnpError} listing every problem.
 */
export async function checkCaProfile(cert: X509Certificate, role: 'ARK' | 'ASK' | 'ASVK', line: ProductLine): Promise<void> {
  const problems = new Problems(role);
  checkCommon(problems, cert);
  const key = await publicKeyOf(problems, cert);
  if (key !== undefined && (key.kind !== 'rsa' || key.key.modulusBits() !== 4096)) problems.add('publicKey', 'publicKey', `is ${key.kind === 'rsa' ? `RSA-${key.key.modulusBits()}` : `ECDSA ${key.key.curve}`}, expected RSA-4096`);
  checkName(problems, 'subject', attempt(problems, 'subject', () => cert.subjectDn()) ?? '', commonNameOf(role, line));
  checkName(problems, 'issuer', attempt(problems, 'issuer', () => cert.issuerDn()) ?? '', commonNameOf('ARK', line));
  const extensions = extensionMap(problems, cert);
  const bc = extensions.get(OID.basicConstraints);
  if (bc === undefined) problems.add('extensions.basicConstraints', 'extensions.basicConstraints', 'is missing (a CA needs cA TRUE)');
  else if (decodeCa(problems, bc) === false) problems.add('extensions.basicConstraints', 'extensions.basicConstraints', 'does not say cA TRUE');
  const ku = extensions.get(OID.keyUsage);
  if (ku === undefined) problems.add('extensions.keyUsage', 'extensions.keyUsage', 'is missing (a CA needs keyCertSign)');
  else {
    try {
      if (!keyUsageHas(ku, 5)) problems.add('extensions.keyUsage', 'extensions.keyUsage', 'does not allow keyCertSign');
    } catch (error) {
      problems.add('extensions.keyUsage', 'extensions.keyUsage', `is not valid DER: ${String(error)}`);
    }
  }
  const kind: KdsKeyKind = role === 'ASVK' ? 'vlek' : 'vcek';
  const dp = extensions.get(OID.crlDistributionPoints);
  const expected = kdsCrlUrl(line, kind);
  if (dp === undefined) problems.add('extensions.cRLDistributionPoints', 'extensions.cRLDistributionPoints', `is missing, expected ${expected}`);
  else {
    try {
      const uris = crlDistributionPointUris(dp);
      if (uris.length !== 1 || uris[0] !== expected) problems.add('extensions.cRLDistributionPoints', 'extensions.cRLDistributionPoints', `is ${JSON.stringify(uris)}, expected exactly ["${expected}"]`);
    } catch (error) {
      problems.add('extensions.cRLDistributionPoints', 'extensions.cRLDistributionPoints', `is not valid DER: ${String(error)}`);
    }
  }
  problems.throwIfAny();
}

function decodeCa(problems: Problems, value: Uint8Array): boolean | undefined {
  try {
    return basicConstraintsCa(value);
  } catch (error) {
    problems.add('extensions.basicConstraints', 'extensions.basicConstraints', `is not valid DER: ${String(error)}`);
    return undefined;
  }
}

/** Whether `cert`'s keyUsage allows cRLSign (for the ARK that signs a CRL); a certificate without keyUsage may sign CRLs. */
export function allowsCrlSign(cert: X509Certificate): boolean {
  try {
    const ku = cert.extensions().find((e) => e.oid === OID.keyUsage);
    return ku === undefined || keyUsageHas(ku.value, 6);
  } catch {
    return false;
  }
}

/**
 * Checks a VCEK or VLEK against the profile and decodes AMD's extensions (not its signature, not
 * its dates). Throws one `certificateProfile` {@link SnpError} listing every problem.
 */
export async function checkEndorsementProfile(cert: X509Certificate, role: 'VCEK' | 'VLEK'): Promise<AmdExtensions> {
  const problems = new Problems(role);
  checkCommon(problems, cert);
  const key = await publicKeyOf(problems, cert);
  if (key !== undefined && (key.kind !== 'ecdsa' || key.key.curve !== 'P-384')) problems.add('publicKey', 'publicKey', `is ${key.kind === 'rsa' ? `RSA-${key.key.modulusBits()}` : `ECDSA ${key.key.curve}`}, expected ECDSA P-384`);
  checkName(problems, 'subject', attempt(problems, 'subject', () => cert.subjectDn()) ?? '', commonNameOf(role, 'Milan'));
  const extensions = extensionMap(problems, cert);
  const get = (name: AmdExtensionName) => extensions.get(AMD_OID[name]);

  const integer = (name: AmdExtensionName, required: boolean): number | undefined => {
    const value = get(name);
    if (value === undefined) {
      if (required) problems.add(`extensions.${name}`, `extensions.${name}`, `is missing (OID ${AMD_OID[name]})`);
      return undefined;
    }
    const n = decodeExtension(problems, name, value, smallInteger, Tag.Integer);
    if (n !== undefined && n > 255) {
      problems.add(`extensions.${name}`, `extensions.${name}`, `is ${n}, expected 0-255`);
      return undefined;
    }
    return n;
  };
  const string = (name: AmdExtensionName): string | undefined => {
    const value = get(name);
    return value === undefined ? undefined : decodeExtension(problems, name, value, ia5String, Tag.Ia5String);
  };

  const structVersion = integer('structVersion', true);
  const productName = string('productName');
  if (get('productName') === undefined) problems.add('extensions.productName', 'extensions.productName', `is missing (OID ${AMD_OID.productName})`);
  const product = productName === undefined ? undefined : parseProductName(productName);
  if (productName !== undefined && product === undefined) problems.add('extensions.productName', 'extensions.productName', `"${productName}" is not a known product (Milan, Genoa, Turin, optionally -B<n>)`);
  if (role === 'VLEK' && product?.stepping !== undefined) problems.add('extensions.productName', 'extensions.productName', `a VLEK's productName is the product line only, got "${productName}"`);

  const line = product?.line;
  const turin = line === 'Turin';
  if (line !== undefined) checkName(problems, 'issuer', attempt(problems, 'issuer', () => cert.issuerDn()) ?? '', commonNameOf(role === 'VCEK' ? 'ASK' : 'ASVK', line));

  const blSPL = integer('blSPL', true);
  const teeSPL = integer('teeSPL', true);
  const snpSPL = integer('snpSPL', true);
  const ucodeSPL = integer('ucodeSPL', true);
  const fmcSPL = integer('fmcSPL', turin);
  const spl4 = integer('spl4', line !== undefined && !turin);
  const spl5 = integer('spl5', line !== undefined && !turin);
  const spl6 = integer('spl6', line !== undefined && !turin);
  const spl7 = integer('spl7', line !== undefined && !turin);
  if (line !== undefined && !turin && fmcSPL !== undefined) problems.add('extensions.fmcSPL', 'extensions.fmcSPL', `${line} has no FMC SPL`);
  if (turin) {
    for (const [name, v] of [['spl4', spl4], ['spl5', spl5], ['spl6', spl6], ['spl7', spl7]] as const) {
      if (v !== undefined && v !== 0) problems.add(`extensions.${name}`, `extensions.${name}`, `is ${v}; Turin's TCB has no such SPL, so it must be 0 or absent`);
    }
  }

  let hwId: Uint8Array | undefined;
  const hw = get('hwID');
  const cspId = string('cspId');
  if (role === 'VCEK') {
    if (hw === undefined) problems.add('extensions.hwID', 'extensions.hwID', `is missing (OID ${AMD_OID.hwID})`);
    else if (line !== undefined) {
      const size = turin ? TURIN_HWID_LENGTH : 64;
      hwId = decodeHwId(hw, size);
      if (hwId === undefined) problems.add('extensions.hwID', 'extensions.hwID', `is ${hw.length} bytes, expected ${size} (raw, or as an OCTET STRING)`);
    }
    if (get('cspId') !== undefined) problems.add('extensions.cspId', 'extensions.cspId', 'a VCEK has no cspId');
  } else {
    if (get('cspId') === undefined) problems.add('extensions.cspId', 'extensions.cspId', `is missing (OID ${AMD_OID.cspId})`);
    if (hw !== undefined) problems.add('extensions.hwID', 'extensions.hwID', 'a VLEK has no hwID');
  }

  problems.throwIfAny();
  const spls: AmdSpls = { fmcSPL, blSPL: blSPL!, teeSPL: teeSPL!, snpSPL: snpSPL!, spl4, spl5, spl6, spl7, ucodeSPL: ucodeSPL! };
  const layout = tcbLayoutOf(line!);
  let raw = encodeTcb({ fmc: fmcSPL, bootloader: spls.blSPL, tee: spls.teeSPL, snp: spls.snpSPL, microcode: spls.ucodeSPL }, layout);
  if (layout === 'milan-genoa') raw |= (BigInt(spl4 ?? 0) << 16n) | (BigInt(spl5 ?? 0) << 24n) | (BigInt(spl6 ?? 0) << 32n) | (BigInt(spl7 ?? 0) << 40n);
  return { structVersion: structVersion!, productName: productName!, product: product!, spls, tcb: decodeTcb(raw, layout), hwId, cspId };
}

/** hwID: the raw bytes (KDS), or an OCTET STRING of them (go-sev-guest accepts both). */
function decodeHwId(value: Uint8Array, size: number): Uint8Array | undefined {
  if (value.length === size) return value.slice();
  try {
    const tlv = readTlv(value, 0);
    if (tlv.tag === Tag.OctetString && tlv.end === value.length && tlv.end - tlv.contentStart === size) return contentOf(value, tlv).slice();
  } catch {
    // not DER either
  }
  return undefined;
}
