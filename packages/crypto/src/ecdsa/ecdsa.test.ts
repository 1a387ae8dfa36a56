/**
 * Tests of `ecdsa` through the public API; backend-agnostic (run once per backend).
 *
 * - openvmm's `ecdsa` tests (sizes, randomized signing, round trips, tampering, key import);
 * - every vector of Wycheproof's `ecdsa_secp384r1_sha384_p1363_test.json` through `verify`
 *   (`r ‖ s`): valid ones verify, invalid ones are `false` (the file has no `acceptable` ones);
 * - every vector of `ecdsa_secp384r1_sha384_test.json` through `verifyDer`. Decision: DER is
 *   converted strictly at the door (`encoding.ts`); the BER, truncated, padded and mistyped
 *   encodings are invalid and must be `false`, like wrong signatures;
 * - `ecdsa_secp256r1_sha256_p1363_test.json` is counted as not applicable: openvmm's `ecdsa`
 *   offers no P-256, and neither does this module.
 *
 * Each file prints its counts for the linked backend (`testing/vector_tally.ts`).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { hex, toHex, utf8 } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { rawSignatureToDer } from './encoding.ts';
import { EcdsaCurve, EcdsaError, EcdsaKeyPair, EcdsaPublicKey } from './index.ts';

/** P-384 order n. */
const N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;

describe('openvmm ecdsa tests', () => {
  test('a P-384 key pair has a 96-byte public key and 96-byte signatures', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    expect(key.curve).toBe('P-384');
    expect(key.keySize).toBe(48);
    expect(key.publicKeyBytes().length).toBe(96);
    expect(key.publicKeyBytes().constructor).toBe(Uint8Array);
    const signature = await key.sign(utf8('message to sign'), HashAlgorithm.Sha384);
    expect(signature.length).toBe(96);
    expect(signature.constructor).toBe(Uint8Array);
  });

  test('signing is randomized, and keys differ', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = utf8('message to sign');
    expect(toHex(await key.sign(message, HashAlgorithm.Sha384))).not.toBe(toHex(await key.sign(message, HashAlgorithm.Sha384)));
    const other = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    expect(toHex(key.publicKeyBytes())).not.toBe(toHex(other.publicKeyBytes()));
    expect(toHex(key.publicKeyBytes())).toBe(toHex(key.publicKeyBytes()));
  });

  test('r and s are in [1, n)', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const signature = await key.sign(utf8('data to sign'), HashAlgorithm.Sha384);
    for (const half of [signature.subarray(0, 48), signature.subarray(48)]) {
      const value = BigInt(`0x${toHex(half)}`);
      expect(value > 0n && value < N).toBe(true);
    }
  });

  test.each([HashAlgorithm.Sha256, HashAlgorithm.Sha384, HashAlgorithm.Sha512])('round trip with %s; tampering is false', async (hash) => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = utf8('roundtrip test message');
    const signature = await key.sign(message, hash);
    expect(await key.verify(message, signature, hash)).toBe(true);
    expect(await key.verify(utf8('tampered message'), signature, hash)).toBe(false);
    const bad = signature.slice();
    bad[95]! ^= 0x01;
    expect(await key.verify(message, bad, hash)).toBe(false);
    const otherHash = hash === HashAlgorithm.Sha384 ? HashAlgorithm.Sha512 : HashAlgorithm.Sha384;
    expect(await key.verify(message, signature, otherHash)).toBe(false);
  });

  test('a re-imported public key verifies; another key does not', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = utf8('reimport test message');
    const signature = await key.sign(message, HashAlgorithm.Sha384);
    for (const imported of [
      await EcdsaPublicKey.fromPublicKeyBytes(EcdsaCurve.P384, key.publicKeyBytes()),
      await EcdsaPublicKey.fromUncompressedPoint(EcdsaCurve.P384, key.uncompressedPoint()),
      await EcdsaPublicKey.fromPublicKeyDer(key.publicKeyDer()),
      await key.publicKey(),
    ]) {
      expect(toHex(imported.publicKeyBytes())).toBe(toHex(key.publicKeyBytes()));
      expect(await imported.verify(message, signature, HashAlgorithm.Sha384)).toBe(true);
      expect(await imported.verify(utf8('other message'), signature, HashAlgorithm.Sha384)).toBe(false);
    }
    const other = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    expect(await (await other.publicKey()).verify(message, signature, HashAlgorithm.Sha384)).toBe(false);
  });

  test('a DER signature verifies through verifyDer', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = utf8('der');
    const signature = await key.sign(message, HashAlgorithm.Sha384);
    expect(await key.verifyDer(message, rawSignatureToDer(signature), HashAlgorithm.Sha384)).toBe(true);
    expect(await key.verifyDer(message, signature, HashAlgorithm.Sha384)).toBe(false);
  });

  test('SubjectPublicKeyInfo export is the RFC 5480 encoding', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const der = key.publicKeyDer();
    expect(der.length).toBe(120);
    expect(toHex(der)).toBe(`3076301006072a8648ce3d020106052b8104002203620004${toHex(key.publicKeyBytes())}`);
  });
});

describe('bad input', () => {
  test('a signature of the wrong length is false, not an error', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const message = utf8('m');
    const signature = await key.sign(message, HashAlgorithm.Sha384);
    for (const bad of [new Uint8Array(0), signature.subarray(0, 95), Uint8Array.of(...signature, 0), new Uint8Array(96)]) {
      expect(await key.verify(message, bad, HashAlgorithm.Sha384)).toBe(false);
    }
  });

  test('public keys of the wrong length or off the curve are EcdsaErrors', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const bytes = key.publicKeyBytes();
    const offCurve = bytes.slice();
    offCurve[95]! ^= 1;
    for (const bad of [bytes.subarray(0, 90), Uint8Array.of(...bytes, 0), offCurve, new Uint8Array(96)]) {
      await expect(EcdsaPublicKey.fromPublicKeyBytes(EcdsaCurve.P384, bad)).rejects.toBeInstanceOf(EcdsaError);
    }
    await expect(EcdsaPublicKey.fromUncompressedPoint(EcdsaCurve.P384, Uint8Array.of(0x02, ...bytes.subarray(0, 48)))).rejects.toBeInstanceOf(EcdsaError);
    const der = key.publicKeyDer();
    der[5]! ^= 1; // the OID
    await expect(EcdsaPublicKey.fromPublicKeyDer(der)).rejects.toBeInstanceOf(EcdsaError);
    await expect(EcdsaPublicKey.fromPublicKeyDer(key.publicKeyDer().subarray(0, 119))).rejects.toBeInstanceOf(EcdsaError);
  });

  test('misuse is an EcdsaError with the reason as cause', async () => {
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    const checks: [string, () => Promise<unknown>, ErrorConstructor][] = [
      ['curve', () => EcdsaKeyPair.generate('P-256' as EcdsaCurve), TypeError],
      ['hash', () => key.sign(utf8('m'), 'SHA-3' as HashAlgorithm), TypeError],
      ['SHA-1 signing', () => key.sign(utf8('m'), HashAlgorithm.Sha1), RangeError],
      ['message', () => key.verify('m' as unknown as Uint8Array, new Uint8Array(96), HashAlgorithm.Sha384), TypeError],
      ['DER signature', () => key.verifyDer(utf8('m'), [1] as unknown as Uint8Array, HashAlgorithm.Sha384), TypeError],
      ['DER hash', () => key.verifyDer(utf8('m'), new Uint8Array(3), 'MD5' as HashAlgorithm), TypeError],
    ];
    for (const [what, call, cause] of checks) {
      const error = await call().catch((e: unknown) => e);
      expect(error, what).toBeInstanceOf(EcdsaError);
      expect((error as Error).message).toBe('ECDSA operation failed');
      expect((error as Error).cause, what).toBeInstanceOf(cause);
    }
    expect(() => new EcdsaPublicKey(Symbol('x'), key as never)).toThrow(EcdsaError);
  });

  test('SHA-1 signatures still verify (legacy)', async () => {
    // Wycheproof-independent: sign SHA-384 and check SHA-1 verification just says false.
    const key = await EcdsaKeyPair.generate(EcdsaCurve.P384);
    expect(await key.verify(utf8('m'), await key.sign(utf8('m'), HashAlgorithm.Sha384), HashAlgorithm.Sha1)).toBe(false);
  });
});

interface EcdsaVector extends WycheproofTest {
  msg: string;
  sig: string;
}

function wycheproofRows(file: string) {
  const json = loadWycheproof<EcdsaVector>(file, 'ECDSA');
  const rows = json.testGroups.flatMap((group) => {
    const publicKey = group.publicKey as { uncompressed: string; curve: string };
    return group.tests.map((vector) => ({ ...vector, point: publicKey.uncompressed, spki: group.publicKeyDer as string, sha: group.sha as HashAlgorithm }));
  });
  return { json, rows };
}

describe.each([
  { file: 'ecdsa_secp384r1_sha384_p1363_test.json', der: false, valid: 193, invalid: 87 },
  { file: 'ecdsa_secp384r1_sha384_test.json', der: true, valid: 194, invalid: 310 },
])('Wycheproof $file', ({ file, der, valid, invalid }) => {
  const { json, rows } = wycheproofRows(file);
  const tally = new VectorTally(file);
  const keys = new Map<string, Promise<EcdsaPublicKey>>();

  test.each(rows)('tcId $tcId: $result, $comment', async (vector) => {
    expect(vector.sha).toBe(HashAlgorithm.Sha384);
    let key = keys.get(vector.point);
    if (key === undefined) {
      key = EcdsaPublicKey.fromUncompressedPoint(EcdsaCurve.P384, hex(vector.point));
      keys.set(vector.point, key);
      // The SubjectPublicKeyInfo of the group is the same key.
      expect(toHex((await EcdsaPublicKey.fromPublicKeyDer(hex(vector.spki))).publicKeyBytes())).toBe(vector.point.slice(2));
    }
    const publicKey = await key;
    const message = hex(vector.msg);
    const signature = hex(vector.sig);
    const verified = der ? await publicKey.verifyDer(message, signature, HashAlgorithm.Sha384) : await publicKey.verify(message, signature, HashAlgorithm.Sha384);
    switch (vector.result) {
      case 'valid':
        expect(verified).toBe(true);
        tally.record(vector.tcId, 'valid passed');
        break;
      case 'invalid':
        expect(verified).toBe(false);
        tally.record(vector.tcId, 'invalid rejected');
        break;
      default:
        throw new Error(`tcId ${vector.tcId} is "${vector.result}": decide deliberately how ECDSA treats it`);
    }
  });

  afterAll(() => {
    tally.check(json.numberOfTests, { 'valid passed': valid, 'invalid rejected': invalid });
  });
});

test('Wycheproof ecdsa_secp256r1_sha256_p1363_test.json is not applicable: P-384 only, as openvmm', () => {
  const file = 'ecdsa_secp256r1_sha256_p1363_test.json';
  const { json, rows } = wycheproofRows(file);
  const tally = new VectorTally(file);
  for (const vector of rows) tally.record(vector.tcId, 'not applicable', 'P-256: openvmm ecdsa has P-384 only');
  tally.check(json.numberOfTests, { 'not applicable': json.numberOfTests });
});
