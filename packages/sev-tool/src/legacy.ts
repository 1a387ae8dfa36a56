/**
 * Legacy SEV certificates on the command line: reading ARK/ASK (AMD format) and PDH/PEK/OCA/CEK
 * (SEV format) files, alone or as chains, and the checks of `certs verify` for them, on the
 * `@tsvmm/sev` legacy API (`@tsvmm/sev/sev`).
 *
 * A file's kind is told by its length (2084: one platform certificate; 832 or 1600: one ARK or
 * ASK, 576 the Naples ARK without its signature; sums of those: chains in the order PDH, PEK, OCA,
 * CEK, ASK, ARK) and then decoded strictly: a malformed file is an `InputError` naming the file,
 * the field and its offset.
 */
import {
  SEV_GENERATIONS,
  SevCaCertificate,
  SevCaChain,
  SevCertificate,
  SevChain,
  SevFormatError,
  SevPlatformChain,
  identifySevCekGeneration,
  sevBuiltinCaChain,
  sevBuiltinGeneration,
  verifySevSignature,
  type SevAnyCertificate,
  type SevGeneration,
} from '@tsvmm/sev/sev';
import { InputError, type Check } from './io.ts';

/** The roles of the legacy SEV PKI. */
export const LEGACY_ROLES = ['pdh', 'pek', 'oca', 'cek', 'ask', 'ark'] as const;

export type LegacyRole = (typeof LEGACY_ROLES)[number];

/** A certificate and where it came from. */
export interface Sourced<T> {
  certificate: T;
  source: string;
}

/** The legacy certificates given, by role. */
export type LegacySet = Partial<Record<LegacyRole, Sourced<SevAnyCertificate>>>;

const PLATFORM = 2084;
const CA_SIZES = [576, 832, 1600];
const CA_CHAIN_SIZES = [832 + 576, 832 + 832, 1600 + 1600];

/** Whether `bytes` look like a legacy SEV structure (version 1, little-endian) of a known length. */
export function looksLegacy(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 1 || bytes[1] !== 0 || bytes[2] !== 0 || bytes[3] !== 0) return false;
  const n = bytes.length;
  return n === PLATFORM || n === 4 * PLATFORM || CA_SIZES.includes(n) || CA_CHAIN_SIZES.includes(n) || CA_CHAIN_SIZES.includes(n - 4 * PLATFORM);
}

function decoding<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SevFormatError) throw new InputError(`${file}: ${error.message}`, file, error.field);
    throw error;
  }
}

const roleOf = (c: SevAnyCertificate) => c.usageName.toLowerCase() as LegacyRole;

/**
 * Decodes a legacy file into the certificates it holds (one, or a chain). `expected`, when the
 * file was given for one role (`--pek FILE`, `pek.cert`), must be that role.
 */
export function readLegacyFile(file: string, bytes: Uint8Array, expected?: LegacyRole): Sourced<SevAnyCertificate>[] {
  const n = bytes.length;
  let certificates: SevAnyCertificate[];
  if (n === PLATFORM) certificates = [decoding(file, () => SevCertificate.decode(bytes))];
  else if (CA_SIZES.includes(n)) certificates = [decoding(file, () => SevCaCertificate.decode(bytes))];
  else if (CA_CHAIN_SIZES.includes(n)) {
    const chain = decoding(file, () => SevCaChain.decode(bytes));
    certificates = [chain.ask, chain.ark];
  } else if (n === 4 * PLATFORM) {
    const chain = decoding(file, () => SevPlatformChain.decode(bytes));
    certificates = [chain.pdh, chain.pek, chain.oca, chain.cek];
  } else if (CA_CHAIN_SIZES.includes(n - 4 * PLATFORM)) {
    const chain = decoding(file, () => SevChain.decode(bytes));
    certificates = [chain.platform.pdh, chain.platform.pek, chain.platform.oca, chain.platform.cek, chain.ca.ask, chain.ca.ark];
  } else {
    throw new InputError(
      `${file}: not a legacy SEV certificate or chain (${n} bytes; expected 2084 for a PDH, PEK, OCA or CEK, 832 or 1600 for an ARK or ASK, or a chain of them in the order PDH, PEK, OCA, CEK, ASK, ARK)`,
      file,
    );
  }
  if (expected !== undefined) {
    if (certificates.length !== 1) throw new InputError(`${file}: holds ${certificates.length} certificates (${certificates.map((c) => c.usageName).join(', ')}), expected one ${expected.toUpperCase()}`, file);
    const got = roleOf(certificates[0]!);
    if (got !== expected) throw new InputError(`${file}: holds the ${got.toUpperCase()}, expected the ${expected.toUpperCase()}`, file, certificates[0] instanceof SevCaCertificate ? 'key_usage' : 'pubkey_usage');
  }
  return certificates.map((certificate) => ({ certificate, source: file }));
}

/** Adds `items` to `set`; a role given twice is an {@link InputError}. */
export function addLegacy(set: LegacySet, items: readonly Sourced<SevAnyCertificate>[]): void {
  for (const item of items) {
    const role = roleOf(item.certificate);
    const before = set[role];
    if (before !== undefined) throw new InputError(`two ${role.toUpperCase()} certificates: ${before.source} and ${item.source}`, item.source);
    set[role] = item;
  }
}

export interface LegacyVerifyOptions {
  /** Use this generation's builtin ASK and ARK when the set has none. */
  generation?: SevGeneration;
  /** Accept an ARK that is not one of AMD's builtin ARKs. */
  anyArk?: boolean;
}

const title = (g: string) => g[0]!.toUpperCase() + g.slice(1);

/**
 * The checks of a legacy set: every signature between the certificates given (ARK self, ARK →
 * ASK, ASK → CEK, OCA self, OCA → PEK, CEK → PEK, PEK → PDH), that a platform chain is complete,
 * and that the ARK is AMD's. Missing ASK and ARK are taken from the builtin ones (the generation
 * given, or the one whose ASK signed the CEK). Returns the checks and a description of the input.
 */
export async function verifyLegacy(given: LegacySet, options: LegacyVerifyOptions = {}): Promise<{ checks: Check[]; description: string }> {
  const set: LegacySet = { ...given };
  const checks: Check[] = [];
  const platformRoles = (['pdh', 'pek', 'oca', 'cek'] as const).filter((r) => set[r] !== undefined);
  let builtin: SevGeneration | undefined;

  if (set.ark === undefined && set.ask === undefined && (platformRoles.length > 0 || options.generation !== undefined)) {
    builtin = options.generation;
    if (builtin === undefined && set.cek !== undefined) builtin = await identifySevCekGeneration(set.cek.certificate as SevCertificate);
    if (builtin !== undefined) {
      const chain = sevBuiltinCaChain(builtin);
      set.ask = { certificate: chain.ask, source: `builtin ${builtin}` };
      set.ark = { certificate: chain.ark, source: `builtin ${builtin}` };
    } else if (set.cek !== undefined) {
      checks.push({ name: 'the CEK is signed by an AMD ASK', ok: false, id: 'unknownAsk', detail: `no builtin ASK (${SEV_GENERATIONS.join(', ')}) signed it; give --ask and --ark` });
    }
  }

  if (platformRoles.length > 0) {
    const missing = (['pdh', 'pek', 'oca', 'cek'] as const).filter((r) => set[r] === undefined);
    if (missing.length > 0) checks.push({ name: 'the platform chain is complete', ok: false, id: 'incompleteChain', detail: `missing ${missing.map((r) => r.toUpperCase()).join(', ')}` });
  }
  if ((set.ark === undefined) !== (set.ask === undefined) && builtin === undefined) {
    checks.push({ name: 'the AMD chain is complete', ok: false, id: 'incompleteChain', detail: `missing the ${set.ark === undefined ? 'ARK' : 'ASK'}` });
  }

  const pairs: [LegacyRole, LegacyRole][] = [
    ['ark', 'ark'],
    ['ark', 'ask'],
    ['ask', 'cek'],
    ['oca', 'oca'],
    ['oca', 'pek'],
    ['cek', 'pek'],
    ['pek', 'pdh'],
  ];
  for (const [signer, signee] of pairs) {
    const a = set[signer];
    const b = set[signee];
    if (a === undefined || b === undefined) continue;
    const result = await verifySevSignature(a.certificate, b.certificate);
    const name = signer === signee ? `${signer.toUpperCase()} is self-signed` : `${signer.toUpperCase()} signed the ${signee.toUpperCase()}`;
    const detail = result.valid ? undefined : result.message.replace(/^\w+ → \w+: /, '');
    checks.push(result.valid ? { name, ok: true } : { name, ok: false, id: result.failure, detail: detail! });
  }

  if (set.ark !== undefined) {
    const generation = sevBuiltinGeneration(set.ark.certificate as SevCaCertificate);
    if (generation !== undefined) checks.push({ name: `the ARK is AMD's ${title(generation)} ARK`, ok: true });
    else checks.push({ name: "the ARK is one of AMD's ARKs", ok: options.anyArk === true, id: 'untrustedArk', detail: options.anyArk === true ? 'it is not (accepted: --any-ark)' : `it is not AMD's ${SEV_GENERATIONS.map(title).join(', ')} ARK (--any-ark accepts it)` });
  }

  const parts = LEGACY_ROLES.filter((r) => set[r] !== undefined).map((r) => `${r.toUpperCase()} (${set[r]!.source})`);
  return { checks, description: `legacy SEV certificates: ${parts.join(', ')}` };
}
