/**
 * AMD's certificate revocation lists (KDS `.../crl`): X.509 v2 CRLs (RFC 5280 section 5) signed by
 * a product's ARK with RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48). They revoke ASKs and ASVKs,
 * the certificates the ARK issued. A CRL signed by an ASK or ASVK (scope: VCEKs or VLEKs) is read
 * the same way; a CRL only ever revokes serial numbers of certificates *its* issuer issued, so the
 * ARK's CRL never revokes a VCEK (every VCEK has serial 0).
 *
 * {@link AmdCrl.parse} reads the DER (or PEM) strictly with `der.ts`; {@link AmdCrl.verifiedBy}
 * checks the issuer name and the signature with `@tsvmm/crypto`. A critical extension (of the CRL
 * or of an entry) is refused, since none is understood: delta CRLs, issuing distribution points
 * and indirect CRLs are not AMD's.
 */
import { HashAlgorithm, type X509Certificate } from '@tsvmm/crypto';
import { bytesEqual, pemBlocks } from './bytes.ts';
import { DerError, Tag, type Tlv, bitStringBytes, boolean, children, contentOf, encodingOf, expectTag, integerContent, oid, readSingle, smallInteger, time } from './der.ts';
import { SnpError } from './error.ts';
import { allowsCrlSign } from './amd_certificate.ts';

const RSASSA_PSS = '1.2.840.113549.1.1.10';
const MGF1 = '1.2.840.113549.1.1.8';
const SHA384 = '2.16.840.1.101.3.4.2.2';

/** RFC 4514 names of the attribute types, as `@tsvmm/crypto` prints them. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** String types whose content is ASCII or UTF-8 text. */
const TEXT_TAGS = new Set<number>([Tag.Utf8String, Tag.PrintableString, Tag.Ia5String, 0x14 /* Teletex */]);

/** One revoked certificate. */
export interface RevokedCertificate {
  /** The serial number's INTEGER content octets (the format of `X509Certificate.serialNumber()`). */
  readonly serialNumber: Uint8Array;
  readonly revocationDate: Date;
}

const TOKEN = Symbol('AmdCrl');

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function escapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** A DER Name as an RFC 4514 string, formatted as `@tsvmm/crypto` formats `issuerDn()`. */
function formatName(der: Uint8Array, name: Tlv): string {
  expectTag(name, Tag.Sequence, 'Name');
  const rdns = children(der, name).map((rdn) => {
    expectTag(rdn, Tag.Set, 'RelativeDistinguishedName');
    return children(der, rdn)
      .map((atv) => {
        const [type, value] = children(der, expectTag(atv, Tag.Sequence, 'AttributeTypeAndValue'));
        if (type === undefined || value === undefined) throw new DerError('AttributeTypeAndValue is incomplete', atv.start);
        const t = oid(der, type);
        const short = SHORT_NAMES[t];
        if (short !== undefined && TEXT_TAGS.has(value.tag)) return `${short}=${escapeValue(new TextDecoder('utf-8', { fatal: true }).decode(contentOf(der, value)))}`;
        return `${short ?? t}=#${hex(encodingOf(der, value))}`;
      })
      .join('+');
  });
  return rdns.reverse().join(',');
}

/** Whether an AlgorithmIdentifier is AMD's RSASSA-PSS: SHA-384, MGF1-SHA-384, salt 48, trailer 1. */
function isAmdPss(der: Uint8Array, algorithm: Tlv): boolean {
  const [id, params, ...rest] = children(der, expectTag(algorithm, Tag.Sequence, 'AlgorithmIdentifier'));
  if (id === undefined || params === undefined || rest.length > 0 || oid(der, id) !== RSASSA_PSS) return false;
  const isSha384 = (tlv: Tlv | undefined) => {
    if (tlv === undefined) return false;
    const [h, p, ...more] = children(der, expectTag(tlv, Tag.Sequence, 'hash AlgorithmIdentifier'));
    return h !== undefined && more.length === 0 && oid(der, h) === SHA384 && (p === undefined || (p.tag === Tag.Null && p.end === p.contentStart));
  };
  let hash = false;
  let mgf = false;
  let salt = false;
  let trailer = true;
  for (const field of children(der, expectTag(params, Tag.Sequence, 'RSASSA-PSS-params'))) {
    const [inner, ...more] = children(der, field);
    if (inner === undefined || more.length > 0) return false;
    if (field.tag === 0xa0) hash = isSha384(inner);
    else if (field.tag === 0xa1) {
      const [m, p, ...extra] = children(der, expectTag(inner, Tag.Sequence, 'maskGenAlgorithm'));
      mgf = m !== undefined && extra.length === 0 && oid(der, m) === MGF1 && isSha384(p);
    } else if (field.tag === 0xa2) salt = smallInteger(der, inner) === 48;
    else if (field.tag === 0xa3) trailer = smallInteger(der, inner) === 1;
    else return false;
  }
  return hash && mgf && salt && trailer;
}

/** Throws unless no extension in the `Extensions` SEQUENCE `list` is critical. */
function noCriticalExtensions(der: Uint8Array, list: Tlv, where: string): void {
  for (const extension of children(der, expectTag(list, Tag.Sequence, 'Extensions'))) {
    const fields = children(der, expectTag(extension, Tag.Sequence, 'Extension'));
    const id = oid(der, fields[0] ?? extension);
    if (fields[1]?.tag === Tag.Boolean && boolean(der, fields[1])) throw new DerError(`${where} has a critical extension ${id}, which is not understood`, extension.start);
  }
}

/** A parsed AMD CRL (not yet verified: see {@link AmdCrl.verifiedBy}). */
export class AmdCrl {
  readonly #der: Uint8Array;
  readonly #tbs: Uint8Array;
  readonly #signature: Uint8Array;
  readonly #amdPss: boolean;
  /** The issuer as an RFC 4514 string (compared with the issuer certificate's subject DN). */
  readonly issuerDn: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revoked: readonly RevokedCertificate[];

  /** Not for use: CRLs come from {@link AmdCrl.parse}. */
  constructor(token: symbol, der: Uint8Array) {
    if (token !== TOKEN) throw new TypeError('use AmdCrl.parse');
    this.#der = der;
    const outer = readSingle(der, Tag.Sequence, 'CertificateList');
    const [tbs, algorithm, signature, ...rest] = children(der, outer);
    if (tbs === undefined || algorithm === undefined || signature === undefined || rest.length > 0) throw new DerError('CertificateList is not three fields', outer.start);
    expectTag(tbs, Tag.Sequence, 'TBSCertList');
    this.#tbs = encodingOf(der, tbs).slice();
    this.#signature = bitStringBytes(der, signature).slice();
    const fields = children(der, tbs);
    let i = 0;
    let v2 = false;
    if (fields[i]?.tag === Tag.Integer) {
      if (smallInteger(der, fields[i]!) !== 1) throw new DerError('CRL version is not v2', fields[i]!.start);
      v2 = true;
      i++;
    }
    const inner = fields[i++];
    if (inner === undefined) throw new DerError('TBSCertList has no signature algorithm', tbs.start);
    this.#amdPss = bytesEqual(encodingOf(der, inner), encodingOf(der, algorithm)) && isAmdPss(der, algorithm);
    const issuer = fields[i++];
    if (issuer === undefined) throw new DerError('TBSCertList has no issuer', tbs.start);
    this.issuerDn = formatName(der, issuer);
    const thisUpdate = fields[i++];
    if (thisUpdate === undefined) throw new DerError('TBSCertList has no thisUpdate', tbs.start);
    this.thisUpdate = time(der, thisUpdate);
    let next = fields[i];
    this.nextUpdate = undefined;
    if (next !== undefined && (next.tag === Tag.UtcTime || next.tag === Tag.GeneralizedTime)) {
      this.nextUpdate = time(der, next);
      next = fields[++i];
    }
    const revoked: RevokedCertificate[] = [];
    if (next !== undefined && next.tag === Tag.Sequence) {
      for (const entry of children(der, next)) {
        const [serial, date, extensions, ...more] = children(der, expectTag(entry, Tag.Sequence, 'revoked certificate'));
        if (serial === undefined || date === undefined || more.length > 0) throw new DerError('malformed revoked certificate entry', entry.start);
        if (extensions !== undefined) {
          if (!v2) throw new DerError('a v1 CRL has no entry extensions', extensions.start);
          noCriticalExtensions(der, extensions, 'a revoked certificate entry');
        }
        revoked.push({ serialNumber: integerContent(der, serial).slice(), revocationDate: time(der, date) });
      }
      next = fields[++i];
    }
    if (next !== undefined && next.tag === 0xa0) {
      if (!v2) throw new DerError('a v1 CRL has no extensions', next.start);
      const [list, ...more] = children(der, next);
      if (list === undefined || more.length > 0) throw new DerError('malformed crlExtensions', next.start);
      noCriticalExtensions(der, list, 'the CRL');
      next = fields[++i];
    }
    if (next !== undefined) throw new DerError('unexpected field in TBSCertList', next.start);
    this.revoked = revoked;
  }

  /** Parses a CRL from DER, or from PEM text (`X509 CRL` block). Throws a `crlMalformed` {@link SnpError}. */
  static parse(input: Uint8Array | string): AmdCrl {
    try {
      let der: Uint8Array;
      if (typeof input === 'string') {
        const blocks = pemBlocks(input).filter((b) => b.label === 'X509 CRL');
        if (blocks.length !== 1) throw new TypeError(`expected one "X509 CRL" PEM block, found ${blocks.length}`);
        der = blocks[0]!.der;
      } else {
        der = input;
      }
      return new AmdCrl(TOKEN, Uint8Array.from(der));
    } catch (error) {
      throw new SnpError('crlMalformed', `not an X.509 CRL: ${error instanceof Error ? error.message : String(error)}`, { field: 'CRL', cause: error });
    }
  }

  /** The CRL's DER (a copy). */
  toDer(): Uint8Array {
    return this.#der.slice();
  }

  /**
   * Whether `issuer` issued and signed this CRL: its subject DN is this CRL's issuer, its keyUsage
   * (if any) allows cRLSign, and the signature (AMD's RSASSA-PSS, the same algorithm inside and
   * outside the TBS) verifies under its RSA key.
   */
  async verifiedBy(issuer: X509Certificate): Promise<boolean> {
    if (!this.#amdPss || issuer.subjectDn() !== this.issuerDn || !allowsCrlSign(issuer)) return false;
    const key = await issuer.publicKey();
    if (key.kind !== 'rsa') return false;
    return key.key.pssVerify(this.#tbs, this.#signature, HashAlgorithm.Sha384, { saltLength: 48 });
  }

  /** Whether `serialNumber` (INTEGER content octets, as `X509Certificate.serialNumber()`) is listed. */
  isRevoked(serialNumber: Uint8Array): RevokedCertificate | undefined {
    return this.revoked.find((r) => bytesEqual(r.serialNumber, serialNumber));
  }
}

