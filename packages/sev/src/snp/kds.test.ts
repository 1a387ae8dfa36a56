/**
 * `kds.ts`: the URLs go-sev-guest's and LIT's tests expect (the KDS origin is taken from LIT's
 * expected-URL file, so this test never spells the host), Turin's 8-byte hwid with fmcSPL, and the
 * CRL URLs that every real AMD ARK, ASK and ASVK carries as its CRL distribution point.
 */
import { X509Certificate } from '@tsvmm/crypto';
import { describe, expect, test } from 'vitest';
import { crlDistributionPointUris } from './amd_certificate.ts';
import { kdsCertChainUrl, kdsCrlUrl, kdsVcekUrl, kdsVlekUrl } from './kds.ts';
import { AttestationReport } from './report.ts';
import { decodeTcb } from './tcb.ts';
import { DATA, pemCertificates, sevFile, sevText } from './testing/data.ts';
import { CPUID_OF, buildReport } from './testing/mint.ts';

const LIT_URL = sevText(DATA.litWasmVcekUrl).trim();
const ORIGIN = new URL(LIT_URL).origin;

describe('kds', () => {
  test('LIT get_vcek_url: exactly the expected string, SPLs zero-padded to two digits', () => {
    const report = AttestationReport.parse(sevFile(DATA.litWasmValid), { allowZeroPadding: true });
    expect(kdsVcekUrl('Milan', report.chipId, report.reportedTcb, { zeroPadSpl: true })).toBe(LIT_URL);
    expect(kdsVcekUrl('Milan', report.chipId, report.reportedTcb)).toBe(LIT_URL.replace('blSPL=03&teeSPL=00', 'blSPL=3&teeSPL=0'));
  });

  test("go-sev-guest's fake getter URLs for attestation.bin: the VCEK (unpadded SPLs) and the Milan cert_chain", () => {
    const report = AttestationReport.parse(sevFile(DATA.goReport));
    expect(kdsVcekUrl('Milan', report.chipId, report.reportedTcb)).toBe(
      `${ORIGIN}/vcek/v1/Milan/3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68`,
    );
    expect(kdsCertChainUrl('Milan')).toBe(`${ORIGIN}/vcek/v1/Milan/cert_chain`);
    expect(kdsCertChainUrl('Genoa', 'vlek')).toBe(`${ORIGIN}/vlek/v1/Genoa/cert_chain`);
  });

  test('Turin: the first 8 bytes of CHIP_ID and fmcSPL first', () => {
    const chip = new Uint8Array(64);
    chip.set([0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d]);
    const report = AttestationReport.parse(buildReport({ version: 3, cpuid: CPUID_OF.Turin, chipId: chip, reportedTcb: 0x0900000004000201n }));
    expect(kdsVcekUrl('Turin', report.chipId, report.reportedTcb)).toBe(`${ORIGIN}/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=1&blSPL=2&teeSPL=0&snpSPL=4&ucodeSPL=9`);
    expect(kdsVlekUrl('Turin', report.reportedTcb, { zeroPadSpl: true })).toBe(`${ORIGIN}/vlek/v1/Turin/cert?fmcSPL=01&blSPL=02&teeSPL=00&snpSPL=04&ucodeSPL=09`);
  });

  test('go-sev-guest VLEKCertURL and CrlLinkByKey', () => {
    const tcb = decodeTcb(4901323769462652930n, 'milan-genoa');
    expect(kdsVlekUrl('Milan', tcb)).toBe(`${ORIGIN}/vlek/v1/Milan/cert?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68`);
    expect(kdsCrlUrl('Milan')).toBe(`${ORIGIN}/vcek/v1/Milan/crl`);
    expect(kdsCrlUrl('Milan', 'vlek')).toBe(`${ORIGIN}/vlek/v1/Milan/crl`);
  });

  test.each([
    ['Milan', 'vcek', DATA.trust.milan],
    ['Milan', 'vlek', DATA.trust.milanVlek],
    ['Genoa', 'vcek', DATA.trust.genoa],
    ['Genoa', 'vlek', DATA.trust.genoaVlek],
    ['Turin', 'vcek', DATA.trust.turin],
    ['Turin', 'vlek', DATA.trust.turinVlek],
  ] as const)('%s %s bundle: the ASK/ASVK and the ARK carry kdsCrlUrl as their only CRL distribution point', async (line, kind, path) => {
    const [ask, ark] = await Promise.all(pemCertificates(path).map((der) => X509Certificate.fromDer(der)));
    const dp = (cert: X509Certificate) => crlDistributionPointUris(cert.extensions().find((e) => e.oid === '2.5.29.31')!.value);
    expect(dp(ask!)).toEqual([kdsCrlUrl(line, kind)]);
    expect(dp(ark!)).toEqual([kdsCrlUrl(line, 'vcek')]);
  });

  test('misuse: a masked CHIP_ID, a wrong length, a TCB of the other layout, an unknown line', () => {
    const milanTcb = decodeTcb(0n, 'milan-genoa');
    const turinTcb = decodeTcb(0n, 'turin');
    expect(() => kdsVcekUrl('Milan', new Uint8Array(64), milanTcb)).toThrow(/masked/);
    expect(() => kdsVcekUrl('Milan', new Uint8Array(8).fill(1), milanTcb)).toThrow(/64 bytes/);
    expect(() => kdsVcekUrl('Turin', new Uint8Array(64).fill(1), milanTcb)).toThrow(/Turin layout/);
    expect(() => kdsVcekUrl('Genoa', new Uint8Array(64).fill(1), turinTcb)).toThrow(/Milan\/Genoa layout/);
    expect(() => kdsCrlUrl('Venice' as never)).toThrow(/unknown product line/);
  });
});
