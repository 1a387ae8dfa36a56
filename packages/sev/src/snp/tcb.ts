/**
 * TCB_VERSION (SEV-SNP ABI specification, "TCB_VERSION structure"): a 64-bit value of security
 * patch levels (SPLs), one byte each, whose layout depends on the product line:
 *
 * | byte | Milan, Genoa | Turin |
 * |---|---|---|
 * | 0 | BOOT_LOADER | FMC |
 * | 1 | TEE | BOOT_LOADER |
 * | 2 | reserved (KDS spl4) | TEE |
 * | 3 | reserved (spl5) | SNP |
 * | 4 | reserved (spl6) | reserved |
 * | 5 | reserved (spl7) | reserved |
 * | 6 | SNP | reserved |
 * | 7 | MICROCODE | MICROCODE |
 *
 * Comparisons are byte by byte over all eight bytes (go-sev-guest's `TCBPartsLE`), which is the
 * same for both layouts: a TCB is at least another when every byte is.
 */
import { type ProductLine } from './product.ts';

/** The two layouts: Milan and Genoa share one, Turin has its own (with an FMC SPL). */
export type TcbLayout = 'milan-genoa' | 'turin';

/** The layout of a product line. */
export function tcbLayoutOf(line: ProductLine): TcbLayout {
  return line === 'Turin' ? 'turin' : 'milan-genoa';
}

/** The named SPLs of a TCB_VERSION; `fmc` exists on Turin only. */
export interface TcbParts {
  readonly fmc?: number | undefined;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
}

/** A decoded TCB_VERSION: the raw 64-bit value, its layout and its named SPLs. */
export interface TcbVersion extends TcbParts {
  readonly raw: bigint;
  readonly layout: TcbLayout;
  /** The eight bytes, byte 0 first (little-endian order, as in the report). */
  readonly bytes: readonly number[];
}

const byteOf = (raw: bigint, i: number) => Number((raw >> BigInt(8 * i)) & 0xffn);

/** Decodes a raw TCB_VERSION under `layout`. */
export function decodeTcb(raw: bigint, layout: TcbLayout): TcbVersion {
  if (raw < 0n || raw >= 1n << 64n) throw new RangeError('a TCB_VERSION is a 64-bit unsigned value');
  const bytes = Array.from({ length: 8 }, (_, i) => byteOf(raw, i));
  if (layout === 'turin') return { raw, layout, bytes, fmc: bytes[0]!, bootloader: bytes[1]!, tee: bytes[2]!, snp: bytes[3]!, microcode: bytes[7]! };
  return { raw, layout, bytes, fmc: undefined, bootloader: bytes[0]!, tee: bytes[1]!, snp: bytes[6]!, microcode: bytes[7]! };
}

function checkSpl(name: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} SPL must be an integer 0-255, got ${String(value)}`);
  return v;
}

/** Encodes named SPLs under `layout` (reserved bytes zero); `fmc` must be absent or 0 on Milan and Genoa. */
export function encodeTcb(parts: TcbParts, layout: TcbLayout): bigint {
  const bl = checkSpl('bootloader', parts.bootloader);
  const tee = checkSpl('tee', parts.tee);
  const snp = checkSpl('snp', parts.snp);
  const ucode = checkSpl('microcode', parts.microcode);
  const fmc = checkSpl('fmc', parts.fmc);
  const bytes = layout === 'turin' ? [fmc, bl, tee, snp, 0, 0, 0, ucode] : [bl, tee, 0, 0, 0, 0, snp, ucode];
  if (layout !== 'turin' && fmc !== 0) throw new RangeError('Milan and Genoa TCBs have no FMC SPL');
  return bytes.reduce((acc, b, i) => acc | (BigInt(b) << BigInt(8 * i)), 0n);
}

/** Whether every byte of `tcb` is at least the same byte of `minimum`. */
export function tcbAtLeast(tcb: bigint, minimum: bigint): boolean {
  for (let i = 0; i < 8; i++) if (byteOf(tcb, i) < byteOf(minimum, i)) return false;
  return true;
}

/** `tcb` as `bl=2 tee=0 snp=5 ucode=68` (with `fmc=` first on Turin) and its hex, for messages. */
export function describeTcb(tcb: TcbVersion): string {
  const fmc = tcb.fmc === undefined ? '' : `fmc=${tcb.fmc} `;
  return `${fmc}bl=${tcb.bootloader} tee=${tcb.tee} snp=${tcb.snp} ucode=${tcb.microcode} (0x${tcb.raw.toString(16).padStart(16, '0')})`;
}
