/**
 * Tests of `sha_256` (one-shot and incremental) through the public API; backend-agnostic (run once
 * per backend). Known answers are FIPS 180-2 / RFC 6234 (`testing/hash_vectors.ts`); the
 * incremental tests feed the same messages in many different splits, which exercises the `native`
 * backend's buffering and the block boundaries of the others.
 */
import { describe, expect, test } from 'vitest';
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { vectorsOf } from '../testing/hash_vectors.ts';
import { toHex, utf8 } from '../testing/hex.ts';
import { SHA_256_LENGTH, Sha256, Sha256Error, sha256 } from './index.ts';

const VECTORS = vectorsOf(HashAlgorithm.Sha256);
const PANGRAM = 'The quick brown fox jumps over the lazy dog';
const PANGRAM_DIGEST = 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592';

/** Feeds `message` in chunks of 1, 2, ..., 127, 1, 2, ... bytes. */
function irregularChunks(message: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0, size = 1; offset < message.length; offset += size, size = (size % 127) + 1) {
    chunks.push(message.subarray(offset, offset + size));
  }
  return chunks;
}

async function incremental(chunks: Uint8Array[]): Promise<string> {
  const hasher = new Sha256();
  for (const chunk of chunks) hasher.update(chunk);
  return toHex(await hasher.finish());
}

describe('sha256 (one-shot)', () => {
  test.each(VECTORS)('%s', async (_name, message, digest) => {
    const out = await sha256(message());
    expect(out.constructor).toBe(Uint8Array);
    expect(out.length).toBe(SHA_256_LENGTH);
    expect(toHex(out)).toBe(digest);
  });

  test('the pangram (openvmm sha_256 known vector)', async () => {
    expect(toHex(await sha256(utf8(PANGRAM)))).toBe(PANGRAM_DIGEST);
  });
});

describe('Sha256 (incremental)', () => {
  test.each(VECTORS)('%s in one update', async (_name, message, digest) => {
    expect(await incremental([message()])).toBe(digest);
  });

  test.each(VECTORS)('%s in irregular chunks', async (_name, message, digest) => {
    expect(await incremental(irregularChunks(message()))).toBe(digest);
  });

  test('no update at all is the empty message', async () => {
    expect(toHex(await new Sha256().finish())).toBe(VECTORS.find(([name]) => name === 'empty message')![2]);
  });

  test('the pangram in three parts, with empty updates between (openvmm sha_256 known vector)', async () => {
    const parts = ['The quick brown fox ', '', 'jumps over ', 'the lazy dog', ''].map(utf8);
    expect(await incremental(parts)).toBe(PANGRAM_DIGEST);
  });

  test('every split of a 320-byte message (several blocks) into two updates', async () => {
    const message = utf8('01234567'.repeat(40));
    const expected = toHex(await sha256(message));
    for (let split = 0; split <= message.length; split++) {
      expect(await incremental([message.subarray(0, split), message.subarray(split)]), `split at ${split}`).toBe(expected);
    }
  });

  test('equals the one-shot digest of 300 KiB of random data fed in uneven chunks', async () => {
    const message = new Uint8Array(300 * 1024);
    for (let offset = 0; offset < message.length; offset += 65_536) crypto.getRandomValues(message.subarray(offset, offset + 65_536));
    const chunks = [];
    for (let offset = 0, size = 1; offset < message.length; offset += size, size = (size * 7 + 3) % 9_973) chunks.push(message.subarray(offset, offset + size));
    expect(await incremental(chunks)).toBe(toHex(await sha256(message)));
  });

  test('update keeps no reference: changing the input afterwards does not change the digest', async () => {
    const buffer = utf8(PANGRAM);
    const hasher = new Sha256().update(buffer);
    buffer.fill(0);
    expect(toHex(await hasher.finish())).toBe(PANGRAM_DIGEST);
  });

  test('update hashes exactly the view of a subarray and returns the hasher', async () => {
    const backing = new Uint8Array(PANGRAM.length + 10).fill(0xee);
    backing.set(utf8(PANGRAM), 7);
    const hasher = new Sha256();
    expect(hasher.update(backing.subarray(7, 7 + PANGRAM.length))).toBe(hasher);
    expect(toHex(await hasher.finish())).toBe(PANGRAM_DIGEST);
  });

  test('finish consumes the hasher: update and finish then fail with Sha256Error', async () => {
    const hasher = new Sha256().update(utf8('abc'));
    await hasher.finish();
    expect(() => hasher.update(utf8('abc'))).toThrow(Sha256Error);
    await expect(hasher.finish()).rejects.toThrow(Sha256Error);
  });

  test('a second finish started before the first settles fails', async () => {
    const hasher = new Sha256();
    const first = hasher.finish();
    await expect(hasher.finish()).rejects.toThrow(Sha256Error);
    expect((await first).length).toBe(SHA_256_LENGTH);
  });
});

describe('errors', () => {
  test('data that is not a Uint8Array is a Sha256Error with the reason as cause', async () => {
    const error = await sha256('abc' as unknown as Uint8Array).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Sha256Error);
    expect((error as Error).name).toBe('Sha256Error');
    expect((error as Error).message).toBe('SHA-256 operation failed');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  test('a failed update leaves the hasher spent', async () => {
    const hasher = new Sha256();
    expect(() => hasher.update([1, 2, 3] as unknown as Uint8Array)).toThrow(Sha256Error);
    expect(() => hasher.update(utf8('abc'))).toThrow(Sha256Error);
    await expect(hasher.finish()).rejects.toThrow(Sha256Error);
  });
});
