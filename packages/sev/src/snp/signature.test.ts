/**
 * `signature.ts`: the ABI's ECDSA formats. virtee/sev's `certs/snp/ecdsa` vectors (an all-zero
 * signature never verifies; r=[1;48], s=[2;48] become big-endian r ‖ s, where virtee keeps the low
 * 48 bytes of r=[1;72] and this package refuses them), and the ID/author key digests of virtee's
 * `tests/id-block.rs` and sev-snp-measure's `tests/test_id_block.py` (SHA-384 of the 0x404-byte
 * ABI public key), from their test keys.
 */
import { EcdsaCurve, EcdsaKeyPair, EcdsaPublicKey, HashAlgorithm } from '@tsvmm/crypto';
import { describe, expect, test } from 'vitest';
import { fromBase64, pemBlocks, toHex } from './bytes.ts';
import { Tag, bitStringBytes, children, contentOf, readSingle } from './der.ts';
import { AMD_ECDSA_PUBLIC_KEY_LENGTH, amdEcdsaPublicKey, amdEcdsaPublicKeyDigest, amdSignatureToRaw, rawSignatureToAmd } from './signature.ts';
import { sevText } from './testing/data.ts';

/** The public key inside a P-384 private key PEM (PKCS#8 `PRIVATE KEY` or SEC 1 `EC PRIVATE KEY`, with its optional publicKey). */
async function publicKeyOf(path: string): Promise<EcdsaPublicKey> {
  const [block] = pemBlocks(sevText(path));
  let der = block!.der;
  if (block!.label === 'PRIVATE KEY') {
    const fields = children(der, readSingle(der, Tag.Sequence, 'PrivateKeyInfo'));
    der = contentOf(der, fields[2]!);
  }
  const ec = children(der, readSingle(der, Tag.Sequence, 'ECPrivateKey'));
  const tagged = ec.find((f) => f.tag === 0xa1)!;
  const bitString = children(der, tagged)[0]!;
  return EcdsaPublicKey.fromUncompressedPoint(EcdsaCurve.P384, bitStringBytes(der, bitString));
}

describe('signature', () => {
  test('r = [1; 48] and s = [2; 48] (zero-extended to 72) become r ‖ s big-endian; r = [1; 72] is refused', () => {
    const r = new Uint8Array(72);
    const s = new Uint8Array(72);
    r.fill(1, 0, 48);
    s.fill(2, 0, 48);
    expect(toHex(amdSignatureToRaw(r, s)!)).toBe('01'.repeat(48) + '02'.repeat(48));
    expect(amdSignatureToRaw(new Uint8Array(72).fill(1), new Uint8Array(72).fill(2))).toBeUndefined();
    expect(amdSignatureToRaw(r.subarray(0, 48), s)).toBeUndefined();
  });

  test('little-endian: the first byte of the field is the least significant', () => {
    const r = new Uint8Array(72);
    const s = new Uint8Array(72);
    r[0] = 0xaa;
    s[47] = 0xbb;
    const raw = amdSignatureToRaw(r, s)!;
    expect(raw[47]).toBe(0xaa);
    expect(raw[48]).toBe(0xbb);
    const back = rawSignatureToAmd(raw);
    expect(toHex(back.r)).toBe(toHex(r));
    expect(toHex(back.s)).toBe(toHex(s));
    expect(() => rawSignatureToAmd(new Uint8Array(95))).toThrow(RangeError);
  });

  test('an all-zero signature converts but never verifies; a real one round-trips through the ABI format', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = new TextEncoder().encode('report body');
    const zero = amdSignatureToRaw(new Uint8Array(72), new Uint8Array(72))!;
    expect(await key.verify(message, zero, HashAlgorithm.Sha384)).toBe(false);
    const { r, s } = rawSignatureToAmd(await key.sign(message, HashAlgorithm.Sha384));
    expect(await key.verify(message, amdSignatureToRaw(r, s)!, HashAlgorithm.Sha384)).toBe(true);
  });

  test.each([
    ['virtee test_id_key.pem (ID key digest)', 'virtee-sev/tests/measurement/test_id_key.pem', 'WfssaG36T+9J84M5qndckAUcKNVzg93DuvO160sUlt87DbvcuuX+J2d6ZEggdz/i'],
    ['virtee test_auth_key.pem (author key digest)', 'virtee-sev/tests/measurement/test_auth_key.pem', '7tgRafsMteDsNHlPEo/U4MSkb2fGWhrfqB/LJLzAiMJyNpt//D6ytq9qQoShs2xf'],
    ['sev-snp-measure id_key_test.pem (id_key_hash)', 'sev-snp-measure/tests/keyfile/id_key_test.pem', 'hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU'],
    ['sev-snp-measure author_key_test.pem (author_key)', 'sev-snp-measure/tests/keyfile/author_key_test.pem', 'YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX'],
  ])('%s: SHA-384 of the ABI public key', async (_name, path, digest) => {
    const key = await publicKeyOf(path);
    const abi = amdEcdsaPublicKey(key);
    expect(abi.length).toBe(AMD_ECDSA_PUBLIC_KEY_LENGTH);
    expect([abi[0], abi[1], abi[2], abi[3]]).toEqual([2, 0, 0, 0]);
    expect(toHex(await amdEcdsaPublicKeyDigest(key))).toBe(toHex(fromBase64(digest)));
  });
});
