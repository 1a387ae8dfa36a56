/**
 * AMD EPYC product lines that run SEV-SNP, and how to tell them apart: from a report's CPUID
 * family and model (report version 3 and later), from its CHIP_ID (version 2: a Turin CHIP_ID is
 * 8 bytes followed by 56 zero bytes, as virtee/sev infers), and from a VCEK or VLEK certificate's
 * `productName` extension (`Milan-B0`, `Genoa-B1`, `Turin`; a VLEK carries the line only). The
 * line decides the TCB_VERSION layout (see `tcb.ts`), the trusted roots and the KDS URLs.
 */
import { isZero } from './bytes.ts';

/** The product lines of this package (KDS spelling). */
export const PRODUCT_LINES = ['Milan', 'Genoa', 'Turin'] as const;

export type ProductLine = (typeof PRODUCT_LINES)[number];

export function isProductLine(value: unknown): value is ProductLine {
  return (PRODUCT_LINES as readonly unknown[]).includes(value);
}

/**
 * The product line of a CPUID family and model (the report's combined extended values, as
 * CPUID_FAM_ID and CPUID_MOD_ID hold them), or undefined. Family 19h: models 00h-0Fh are Milan,
 * 10h-1Fh and A0h-AFh Genoa (with Bergamo and Siena); family 1Ah: models 00h-11h are Turin (as
 * virtee/sev; go-sev-guest knows the first model of each: 01h, 11h, 02h). Venice (1Ah, 50h and
 * later) is not supported: AMD's KDS has no roots for it yet.
 */
export function productFromCpuid(family: number, model: number): ProductLine | undefined {
  if (family === 0x19) {
    if (model <= 0x0f) return 'Milan';
    if ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)) return 'Genoa';
  }
  if (family === 0x1a && model <= 0x11) return 'Turin';
  return undefined;
}

/** Length of the hardware ID in a Turin VCEK and in its KDS URL: the first 8 bytes of CHIP_ID. */
export const TURIN_HWID_LENGTH = 8;

/** Whether a 64-byte CHIP_ID is Turin-like: not all zero, and zero after its first 8 bytes (virtee/sev). */
export function isTurinLikeChipId(chipId: Uint8Array): boolean {
  return chipId.length === 64 && !isZero(chipId) && isZero(chipId, TURIN_HWID_LENGTH);
}

/** What a VCEK or VLEK `productName` says: the line and, for a VCEK of Milan or Genoa, the stepping. */
export interface ProductName {
  readonly line: ProductLine;
  /** The stepping number (`B0` is 0, `B1` is 1, ...), when the name has one. */
  readonly stepping: number | undefined;
}

/**
 * Parses a `productName` extension value: `<line>` or `<line>-B<n>` (AMD's names: Milan-B0,
 * Milan-B1, Genoa-B0..B2, Turin-B0/B1; Turin VCEKs and every VLEK say only the line). Anything
 * else is undefined.
 */
export function parseProductName(name: string): ProductName | undefined {
  const match = /^(Milan|Genoa|Turin)(?:-B(\d))?$/.exec(name);
  if (match === null) return undefined;
  return { line: match[1] as ProductLine, stepping: match[2] === undefined ? undefined : Number(match[2]) };
}
