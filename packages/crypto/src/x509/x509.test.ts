/**
 * Tests of `x509` through the public API; backend-agnostic (run once per backend).
 *
 * - Real AMD certificates from `shared/testdata/sev` (what must verify and fail is from each
 *   MANIFEST.md): the Milan, Genoa and Turin ARKs are self-signed with RSA-PSS (SHA-384, MGF1
 *   SHA-384, salt 48), each ASK (and VLEK ASVK) is signed by its ARK, the Milan and Turin VCEKs
 *   (ECDSA P-384 keys) are signed by their ASK with RSA-PSS; the VCEK with byte 40 flipped
 *   (virtee's `milan_chain_invalid`) must fail; keys of another product or level must not verify.
 * - Names, CN and serial checked against literals and against Node's own `X509Certificate`
 *   strings (an independent parser).
 * - openvmm's `x509` tests on certificates built here at test time and signed through this
 *   package (PKCS#1 v1.5 like openvmm's `build_self_signed`, RSA-PSS, ECDSA).
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { EcdsaCurve, EcdsaKeyPair, EcdsaPublicKey } from '../ecdsa/index.ts';
import { rawSignatureToDer } from '../ecdsa/encoding.ts';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { RsaKeyPair, RsaPublicKey } from '../rsa/index.ts';
import { buildCertificate, name, openvmmName, rsaSpki } from '../testing/certificate.ts';
import { toHex } from '../testing/hex.ts';
import { pemCertificate, pemCertificates, sevFile } from '../testing/sev.ts';
import { X509Certificate, X509Error } from './index.ts';

const load = (der: Uint8Array) => X509Certificate.fromDer(der);

async function rsaKey(cert: X509Certificate): Promise<RsaPublicKey> {
  const key = await cert.publicKey();
  if (key.kind !== 'rsa') throw new Error('expected an RSA key');
  return key.key;
}

const AMD = 'O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering';

interface Product {
  name: string;
  ark: string;
  ask: string;
  arkSerial: string;
  askSerial: string;
}

const PRODUCTS: Product[] = [
  { name: 'Milan', ark: 'virtee-sev/src/certs/snp/builtin/milan/ark.pem', ask: 'virtee-sev/src/certs/snp/builtin/milan/ask.pem', arkSerial: '010000', askSerial: '010001' },
  { name: 'Genoa', ark: 'virtee-sev/src/certs/snp/builtin/genoa/ark.pem', ask: 'virtee-sev/src/certs/snp/builtin/genoa/ask.pem', arkSerial: '020000', askSerial: '020002' },
  { name: 'Turin', ark: 'virtee-sev/src/certs/snp/builtin/turin/ark.pem', ask: 'virtee-sev/src/certs/snp/builtin/turin/ask.pem', arkSerial: '030000', askSerial: '030001' },
];

describe.each(PRODUCTS)('AMD $name ARK and ASK', (product) => {
  let ark: X509Certificate;
  let ask: X509Certificate;
  beforeAll(async () => {
    ark = await load(pemCertificate(product.ark));
    ask = await load(pemCertificate(product.ask));
  });

  test('the ARK is self-signed (RSA-PSS SHA-384) and signs the ASK; not the other way round', async () => {
    const arkKey = await rsaKey(ark);
    const askKey = await rsaKey(ask);
    expect(arkKey.modulusBits()).toBe(4096);
    expect(toHex(arkKey.toComponents().publicExponent)).toBe('010001');
    expect(await ark.verify(arkKey)).toBe(true);
    expect(await ask.verify(arkKey)).toBe(true);
    expect(await ark.verify(askKey)).toBe(false);
    expect(await ask.verify(askKey)).toBe(false);
  });

  test('issued: ARK issued itself and the ASK; the ASK issued neither', () => {
    expect(ark.issued(ark)).toBe(true);
    expect(ark.issued(ask)).toBe(true);
    expect(ask.issued(ark)).toBe(false);
    expect(ask.issued(ask)).toBe(false);
  });

  test('names and serial numbers', () => {
    expect(ark.subjectCommonName()).toBe(`ARK-${product.name}`);
    expect(ask.subjectCommonName()).toBe(`SEV-${product.name}`);
    expect(ark.issuerDn()).toBe(`CN=ARK-${product.name},${AMD}`);
    expect(ask.issuerDn()).toBe(`CN=ARK-${product.name},${AMD}`);
    expect(toHex(ark.serialNumber())).toBe(product.arkSerial);
    expect(toHex(ask.serialNumber())).toBe(product.askSerial);
  });

  test('toDer returns the input exactly', () => {
    expect(toHex(ark.toDer())).toBe(toHex(pemCertificate(product.ark)));
  });
});

describe('re-encoded unsigned outer fields (RFC 5280 4.1.1.2) never verify, as OpenSSL refuses them', () => {
  const milan = PRODUCTS[0]!;
  /** The Milan ARK's DER, with `edit` applied; the outer SEQUENCE is 4 bytes of header here. */
  const arkWith = async (edit: (der: Uint8Array) => void) => {
    const der = pemCertificate(milan.ark);
    edit(der);
    return load(der);
  };
  /** Offset of the signature BIT STRING's unused-bits byte (the last TLV: 4096-bit RSA, 513 content bytes). */
  const unusedBitsOffset = (der: Uint8Array) => der.length - 513;

  test('the original verifies under its own key', async () => {
    const ark = await load(pemCertificate(milan.ark));
    expect(await ark.verify(await rsaKey(ark))).toBe(true);
  });

  test.each([1, 7])('a signature BIT STRING with %i unused bits', async (bits) => {
    const original = await load(pemCertificate(milan.ark));
    const der = pemCertificate(milan.ark);
    expect(der[unusedBitsOffset(der) - 4]).toBe(0x03);
    const ark = await arkWith((d) => (d[unusedBitsOffset(d)] = bits));
    expect(await ark.verify(await rsaKey(original))).toBe(false);
  });
});

describe('across products', () => {
  test('a Genoa or Turin ARK does not verify the Milan ASK, nor issued it', async () => {
    const milanAsk = await load(pemCertificate(PRODUCTS[0]!.ask));
    for (const other of PRODUCTS.slice(1)) {
      const ark = await load(pemCertificate(other.ark));
      expect(await milanAsk.verify(await rsaKey(ark))).toBe(false);
      expect(ark.issued(milanAsk)).toBe(false);
    }
  });
});

describe('AMD VCEKs (ECDSA P-384 keys, signed by the ASK with RSA-PSS)', () => {
  const chains = [
    { name: 'Milan (virtee)', chain: 'virtee-sev/tests/certs_data/cert_chain_milan', vcek: 'virtee-sev/tests/certs_data/vcek_milan.der', issuer: 'SEV-Milan', serial: '00' },
    { name: 'Turin (virtee)', chain: 'virtee-sev/tests/certs_data/cert_chain_turin', vcek: 'virtee-sev/tests/certs_data/vcek_turin.der', issuer: 'SEV-Turin', serial: '00' },
    { name: 'Milan (go-sev-guest)', chain: 'go-sev-guest/verify/testdata/milan.testcer', vcek: 'go-sev-guest/verify/testdata/vcek.testcer', issuer: 'SEV-Milan', serial: '00' },
  ];

  test.each(chains)('$name: ARK → ASK → VCEK verifies; no other key does', async ({ chain, vcek: vcekPath, issuer, serial }) => {
    const [askDer, arkDer] = pemCertificates(chain);
    const ask = await load(askDer!);
    const ark = await load(arkDer!);
    const vcek = await load(sevFile(vcekPath));
    const arkKey = await rsaKey(ark);
    const askKey = await rsaKey(ask);
    expect(await ark.verify(arkKey)).toBe(true);
    expect(await ask.verify(arkKey)).toBe(true);
    expect(await vcek.verify(askKey)).toBe(true);
    expect(await vcek.verify(arkKey)).toBe(false);
    expect(ask.issued(vcek)).toBe(true);
    expect(ark.issued(vcek)).toBe(false);
    expect(vcek.issued(vcek)).toBe(false);
    expect(vcek.subjectCommonName()).toBe('SEV-VCEK');
    expect(vcek.issuerDn()).toBe(`CN=${issuer},${AMD}`);
    expect(toHex(vcek.serialNumber())).toBe(serial);
    const key = await vcek.publicKey();
    expect(key.kind).toBe('ecdsa');
    if (key.kind !== 'ecdsa') return;
    expect(key.key.curve).toBe('P-384');
    expect(key.key.publicKeyBytes().length).toBe(96);
    // The VCEK's ECDSA key cannot verify an RSA-PSS certificate.
    expect(await ask.verify(key.key)).toBe(false);
  });

  test('the Milan VCEK with byte 40 flipped (virtee milan_chain_invalid) does not verify', async () => {
    const [askDer] = pemCertificates('virtee-sev/tests/certs_data/cert_chain_milan');
    const askKey = await rsaKey(await load(askDer!));
    const der = sevFile('virtee-sev/tests/certs_data/vcek_milan.der');
    der[40]! ^= 0xff;
    const outcome = await load(der).then(
      (cert) => cert.verify(askKey),
      (error: unknown) => error,
    );
    // Either it no longer parses (an X509Error) or its signature fails: never true.
    if (outcome instanceof Error) expect(outcome).toBeInstanceOf(X509Error);
    else expect(outcome).toBe(false);
  });

  test.each([
    ['Milan VLEK', 'go-sev-guest/verify/trust/ask_ark_milan_vlek.pem', 'SEV-VLEK-Milan'],
    ['Genoa VCEK', 'go-sev-guest/verify/trust/ask_ark_genoa.pem', 'SEV-Genoa'],
    ['Genoa VLEK', 'go-sev-guest/verify/trust/ask_ark_genoa_vlek.pem', 'SEV-VLEK-Genoa'],
    ['Turin VCEK', 'go-sev-guest/verify/trust/ask_ark_turin_vcek.pem', 'SEV-Turin'],
    ['Turin VLEK', 'go-sev-guest/verify/trust/ask_ark_turin_vlek.pem', 'SEV-VLEK-Turin'],
  ])('go-sev-guest %s bundle: the ARK signed the ASK/ASVK', async (_name, path, commonName) => {
    const [askDer, arkDer] = pemCertificates(path);
    const ask = await load(askDer!);
    const ark = await load(arkDer!);
    expect(ask.subjectCommonName()).toBe(commonName);
    expect(await ask.verify(await rsaKey(ark))).toBe(true);
    expect(ark.issued(ask)).toBe(true);
  });
});

describe('names agree with Node’s own X.509 parser', () => {
  const files = [...PRODUCTS.flatMap((p) => [pemCertificate(p.ark), pemCertificate(p.ask)]), sevFile('virtee-sev/tests/certs_data/vcek_milan.der'), sevFile('virtee-sev/tests/certs_data/vcek_turin.der')];

  test.each(files.map((der, i) => [i, der] as const))('certificate %i', async (_i, der) => {
    const cert = await load(der);
    const node = new NodeX509(der);
    // Node prints one "type=value" line per RDN in encoding order; RFC 4514 reverses them.
    expect(cert.issuerDn()).toBe(node.issuer.split('\n').reverse().join(','));
    expect(cert.subjectCommonName()).toBe(/^CN=(.*)$/m.exec(node.subject)?.[1]);
    expect(BigInt(`0x${toHex(cert.serialNumber())}`)).toBe(BigInt(`0x${node.serialNumber}`));
  });
});

describe('certificates built at test time (openvmm x509 tests)', () => {
  let rsa: RsaKeyPair;
  let other: RsaKeyPair;
  let ecdsa: EcdsaKeyPair;
  beforeAll(async () => {
    [rsa, other, ecdsa] = await Promise.all([RsaKeyPair.generate(2048), RsaKeyPair.generate(2048), EcdsaKeyPair.generate(EcdsaCurve.P384)]);
  }, 60_000);

  const spkiOf = (key: RsaKeyPair) => rsaSpki(key.toComponents().modulus, key.toComponents().publicExponent);

  test('a self-signed PKCS#1 v1.5 certificate verifies under its own key and was issued by itself', async () => {
    const der = await buildCertificate({ subject: openvmmName('test.example.com'), issuer: openvmmName('test.example.com'), spki: spkiOf(rsa), signature: 'rsa-pkcs1-sha256' }, (tbs) => rsa.pkcs1Sign(tbs, HashAlgorithm.Sha256));
    const cert = await load(der);
    expect(await cert.verify(rsa)).toBe(true);
    expect(cert.issued(cert)).toBe(true);
    expect(cert.subjectCommonName()).toBe('test.example.com');
    expect(cert.issuerDn()).toBe('CN=test.example.com,O=Test,L=Redmond,ST=Washington,C=US');
    expect(toHex(cert.serialNumber())).toBe('01');
    // DER round trip
    const reparsed = await load(cert.toDer());
    expect(await reparsed.verify(await rsaKey(reparsed))).toBe(true);
  });

  test('a certificate does not verify under an unrelated key (false, not an error)', async () => {
    const der = await buildCertificate({ subject: openvmmName('a'), issuer: openvmmName('a'), spki: spkiOf(rsa), signature: 'rsa-pkcs1-sha256' }, (tbs) => rsa.pkcs1Sign(tbs, HashAlgorithm.Sha256));
    const cert = await load(der);
    expect(await cert.verify(await other.publicKey())).toBe(false);
    expect(await cert.verify(await ecdsa.publicKey())).toBe(false);
  });

  test('an RSA-PSS CA issues an ECDSA leaf, which issues an ECDSA-signed certificate', async () => {
    const caName = openvmmName('ca', 'CA');
    const leafName = openvmmName('leaf', 'Leaf');
    const ca = await load(await buildCertificate({ subject: caName, issuer: caName, spki: spkiOf(rsa), signature: 'rsa-pss-sha384', ca: true }, (tbs) => rsa.pssSign(tbs, HashAlgorithm.Sha384, { saltLength: 48 })));
    const leaf = await load(await buildCertificate({ subject: leafName, issuer: caName, spki: ecdsa.publicKeyDer(), signature: 'rsa-pss-sha384', serial: Uint8Array.of(0x00, 0x80), ca: true }, (tbs) => rsa.pssSign(tbs, HashAlgorithm.Sha384, { saltLength: 48 })));
    const grandchild = await load(
      await buildCertificate({ subject: name([['CN', 'grandchild, "quoted"']]), issuer: leafName, spki: spkiOf(other), signature: 'ecdsa-sha384', ca: false }, async (tbs) => rawSignatureToDer(await ecdsa.sign(tbs, HashAlgorithm.Sha384))),
    );
    expect(await ca.verify(rsa)).toBe(true);
    expect(await leaf.verify(rsa)).toBe(true);
    expect(await grandchild.verify(ecdsa)).toBe(true);
    expect(await grandchild.verify(await EcdsaPublicKey.fromPublicKeyBytes(EcdsaCurve.P384, ecdsa.publicKeyBytes()))).toBe(true);
    expect(await grandchild.verify(rsa)).toBe(false);
    expect(ca.issued(leaf) && leaf.issued(grandchild)).toBe(true);
    expect(ca.issued(grandchild) || grandchild.issued(grandchild)).toBe(false);
    expect(toHex(leaf.serialNumber())).toBe('0080');
    expect(grandchild.issuerDn()).toBe('CN=leaf,O=Leaf,L=Redmond,ST=Washington,C=US');
    expect(grandchild.subjectCommonName()).toBe('grandchild, "quoted"');
    const leafKey = await leaf.publicKey();
    expect(leafKey.kind === 'ecdsa' && toHex(leafKey.key.publicKeyBytes())).toBe(toHex(ecdsa.publicKeyBytes()));
  });

  test('a CA whose keyUsage lacks keyCertSign issued nothing', async () => {
    const n = openvmmName('no-cert-sign');
    const cert = await load(await buildCertificate({ subject: n, issuer: n, spki: spkiOf(rsa), signature: 'rsa-pkcs1-sha256', ca: false }, (tbs) => rsa.pkcs1Sign(tbs, HashAlgorithm.Sha256)));
    expect(cert.issued(cert)).toBe(false);
    expect(await cert.verify(rsa)).toBe(true);
  });
});

describe('errors', () => {
  test('garbage, trailing bytes and non-certificates are X509Errors', async () => {
    const ark = pemCertificate(PRODUCTS[0]!.ark);
    for (const bad of [new Uint8Array(0), Uint8Array.of(0xff, 0, 1, 2), Uint8Array.of(...ark, 0), ark.subarray(0, 100)]) {
      const error = await load(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(X509Error);
      expect((error as Error).message).toBe('X.509 operation failed');
    }
    expect(((await load('x' as unknown as Uint8Array).catch((e: unknown) => e)) as Error).cause).toBeInstanceOf(TypeError);
  });

  test('verify with something that is not a key is an X509Error', async () => {
    const cert = await load(pemCertificate(PRODUCTS[0]!.ark));
    const error = await cert.verify({} as RsaPublicKey).catch((e: unknown) => e);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(() => cert.issued({} as X509Certificate)).toThrow(X509Error);
  });
});

describe('version, validity, subject DN, extensions and signature algorithm (the certificate profile accessors)', () => {
  const AMD_PSS = { kind: 'rsa-pss', hash: HashAlgorithm.Sha384, mgf1Hash: HashAlgorithm.Sha384, saltLength: 48 };

  test('the Milan ARK: v3, 2020-10-22..2045-10-22, PSS SHA-384 salt 48, its four extensions', async () => {
    const der = pemCertificate('virtee-sev/src/certs/snp/builtin/milan/ark.pem');
    const ark = await load(der);
    const node = new NodeX509(der);
    expect(ark.version()).toBe(3);
    expect(ark.validity()).toEqual({ notBefore: new Date('2020-10-22T17:23:05Z'), notAfter: new Date('2045-10-22T17:23:05Z') });
    expect(ark.validity().notBefore.getTime()).toBe(new Date(node.validFrom).getTime());
    expect(ark.validity().notAfter.getTime()).toBe(new Date(node.validTo).getTime());
    expect(ark.subjectDn()).toBe(`CN=ARK-Milan,${AMD}`);
    expect(ark.signatureAlgorithm()).toEqual(AMD_PSS);
    const extensions = ark.extensions();
    // keyUsage (critical), subjectKeyIdentifier, basicConstraints (critical), cRLDistributionPoints.
    expect(extensions.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.15', true],
      ['2.5.29.14', false],
      ['2.5.29.19', true],
      ['2.5.29.31', false],
    ]);
    expect(toHex(extensions[0]!.value)).toBe('03020106'); // keyCertSign, cRLSign
    expect(toHex(extensions[2]!.value)).toBe('30030101ff'); // cA TRUE
    expect(new TextDecoder().decode(extensions[3]!.value)).toContain('/vcek/v1/Milan/crl');
  });

  test('the Milan VCEK: AMD extensions 1.3.6.1.4.1.3704.1.* with their DER values, hwID = 64 raw bytes', async () => {
    const vcek = await load(sevFile('virtee-sev/tests/certs_data/vcek_milan.der'));
    expect(vcek.version()).toBe(3);
    expect(vcek.validity()).toEqual({ notBefore: new Date('2023-04-03T19:23:43Z'), notAfter: new Date('2030-04-03T19:23:43Z') });
    expect(vcek.subjectDn()).toBe(`CN=SEV-VCEK,${AMD}`);
    expect(vcek.signatureAlgorithm()).toEqual(AMD_PSS);
    const byOid = new Map(vcek.extensions().map((e) => [e.oid, e]));
    expect([...byOid.keys()]).toEqual(['1.3.6.1.4.1.3704.1.1', '1.3.6.1.4.1.3704.1.2', '1.3.6.1.4.1.3704.1.3.1', '1.3.6.1.4.1.3704.1.3.2', '1.3.6.1.4.1.3704.1.3.4', '1.3.6.1.4.1.3704.1.3.5', '1.3.6.1.4.1.3704.1.3.6', '1.3.6.1.4.1.3704.1.3.7', '1.3.6.1.4.1.3704.1.3.3', '1.3.6.1.4.1.3704.1.3.8', '1.3.6.1.4.1.3704.1.4']);
    expect(vcek.extensions().every((e) => !e.critical)).toBe(true);
    expect(toHex(byOid.get('1.3.6.1.4.1.3704.1.2')!.value)).toBe('16084d696c616e2d4230'); // IA5String "Milan-B0"
    expect(toHex(byOid.get('1.3.6.1.4.1.3704.1.3.1')!.value)).toBe('020103'); // blSPL 3
    expect(toHex(byOid.get('1.3.6.1.4.1.3704.1.3.8')!.value)).toBe('020173'); // ucodeSPL 115
    expect(toHex(byOid.get('1.3.6.1.4.1.3704.1.4')!.value).slice(0, 8)).toBe('d49554ec');
    expect(byOid.get('1.3.6.1.4.1.3704.1.4')!.value.length).toBe(64);
  });

  test('the Turin VCEK: fmcSPL (…3.9), no spl4, an 8-byte hwID', async () => {
    const vcek = await load(sevFile('virtee-sev/tests/certs_data/vcek_turin.der'));
    const byOid = new Map(vcek.extensions().map((e) => [e.oid, toHex(e.value)]));
    expect(byOid.get('1.3.6.1.4.1.3704.1.1')).toBe('020101');
    expect(byOid.get('1.3.6.1.4.1.3704.1.2')).toBe('1605547572696e'); // IA5String "Turin"
    expect(byOid.get('1.3.6.1.4.1.3704.1.3.9')).toBe('020100');
    expect(byOid.has('1.3.6.1.4.1.3704.1.3.4')).toBe(false);
    expect(byOid.get('1.3.6.1.4.1.3704.1.4')).toBe('1e550a8ee5cf9f4d');
    expect(vcek.validity().notBefore).toEqual(new Date('2024-11-06T21:14:00Z'));
  });

  test('the accessors return copies', async () => {
    const vcek = await load(sevFile('virtee-sev/tests/certs_data/vcek_milan.der'));
    vcek.extensions()[0]!.value.fill(0);
    vcek.validity().notBefore.setTime(0);
    expect(toHex(vcek.extensions()[0]!.value)).toBe('020100');
    expect(vcek.validity().notBefore.getTime()).not.toBe(0);
  });

  test('certificates built here: a v3 ECDSA certificate with no extensions, and PKCS#1 v1.5', async () => {
    const ecdsa = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const rsa = await RsaKeyPair.generate(2048);
    const spki = ecdsa.publicKeyDer();
    const der = await buildCertificate({ subject: openvmmName('e'), issuer: openvmmName('e'), spki, signature: 'ecdsa-sha384' }, async (tbs) => rawSignatureToDer(await ecdsa.sign(tbs, HashAlgorithm.Sha384)));
    const cert = await load(der);
    expect(cert.signatureAlgorithm()).toEqual({ kind: 'ecdsa', hash: HashAlgorithm.Sha384 });
    expect(cert.subjectDn()).toBe('CN=e,O=Test,L=Redmond,ST=Washington,C=US');
    const pkcs1 = await load(await buildCertificate({ subject: openvmmName('r'), issuer: openvmmName('r'), spki: rsaSpki(rsa.toComponents().modulus, rsa.toComponents().publicExponent), signature: 'rsa-pkcs1-sha256' }, (tbs) => rsa.pkcs1Sign(tbs, HashAlgorithm.Sha256)));
    expect(pkcs1.signatureAlgorithm()).toEqual({ kind: 'rsa-pkcs1', hash: HashAlgorithm.Sha256 });
    expect(pkcs1.version()).toBe(3);
    // UTCTime before 2050, GeneralizedTime after (RFC 5280 section 4.1.2.5).
    expect(pkcs1.validity()).toEqual({ notBefore: new Date(0), notAfter: new Date('2100-01-01T00:00:00Z') });
  }, 60_000);
});
