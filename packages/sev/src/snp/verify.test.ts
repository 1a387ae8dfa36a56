/**
 * `verify.ts`, on the real data (go-sev-guest's `TestRealAttestationVerification`,
 * `TestVerifyVcekCert`, its check tool's product cases; virtee's `milan_report`,
 * `milan_report_invalid`, `milan_chain_invalid`, `turin_ca_stack`) and on chains minted here for
 * what the test data lacks: Genoa and Turin reports, versions 3 and 5, VLEKs, CRLs, every mismatch
 * between a report and its certificate.
 */
import { X509Certificate } from '@tsvmm/crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { fromHex } from './bytes.ts';
import { AmdCrl } from './crl.ts';
import { SnpError, type SnpErrorCode } from './error.ts';
import { AttestationReport } from './report.ts';
import { ALL_VALID_TIME, DATA, GO_VCEK_TIME, sevFile, sevPath, sevText } from './testing/data.ts';
import { type MintedChain, amdName, buildReport, defaultChipId, mintChain, mintCrl, mintReport, signReport } from './testing/mint.ts';
import { SnpTrustRoots } from './trust_roots.ts';
import { VerifiedEndorsementKey, verifyAttestation, verifyEndorsementKey } from './verify.ts';

async function rejection(run: () => Promise<unknown>, code?: SnpErrorCode): Promise<SnpError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnpError);
  if (code !== undefined) expect((error as SnpError).code).toBe(code);
  return error as SnpError;
}

const goRoots = () => SnpTrustRoots.fromPem(sevText(DATA.trust.milan));

describe('go-sev-guest real attestation (verify_test.go, tools/check)', () => {
  test('TestVerifyVcekCert: VCEK → ASK → ARK at 2022-09-24T01:00Z', async () => {
    const key = await verifyEndorsementKey(sevFile(DATA.goVcek), { roots: await goRoots(), now: GO_VCEK_TIME });
    expect(key).toBeInstanceOf(VerifiedEndorsementKey);
    expect([key.certificate.subjectCommonName(), key.intermediate.subjectCommonName(), key.ark.subjectCommonName()]).toEqual(['SEV-VCEK', 'SEV-Milan', 'ARK-Milan']);
    expect(key).toMatchObject({ kind: 'vcek', line: 'Milan', stepping: 0 });
  });

  test('TestRealAttestationVerification: attestation.bin verifies with Product=Milan stepping 0', async () => {
    const roots = await goRoots();
    const { report, endorsementKey } = await verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME, product: { line: 'Milan', stepping: 0 } });
    expect(report.version).toBe(2);
    expect(endorsementKey.tcb.raw).toBe(report.reportedTcb.raw);
    // ... and with no product expectation, and at any time the certificates are valid.
    await verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: new Date('2029-09-01T00:00:00Z') });
  });

  test('options.roots must be trust roots', async () => {
    expect(await rejection(() => verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots: goRoots as never, now: GO_VCEK_TIME }), 'trustRoots')).toMatchObject({ field: 'options.roots' });
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots: undefined as never }), 'trustRoots')).toMatchObject({ field: 'options.roots' });
  });

  test('stepping 12: "expected product stepping 12, got 0"', async () => {
    const roots = await goRoots();
    const e = await rejection(() => verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME, product: { line: 'Milan', stepping: 12 } }), 'reportMismatch');
    expect(e.message).toContain('expected product stepping 12, got 0');
  });

  test('TestCaBundles: the milan.testcer bundle is good for Milan; expecting another product fails', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.goMilanChain));
    await verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME, product: { line: 'Milan' } });
    await rejection(() => verifyAttestation(sevFile(DATA.goReport), sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME, product: { line: 'Genoa' } }), 'reportMismatch');
    // Roots of another product only: no ARK-Milan to trust.
    const genoa = await SnpTrustRoots.fromPem(sevText(DATA.trust.genoa));
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots: genoa, now: GO_VCEK_TIME }), 'trustRoots')).toMatchObject({ field: 'ARK' });
    // The VLEK bundle has no ASK for a VCEK.
    const vlekOnly = await SnpTrustRoots.fromPem(sevText(DATA.trust.milanVlek));
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots: vlekOnly, now: GO_VCEK_TIME }), 'trustRoots')).toMatchObject({ field: 'ASK' });
  });

  test('validity, with an injected clock: the VCEK (2022-09-24..2029-09-24) before and after, read at every check', async () => {
    const roots = await goRoots();
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots, now: new Date('2022-09-23T00:00:00Z') }), 'certificateValidity')).toMatchObject({ field: 'VCEK.validity.notBefore' });
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots, now: new Date('2029-09-25T00:00:00Z') }), 'certificateValidity')).toMatchObject({ field: 'VCEK.validity.notAfter' });
    let now = GO_VCEK_TIME;
    const key = await verifyEndorsementKey(sevFile(DATA.goVcek), { roots, now: () => now });
    await key.verifyReport(sevFile(DATA.goReport));
    now = new Date('2030-01-01T00:00:00Z');
    expect(await rejection(() => key.verifyReport(sevFile(DATA.goReport)), 'certificateValidity')).toMatchObject({ field: 'VCEK.validity.notAfter' });
    now = new Date('2046-01-01T00:00:00Z');
    expect(await rejection(() => key.verifyReport(sevFile(DATA.goReport)), 'certificateValidity')).toMatchObject({ field: 'ARK.validity.notAfter' });
  });
});

describe('virtee/sev tests/certs.rs', () => {
  const report = () => fromHex(sevText(DATA.virteeReportHex));

  test('milan_report: (chain, report).verify() is Ok', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.virteeMilanChain));
    const { report: r } = await verifyAttestation(report(), sevFile(DATA.virteeVcek), { roots, now: ALL_VALID_TIME });
    expect(r.reportedTcb).toMatchObject({ bootloader: 3, snp: 8, microcode: 0x73 });
  });

  test('milan_report with virtee builtin roots loaded from their directory', async () => {
    const roots = await SnpTrustRoots.fromDirectory(sevPath(DATA.virteeBuiltin));
    await verifyAttestation(report(), sevFile(DATA.virteeVcek), { roots, now: ALL_VALID_TIME });
  });

  test('milan_report_invalid: report byte 21 (FAMILY_ID) ^= 0x80 fails the signature', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.virteeMilanChain));
    const bytes = report();
    bytes[21]! ^= 0x80;
    expect(await rejection(() => verifyAttestation(bytes, sevFile(DATA.virteeVcek), { roots, now: ALL_VALID_TIME }), 'reportSignature')).toMatchObject({ field: 'SIGNATURE', offset: 0x2a0 });
  });

  test('milan_chain_invalid: VCEK byte 40 ^= 0xff never verifies', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.virteeMilanChain));
    const der = sevFile(DATA.virteeVcek);
    der[40]! ^= 0xff;
    const error = await rejection(() => verifyEndorsementKey(der, { roots, now: ALL_VALID_TIME }));
    expect(['certificateMalformed', 'certificateSignature', 'certificateProfile']).toContain(error.code);
  });

  test('turin_ca_stack: ARK → ASK → vcek_turin.der verifies (no Turin report exists in the data)', async () => {
    const roots = await SnpTrustRoots.fromPem(sevText(DATA.virteeTurinChain));
    const key = await verifyEndorsementKey(sevFile(DATA.virteeTurinVcek), { roots, now: ALL_VALID_TIME });
    expect(key).toMatchObject({ kind: 'vcek', line: 'Turin', stepping: undefined });
    expect(key.tcb).toMatchObject({ layout: 'turin', fmc: 0, microcode: 9 });
    // The Milan VCEK is not signed by the Turin ASK.
    const both = await SnpTrustRoots.fromPem(sevText(DATA.virteeTurinChain), sevText(DATA.virteeMilanChain));
    await verifyEndorsementKey(sevFile(DATA.virteeVcek), { roots: both, now: ALL_VALID_TIME });
  });
});

describe('minted chains: products, versions, VLEKs', () => {
  const chains: Record<string, MintedChain> = {};
  beforeAll(async () => {
    for (const line of ['Milan', 'Genoa', 'Turin'] as const) {
      chains[`${line}-vcek`] = await mintChain({ line, kind: 'vcek' });
      chains[`${line}-vlek`] = await mintChain({ line, kind: 'vlek' });
    }
  });

  test.each((['Milan', 'Genoa', 'Turin'] as const).flatMap((line) => (['vcek', 'vlek'] as const).flatMap((kind) => [2, 3, 5].map((version) => [line, kind, version] as const))))(
    '%s %s, report version %i: verifies',
    async (line, kind, version) => {
      const chain = chains[`${line}-${kind}`]!;
      const chipId = kind === 'vcek' && version === 2 && line !== 'Turin' ? defaultChipId(line) : undefined;
      const bytes = await mintReport(chain, { version, ...(chipId ? { chipId } : {}) });
      const { report, endorsementKey } = await verifyAttestation(bytes, chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME });
      expect(report.version).toBe(version);
      expect(endorsementKey).toMatchObject({ kind, line });
      if (version >= 3) expect(report.product).toMatchObject({ line, source: 'cpuid' });
    },
  );

  test('a VLEK report (SIGNING_KEY 1) is not verified by a VCEK, nor the other way round', async () => {
    const vcek = chains['Milan-vcek']!;
    const asVlek = await mintReport(vcek, { keyInfo: 1 << 2 });
    expect(await rejection(() => verifyAttestation(asVlek, vcek.endorsement, { roots: vcek.roots, now: ALL_VALID_TIME }), 'reportMismatch')).toMatchObject({ field: 'KEY_INFO' });
    const vlek = chains['Milan-vlek']!;
    const asVcek = await mintReport(vlek, { keyInfo: 0 });
    expect(await rejection(() => verifyAttestation(asVcek, vlek.endorsement, { roots: vlek.roots, now: ALL_VALID_TIME }), 'reportMismatch')).toMatchObject({ field: 'KEY_INFO' });
  });

  test('unsigned reports: SIGNING_KEY none, MASK_CHIP_KEY, SIGNATURE_ALGO 0', async () => {
    const chain = chains['Genoa-vcek']!;
    const key = await verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME });
    expect(await rejection(() => key.verifyReport(buildReport({ version: 3, cpuid: { family: 0x19, model: 0x11, stepping: 1 }, keyInfo: 7 << 2 })), 'reportSignature')).toMatchObject({ field: 'KEY_INFO' });
    expect(await rejection(() => key.verifyReport(buildReport({ version: 3, cpuid: { family: 0x19, model: 0x11, stepping: 1 }, keyInfo: 2 })), 'reportSignature')).toMatchObject({ field: 'KEY_INFO' });
    const algo0 = await mintReport(chain, { signatureAlgo: 0 });
    expect(await rejection(() => key.verifyReport(algo0), 'reportSignature')).toMatchObject({ field: 'SIGNATURE_ALGO' });
  });

  test('report and certificate disagree: TCB, CHIP_ID, product (CPUID), stepping', async () => {
    const chain = chains['Milan-vcek']!;
    const key = await verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME, product: { line: 'Milan', stepping: 1 } }).catch((e: unknown) => e);
    // The minted VCEK says Milan-B0: stepping 1 is refused.
    expect(key).toMatchObject({ code: 'reportMismatch', field: 'product.stepping' });
    const k = await verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME });
    const higherTcb = await mintReport(chain, { reportedTcb: 0x7308000000000004n });
    expect(await rejection(() => k.verifyReport(higherTcb), 'reportMismatch')).toMatchObject({ field: 'REPORTED_TCB', offset: 0x180 });
    const otherChip = await mintReport(chain, { chipId: new Uint8Array(64).fill(9) });
    expect(await rejection(() => k.verifyReport(otherChip), 'reportMismatch')).toMatchObject({ field: 'CHIP_ID', offset: 0x1a0 });
    const genoaCpuid = await mintReport(chain, { cpuid: { family: 0x19, model: 0x11, stepping: 1 } });
    expect(await rejection(() => k.verifyReport(genoaCpuid), 'reportMismatch')).toMatchObject({ field: 'CPUID_FAM_ID' });
    // CPUID_STEP against the expected stepping (v3+): the VCEK's B0 passes the certificate check with stepping 0, CPUID says 1.
    const k0 = await verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME, product: { line: 'Milan', stepping: 0 } });
    const stepping1 = await mintReport(chain);
    expect(await rejection(() => k0.verifyReport(stepping1), 'reportMismatch')).toMatchObject({ field: 'CPUID_STEP' });
  });

  test('a masked CHIP_ID: the v2 report is read with the key’s product, and the hwID is not compared', async () => {
    const chain = chains['Genoa-vcek']!;
    const key = await verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME });
    const masked = await mintReport(chain, { version: 2, chipId: new Uint8Array(64) });
    const report = await key.verifyReport(masked);
    expect(report.chipIdMasked).toBe(true);
    expect(report.product).toMatchObject({ line: 'Genoa', source: 'option' });
    // A Turin key and a Milan-layout v2 report: the layouts differ.
    const turin = chains['Turin-vcek']!;
    const turinKey = await verifyEndorsementKey(turin.endorsement, { roots: turin.roots, now: ALL_VALID_TIME });
    const milanLike = AttestationReport.parse(await mintReport(chains['Milan-vcek']!, { version: 2 }));
    expect(await rejection(() => turinKey.verifyReport(milanLike), 'reportMismatch')).toMatchObject({ field: 'CHIP_ID' });
  });

  test('a high R byte: refused at parsing, so no second encoding of a signature verifies', async () => {
    const chain = chains['Turin-vcek']!;
    const bytes = await mintReport(chain, { version: 5 });
    bytes[0x2a0 + 50] = 1;
    expect(await rejection(() => verifyAttestation(bytes, chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME }), 'reportReserved')).toMatchObject({ field: 'SIGNATURE.R' });
  });

  test('signed by another key with the same certificate fields: signature fails', async () => {
    const chain = chains['Milan-vcek']!;
    const other = chains['Genoa-vcek']!;
    const bytes = await signReport(buildReport({ version: 3, cpuid: { family: 0x19, model: 0x01, stepping: 1 }, chipId: defaultChipId('Milan'), reportedTcb: 0x7308000000000003n, currentTcb: 0x7308000000000003n }), other.endorsementKey);
    expect(await rejection(() => verifyAttestation(bytes, chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME }), 'reportSignature')).toMatchObject({ field: 'SIGNATURE' });
  });

  test('a VCEK minted with a deviation is refused before any signature is looked at', async () => {
    const chain = await mintChain({ line: 'Milan', endorsement: { omit: ['hwID'] } });
    expect(await rejection(() => verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME }), 'certificateProfile')).toMatchObject({ field: 'VCEK' });
    const notSevVcek = await mintChain({ line: 'Milan', endorsement: { subject: amdName('SEV-XYZ') } });
    expect(await rejection(() => verifyEndorsementKey(notSevVcek.endorsement, { roots: notSevVcek.roots, now: ALL_VALID_TIME }), 'certificateProfile')).toMatchObject({ field: 'VCEK.subject.CN' });
    // Every minted chain is signed by the same test keys, so a minted VCEK verifies under another
    // minted chain's roots (trust is in the keys, not in the file), and never under AMD's real ARK.
    const foreign = await mintChain({ line: 'Milan' });
    expect((await verifyEndorsementKey(foreign.endorsement, { roots: chains['Milan-vcek']!.roots, now: ALL_VALID_TIME })).line).toBe('Milan');
    const amd = await SnpTrustRoots.fromPem(sevText(DATA.trust.milan));
    expect(await rejection(() => verifyEndorsementKey(foreign.endorsement, { roots: amd, now: ALL_VALID_TIME }), 'certificateSignature')).toMatchObject({ field: 'VCEK.signature' });
  });
});

describe('revocation (CRLs)', () => {
  let chain: MintedChain;
  beforeAll(async () => {
    chain = await mintChain({ line: 'Milan' });
  });
  const verify = (crls: (Uint8Array | string | AmdCrl)[], extra: object = {}) => verifyEndorsementKey(chain.endorsement, { roots: chain.roots, now: ALL_VALID_TIME, crls, ...extra });

  test('the ARK revokes the ASK: certificateRevoked; an unrelated serial: fine', async () => {
    const revoking = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1, 0, 1) }] });
    expect(await rejection(() => verify([revoking]), 'certificateRevoked')).toMatchObject({ field: 'ASK.serialNumber' });
    const other = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1, 0, 2) }] });
    await verify([other]);
    await verify([AmdCrl.parse(other)]);
  });

  test('the ARK listing serial 0 does not revoke the VCEK (its issuer is the ASK); an ASK-signed CRL does', async () => {
    const arkZero = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(0) }] });
    await verify([arkZero]);
    const askZero = await mintCrl({ issuerCn: 'SEV-Milan', signer: chain.intermediateKey, revoked: [{ serial: Uint8Array.of(0) }] });
    expect(await rejection(() => verify([askZero]), 'certificateRevoked')).toMatchObject({ field: 'VCEK.serialNumber' });
  });

  test('a CRL naming the ARK but not signed by it, out of date or not yet valid: crlInvalid; another product’s CRL is ignored', async () => {
    const forged = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.intermediateKey });
    expect(await rejection(() => verify([forged]), 'crlInvalid')).toMatchObject({ field: 'CRL.signature' });
    const stale = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, nextUpdate: new Date('2025-01-01T00:00:00Z') });
    expect(await rejection(() => verify([stale]), 'crlInvalid')).toMatchObject({ field: 'CRL.nextUpdate' });
    const future = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, thisUpdate: new Date('2026-01-01T00:00:00Z') });
    expect(await rejection(() => verify([future]), 'crlInvalid')).toMatchObject({ field: 'CRL.thisUpdate' });
    const genoa = await mintCrl({ issuerCn: 'ARK-Genoa', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1, 0, 1) }] });
    await verify([genoa]);
    expect(await rejection(() => verify([Uint8Array.of(1, 2, 3)]), 'crlMalformed'));
  });

  test('requireCrl: an ARK CRL must be there', async () => {
    expect(await rejection(() => verify([], { requireCrl: true }), 'crlInvalid')).toMatchObject({ field: 'CRL' });
    const askOnly = await mintCrl({ issuerCn: 'SEV-Milan', signer: chain.intermediateKey });
    await rejection(() => verify([askOnly], { requireCrl: true }), 'crlInvalid');
    await verify([await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey })], { requireCrl: true });
  });

  test('the real Milan chain with a CRL the (test) ARK key signed: not AMD’s ARK, so a forged CRL naming ARK-Milan is refused', async () => {
    const roots = await goRoots();
    const forged = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1, 0, 1) }] });
    expect(await rejection(() => verifyEndorsementKey(sevFile(DATA.goVcek), { roots, now: GO_VCEK_TIME, crls: [forged] }), 'crlInvalid')).toMatchObject({ field: 'CRL.signature' });
  });

  test('an X509Certificate may be passed instead of DER', async () => {
    const cert = await X509Certificate.fromDer(chain.endorsement);
    expect((await verifyEndorsementKey(cert, { roots: chain.roots, now: ALL_VALID_TIME })).certificate).toBe(cert);
    await rejection(() => verifyEndorsementKey(Uint8Array.of(0x30, 0x00), { roots: chain.roots }), 'certificateMalformed');
  });
});
