/**
 * The trusted AMD roots of SEV-SNP verification, supplied by the caller: nothing is built in and
 * nothing is fetched. They come as PEM (a KDS `cert_chain` bundle such as go-sev-guest's
 * `ask_ark_milan.pem`: ASK or ASVK first, then ARK; or separate `ark.pem` / `ask.pem` files as
 * virtee/sev ships), as DER certificates, or as a directory of such files.
 *
 * Loading classifies every certificate by its subject CN (`ARK-<line>`, `SEV-<line>` = ASK,
 * `SEV-VLEK-<line>` = ASVK), checks each against AMD's profile (`amd_certificate.ts`), checks that
 * each ARK is self-issued and self-signed and that each ASK/ASVK was issued and signed by an ARK of
 * its line. Anything else is an error: a bundle that does not verify is never silently dropped.
 * Validity dates are checked at verification time, with the caller's clock.
 */
import { X509Certificate } from '@tsvmm/crypto';
import { pemBlocks } from './bytes.ts';
import { checkCaProfile, caRoleOf } from './amd_certificate.ts';
import { SnpError } from './error.ts';
import { type ProductLine, PRODUCT_LINES } from './product.ts';

/** One ARK with the ASKs and ASVKs it signed. */
export interface ProductRoots {
  readonly line: ProductLine;
  readonly ark: X509Certificate;
  /** Intermediates for VCEKs. */
  readonly asks: readonly X509Certificate[];
  /** Intermediates for VLEKs. */
  readonly asvks: readonly X509Certificate[];
}

const TOKEN = Symbol('SnpTrustRoots');

async function parseCertificate(der: Uint8Array, where: string): Promise<X509Certificate> {
  try {
    return await X509Certificate.fromDer(der);
  } catch (error) {
    throw new SnpError('certificateMalformed', `${where} is not an X.509 certificate`, { field: where, cause: error });
  }
}

async function isSignedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  const key = await issuer.publicKey();
  return issuer.issued(cert) && (await cert.verify(key.key));
}

const sameDer = (a: X509Certificate, b: X509Certificate) => {
  const x = a.toDer();
  const y = b.toDer();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** A checked set of AMD roots, by product line. */
export class SnpTrustRoots {
  readonly #roots: ReadonlyMap<ProductLine, readonly ProductRoots[]>;

  /** Not for use: roots come from the static constructors. */
  constructor(token: symbol, roots: ReadonlyMap<ProductLine, readonly ProductRoots[]>) {
    if (token !== TOKEN) throw new TypeError('use SnpTrustRoots.fromPem, fromCertificates or fromDirectory');
    this.#roots = roots;
  }

  /** Roots from DER certificates, in any order (see the module doc). */
  static async fromCertificates(certificates: readonly Uint8Array[]): Promise<SnpTrustRoots> {
    const parsed: X509Certificate[] = [];
    for (const [i, der] of certificates.entries()) {
      const cert = await parseCertificate(der, `certificate ${i}`);
      if (!parsed.some((p) => sameDer(p, cert))) parsed.push(cert);
    }
    const arks: { line: ProductLine; cert: X509Certificate }[] = [];
    const intermediates: { role: 'ASK' | 'ASVK'; line: ProductLine; cert: X509Certificate }[] = [];
    for (const cert of parsed) {
      const cn = cert.subjectCommonName();
      const kind = caRoleOf(cn);
      if (kind === undefined) throw new SnpError('trustRoots', `"${cn ?? '(no CN)'}" is not an AMD ARK, ASK or ASVK (ARK-<line>, SEV-<line>, SEV-VLEK-<line> for ${PRODUCT_LINES.join(', ')})`, { field: 'subject.CN' });
      await checkCaProfile(cert, kind.role, kind.line);
      if (kind.role === 'ARK') {
        if (!(await isSignedBy(cert, cert))) throw new SnpError('certificateSignature', `${cn} is not self-signed`, { field: 'ARK' });
        arks.push({ line: kind.line, cert });
      } else {
        intermediates.push({ role: kind.role, line: kind.line, cert });
      }
    }
    const byLine = new Map<ProductLine, { line: ProductLine; ark: X509Certificate; asks: X509Certificate[]; asvks: X509Certificate[] }[]>();
    for (const ark of arks) {
      const list = byLine.get(ark.line) ?? [];
      list.push({ line: ark.line, ark: ark.cert, asks: [], asvks: [] });
      byLine.set(ark.line, list);
    }
    for (const intermediate of intermediates) {
      const cn = intermediate.cert.subjectCommonName();
      let signer: { asks: X509Certificate[]; asvks: X509Certificate[] } | undefined;
      for (const entry of byLine.get(intermediate.line) ?? []) {
        if (await isSignedBy(intermediate.cert, entry.ark)) {
          signer = entry;
          break;
        }
      }
      if (signer === undefined) throw new SnpError('certificateSignature', `${cn} was not issued and signed by any given ARK-${intermediate.line}`, { field: intermediate.role });
      (intermediate.role === 'ASK' ? signer.asks : signer.asvks).push(intermediate.cert);
    }
    if (byLine.size === 0) throw new SnpError('trustRoots', 'no ARK among the given certificates', { field: 'ARK' });
    return new SnpTrustRoots(TOKEN, byLine);
  }

  /** Roots from PEM text or bytes: one or more files' contents, each with one or more `CERTIFICATE` blocks. */
  static async fromPem(...bundles: readonly (string | Uint8Array)[]): Promise<SnpTrustRoots> {
    const ders: Uint8Array[] = [];
    for (const [i, bundle] of bundles.entries()) {
      const text = typeof bundle === 'string' ? bundle : new TextDecoder().decode(bundle);
      let blocks;
      try {
        blocks = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE');
      } catch (error) {
        throw new SnpError('certificateMalformed', `bundle ${i} is not PEM: ${error instanceof Error ? error.message : String(error)}`, { field: `bundle ${i}`, cause: error });
      }
      if (blocks.length === 0) throw new SnpError('certificateMalformed', `bundle ${i} has no CERTIFICATE block`, { field: `bundle ${i}` });
      ders.push(...blocks.map((b) => b.der));
    }
    return SnpTrustRoots.fromCertificates(ders);
  }

  /**
   * Roots from every file under `directory` (recursively) that holds a PEM `CERTIFICATE` block;
   * other files are skipped. Node only (it reads the file system).
   */
  static async fromDirectory(directory: string): Promise<SnpTrustRoots> {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const texts: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) {
          const text = await readFile(path, 'latin1');
          if (text.includes('-----BEGIN CERTIFICATE-----')) texts.push(text);
        }
      }
    };
    try {
      await walk(directory);
    } catch (error) {
      throw new SnpError('trustRoots', `cannot read ${directory}: ${error instanceof Error ? error.message : String(error)}`, { field: 'directory', cause: error });
    }
    if (texts.length === 0) throw new SnpError('trustRoots', `no PEM certificate under ${directory}`, { field: 'directory' });
    return SnpTrustRoots.fromPem(...texts);
  }

  /** The product lines with at least one ARK. */
  productLines(): ProductLine[] {
    return PRODUCT_LINES.filter((line) => this.#roots.has(line));
  }

  /** The ARKs of `line` with their intermediates (empty if none). */
  rootsOf(line: ProductLine): readonly ProductRoots[] {
    return this.#roots.get(line) ?? [];
  }
}
