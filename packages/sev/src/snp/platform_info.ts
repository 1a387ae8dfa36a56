/**
 * PLATFORM_INFO (report offset 0x40, SNP ABI specification): what the platform had enabled when
 * the report was made. Bit 5 (alias check complete) is reported from version 3, bit 7 (SEV-TIO)
 * from version 5; bit 6 and bits 63:8 are reserved. Unknown bits are kept in `raw` and are not a
 * parsing error (go-sev-guest does the same); validation with a `platformInfo` maximum refuses
 * them.
 */

export interface PlatformInfo {
  readonly raw: bigint;
  readonly smtEnabled: boolean;
  readonly tsmeEnabled: boolean;
  readonly eccEnabled: boolean;
  readonly raplDisabled: boolean;
  readonly ciphertextHidingEnabled: boolean;
  readonly aliasCheckComplete: boolean;
  readonly tioEnabled: boolean;
}

export type PlatformInfoFlags = Partial<Omit<PlatformInfo, 'raw'>>;

const BITS = {
  smtEnabled: 0,
  tsmeEnabled: 1,
  eccEnabled: 2,
  raplDisabled: 3,
  ciphertextHidingEnabled: 4,
  aliasCheckComplete: 5,
  tioEnabled: 7,
} as const;

/** The bits this package knows (0-5 and 7). */
export const PLATFORM_INFO_KNOWN_MASK = Object.values(BITS).reduce((m, n) => m | (1n << BigInt(n)), 0n);

export function decodePlatformInfo(raw: bigint): PlatformInfo {
  const bit = (n: number) => ((raw >> BigInt(n)) & 1n) === 1n;
  return {
    raw,
    smtEnabled: bit(BITS.smtEnabled),
    tsmeEnabled: bit(BITS.tsmeEnabled),
    eccEnabled: bit(BITS.eccEnabled),
    raplDisabled: bit(BITS.raplDisabled),
    ciphertextHidingEnabled: bit(BITS.ciphertextHidingEnabled),
    aliasCheckComplete: bit(BITS.aliasCheckComplete),
    tioEnabled: bit(BITS.tioEnabled),
  };
}

export function encodePlatformInfo(flags: PlatformInfoFlags): bigint {
  let raw = 0n;
  for (const [name, n] of Object.entries(BITS)) if (flags[name as keyof typeof BITS]) raw |= 1n << BigInt(n);
  return raw;
}
