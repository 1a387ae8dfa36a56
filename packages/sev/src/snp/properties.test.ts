/**
 * Property tests (fast-check), on every crypto backend: random mutations of a valid report, VCEK,
 * root bundle or CRL never verify, and every failure is an {@link SnpError} (no untyped error
 * escapes, whatever the bytes); random bytes and random validation options only ever give a
 * result or an `SnpError`.
 */
import { X509Certificate } from '@tsvmm/crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { AmdCrl } from './crl.ts';
import { children, readTlv } from './der.ts';
import { SnpError } from './error.ts';
import { AttestationReport, REPORT_SIZE } from './report.ts';
import { ALL_VALID_TIME, DATA, GO_VCEK_TIME, pemCertificates, sevFile, sevText } from './testing/data.ts';
import { type MintedChain, mintChain, mintCrl, mintReport } from './testing/mint.ts';
import { SnpTrustRoots } from './trust_roots.ts';
import { type SnpValidationPolicy, validateReport } from './validate.ts';
import { type VerifiedEndorsementKey, verifyAttestation, verifyEndorsementKey } from './verify.ts';

/** One to `max` byte changes: an index in `[0, length)` and a non-zero XOR mask. */
const mutations = (length: number, max = 4) => fc.array(fc.record({ index: fc.nat({ max: length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: max });

/** `bytes` with the mutations applied; undefined if they cancel out. */
function mutate(bytes: Uint8Array, changes: readonly { index: number; xor: number }[]): Uint8Array | undefined {
  const out = bytes.slice();
  for (const { index, xor } of changes) out[index]! ^= xor;
  return out.some((b, i) => b !== bytes[i]) ? out : undefined;
}

/** Resolves to the error `promise` rejects with; fails if it resolves. */
async function rejectsWith(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('a mutated input verified');
    },
    (error: unknown) => error,
  );
}

const RUNS = { reports: 300, certificates: 150, structural: 300, bundles: 60, crls: 150, parse: 500, options: 300 };

describe('mutated reports never verify', () => {
  let goKey: VerifiedEndorsementKey;
  let turin: MintedChain;
  let turinKey: VerifiedEndorsementKey;
  let turinReport: Uint8Array;
  beforeAll(async () => {
    goKey = await verifyEndorsementKey(sevFile(DATA.goVcek), { roots: await SnpTrustRoots.fromPem(sevText(DATA.trust.milan)), now: GO_VCEK_TIME });
    turin = await mintChain({ line: 'Turin', kind: 'vlek' });
    turinKey = await verifyEndorsementKey(turin.endorsement, { roots: turin.roots, now: ALL_VALID_TIME });
    turinReport = await mintReport(turin, { version: 5, launchMitVector: 3n, currentMitVector: 3n });
  });

  test('go-sev-guest attestation.bin (v2, Milan, VCEK): the original verifies; no mutation does', async () => {
    await goKey.verifyReport(sevFile(DATA.goReport));
    const original = sevFile(DATA.goReport);
    await fc.assert(
      fc.asyncProperty(mutations(REPORT_SIZE), async (changes) => {
        const bytes = mutate(original, changes);
        if (bytes === undefined) return;
        expect(await rejectsWith(goKey.verifyReport(bytes))).toBeInstanceOf(SnpError);
      }),
      { numRuns: RUNS.reports },
    );
  });

  test('a minted v5 Turin VLEK report: the original verifies; no mutation does', async () => {
    await turinKey.verifyReport(turinReport);
    await fc.assert(
      fc.asyncProperty(mutations(REPORT_SIZE), async (changes) => {
        const bytes = mutate(turinReport, changes);
        if (bytes === undefined) return;
        expect(await rejectsWith(turinKey.verifyReport(bytes))).toBeInstanceOf(SnpError);
      }),
      { numRuns: RUNS.reports },
    );
  });

  test('truncating or extending a valid report: an SnpError', async () => {
    const original = sevFile(DATA.goReport);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 * REPORT_SIZE }), async (length) => {
        if (length === REPORT_SIZE) return;
        const bytes = new Uint8Array(length);
        bytes.set(original.subarray(0, Math.min(length, REPORT_SIZE)));
        expect(await rejectsWith(goKey.verifyReport(bytes))).toBeInstanceOf(SnpError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('mutated certificates, root bundles and CRLs never verify', () => {
  let chain: MintedChain;
  let crl: Uint8Array;
  let ark: X509Certificate;
  beforeAll(async () => {
    chain = await mintChain({ line: 'Milan' });
    crl = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(0x42) }] });
    ark = await X509Certificate.fromDer(chain.ark);
  });

  test('the go-sev-guest VCEK: the original verifies; no mutation of its DER does', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.trust.milan));
    const original = sevFile(DATA.goVcek);
    await verifyEndorsementKey(original, { roots, now: GO_VCEK_TIME });
    await fc.assert(
      fc.asyncProperty(mutations(original.length, 3), async (changes) => {
        const der = mutate(original, changes);
        if (der === undefined) return;
        expect(await rejectsWith(verifyAttestation(sevFile(DATA.goReport), der, { roots, now: GO_VCEK_TIME }))).toBeInstanceOf(SnpError);
      }),
      { numRuns: RUNS.certificates },
    );
  });

  test('the go-sev-guest VCEK: no mutation of the structure its signature does not cover (outer algorithm, signature BIT STRING header) verifies', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.trust.milan));
    const original = sevFile(DATA.goVcek);
    // TBS, AlgorithmIdentifier, BIT STRING: mutate from the end of the TBS to the first signature byte.
    const [tbs, , signature] = children(original, readTlv(original, 0));
    const structural = signature!.contentStart + 1 - tbs!.end;
    await fc.assert(
      fc.asyncProperty(mutations(structural, 2), async (changes) => {
        const der = mutate(original, changes.map((c) => ({ ...c, index: tbs!.end + c.index })));
        if (der === undefined) return;
        expect(await rejectsWith(verifyEndorsementKey(der, { roots, now: GO_VCEK_TIME }))).toBeInstanceOf(SnpError);
      }),
      { numRuns: RUNS.structural },
    );
  });

  test('the real Milan ASK and ARK: no mutation of either gives roots under which the report verifies', async () => {
    const [ask, arkDer] = pemCertificates(DATA.trust.milan);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), mutations(ask!.length, 2), async (mutateArk, changes) => {
        const target = mutateArk ? arkDer! : ask!;
        const der = mutate(target, changes.map((c) => ({ ...c, index: c.index % target.length })));
        if (der === undefined) return;
        const run = async () => {
          const roots = await SnpTrustRoots.fromCertificates(mutateArk ? [ask!, der] : [der, arkDer!]);
          return verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME });
        };
        expect(await rejectsWith(run())).toBeInstanceOf(SnpError);
      }),
      { numRuns: RUNS.bundles },
    );
  });

  test('a minted ARK CRL: the original verifies; a mutated one never does (or does not parse, as an SnpError)', async () => {
    expect(await AmdCrl.parse(crl).verifiedBy(ark)).toBe(true);
    await fc.assert(
      fc.asyncProperty(mutations(crl.length, 3), async (changes) => {
        const der = mutate(crl, changes);
        if (der === undefined) return;
        let parsed: AmdCrl;
        try {
          parsed = AmdCrl.parse(der);
        } catch (error) {
          expect(error).toBeInstanceOf(SnpError);
          return;
        }
        expect(await parsed.verifiedBy(ark)).toBe(false);
      }),
      { numRuns: RUNS.crls },
    );
  });
});

describe('arbitrary input gives a result or an SnpError, nothing else', () => {
  test('AttestationReport.parse on random bytes, and on valid reports with one random field', () => {
    const base = sevFile(DATA.goReport);
    const arbitrary = fc.oneof(
      fc.uint8Array({ maxLength: 1300 }),
      fc.uint8Array({ minLength: REPORT_SIZE, maxLength: REPORT_SIZE }),
      fc.tuple(fc.nat({ max: REPORT_SIZE - 8 }), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => {
        const out = base.slice();
        out.set(bytes, at);
        return out;
      }),
    );
    fc.assert(
      fc.property(arbitrary, fc.boolean(), fc.constantFrom(undefined, 'Milan', 'Genoa', 'Turin'), (bytes, allowZeroPadding, product) => {
        try {
          const report = AttestationReport.parse(bytes, { allowZeroPadding, ...(product ? { product } : {}) });
          expect(report.bytes().length).toBe(REPORT_SIZE);
        } catch (error) {
          expect(error).toBeInstanceOf(SnpError);
        }
      }),
      { numRuns: RUNS.parse },
    );
  });

  test('validateReport with random options', async () => {
    const report = AttestationReport.parse(sevFile(DATA.goReport));
    const bytesOrHex = fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.string({ maxLength: 140 }), fc.string({ unit: fc.constantFrom(...' 0123456789abcdefABCDEF'.split('')), maxLength: 140 }));
    const policy = fc.record(
      {
        guestPolicy: fc.oneof(fc.bigInt({ min: -1n, max: 1n << 65n }), fc.record({ smt: fc.boolean(), debug: fc.boolean(), abiMajor: fc.integer({ min: -1, max: 300 }) })),
        minimumGuestSvn: fc.integer({ min: -2, max: 2 ** 33 }),
        reportData: bytesOrHex,
        measurement: bytesOrHex,
        chipId: bytesOrHex,
        minimumTcb: fc.oneof(fc.bigInt({ min: -1n, max: 1n << 65n }), fc.record({ bootloader: fc.integer({ min: -1, max: 300 }), tee: fc.nat(255), snp: fc.nat(255), microcode: fc.nat(300) })),
        minimumLaunchTcb: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        permitProvisionalFirmware: fc.boolean(),
        minimumBuild: fc.integer({ min: -1, max: 300 }),
        minimumVersion: fc.oneof(fc.string({ maxLength: 8 }), fc.record({ major: fc.integer({ min: -1, max: 300 }), minor: fc.nat(300) })),
        platformInfo: fc.oneof(fc.bigInt({ min: -1n, max: 1n << 65n }), fc.record({ smtEnabled: fc.boolean(), eccEnabled: fc.boolean() })),
        requireAuthorKey: fc.boolean(),
        requireIdBlock: fc.boolean(),
        trustedIdKeyDigests: fc.array(bytesOrHex, { maxLength: 2 }),
        vmpl: fc.integer({ min: -1, max: 5 }),
        minimumLaunchMitVector: fc.bigInt({ min: -1n, max: 1n << 65n }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(policy, async (options) => {
        try {
          const result = await validateReport(report, options as SnpValidationPolicy);
          expect(result.ok).toBe(result.failures.length === 0);
        } catch (error) {
          expect(error).toBeInstanceOf(SnpError);
          expect((error as SnpError).code).toBe('policyOptions');
          expect((error as SnpError).failures.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS.options },
    );
  });
});
