/**
 * `trust_roots.ts`: go-sev-guest's six `ask_ark_*.pem` bundles (VCEK and VLEK, Milan, Genoa,
 * Turin), its `milan.testcer` / `milanvlek.testcer`, virtee's `cert_chain_*` and builtin
 * `ark.pem`/`ask.pem` files load, from PEM or a directory, each ARK self-signed and each ASK/ASVK
 * signed by it (the MANIFESTs' "verifies"); bundles that do not verify are errors, never dropped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pemBlocks, toHex } from './bytes.ts';
import { SnpError } from './error.ts';
import { DATA, pemCertificates, sevFile, sevPath, sevText } from './testing/data.ts';
import { toPem } from './testing/mint.ts';
import { SnpTrustRoots } from './trust_roots.ts';

async function rejection(run: () => Promise<unknown>): Promise<SnpError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnpError);
  return error as SnpError;
}

describe('trust_roots', () => {
  test.each([
    ['Milan', 'vcek', DATA.trust.milan, 'SEV-Milan'],
    ['Milan', 'vlek', DATA.trust.milanVlek, 'SEV-VLEK-Milan'],
    ['Genoa', 'vcek', DATA.trust.genoa, 'SEV-Genoa'],
    ['Genoa', 'vlek', DATA.trust.genoaVlek, 'SEV-VLEK-Genoa'],
    ['Turin', 'vcek', DATA.trust.turin, 'SEV-Turin'],
    ['Turin', 'vlek', DATA.trust.turinVlek, 'SEV-VLEK-Turin'],
    ['Milan', 'vcek', DATA.goMilanChain, 'SEV-Milan'],
    ['Milan', 'vlek', DATA.goMilanVlekChain, 'SEV-VLEK-Milan'],
    ['Milan', 'vcek', DATA.virteeMilanChain, 'SEV-Milan'],
    ['Turin', 'vcek', DATA.virteeTurinChain, 'SEV-Turin'],
  ] as const)('%s %s bundle %s: the ARK signed itself and the %s', async (line, kind, path, cn) => {
    const roots = await SnpTrustRoots.fromPem(sevText(path));
    expect(roots.productLines()).toEqual([line]);
    const [entry, ...more] = roots.rootsOf(line);
    expect(more).toEqual([]);
    expect(entry!.ark.subjectCommonName()).toBe(`ARK-${line}`);
    const intermediates = kind === 'vcek' ? entry!.asks : entry!.asvks;
    expect(intermediates.map((c) => c.subjectCommonName())).toEqual([cn]);
    expect((kind === 'vcek' ? entry!.asvks : entry!.asks).length).toBe(0);
  });

  test('go-sev-guest verify/trust as a directory: three lines, each ARK once with its ASK and ASVK (the VCEK and VLEK bundles share the ARK)', async () => {
    const roots = await SnpTrustRoots.fromDirectory(sevPath('go-sev-guest/verify/trust'));
    expect(roots.productLines()).toEqual(['Milan', 'Genoa', 'Turin']);
    for (const line of roots.productLines()) {
      const [entry, ...more] = roots.rootsOf(line);
      expect(more).toEqual([]);
      expect(entry!.asks.map((c) => c.subjectCommonName())).toEqual([`SEV-${line}`]);
      expect(entry!.asvks.map((c) => c.subjectCommonName())).toEqual([`SEV-VLEK-${line}`]);
    }
  });

  test("virtee's builtin ark.pem / ask.pem per product (the AMD-format .cert files beside them are skipped)", async () => {
    const roots = await SnpTrustRoots.fromDirectory(sevPath(DATA.virteeBuiltin));
    expect(roots.productLines()).toEqual(['Milan', 'Genoa', 'Turin']);
    // The same certificates as go-sev-guest's bundles (virtee's MANIFEST: equal to the builtin PEMs).
    const go = await SnpTrustRoots.fromPem(sevText(DATA.trust.milan));
    expect(toHex(roots.rootsOf('Milan')[0]!.ark.toDer())).toBe(toHex(go.rootsOf('Milan')[0]!.ark.toDer()));
    expect(toHex(roots.rootsOf('Milan')[0]!.asks[0]!.toDer())).toBe(toHex(go.rootsOf('Milan')[0]!.asks[0]!.toDer()));
  });

  test('several bundles at once, as bytes or text; DER certificates', async () => {
    const roots = await SnpTrustRoots.fromPem(sevFile(DATA.trust.genoa), sevText(DATA.trust.turinVlek));
    expect(roots.productLines()).toEqual(['Genoa', 'Turin']);
    const der = await SnpTrustRoots.fromCertificates(pemCertificates(DATA.trust.milan));
    expect(der.rootsOf('Milan')[0]!.asks.length).toBe(1);
    expect(der.rootsOf('Genoa')).toEqual([]);
  });

  test('an ASK without its ARK, or with the ARK of another product, is an error', async () => {
    const [milanAsk] = pemCertificates(DATA.trust.milan);
    const [, genoaArk] = pemCertificates(DATA.trust.genoa);
    expect(await rejection(() => SnpTrustRoots.fromCertificates([milanAsk!]))).toMatchObject({ code: 'certificateSignature', field: 'ASK' });
    expect(await rejection(() => SnpTrustRoots.fromCertificates([milanAsk!, genoaArk!]))).toMatchObject({ code: 'certificateSignature', field: 'ASK' });
  });

  test('a VCEK or a non-AMD certificate among the roots is refused', async () => {
    expect(await rejection(() => SnpTrustRoots.fromCertificates([sevFile(DATA.goVcek)]))).toMatchObject({ code: 'trustRoots', field: 'subject.CN' });
  });

  test('a tampered ARK (one bit of its signature) is refused', async () => {
    const [ask, ark] = pemCertificates(DATA.trust.milan);
    ark![ark!.length - 10]! ^= 1;
    expect(await rejection(() => SnpTrustRoots.fromCertificates([ask!, ark!]))).toMatchObject({ code: 'certificateSignature', field: 'ARK' });
  });

  test('not PEM, no certificate, not a certificate, an unreadable or empty directory', async () => {
    expect(await rejection(() => SnpTrustRoots.fromPem('hello'))).toMatchObject({ code: 'certificateMalformed' });
    expect(await rejection(() => SnpTrustRoots.fromPem('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----'))).toMatchObject({ code: 'certificateMalformed' });
    expect(await rejection(() => SnpTrustRoots.fromCertificates([Uint8Array.of(0x30, 0)]))).toMatchObject({ code: 'certificateMalformed', field: 'certificate 0' });
    expect(await rejection(() => SnpTrustRoots.fromCertificates([]))).toMatchObject({ code: 'trustRoots' });
    const dir = await mkdtemp(join(tmpdir(), 'sev-roots-'));
    try {
      await writeFile(join(dir, 'readme.txt'), 'no certificates here');
      expect(await rejection(() => SnpTrustRoots.fromDirectory(dir))).toMatchObject({ code: 'trustRoots', field: 'directory' });
      await writeFile(join(dir, 'milan.pem'), toPem('CERTIFICATE', ...pemBlocks(sevText(DATA.trust.milan)).map((b) => b.der)));
      expect((await SnpTrustRoots.fromDirectory(dir)).productLines()).toEqual(['Milan']);
    } finally {
      await rm(dir, { recursive: true });
    }
    expect(await rejection(() => SnpTrustRoots.fromDirectory(join(dir, 'gone')))).toMatchObject({ code: 'trustRoots', field: 'directory' });
  });
});
