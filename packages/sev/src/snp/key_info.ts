/**
 * KEY_INFO (report offset 0x48, called SIGNER_INFO by go-sev-guest): which key signed the report
 * and whether an author key is in use.
 *
 * | bits | field |
 * |---|---|
 * | 0 | AUTHOR_KEY_EN: AUTHOR_KEY_DIGEST holds the digest of the ID block's author key |
 * | 1 | MASK_CHIP_KEY: the firmware wrote zeros instead of a signature |
 * | 4:2 | SIGNING_KEY: 0 VCEK, 1 VLEK, 7 none; 2-6 reserved |
 * | 31:5 | reserved, must be zero |
 */

/** The key that signed a report. */
export type SigningKey = 'vcek' | 'vlek' | 'none';

export interface KeyInfo {
  readonly raw: number;
  readonly authorKeyEnabled: boolean;
  readonly maskChipKey: boolean;
  readonly signingKey: SigningKey;
}

/** Bits 31:5. */
export const KEY_INFO_RESERVED_MASK = 0xffffffe0;

/**
 * Decodes KEY_INFO; returns a string describing the problem for reserved bits or a reserved
 * SIGNING_KEY (the report parser turns it into an error naming the field).
 */
export function decodeKeyInfo(raw: number): KeyInfo | string {
  if ((raw & KEY_INFO_RESERVED_MASK) >>> 0 !== 0) return `reserved bits 31:5 are not zero (0x${raw.toString(16)})`;
  const code = (raw >> 2) & 7;
  const signingKey: SigningKey | undefined = code === 0 ? 'vcek' : code === 1 ? 'vlek' : code === 7 ? 'none' : undefined;
  if (signingKey === undefined) return `SIGNING_KEY ${code} is reserved (0 VCEK, 1 VLEK, 7 none)`;
  return { raw, authorKeyEnabled: (raw & 1) !== 0, maskChipKey: (raw & 2) !== 0, signingKey };
}

/** KEY_INFO with these fields. */
export function encodeKeyInfo(info: Omit<KeyInfo, 'raw'>): number {
  const code = info.signingKey === 'vcek' ? 0 : info.signingKey === 'vlek' ? 1 : 7;
  return (info.authorKeyEnabled ? 1 : 0) | (info.maskChipKey ? 2 : 0) | (code << 2);
}
