/**
 * Property tests (fast-check): a random mutation of a valid certificate or chain (changed bytes,
 * inserted or deleted bytes, truncation, extension, a few at once) either fails to decode with a
 * `SevFormatError`, or decodes and does not verify. Nothing else is ever thrown, and verification
 * never rejects. The one mutation allowed to verify is one that gives back the same certificate:
 * the Naples ARK cut to its body, which decodes with AMD's signature put back (see
 * `ca_certificate.ts`), so the property is "verifies ⇒ encodes to the original bytes".
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SevCaCertificate } from './ca_certificate.ts';
import { SevCertificate } from './certificate.ts';
import { SevChain } from './chain.ts';
import { SevFormatError } from './error.ts';
import { builtinFile, concat, hex, platformFile } from './testing/files.ts';
import { verifySevSignature, type SevAnyCertificate } from './verify.ts';

type Mutation =
  | { kind: 'xor'; at: number; mask: number }
  | { kind: 'set32'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array };

/** Positions are fractions of the length, so one arbitrary fits inputs of any size. */
const position = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('xor' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set32' as const), at: position, value: fc.oneof(fc.constantFrom(0, 1, 2, 0x13, 0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x101, 0x102, 2048, 4096), fc.nat()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = Math.floor((m.kind === 'extend' ? 0 : m.at) * bytes.length);
  switch (m.kind) {
    case 'xor': {
      const out = bytes.slice();
      if (out.length > 0) out[at]! ^= m.mask;
      return out;
    }
    case 'set32': {
      const out = bytes.slice();
      const start = Math.max(0, Math.min(at - (at % 4), out.length - 4));
      if (out.length >= 4) new DataView(out.buffer).setUint32(start, m.value >>> 0, true);
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + m.count));
    case 'truncate':
      return bytes.subarray(0, at);
    case 'extend':
      return concat(bytes, m.bytes);
  }
}

interface Target<T> {
  name: string;
  bytes: Uint8Array;
  decode(bytes: Uint8Array): T;
  /** Whether the decoded value verifies (every check it needs). */
  verifies(value: T): Promise<boolean>;
  encode(value: T): Uint8Array;
}

const verifiedBy = (signers: readonly SevAnyCertificate[]) => async (cert: SevAnyCertificate) => {
  for (const signer of signers) if (!(await verifySevSignature(signer, cert)).valid) return false;
  return true;
};

function caTarget(generation: string, which: 'ark' | 'ask'): Target<SevCaCertificate> {
  const ark = SevCaCertificate.decode(builtinFile(generation, 'ark'));
  return {
    name: `${generation} ${which.toUpperCase()}`,
    bytes: builtinFile(generation, which),
    decode: SevCaCertificate.decode,
    // The ARK must verify itself (with its possibly mutated key); the ASK the real ARK.
    verifies: (cert) => (which === 'ark' ? verifiedBy([cert])(cert) : verifiedBy([ark])(cert)),
    encode: (cert) => cert.encode(),
  };
}

function platformTarget(generation: 'naples' | 'rome', which: 'pdh' | 'pek' | 'oca' | 'cek'): Target<SevCertificate> {
  const cert = (w: 'pdh' | 'pek' | 'oca' | 'cek') => SevCertificate.decode(platformFile(generation, w));
  const ask = SevCaCertificate.decode(builtinFile(generation, 'ask'));
  const signers = { pdh: [cert('pek')], pek: [cert('oca'), cert('cek')], cek: [ask], oca: [] } as const;
  return {
    name: `${generation} ${which.toUpperCase()}`,
    bytes: platformFile(generation, which),
    decode: SevCertificate.decode,
    verifies: (c) => verifiedBy(which === 'oca' ? [c] : signers[which])(c),
    encode: (c) => c.encode(),
  };
}

function chainTarget(generation: 'naples' | 'rome'): Target<SevChain> {
  return {
    name: `whole ${generation} chain`,
    bytes: concat(...(['pdh', 'pek', 'oca', 'cek'] as const).map((w) => platformFile(generation, w)), builtinFile(generation, 'ask'), builtinFile(generation, 'ark')),
    decode: SevChain.decode,
    verifies: async (chain) => (await chain.verify()).valid,
    encode: (chain) => chain.encode(),
  };
}

async function check<T>(target: Target<T>, mutations: Mutation[]): Promise<void> {
  const mutated = mutations.reduce(apply, target.bytes);
  fc.pre(hex(mutated) !== hex(target.bytes));
  let value: T;
  try {
    value = target.decode(mutated);
  } catch (error) {
    if (!(error instanceof SevFormatError)) throw new Error(`${target.name}: decoding a mutation threw ${String(error)}, not a SevFormatError`);
    return;
  }
  if (await target.verifies(value)) {
    expect(hex(target.encode(value)), `${target.name}: a mutation verifies`).toBe(hex(target.bytes));
  }
}

const TARGETS = [
  ...['naples', 'rome', 'milan', 'genoa', 'turin'].flatMap((g) => [caTarget(g, 'ark'), caTarget(g, 'ask')]),
  ...(['naples', 'rome'] as const).flatMap((g) => (['pdh', 'pek', 'oca', 'cek'] as const).map((w) => platformTarget(g, w))),
] as Target<unknown>[];

describe('random mutations never verify and throw only SevFormatError', () => {
  test.each(TARGETS.map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => check(target, ms)), { numRuns: 40 });
  });

  test.each((['naples', 'rome'] as const).map((g) => [g, chainTarget(g)] as const))('the whole %s chain', async (_name, target) => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => check(target as Target<unknown>, ms)), { numRuns: 60 });
  }, 60_000);

  test('the one mutation that verifies: the Naples ARK cut to its body is the same ARK', async () => {
    const target = caTarget('naples', 'ark');
    await check(target, [{ kind: 'truncate', at: 576 / 832 }]);
    const repaired = SevCaCertificate.decode(target.bytes.subarray(0, 576));
    expect(await target.verifies(repaired)).toBe(true);
  });
});
