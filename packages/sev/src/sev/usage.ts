/**
 * The enumerations of the legacy SEV PKI (SEV API spec, appendix B): key usages, which say what a
 * key is for (and, in a signature slot, which key made the signature), and algorithms, which say
 * the key kind and the hash of its signatures.
 */

/** Key usages (`KEY_USAGE`, `PUBKEY_USAGE`, `SIGx_USAGE`). */
export const SevUsage = {
  /** AMD Root Key (AMD format). */
  Ark: 0x0000,
  /** AMD SEV Signing Key (AMD format); signs CEKs. */
  Ask: 0x0013,
  /** An empty signature slot. */
  Invalid: 0x1000,
  /** Owner Certificate Authority: self-signed, signs the PEK. */
  Oca: 0x1001,
  /** Platform Endorsement Key: signed by the OCA and the CEK, signs the PDH. */
  Pek: 0x1002,
  /** Platform Diffie-Hellman key (ECDH). */
  Pdh: 0x1003,
  /** Chip Endorsement Key: signed by the ASK, signs the PEK. */
  Cek: 0x1004,
} as const;

export type SevUsage = (typeof SevUsage)[keyof typeof SevUsage];

/** Algorithms (`ALGO`): key kind and hash. */
export const SevAlgorithm = {
  /** An empty signature slot. */
  None: 0x0000,
  RsaSha256: 0x0001,
  EcdsaSha256: 0x0002,
  EcdhSha256: 0x0003,
  RsaSha384: 0x0101,
  EcdsaSha384: 0x0102,
  EcdhSha384: 0x0103,
} as const;

export type SevAlgorithm = (typeof SevAlgorithm)[keyof typeof SevAlgorithm];

/** ECC curves of SEV certificate keys (`CURVE`). */
export const SevCurve = {
  P256: 1,
  P384: 2,
} as const;

export type SevCurve = (typeof SevCurve)[keyof typeof SevCurve];

const USAGE_NAMES: Readonly<Record<number, string>> = {
  [SevUsage.Ark]: 'ARK',
  [SevUsage.Ask]: 'ASK',
  [SevUsage.Invalid]: 'none',
  [SevUsage.Oca]: 'OCA',
  [SevUsage.Pek]: 'PEK',
  [SevUsage.Pdh]: 'PDH',
  [SevUsage.Cek]: 'CEK',
};

const ALGORITHM_NAMES: Readonly<Record<number, string>> = {
  [SevAlgorithm.None]: 'none',
  [SevAlgorithm.RsaSha256]: 'RSA_SHA256',
  [SevAlgorithm.EcdsaSha256]: 'ECDSA_SHA256',
  [SevAlgorithm.EcdhSha256]: 'ECDH_SHA256',
  [SevAlgorithm.RsaSha384]: 'RSA_SHA384',
  [SevAlgorithm.EcdsaSha384]: 'ECDSA_SHA384',
  [SevAlgorithm.EcdhSha384]: 'ECDH_SHA384',
};

const hex = (value: number) => `0x${value.toString(16).padStart(4, '0')}`;

/** `PEK`, `ASK`, ... or the hex value of an unknown usage. */
export function usageName(usage: number): string {
  return USAGE_NAMES[usage] ?? `unknown usage ${hex(usage)}`;
}

/** `ECDSA_SHA256`, ... or the hex value of an unknown algorithm. */
export function algorithmName(algorithm: number): string {
  return ALGORITHM_NAMES[algorithm] ?? `unknown algorithm ${hex(algorithm)}`;
}

/** `P-256` or `P-384`, or the number of an unknown curve. */
export function curveName(curve: number): string {
  return curve === SevCurve.P256 ? 'P-256' : curve === SevCurve.P384 ? 'P-384' : `unknown curve ${curve}`;
}

/** Whether `algorithm` is one of the values above other than `None`. */
export function isKeyAlgorithm(algorithm: number): algorithm is Exclude<SevAlgorithm, 0> {
  return algorithm !== SevAlgorithm.None && Object.hasOwn(ALGORITHM_NAMES, algorithm);
}

/** Whether `algorithm` makes signatures (RSA or ECDSA, not ECDH). */
export function isSignatureAlgorithm(algorithm: number): boolean {
  return algorithm === SevAlgorithm.RsaSha256 || algorithm === SevAlgorithm.RsaSha384 || algorithm === SevAlgorithm.EcdsaSha256 || algorithm === SevAlgorithm.EcdsaSha384;
}

/** Whether `algorithm` is an RSA algorithm. */
export function isRsaAlgorithm(algorithm: number): boolean {
  return algorithm === SevAlgorithm.RsaSha256 || algorithm === SevAlgorithm.RsaSha384;
}

/** The hash of `algorithm`'s signatures: `SHA-256` for the `*_SHA256` ones, `SHA-384` for `*_SHA384`. */
export function algorithmHash(algorithm: number): 'SHA-256' | 'SHA-384' | undefined {
  if (algorithm === SevAlgorithm.RsaSha256 || algorithm === SevAlgorithm.EcdsaSha256 || algorithm === SevAlgorithm.EcdhSha256) return 'SHA-256';
  if (algorithm === SevAlgorithm.RsaSha384 || algorithm === SevAlgorithm.EcdsaSha384 || algorithm === SevAlgorithm.EcdhSha384) return 'SHA-384';
  return undefined;
}
