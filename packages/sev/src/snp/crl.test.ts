/**
 * `crl.ts`: AMD-style CRLs minted here (go-sev-guest's test ARK key, RSA-PSS SHA-384 salt 48; no
 * real AMD CRL is in the test data) parse, verify under the ARK that signed them and not under any
 * other certificate, list their revoked serials, and refuse what RFC 5280 and this package do not
 * accept (critical extensions, another algorithm, trailing bytes, BER).
 */
import { X509Certificate } from '@tsvmm/crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { toHex } from './bytes.ts';
import { AmdCrl } from './crl.ts';
import { SnpError } from './error.ts';
import { type MintedChain, amdName, caExtensions, mintCertificate, mintChain, mintCrl, mintExtension, pssAlgorithm, rsaSpki, toPem } from './testing/mint.ts';

describe('crl', () => {
  let chain: MintedChain;
  let ark: X509Certificate;
  let ask: X509Certificate;
  beforeAll(async () => {
    chain = await mintChain({ line: 'Milan' });
    ark = await X509Certificate.fromDer(chain.ark);
    ask = await X509Certificate.fromDer(chain.intermediate);
  });

  test('an ARK CRL revoking the ASK: fields, verification by the ARK only, revoked serials', async () => {
    const der = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1, 0, 1), date: new Date('2024-06-01T00:00:00Z') }, { serial: Uint8Array.of(0x7f) }] });
    const crl = AmdCrl.parse(der);
    expect(crl.issuerDn).toBe(ark.subjectDn());
    expect(crl.thisUpdate).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(crl.nextUpdate).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(crl.revoked.map((r) => toHex(r.serialNumber))).toEqual(['010001', '7f']);
    expect(await crl.verifiedBy(ark)).toBe(true);
    expect(await crl.verifiedBy(ask)).toBe(false);
    expect(crl.isRevoked(ask.serialNumber())?.revocationDate).toEqual(new Date('2024-06-01T00:00:00Z'));
    expect(crl.isRevoked(ark.serialNumber())).toBeUndefined();
    expect(toHex(crl.toDer())).toBe(toHex(der));
  });

  test('PEM, an empty CRL without nextUpdate, non-critical extensions, a v1 CRL', async () => {
    const empty = AmdCrl.parse(toPem('X509 CRL', await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, nextUpdate: null, extensions: [mintExtension('2.5.29.20', Uint8Array.of(2, 1, 5).buffer)] })));
    expect(empty.revoked).toEqual([]);
    expect(empty.nextUpdate).toBeUndefined();
    expect(await empty.verifiedBy(ark)).toBe(true);
    const v1 = AmdCrl.parse(await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, version: false, revoked: [{ serial: Uint8Array.of(9) }] }));
    expect(v1.revoked.length).toBe(1);
    expect(await v1.verifiedBy(ark)).toBe(true);
  });

  test('does not verify: signed by another key, another issuer name, another PSS salt, a changed byte', async () => {
    const byAsk = AmdCrl.parse(await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.intermediateKey }));
    expect(await byAsk.verifiedBy(ark)).toBe(false);
    const otherName = AmdCrl.parse(await mintCrl({ issuerCn: 'ARK-Genoa', signer: chain.arkKey }));
    expect(await otherName.verifiedBy(ark)).toBe(false);
    const salt32 = AmdCrl.parse(await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, algorithm: pssAlgorithm(32) }));
    expect(await salt32.verifiedBy(ark)).toBe(false);
    const der = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(0x55) }] });
    const at = der.indexOf(0x55, 40);
    der[at] = 0x56;
    expect(await AmdCrl.parse(der).verifiedBy(ark)).toBe(false);
  });

  test('a certificate whose keyUsage lacks cRLSign cannot sign CRLs', async () => {
    // The minted ASK has keyCertSign and cRLSign: a CRL it signs verifies under it.
    const byAsk = AmdCrl.parse(await mintCrl({ issuerCn: 'SEV-Milan', signer: chain.intermediateKey }));
    expect(await byAsk.verifiedBy(ask)).toBe(true);
    // The same key in a certificate with keyCertSign only (as AMD's real ASKs): refused.
    const certSignOnly = await X509Certificate.fromDer(
      await mintCertificate({ subject: amdName('SEV-Milan'), issuer: amdName('ARK-Milan'), spki: rsaSpki(chain.intermediateKey), extensions: caExtensions('Milan', 'vcek', { crlSign: false }) }, chain.arkKey),
    );
    expect(await byAsk.verifiedBy(certSignOnly)).toBe(false);
  });

  test('refused: critical CRL or entry extensions, garbage, trailing bytes, more than one PEM block', async () => {
    const critical = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, extensions: [mintExtension('2.5.29.27', Uint8Array.of(2, 1, 1).buffer, true)] });
    const entryCritical = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey, revoked: [{ serial: Uint8Array.of(1), extensions: [mintExtension('2.5.29.29', Uint8Array.of(0x30, 0).buffer, true)] }] });
    const good = await mintCrl({ issuerCn: 'ARK-Milan', signer: chain.arkKey });
    const inputs: (Uint8Array | string)[] = [critical, entryCritical, Uint8Array.of(...good, 0), good.subarray(0, good.length - 1), new Uint8Array(0), chain.ark, toPem('X509 CRL', good, good), 'no pem'];
    for (const input of inputs) {
      expect(() => AmdCrl.parse(input)).toThrow(SnpError);
      try {
        AmdCrl.parse(input);
      } catch (error) {
        expect((error as SnpError).code).toBe('crlMalformed');
      }
    }
  });
});
