/**
 * Tests of `pkcs7` through the public API; backend-agnostic (run once per backend).
 *
 * - SignedData made by the OpenSSL command line (`testing/fixtures/pkcs7/README.md`): with and
 *   without signed attributes, a root → KEK CA → signer chain, SHA-256 and SHA-384;
 * - openvmm's `pkcs7` tests on SignedData built at test time and signed through this package
 *   (`testing/pkcs7.ts`): trusted, later trusted, empty store, unrelated store, tampered and
 *   truncated content, wrong store, garbage;
 * - a forged signer certificate that copies a trusted certificate's issuer and serial number
 *   must not be trusted (the one place this module is stricter than openvmm on purpose).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { RsaKeyPair } from '../rsa/index.ts';
import { buildCertificate, openvmmName, rsaSpki } from '../testing/certificate.ts';
import { utf8 } from '../testing/hex.ts';
import { buildSignedData } from '../testing/pkcs7.ts';
import { X509Certificate } from '../x509/index.ts';
import { Pkcs7Error, Pkcs7SignedData } from './index.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../testing/fixtures/pkcs7/${name}`, import.meta.url)));

describe('SignedData from the OpenSSL command line', () => {
  let root: X509Certificate;
  let kekCa: X509Certificate;
  let leaf: X509Certificate;
  let unrelated: X509Certificate;
  const content = fixture('content.bin');

  beforeAll(async () => {
    [root, kekCa, leaf] = await Promise.all([X509Certificate.fromDer(fixture('root.der')), X509Certificate.fromDer(fixture('int.der')), X509Certificate.fromDer(fixture('leaf.der'))]);
    const key = await RsaKeyPair.generate(2048);
    const n = openvmmName('unrelated');
    unrelated = await X509Certificate.fromDer(await buildCertificate({ subject: n, issuer: n, spki: rsaSpki(key.toComponents().modulus, key.toComponents().publicExponent), signature: 'rsa-pkcs1-sha256' }, (tbs) => key.pkcs1Sign(tbs, HashAlgorithm.Sha256)));
  }, 60_000);

  test.each(['signed_attrs.p7', 'no_attrs.p7'])('%s: the root, the KEK CA or the signer itself is a trust anchor', async (file) => {
    const p7 = await Pkcs7SignedData.fromDer(fixture(file));
    expect(p7.embeddedCertificates().map((c) => c.subjectCommonName()).sort()).toEqual(['UEFI Test KEK CA', 'UEFI Test db Signer']);
    expect(p7.signerCertificate().certificate.subjectCommonName()).toBe('UEFI Test db Signer');
    expect(await p7.verifyUefi([root], content)).toBe(true);
    expect(await p7.verifyUefi([kekCa], content)).toBe(true);
    expect(await p7.verifyUefi([leaf], content)).toBe(true);
    expect(await p7.verifyUefi([unrelated, root], content)).toBe(true);
    expect(await p7.verifyUefi([], content)).toBe(false);
    expect(await p7.verifyUefi([unrelated], content)).toBe(false);
  });

  test.each(['signed_attrs.p7', 'no_attrs.p7', 'smime_sha384_leaf_only.p7'])('%s: tampered or truncated content is false', async (file) => {
    const p7 = await Pkcs7SignedData.fromDer(fixture(file));
    const tampered = content.slice();
    tampered[0]! ^= 0xff;
    expect(await p7.verifyUefi([leaf], tampered)).toBe(false);
    expect(await p7.verifyUefi([leaf], content.subarray(0, content.length - 1))).toBe(false);
    expect(await p7.verifyUefi([leaf], new Uint8Array(0))).toBe(false);
  });

  test.each(['signed_attrs.p7', 'no_attrs.p7', 'smime_sha384_leaf_only.p7'])('%s: a tampered signature is false', async (file) => {
    // The SignerInfo ends with the signature (no unsigned attributes): flip its last byte.
    const der = fixture(file);
    der[der.length - 1]! ^= 0x01;
    const p7 = await Pkcs7SignedData.fromDer(der);
    expect(await p7.verifyUefi([leaf], content)).toBe(false);
    expect(await p7.verifyUefi([root], content)).toBe(false);
  });

  test('SHA-384 with only the signer embedded: the KEK CA or the signer is needed as anchor', async () => {
    const p7 = await Pkcs7SignedData.fromDer(fixture('smime_sha384_leaf_only.p7'));
    expect(p7.embeddedCertificates()).toHaveLength(1);
    expect(await p7.verifyUefi([root], content)).toBe(false);
    expect(await p7.verifyUefi([kekCa], content)).toBe(true);
    expect(await p7.verifyUefi([leaf], content)).toBe(true);
  });

  test('toDer returns the input exactly', async () => {
    expect((await Pkcs7SignedData.fromDer(fixture('signed_attrs.p7'))).toDer()).toEqual(fixture('signed_attrs.p7'));
  });
});

describe('openvmm pkcs7 tests (SignedData built and signed at test time)', () => {
  const CONTENT = utf8('openvmm pkcs7 cross-backend test data');
  let key: RsaKeyPair;
  let cert: X509Certificate;
  let other: X509Certificate;
  let otherKey: RsaKeyPair;

  async function selfSigned(pair: RsaKeyPair, commonName: string, serial?: Uint8Array) {
    const n = openvmmName(commonName);
    const { modulus, publicExponent } = pair.toComponents();
    return X509Certificate.fromDer(await buildCertificate({ subject: n, issuer: n, spki: rsaSpki(modulus, publicExponent), signature: 'rsa-pkcs1-sha256', ...(serial ? { serial } : {}) }, (tbs) => pair.pkcs1Sign(tbs, HashAlgorithm.Sha256)));
  }

  async function sign(pair: RsaKeyPair, signer: X509Certificate, content: Uint8Array) {
    return Pkcs7SignedData.fromDer(buildSignedData([{ certificate: signer.toDer(), signature: await pair.pkcs1Sign(content, HashAlgorithm.Sha256) }], [signer.toDer()]));
  }

  beforeAll(async () => {
    [key, otherKey] = await Promise.all([RsaKeyPair.generate(2048), RsaKeyPair.generate(2048)]);
    cert = await selfSigned(key, 'pkcs7.test.openvmm');
    other = await selfSigned(otherKey, 'other.test.openvmm');
  }, 60_000);

  test('verify with the trusted certificate succeeds; later in the list too', async () => {
    const p7 = await sign(key, cert, CONTENT);
    expect(await p7.verifyUefi([cert], CONTENT)).toBe(true);
    expect(await p7.verifyUefi([other, cert], CONTENT)).toBe(true);
  });

  test('tampered or truncated content, an empty store, an unrelated store: false', async () => {
    const p7 = await sign(key, cert, CONTENT);
    const tampered = CONTENT.slice();
    tampered[0]! ^= 0xff;
    expect(await p7.verifyUefi([cert], tampered)).toBe(false);
    expect(await p7.verifyUefi([cert], CONTENT.subarray(0, CONTENT.length - 1))).toBe(false);
    expect(await p7.verifyUefi([], CONTENT)).toBe(false);
    expect(await p7.verifyUefi([other], CONTENT)).toBe(false);
  });

  test('a signature by another key is false', async () => {
    const p7 = await Pkcs7SignedData.fromDer(buildSignedData([{ certificate: cert.toDer(), signature: await otherKey.pkcs1Sign(CONTENT, HashAlgorithm.Sha256) }], [cert.toDer()]));
    expect(await p7.verifyUefi([cert], CONTENT)).toBe(false);
  });

  test('a forged certificate with a trusted issuer name and serial but another key is not trusted', async () => {
    // Same subject/issuer name and serial (1) as `cert`, but the attacker's key.
    const forged = await selfSigned(otherKey, 'pkcs7.test.openvmm');
    expect(forged.issuerDn()).toBe(cert.issuerDn());
    expect(forged.serialNumber()).toEqual(cert.serialNumber());
    const p7 = await sign(otherKey, forged, CONTENT);
    expect(await p7.verifyUefi([forged], CONTENT)).toBe(true);
    expect(await p7.verifyUefi([cert], CONTENT)).toBe(false);
  });

  test('structural problems are Pkcs7Errors', async () => {
    for (const bad of [new Uint8Array(0), Uint8Array.of(0xff, 0x00, 0x01, 0x02), fixture('no_attrs.p7').subarray(0, 500), Uint8Array.of(...fixture('no_attrs.p7'), 0)]) {
      const error = await Pkcs7SignedData.fromDer(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Pkcs7Error);
      expect((error as Error).message).toBe('PKCS#7 operation failed');
    }
    // Two signers: exactly one is required.
    const signature = await key.pkcs1Sign(CONTENT, HashAlgorithm.Sha256);
    const two = await Pkcs7SignedData.fromDer(buildSignedData([{ certificate: cert.toDer(), signature }, { certificate: cert.toDer(), signature }], [cert.toDer()]));
    await expect(two.verifyUefi([cert], CONTENT)).rejects.toBeInstanceOf(Pkcs7Error);
    // The signer's certificate is not embedded.
    const missing = await Pkcs7SignedData.fromDer(buildSignedData([{ certificate: cert.toDer(), signature }], [other.toDer()]));
    await expect(missing.verifyUefi([cert], CONTENT)).rejects.toBeInstanceOf(Pkcs7Error);
    // A certificate is not a SignedData.
    await expect(Pkcs7SignedData.fromDer(cert.toDer())).rejects.toBeInstanceOf(Pkcs7Error);
    const p7 = await sign(key, cert, CONTENT);
    await expect(p7.verifyUefi([cert.toDer()] as unknown as X509Certificate[], CONTENT)).rejects.toBeInstanceOf(Pkcs7Error);
  });
});
