/**
 * `verifySevSignature` on the real legacy SEV certificates, with every expectation of the
 * virtee-sev MANIFEST ("Legacy SEV"): each ARK is self-signed and signs its ASK, and ASK → ARK
 * must fail; OCA self, OCA → PEK, CEK → PEK, PEK → PDH and ASK → CEK verify, and the reverse
 * directions (PEK → CEK, PEK → OCA, PDH → PEK) must fail; the Rome ASK must not verify the Naples
 * CEK (enarx#520). Tampered certificates fail with the stable failure IDs. Runs on every backend.
 */
import { X509Certificate } from '@tsvmm/crypto';
import { describe, expect, test } from 'vitest';
import { SevCaCertificate } from './ca_certificate.ts';
import { SevCertificate } from './certificate.ts';
import { builtinFile, flipped, hex, pemCertificates, platformFile } from './testing/files.ts';
import { SevUsage } from './usage.ts';
import { verifySevSignature, type SevAnyCertificate, type SevVerifyFailure } from './verify.ts';

const ca = (generation: string, which: 'ark' | 'ask') => SevCaCertificate.decode(builtinFile(generation, which));
const platform = (generation: 'naples' | 'rome', which: 'pdh' | 'pek' | 'oca' | 'cek') => SevCertificate.decode(platformFile(generation, which));

async function valid(signer: SevAnyCertificate, signee: SevAnyCertificate): Promise<boolean> {
  const result = await verifySevSignature(signer, signee);
  return result.valid;
}

async function failure(signer: SevAnyCertificate, signee: SevAnyCertificate): Promise<SevVerifyFailure | undefined> {
  const result = await verifySevSignature(signer, signee);
  return result.valid ? undefined : result.failure;
}

describe.each(['naples', 'rome', 'milan', 'genoa', 'turin'])('the %s ARK and ASK', (generation) => {
  const ark = ca(generation, 'ark');
  const ask = ca(generation, 'ask');

  test('the ARK is self-signed and signs the ASK (RSA-PSS)', async () => {
    expect(await verifySevSignature(ark, ark)).toEqual({ valid: true });
    expect(await verifySevSignature(ark, ask)).toEqual({ valid: true });
  });

  test('ASK → ARK must fail, and the ASK signs no AMD-format certificate', async () => {
    expect(await failure(ask, ark)).toBe('signerCannotSign');
    expect(await failure(ask, ask)).toBe('signerCannotSign');
  });
});

describe('AMD-format certificates of different generations', () => {
  test('an ARK does not verify another generation\'s ASK or ARK', async () => {
    expect(await failure(ca('rome', 'ark'), ca('milan', 'ask'))).toBe('keyIdMismatch');
    expect(await failure(ca('milan', 'ark'), ca('rome', 'ark'))).toBe('keyIdMismatch');
    expect(await failure(ca('naples', 'ark'), ca('rome', 'ask'))).toBe('keyIdMismatch');
  });

  test.each(['milan', 'genoa', 'turin'])('the %s AMD-format ARK and ASK hold the keys of the X.509 ones', async (generation) => {
    const [x509Ask, x509Ark] = pemCertificates(`go-sev-guest/verify/trust/ask_ark_${generation === 'turin' ? 'turin_vcek' : generation}.pem`);
    for (const [amd, der] of [
      [ca(generation, 'ark'), x509Ark!],
      [ca(generation, 'ask'), x509Ask!],
    ] as const) {
      const key = await (await X509Certificate.fromDer(der)).publicKey();
      if (key.kind !== 'rsa') throw new Error('expected RSA');
      const mine = (await amd.publicKey()).toComponents();
      const theirs = key.key.toComponents();
      expect(hex(mine.modulus)).toBe(hex(theirs.modulus));
      expect(hex(mine.publicExponent)).toBe(hex(theirs.publicExponent));
    }
  });
});

describe.each([
  { generation: 'naples' as const, hash: 'RSA_SHA256' },
  { generation: 'rome' as const, hash: 'RSA_SHA384' },
])('the $generation platform chain', ({ generation }) => {
  const pdh = platform(generation, 'pdh');
  const pek = platform(generation, 'pek');
  const oca = platform(generation, 'oca');
  const cek = platform(generation, 'cek');
  const ask = ca(generation, 'ask');

  test('OCA self, OCA → PEK, CEK → PEK, PEK → PDH, ASK → CEK verify', async () => {
    expect(await verifySevSignature(oca, oca)).toEqual({ valid: true, slot: 0 });
    expect(await verifySevSignature(oca, pek)).toEqual({ valid: true, slot: 0 });
    expect(await verifySevSignature(cek, pek)).toEqual({ valid: true, slot: 1 });
    expect(await verifySevSignature(pek, pdh)).toEqual({ valid: true, slot: 0 });
    expect(await verifySevSignature(ask, cek)).toEqual({ valid: true, slot: 0 });
  });

  test('the reverse directions must fail: PEK → CEK, PEK → OCA, PDH → PEK', async () => {
    expect(await failure(pek, cek)).toBe('noSignature');
    expect(await failure(pek, oca)).toBe('noSignature');
    expect(await failure(pdh, pek)).toBe('signerCannotSign');
  });

  test('no other pairing verifies', async () => {
    const all: SevAnyCertificate[] = [pdh, pek, oca, cek, ask, ca(generation, 'ark')];
    const expected = new Set(['OCA→OCA', 'OCA→PEK', 'CEK→PEK', 'PEK→PDH', 'ASK→CEK', 'ARK→ARK', 'ARK→ASK']);
    for (const signer of all) {
      for (const signee of all) {
        const name = `${signer.usageName}→${signee.usageName}`;
        expect({ name, valid: await valid(signer, signee) }).toEqual({ name, valid: expected.has(name) });
      }
    }
  });

  test('the messages name the pair and the reason', async () => {
    const result = await verifySevSignature(pek, cek);
    expect(result).toEqual({ valid: false, failure: 'noSignature', message: 'PEK → CEK: the CEK has no signature slot with usage PEK (its slots: ASK/' + (generation === 'naples' ? 'RSA_SHA256' : 'RSA_SHA384') + ', empty)' });
    const pdhSigns = await verifySevSignature(pdh, pek);
    expect(pdhSigns).toEqual({ valid: false, failure: 'signerCannotSign', message: 'PDH → PEK: the PDH\'s key is ECDH_SHA256, which does not sign' });
  });
});

describe('across generations', () => {
  test('the Rome ASK must not verify the Naples CEK (enarx#520), nor the other way round', async () => {
    expect(await failure(ca('rome', 'ask'), platform('naples', 'cek'))).toBe('algorithmMismatch');
    expect(await failure(ca('naples', 'ask'), platform('rome', 'cek'))).toBe('algorithmMismatch');
  });

  test('a 4096-bit ASK of another generation fails on the signature itself', async () => {
    expect(await failure(ca('milan', 'ask'), platform('rome', 'cek'))).toBe('badSignature');
  });

  test('one platform\'s OCA, CEK and PEK do not verify the other\'s', async () => {
    expect(await failure(platform('naples', 'oca'), platform('rome', 'pek'))).toBe('badSignature');
    expect(await failure(platform('rome', 'cek'), platform('naples', 'pek'))).toBe('badSignature');
    expect(await failure(platform('rome', 'pek'), platform('naples', 'pdh'))).toBe('badSignature');
  });

  test('a platform certificate never signs an AMD-format one', async () => {
    expect(await failure(platform('naples', 'oca'), ca('naples', 'ask'))).toBe('signerCannotSign');
  });
});

describe('tampered certificates', () => {
  const pdhBytes = platformFile('naples', 'pdh');
  const pek = platform('naples', 'pek');
  const askBytes = builtinFile('rome', 'ask');
  const ark = ca('rome', 'ark');

  test('a changed body byte: badSignature', async () => {
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x20)))).toBe('badSignature');
    expect(await failure(ark, SevCaCertificate.decode(flipped(askBytes, 0x100)))).toBe('badSignature');
  });

  test('a changed signature byte: badSignature', async () => {
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x41c + 5)))).toBe('badSignature');
    expect(await failure(ark, SevCaCertificate.decode(flipped(askBytes, 1600 - 3)))).toBe('badSignature');
  });

  test('a certifying_id that is not the ARK\'s: keyIdMismatch', async () => {
    expect(await failure(ark, SevCaCertificate.decode(flipped(askBytes, 0x14)))).toBe('keyIdMismatch');
  });

  test('non-zero bytes beyond r and s, or in an empty slot: malformedSignature', async () => {
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x41c + 60, 1)))).toBe('malformedSignature');
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x41c + 300, 1)))).toBe('malformedSignature');
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x624 + 7, 1)))).toBe('malformedSignature');
    expect(await failure(pek, SevCertificate.decode(flipped(pdhBytes, 0x61c, 1)))).toBe('malformedSignature');
  });

  test('a slot usage changed: noSignature; a slot algorithm changed: algorithmMismatch', async () => {
    const usage = pdhBytes.slice();
    new DataView(usage.buffer).setUint32(0x414, SevUsage.Oca, true);
    expect(await failure(pek, SevCertificate.decode(usage))).toBe('noSignature');
    const algo = pdhBytes.slice();
    new DataView(algo.buffer).setUint32(0x418, 0x102, true);
    expect(await failure(pek, SevCertificate.decode(algo))).toBe('algorithmMismatch');
  });

  test('non-zero bytes beyond a 2048-bit RSA signature: malformedSignature', async () => {
    const cek = platformFile('naples', 'cek');
    expect(await failure(ca('naples', 'ask'), SevCertificate.decode(flipped(cek, 0x41c + 300, 1)))).toBe('malformedSignature');
  });

  test('a signer whose key is not a point on the curve: invalidKey', async () => {
    const ocaBytes = platformFile('naples', 'oca');
    const broken = SevCertificate.decode(flipped(ocaBytes, 0x14, 1));
    expect(await failure(broken, broken)).toBe('invalidKey');
  });

  test('a signer whose RSA exponent is even: invalidKey', async () => {
    const arkBytes = builtinFile('naples', 'ark');
    const broken = SevCaCertificate.decode(flipped(arkBytes, 0x40, 1));
    expect(await failure(broken, ca('naples', 'ask'))).toBe('invalidKey');
  });

  test('misuse is a TypeError', async () => {
    await expect(verifySevSignature({} as never, pek)).rejects.toThrow(TypeError);
  });
});
