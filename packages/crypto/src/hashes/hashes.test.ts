/**
 * Known answers of `hash()` for every `HashAlgorithm` (vectors in `testing/hash_vectors.ts`), and its
 * errors, through the public API; backend-agnostic (run once per backend).
 */
import { describe, expect, test } from 'vitest';
import { vectorsOf } from '../testing/hash_vectors.ts';
import { hex, toHex } from '../testing/hex.ts';
import { HashAlgorithm, HashError, hash, hashLength } from './index.ts';

const ALGORITHMS = Object.values(HashAlgorithm);

describe.each(ALGORITHMS)('hash(%s)', (algorithm) => {
  test.each(vectorsOf(algorithm))('%s', async (_name, message, digest) => {
    const out = await hash(algorithm, message());
    expect(out.constructor).toBe(Uint8Array);
    expect(out.length).toBe(hashLength(algorithm));
    expect(toHex(out)).toBe(digest);
  });

  test('hashes exactly the view of a subarray', async () => {
    const [, message, digest] = vectorsOf(algorithm).find(([name]) => name.startsWith('TEST1'))!;
    const backing = new Uint8Array(16).fill(0xee);
    backing.set(message(), 5);
    expect(toHex(await hash(algorithm, backing.subarray(5, 8)))).toBe(digest);
  });
});

test('every algorithm has known answers', () => {
  for (const algorithm of ALGORITHMS) expect(vectorsOf(algorithm).length).toBeGreaterThanOrEqual(4);
});

test('hashLength gives the FIPS 180-4 digest sizes', () => {
  expect(ALGORITHMS.map(hashLength)).toEqual([20, 32, 48, 64]);
  expect(HashAlgorithm).toEqual({ Sha1: 'SHA-1', Sha256: 'SHA-256', Sha384: 'SHA-384', Sha512: 'SHA-512' });
});

describe('errors', () => {
  test.each(['MD5', 'sha256', 'SHA-224', undefined])('an unknown algorithm %s is a HashError', async (algorithm) => {
    await expect(hash(algorithm as HashAlgorithm, new Uint8Array(0))).rejects.toThrow(HashError);
    expect(() => hashLength(algorithm as HashAlgorithm)).toThrow(HashError);
  });

  test('data that is not a Uint8Array is a HashError with the reason as cause', async () => {
    const error = await hash(HashAlgorithm.Sha256, 'abc' as unknown as Uint8Array).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashError);
    expect((error as Error).message).toBe('hash operation failed');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  test('a Node Buffer is accepted and the result is a plain Uint8Array', async () => {
    const out = await hash(HashAlgorithm.Sha1, Buffer.from('abc'));
    expect(out.constructor).toBe(Uint8Array);
    expect(out).toEqual(hex('a9993e364706816aba3e25717850c26c9cd0d89d'));
  });
});
