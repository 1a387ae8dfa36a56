/**
 * The tests of a fixed-hash module (`sha_256`, `sha_384`: a one-shot digest function and an
 * incremental hasher class), through its public API only; backend-agnostic (run once per backend).
 * Each module's `<name>.test.ts` calls {@link describeIncrementalHash} with its own API, vectors
 * and names, so the same assertions run for every such module.
 *
 * Known answers are FIPS 180-2 / RFC 6234 (`hash_vectors.ts`); the incremental tests feed the same
 * messages in many different splits, which exercises the `native` backend's buffering and the block
 * boundaries of the others.
 */
import { describe, expect, test } from 'vitest';
import { toHex, utf8 } from './hex.ts';

/** The public shape of an incremental hasher: `update` returns the hasher, `finish` the digest. */
export interface PublicIncrementalHasher {
  update(data: Uint8Array): this;
  finish(): Promise<Uint8Array>;
}

/** One module's API under test and what it must produce. */
export interface IncrementalHashModule {
  /** The one-shot function, e.g. `sha256`; its `name` titles the one-shot tests. */
  digest: (data: Uint8Array) => Promise<Uint8Array>;
  /** The hasher class, e.g. `Sha256`; its `name` titles the incremental tests. */
  Hasher: new () => PublicIncrementalHasher;
  /** The module's error class, e.g. `Sha256Error`. */
  ModuleError: abstract new (...args: never[]) => Error;
  /** The error's expected `name` and `message`, written out by the caller. */
  errorName: string;
  errorMessage: string;
  /** The digest length in bytes, e.g. `SHA_256_LENGTH`. */
  length: number;
  /** The algorithm's known answers, as `vectorsOf` returns them. */
  vectors: [string, () => Uint8Array, string][];
  /** The digest of {@link PANGRAM}, in hex, and where that value comes from (titles the tests). */
  pangramDigest: string;
  pangramSource: string;
}

/** "The quick brown fox jumps over the lazy dog". */
export const PANGRAM = 'The quick brown fox jumps over the lazy dog';

/** Feeds `message` in chunks of 1, 2, ..., 127, 1, 2, ... bytes. */
function irregularChunks(message: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0, size = 1; offset < message.length; offset += size, size = (size % 127) + 1) {
    chunks.push(message.subarray(offset, offset + size));
  }
  return chunks;
}

/** Defines the one-shot, incremental and error tests of one fixed-hash module. */
export function describeIncrementalHash(module: IncrementalHashModule): void {
  const { digest, Hasher, ModuleError, errorName, errorMessage, length, vectors, pangramDigest, pangramSource } = module;

  async function incremental(chunks: Uint8Array[]): Promise<string> {
    const hasher = new Hasher();
    for (const chunk of chunks) hasher.update(chunk);
    return toHex(await hasher.finish());
  }

  describe(`${digest.name} (one-shot)`, () => {
    test.each(vectors)('%s', async (_name, message, expected) => {
      const out = await digest(message());
      expect(out.constructor).toBe(Uint8Array);
      expect(out.length).toBe(length);
      expect(toHex(out)).toBe(expected);
    });

    test(`the pangram (${pangramSource})`, async () => {
      expect(toHex(await digest(utf8(PANGRAM)))).toBe(pangramDigest);
    });
  });

  describe(`${Hasher.name} (incremental)`, () => {
    test.each(vectors)('%s in one update', async (_name, message, expected) => {
      expect(await incremental([message()])).toBe(expected);
    });

    test.each(vectors)('%s in irregular chunks', async (_name, message, expected) => {
      expect(await incremental(irregularChunks(message()))).toBe(expected);
    });

    test('no update at all is the empty message', async () => {
      expect(toHex(await new Hasher().finish())).toBe(vectors.find(([name]) => name === 'empty message')![2]);
    });

    test(`the pangram in three parts, with empty updates between (${pangramSource})`, async () => {
      const parts = ['The quick brown fox ', '', 'jumps over ', 'the lazy dog', ''].map(utf8);
      expect(await incremental(parts)).toBe(pangramDigest);
    });

    test('every split of a 320-byte message (several blocks) into two updates', async () => {
      const message = utf8('01234567'.repeat(40));
      const expected = toHex(await digest(message));
      for (let split = 0; split <= message.length; split++) {
        expect(await incremental([message.subarray(0, split), message.subarray(split)]), `split at ${split}`).toBe(expected);
      }
    });

    test('equals the one-shot digest of 300 KiB of random data fed in uneven chunks', async () => {
      const message = new Uint8Array(300 * 1024);
      for (let offset = 0; offset < message.length; offset += 65_536) crypto.getRandomValues(message.subarray(offset, offset + 65_536));
      const chunks = [];
      for (let offset = 0, size = 1; offset < message.length; offset += size, size = (size * 7 + 3) % 9_973) chunks.push(message.subarray(offset, offset + size));
      expect(await incremental(chunks)).toBe(toHex(await digest(message)));
    });

    test('update keeps no reference: changing the input afterwards does not change the digest', async () => {
      const buffer = utf8(PANGRAM);
      const hasher = new Hasher().update(buffer);
      buffer.fill(0);
      expect(toHex(await hasher.finish())).toBe(pangramDigest);
    });

    test('update hashes exactly the view of a subarray and returns the hasher', async () => {
      const backing = new Uint8Array(PANGRAM.length + 10).fill(0xee);
      backing.set(utf8(PANGRAM), 7);
      const hasher = new Hasher();
      expect(hasher.update(backing.subarray(7, 7 + PANGRAM.length))).toBe(hasher);
      expect(toHex(await hasher.finish())).toBe(pangramDigest);
    });

    test(`finish consumes the hasher: update and finish then fail with ${errorName}`, async () => {
      const hasher = new Hasher().update(utf8('abc'));
      await hasher.finish();
      expect(() => hasher.update(utf8('abc'))).toThrow(ModuleError);
      await expect(hasher.finish()).rejects.toThrow(ModuleError);
    });

    test('a second finish started before the first settles fails', async () => {
      const hasher = new Hasher();
      const first = hasher.finish();
      await expect(hasher.finish()).rejects.toThrow(ModuleError);
      expect((await first).length).toBe(length);
    });
  });

  describe('errors', () => {
    test(`data that is not a Uint8Array is a ${errorName} with the reason as cause`, async () => {
      const error = await digest('abc' as unknown as Uint8Array).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModuleError);
      expect((error as Error).name).toBe(errorName);
      expect((error as Error).message).toBe(errorMessage);
      expect((error as Error).cause).toBeInstanceOf(TypeError);
    });

    test('a failed update leaves the hasher spent', async () => {
      const hasher = new Hasher();
      expect(() => hasher.update([1, 2, 3] as unknown as Uint8Array)).toThrow(ModuleError);
      expect(() => hasher.update(utf8('abc'))).toThrow(ModuleError);
      await expect(hasher.finish()).rejects.toThrow(ModuleError);
    });
  });
}
