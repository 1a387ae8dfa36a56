/**
 * URLs of AMD's Key Distribution Service (KDS specification, AMD document 57230), built from a
 * report's fields. Nothing is fetched: these are strings for a caller (or a tool) that fetches,
 * caches and hands the certificates and CRLs back to `verify.ts`.
 *
 * | function | URL |
 * |---|---|
 * | {@link kdsVcekUrl} | `<base>/vcek/v1/<line>/<hwid>?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..` (Turin: 8-byte hwid, `fmcSPL` first) |
 * | {@link kdsVlekUrl} | `<base>/vlek/v1/<line>/cert?blSPL=..` (KDS serves VLEKs to CSPs only; go-sev-guest builds it for reference) |
 * | {@link kdsCertChainUrl} | `<base>/{vcek,vlek}/v1/<line>/cert_chain` (ASK or ASVK, then ARK) |
 * | {@link kdsCrlUrl} | `<base>/{vcek,vlek}/v1/<line>/crl` |
 *
 * SPL values are decimal, unpadded by default (go-sev-guest, AMD's examples); `zeroPadSpl` pads
 * to two digits, as LIT Protocol's and virtee's tools do (`blSPL=03`). KDS accepts both.
 */
import { toHex } from './bytes.ts';
import { type ProductLine, TURIN_HWID_LENGTH, isProductLine } from './product.ts';
import { type TcbVersion } from './tcb.ts';

/** The certificate families of the KDS: VCEK (per chip) and VLEK (per cloud provider). */
export type KdsKeyKind = 'vcek' | 'vlek';

export interface KdsSplOptions {
  /** Pad every SPL to two digits (`blSPL=03`). Default false. */
  readonly zeroPadSpl?: boolean;
}

/** The URL of `path` on AMD's KDS: the one place its address is written. */
function kdsUrl(path: string): string {
  return `https://kdsintf.amd.com${path}`;
}

function checkLine(line: ProductLine): void {
  if (!isProductLine(line)) throw new TypeError(`unknown product line ${JSON.stringify(line)}`);
}

function splQuery(line: ProductLine, tcb: TcbVersion, options: KdsSplOptions): string {
  const spl = (n: number) => (options.zeroPadSpl ? String(n).padStart(2, '0') : String(n));
  const parts: [string, number][] = [];
  if (line === 'Turin') {
    if (tcb.layout !== 'turin' || tcb.fmc === undefined) throw new TypeError('a Turin URL needs a TCB in the Turin layout (with an FMC SPL)');
    parts.push(['fmcSPL', tcb.fmc]);
  } else if (tcb.layout !== 'milan-genoa') {
    throw new TypeError(`a ${line} URL needs a TCB in the Milan/Genoa layout`);
  }
  parts.push(['blSPL', tcb.bootloader], ['teeSPL', tcb.tee], ['snpSPL', tcb.snp], ['ucodeSPL', tcb.microcode]);
  return parts.map(([k, v]) => `${k}=${spl(v)}`).join('&');
}

/**
 * The VCEK of chip `chipId` (a report's 64-byte CHIP_ID) at `reportedTcb` (the report's
 * REPORTED_TCB). Turin: the hwid is the first 8 bytes of CHIP_ID and the query starts with fmcSPL.
 */
export function kdsVcekUrl(line: ProductLine, chipId: Uint8Array, reportedTcb: TcbVersion, options: KdsSplOptions = {}): string {
  checkLine(line);
  if (chipId.length !== 64) throw new TypeError(`CHIP_ID is 64 bytes, got ${chipId.length}`);
  if (chipId.every((b) => b === 0)) throw new TypeError('CHIP_ID is masked (all zero): the KDS cannot serve its VCEK');
  const hwid = line === 'Turin' ? chipId.subarray(0, TURIN_HWID_LENGTH) : chipId;
  return kdsUrl(`/vcek/v1/${line}/${toHex(hwid)}?${splQuery(line, reportedTcb, options)}`);
}

/** The VLEK at `reportedTcb` (go-sev-guest's `VLEKCertURL`; the KDS also needs the CSP's credentials). */
export function kdsVlekUrl(line: ProductLine, reportedTcb: TcbVersion, options: KdsSplOptions = {}): string {
  checkLine(line);
  return kdsUrl(`/vlek/v1/${line}/cert?${splQuery(line, reportedTcb, options)}`);
}

/** The ASK (or ASVK) and ARK bundle of `line`, as PEM (ASK first). */
export function kdsCertChainUrl(line: ProductLine, kind: KdsKeyKind = 'vcek'): string {
  checkLine(line);
  return kdsUrl(`/${kind}/v1/${line}/cert_chain`);
}

/** The CRL of `line` (signed by the ARK): the VCEK one also covers the ASK, the VLEK one the ASVK. */
export function kdsCrlUrl(line: ProductLine, kind: KdsKeyKind = 'vcek'): string {
  checkLine(line);
  return kdsUrl(`/${kind}/v1/${line}/crl`);
}
