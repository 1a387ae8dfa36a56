/**
 * `amd_certificate.ts`: every real ARK, ASK, ASVK and VCEK of the test data fits AMD's profile and
 * its extensions decode to what the MANIFESTs list (Milan: productName Milan-B0, blSPL 3, snpSPL 8,
 * ucodeSPL 115, spl4-7 0, hwID = CHIP_ID; Turin: structVersion 1, fmcSPL, no spl4, an 8-byte hwID);
 * certificates minted with one or several deviations report each of them, all at once.
 */
import { EcdsaCurve, EcdsaKeyPair, X509Certificate } from '@tsvmm/crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { caRoleOf, checkCaProfile, checkEndorsementProfile, commonNameOf, parseDn } from './amd_certificate.ts';
import { toHex } from './bytes.ts';
import { SnpError } from './error.ts';
import { AttestationReport } from './report.ts';
import { DATA, pemCertificates, sevFile } from './testing/data.ts';
import { amdName, caExtensions, endorsementExtensions, mintCertificate, mintExtension, pssAlgorithm, rsaSpki, testKeys } from './testing/mint.ts';

const load = (der: Uint8Array) => X509Certificate.fromDer(der);

async function profileError(run: () => Promise<unknown>): Promise<SnpError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnpError);
  expect((error as SnpError).code).toBe('certificateProfile');
  return error as SnpError;
}

const fields = (error: SnpError) => error.failures.map((f) => f.field).sort();

describe('real AMD certificates', () => {
  test.each([
    ['Milan', DATA.trust.milan, 'ASK'],
    ['Milan', DATA.trust.milanVlek, 'ASVK'],
    ['Genoa', DATA.trust.genoa, 'ASK'],
    ['Genoa', DATA.trust.genoaVlek, 'ASVK'],
    ['Turin', DATA.trust.turin, 'ASK'],
    ['Turin', DATA.trust.turinVlek, 'ASVK'],
  ] as const)('%s %s: the ARK and the %s fit the profile', async (line, path, role) => {
    const [intermediate, ark] = await Promise.all(pemCertificates(path).map(load));
    await checkCaProfile(ark!, 'ARK', line);
    await checkCaProfile(intermediate!, role, line);
    expect(caRoleOf(intermediate!.subjectCommonName())).toEqual({ role, line });
    // The wrong role or line is refused, naming the CN (and, for role swaps, the CRL URL).
    const swapped = await profileError(() => checkCaProfile(intermediate!, role === 'ASK' ? 'ASVK' : 'ASK', line));
    expect(fields(swapped)).toEqual([`${role === 'ASK' ? 'ASVK' : 'ASK'}.extensions.cRLDistributionPoints`, `${role === 'ASK' ? 'ASVK' : 'ASK'}.subject.CN`]);
    const otherLine = line === 'Milan' ? 'Genoa' : 'Milan';
    expect(fields(await profileError(() => checkCaProfile(ark!, 'ARK', otherLine)))).toEqual(['ARK.extensions.cRLDistributionPoints', 'ARK.issuer.CN', 'ARK.subject.CN']);
  });

  test('go-sev-guest vcek.testcer: Milan-B0, blSPL 2, teeSPL 0, snpSPL 5, ucodeSPL 68, hwID = the CHIP_ID of attestation.bin', async () => {
    const ext = await checkEndorsementProfile(await load(sevFile(DATA.goVcek)), 'VCEK');
    const report = AttestationReport.parse(sevFile(DATA.goReport));
    expect(ext).toMatchObject({ structVersion: 0, productName: 'Milan-B0', product: { line: 'Milan', stepping: 0 }, cspId: undefined });
    expect(ext.spls).toEqual({ fmcSPL: undefined, blSPL: 2, teeSPL: 0, snpSPL: 5, spl4: 0, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 68 });
    expect(ext.tcb.raw).toBe(report.reportedTcb.raw);
    expect(toHex(ext.hwId!)).toBe(toHex(report.chipId));
  });

  test('virtee vcek_milan.der: structVersion 0, Milan-B0, blSPL 3, snpSPL 8, ucodeSPL 115, hwID d49554ec…541eb6', async () => {
    const ext = await checkEndorsementProfile(await load(sevFile(DATA.virteeVcek)), 'VCEK');
    expect(ext).toMatchObject({ structVersion: 0, productName: 'Milan-B0' });
    expect(ext.spls).toEqual({ fmcSPL: undefined, blSPL: 3, teeSPL: 0, snpSPL: 8, spl4: 0, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 115 });
    expect(toHex(Uint8Array.from(ext.tcb.bytes))).toBe('0300000000000873');
    expect(toHex(ext.hwId!)).toMatch(/^d49554ec.*541eb6$/);
  });

  test('virtee vcek_turin.der: structVersion 1, Turin (no stepping), fmcSPL 0, no spl4, ucodeSPL 9, 8-byte hwID 1e550a8ee5cf9f4d', async () => {
    const ext = await checkEndorsementProfile(await load(sevFile(DATA.virteeTurinVcek)), 'VCEK');
    expect(ext).toMatchObject({ structVersion: 1, productName: 'Turin', product: { line: 'Turin', stepping: undefined } });
    expect(ext.spls).toEqual({ fmcSPL: 0, blSPL: 0, teeSPL: 0, snpSPL: 0, spl4: undefined, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 9 });
    expect(ext.tcb).toMatchObject({ layout: 'turin', fmc: 0, microcode: 9, raw: 0x0900000000000000n });
    expect(toHex(ext.hwId!)).toBe('1e550a8ee5cf9f4d');
  });

  test('an ASK is not a VCEK, and a VCEK is not a VLEK', async () => {
    const [ask] = await Promise.all(pemCertificates(DATA.trust.milan).map(load));
    const asVcek = await profileError(() => checkEndorsementProfile(ask!, 'VCEK'));
    expect(fields(asVcek)).toEqual(expect.arrayContaining(['VCEK.publicKey', 'VCEK.subject.CN', 'VCEK.extensions.structVersion', 'VCEK.extensions.productName', 'VCEK.extensions.hwID']));
    const asVlek = await profileError(async () => checkEndorsementProfile(await load(sevFile(DATA.goVcek)), 'VLEK'));
    expect(fields(asVlek)).toEqual(['VLEK.extensions.cspId', 'VLEK.extensions.hwID', 'VLEK.extensions.productName', 'VLEK.issuer.CN', 'VLEK.subject.CN']);
  });
});

describe('minted certificates: every deviation is reported, all at once', () => {
  let ask: Awaited<ReturnType<typeof testKeys>>['ask'];
  let ecdsa: EcdsaKeyPair;
  beforeAll(async () => {
    ({ ask } = await testKeys());
    ecdsa = await EcdsaKeyPair.generate(EcdsaCurve.P384);
  });

  const milanSpls = { blSPL: 3, teeSPL: 0, snpSPL: 8, spl4: 0, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 115 };
  const vcek = (overrides: Partial<Parameters<typeof mintCertificate>[0]> = {}, extensions = endorsementExtensions({ productName: 'Milan-B0', spls: milanSpls, hwId: new Uint8Array(64).fill(7) })) =>
    mintCertificate({ subject: amdName('SEV-VCEK'), issuer: amdName('SEV-Milan'), spki: ecdsa.publicKeyDer(), extensions, ...overrides }, ask).then(load);

  test('a well-formed minted VCEK passes; hwID wrapped in an OCTET STRING is accepted too (go-sev-guest)', async () => {
    expect((await checkEndorsementProfile(await vcek(), 'VCEK')).tcb.raw).toBe(0x7308000000000003n);
    const wrapped = Uint8Array.of(0x04, 0x40, ...new Uint8Array(64).fill(7));
    const ext = await checkEndorsementProfile(await vcek({}, endorsementExtensions({ productName: 'Milan-B0', spls: milanSpls, raw: { hwID: wrapped } })), 'VCEK');
    expect(toHex(ext.hwId!)).toBe('07'.repeat(64));
  });

  test('names, algorithm, key, version: one error listing each', async () => {
    const cert = await vcek({
      subject: amdName('SEV-VCEX', { L: 'Austin', OU: null }),
      issuer: amdName('SEV-Genoa'),
      signatureAlgorithm: pssAlgorithm(32),
      spki: rsaSpki(ask),
      version: 1,
    });
    const error = await profileError(() => checkEndorsementProfile(cert, 'VCEK'));
    expect(fields(error)).toEqual(['VCEK.issuer.CN', 'VCEK.publicKey', 'VCEK.signatureAlgorithm', 'VCEK.subject.CN', 'VCEK.subject.L', 'VCEK.subject.OU', 'VCEK.version']);
    expect(error.message).toContain('VCEK.subject.L: is "Austin", expected "Santa Clara"');
    expect(error.message).toContain('VCEK.issuer.CN: is "SEV-Genoa", expected "SEV-Milan"');
  });

  test('extensions: missing, out of range, badly encoded, duplicated, unknown critical, the wrong hwID size, a cspId on a VCEK', async () => {
    const extensions = [
      ...endorsementExtensions({ productName: 'Milan-B0', spls: { ...milanSpls, spl4: 300 }, hwId: new Uint8Array(10), cspId: 'x', omit: ['blSPL'], raw: { teeSPL: Uint8Array.of(0x16, 1, 0x41) } }),
      mintExtension('1.3.6.1.4.1.3704.1.3.3', Uint8Array.of(2, 1, 8).buffer),
      mintExtension('1.2.3.4', Uint8Array.of(5, 0).buffer, true),
      mintExtension('1.2.3.5', Uint8Array.of(5, 0).buffer, false),
    ];
    const error = await profileError(async () => checkEndorsementProfile(await vcek({}, extensions), 'VCEK'));
    expect(error.failures.map((f) => `${f.field} ${f.check}`).sort()).toEqual([
      'VCEK.extensions.1.2.3.4 extensions.unknownCritical',
      'VCEK.extensions.blSPL extensions.blSPL',
      'VCEK.extensions.cspId extensions.cspId',
      'VCEK.extensions.hwID extensions.hwID',
      'VCEK.extensions.snpSPL extensions.duplicate',
      'VCEK.extensions.spl4 extensions.spl4',
      'VCEK.extensions.teeSPL extensions.teeSPL',
    ]);
  });

  test('Turin: fmcSPL required, spl4-7 must be 0 or absent, hwID is 8 bytes; Milan: no fmcSPL, spl4-7 required', async () => {
    const turinSpls = { blSPL: 1, teeSPL: 0, snpSPL: 2, spl5: 0, spl6: 0, spl7: 0, ucodeSPL: 9 };
    const turin = (spls: object, hwId = new Uint8Array(8).fill(1)) =>
      mintCertificate({ subject: amdName('SEV-VCEK'), issuer: amdName('SEV-Turin'), spki: ecdsa.publicKeyDer(), extensions: endorsementExtensions({ structVersion: 1, productName: 'Turin', spls: spls as never, hwId }) }, ask).then(load);
    expect((await checkEndorsementProfile(await turin({ ...turinSpls, fmcSPL: 3 }), 'VCEK')).tcb).toMatchObject({ fmc: 3, bootloader: 1, snp: 2, microcode: 9 });
    expect(fields(await profileError(async () => checkEndorsementProfile(await turin({ ...turinSpls, spl4: 1 }, new Uint8Array(64).fill(1)), 'VCEK')))).toEqual([
      'VCEK.extensions.fmcSPL',
      'VCEK.extensions.hwID',
      'VCEK.extensions.spl4',
    ]);
    const milan = await vcek({}, endorsementExtensions({ productName: 'Milan-B1', spls: { ...milanSpls, fmcSPL: 1, spl5: undefined }, hwId: new Uint8Array(64).fill(7) }));
    expect(fields(await profileError(() => checkEndorsementProfile(milan, 'VCEK')))).toEqual(['VCEK.extensions.fmcSPL', 'VCEK.extensions.spl5']);
  });

  test('VLEK: cspId required, no hwID, productName without stepping', async () => {
    const vlek = (options: Parameters<typeof endorsementExtensions>[0]) =>
      mintCertificate({ subject: amdName('SEV-VLEK'), issuer: amdName('SEV-VLEK-Milan'), spki: ecdsa.publicKeyDer(), extensions: endorsementExtensions(options) }, ask).then(load);
    const good = await checkEndorsementProfile(await vlek({ productName: 'Milan', spls: milanSpls, cspId: 'csp-1' }), 'VLEK');
    expect(good).toMatchObject({ cspId: 'csp-1', hwId: undefined, product: { line: 'Milan', stepping: undefined } });
    const bad = await vlek({ productName: 'Milan-B0', spls: milanSpls, hwId: new Uint8Array(64) });
    expect(fields(await profileError(() => checkEndorsementProfile(bad, 'VLEK')))).toEqual(['VLEK.extensions.cspId', 'VLEK.extensions.hwID', 'VLEK.extensions.productName']);
  });

  test('CA certificates: basicConstraints, keyUsage, CRL distribution point, key size', async () => {
    const { ark } = await testKeys();
    const ok = await load(await mintCertificate({ subject: amdName('SEV-Milan'), issuer: amdName('ARK-Milan'), spki: rsaSpki(ask), extensions: caExtensions('Milan', 'vcek') }, ark));
    await checkCaProfile(ok, 'ASK', 'Milan');
    const bad = await load(
      await mintCertificate(
        { subject: amdName('SEV-Milan'), issuer: amdName('ARK-Milan'), spki: ecdsa.publicKeyDer(), extensions: [caExtensions('Milan', 'vcek', { crlUrl: 'https://example.invalid/crl' })[2]!] },
        ark,
      ),
    );
    const error = await profileError(() => checkCaProfile(bad, 'ASK', 'Milan'));
    expect(fields(error)).toEqual(['ASK.extensions.basicConstraints', 'ASK.extensions.cRLDistributionPoints', 'ASK.extensions.keyUsage', 'ASK.publicKey']);
  });
});

describe('encoding outside the signed part', () => {
  /** The offset of the unused-bits byte of the outer signature BIT STRING (RSA-4096: `03 82 02 01 00`). */
  const unusedBitsAt = (der: Uint8Array) => {
    for (let i = der.length - 5; i > 0; i--) if (der[i] === 0x03 && der[i + 1] === 0x82 && der[i + 2] === 0x02 && der[i + 3] === 0x01 && der[i + 4] === 0) return i + 4;
    throw new Error('no signature BIT STRING');
  };

  test.each([1, 7])('a VCEK whose signature BIT STRING claims %i unused bits is refused (noble/native parsing would still verify it)', async (bits) => {
    const der = sevFile(DATA.goVcek);
    der[unusedBitsAt(der)] = bits;
    const parsed = await load(der).catch(() => undefined);
    if (parsed === undefined) return; // the linked backend refuses to parse it: fine too
    const error = await profileError(() => checkEndorsementProfile(parsed, 'VCEK'));
    expect(fields(error)).toEqual(['VCEK.encoding']);
  });

  test('an ASK likewise, and an outer algorithm that differs from the TBS one', async () => {
    const [ask] = pemCertificates(DATA.trust.milan);
    const der = ask!.slice();
    der[unusedBitsAt(der)] = 3;
    const parsed = await load(der).catch(() => undefined);
    if (parsed !== undefined) expect(fields(await profileError(() => checkCaProfile(parsed, 'ASK', 'Milan')))).toEqual(['ASK.encoding']);
    // The outer AlgorithmIdentifier's salt (its last `a2 03 02 01 30`) changed to 49: no longer the TBS's.
    const other = ask!.slice();
    let at = -1;
    for (let i = other.length - 5; i > 0 && at < 0; i--) if (other[i] === 0xa2 && other[i + 1] === 3 && other[i + 2] === 2 && other[i + 3] === 1 && other[i + 4] === 0x30) at = i + 4;
    other[at] = 0x31;
    const changed = await load(other);
    expect(fields(await profileError(() => checkCaProfile(changed, 'ASK', 'Milan')))).toEqual(['ASK.encoding', 'ASK.signatureAlgorithm']);
  });
});

describe('names', () => {
  test('parseDn reads RFC 4514 with escapes and multi-valued RDNs', () => {
    const dn = parseDn('CN=ARK-Milan,O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering');
    expect(Object.fromEntries(dn)).toEqual({ CN: ['ARK-Milan'], O: ['Advanced Micro Devices'], ST: ['CA'], L: ['Santa Clara'], C: ['US'], OU: ['Engineering'] });
    expect(Object.fromEntries(parseDn('CN=a\\,b+OU=x\\2cy,OU=z'))).toEqual({ CN: ['a,b'], OU: ['x,y', 'z'] });
  });

  test('commonNameOf and caRoleOf', () => {
    expect(['ARK', 'ASK', 'ASVK', 'VCEK', 'VLEK'].map((r) => commonNameOf(r as never, 'Genoa'))).toEqual(['ARK-Genoa', 'SEV-Genoa', 'SEV-VLEK-Genoa', 'SEV-VCEK', 'SEV-VLEK']);
    expect(caRoleOf('SEV-VLEK-Turin')).toEqual({ role: 'ASVK', line: 'Turin' });
    expect(caRoleOf('SEV-VCEK')).toBeUndefined();
    expect(caRoleOf(undefined)).toBeUndefined();
  });
});
