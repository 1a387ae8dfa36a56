/**
 * The guest POLICY of an SEV-SNP guest (SNP ABI specification, "Guest Policy"): the launch-time
 * bits the firmware enforces for the guest's life and reports at offset 0x08.
 *
 * | bits | field |
 * |---|---|
 * | 7:0 | ABI_MINOR: minimum firmware ABI minor version |
 * | 15:8 | ABI_MAJOR |
 * | 16 | SMT allowed |
 * | 17 | reserved, must be one |
 * | 18 | MIGRATE_MA allowed |
 * | 19 | DEBUG allowed |
 * | 20 | SINGLE_SOCKET required |
 * | 21 | CXL_ALLOW |
 * | 22 | MEM_AES_256_XTS required |
 * | 23 | RAPL_DIS required |
 * | 24 | CIPHERTEXT_HIDING (DRAM) required |
 * | 25 | PAGE_SWAP_DISABLE |
 * | 63:26 | reserved, must be zero |
 *
 * {@link decodeGuestPolicy} keeps bit 17 as read (`reserved17`): real firmware always sets it and the
 * value is signed, so a zero there is reported by validation rather than refused at parsing (the
 * virtee/sev MANIFEST expects an all-zero version-2 report to parse). Bits 63:26 are refused.
 */

/** The bits of a guest policy. */
export interface GuestPolicy {
  readonly raw: bigint;
  readonly abiMinor: number;
  readonly abiMajor: number;
  readonly smt: boolean;
  /** Bit 17, reserved: must be one. */
  readonly reserved17: boolean;
  readonly migrateMa: boolean;
  readonly debug: boolean;
  readonly singleSocket: boolean;
  readonly cxlAllowed: boolean;
  readonly memAes256Xts: boolean;
  readonly raplDisabled: boolean;
  readonly ciphertextHiding: boolean;
  readonly pageSwapDisabled: boolean;
}

/** The flags of a guest policy, for building one ({@link encodeGuestPolicy}); all default to false / 0. */
export type GuestPolicyFlags = Partial<Omit<GuestPolicy, 'raw' | 'reserved17'>>;

const BITS = {
  smt: 16,
  migrateMa: 18,
  debug: 19,
  singleSocket: 20,
  cxlAllowed: 21,
  memAes256Xts: 22,
  raplDisabled: 23,
  ciphertextHiding: 24,
  pageSwapDisabled: 25,
} as const;

/** Bits 63:26, which must be zero. */
export const GUEST_POLICY_RESERVED_MASK = ~((1n << 26n) - 1n) & ((1n << 64n) - 1n);

const bit = (raw: bigint, n: number) => ((raw >> BigInt(n)) & 1n) === 1n;

/** Decodes a 64-bit policy (bits 63:26 are not checked here; `report.ts` refuses them). */
export function decodeGuestPolicy(raw: bigint): GuestPolicy {
  return {
    raw,
    abiMinor: Number(raw & 0xffn),
    abiMajor: Number((raw >> 8n) & 0xffn),
    smt: bit(raw, BITS.smt),
    reserved17: bit(raw, 17),
    migrateMa: bit(raw, BITS.migrateMa),
    debug: bit(raw, BITS.debug),
    singleSocket: bit(raw, BITS.singleSocket),
    cxlAllowed: bit(raw, BITS.cxlAllowed),
    memAes256Xts: bit(raw, BITS.memAes256Xts),
    raplDisabled: bit(raw, BITS.raplDisabled),
    ciphertextHiding: bit(raw, BITS.ciphertextHiding),
    pageSwapDisabled: bit(raw, BITS.pageSwapDisabled),
  };
}

/** The 64-bit policy with these flags and bit 17 set (go-sev-guest's `SnpPolicyToBytes`). */
export function encodeGuestPolicy(flags: GuestPolicyFlags): bigint {
  const minor = flags.abiMinor ?? 0;
  const major = flags.abiMajor ?? 0;
  for (const [name, v] of [['abiMinor', minor], ['abiMajor', major]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} must be an integer 0-255, got ${v}`);
  }
  let raw = BigInt(minor) | (BigInt(major) << 8n) | (1n << 17n);
  for (const [name, n] of Object.entries(BITS)) if (flags[name as keyof typeof BITS]) raw |= 1n << BigInt(n);
  return raw;
}
