/**
 * Tests of `random` through the public API; backend-agnostic (run once per backend).
 */
import { describe, expect, test } from 'vitest';
import { MAX_RANDOM_LENGTH, RandomError, fillRandom, getRandomBytes } from './index.ts';

/** Whether every byte value 0..255 occurs; for 200,000 random bytes the chance that one is missing is below 2^-1100. */
function allByteValuesOccur(bytes: Uint8Array): boolean {
  return new Set(bytes).size === 256;
}

describe('getRandomBytes', () => {
  test.each([0, 1, 32, 65_535, 65_536, 65_537, 200_000])('returns %i bytes', (length) => {
    const bytes = getRandomBytes(length);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.length).toBe(length);
  });

  test('fills every 64 KiB chunk of a long request, not only the first', () => {
    const bytes = getRandomBytes(200_000);
    expect(allByteValuesOccur(bytes)).toBe(true);
    for (let offset = 0; offset < bytes.length; offset += 65_536) {
      expect(allByteValuesOccur(bytes.subarray(offset, offset + 65_536)) || bytes.length - offset < 65_536).toBe(true);
      expect(bytes.subarray(offset, offset + 64).some((b) => b !== 0)).toBe(true);
    }
    expect(bytes.subarray(bytes.length - 64).some((b) => b !== 0)).toBe(true);
  });

  test('two draws differ', () => {
    expect(getRandomBytes(32)).not.toEqual(getRandomBytes(32));
  });

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_RANDOM_LENGTH + 1, '32', undefined])('rejects the length %s with RandomError', (length) => {
    const call = () => getRandomBytes(length as number);
    expect(call).toThrow(RandomError);
    expect(call).toThrow('random number generation failed');
  });
});

describe('fillRandom', () => {
  test('fills exactly the view, in place, and returns it', () => {
    const backing = new Uint8Array(140_000);
    const view = backing.subarray(3, 3 + 131_075);
    expect(fillRandom(view)).toBe(view);
    expect(backing.subarray(0, 3)).toEqual(new Uint8Array(3));
    expect(backing.subarray(3 + 131_075)).toEqual(new Uint8Array(140_000 - 3 - 131_075));
    expect(allByteValuesOccur(view)).toBe(true);
    expect(view.subarray(view.length - 64).some((b) => b !== 0)).toBe(true);
  });

  test('accepts an empty buffer and a Node Buffer', () => {
    expect(fillRandom(new Uint8Array(0)).length).toBe(0);
    const buffer = Buffer.alloc(64);
    expect(fillRandom(buffer)).toBe(buffer);
    expect(buffer.some((b) => b !== 0)).toBe(true);
  });

  test('rejects what is not a Uint8Array with RandomError, keeping the reason as cause', () => {
    let error: unknown;
    try {
      fillRandom(new Uint16Array(4) as unknown as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RandomError);
    expect((error as RandomError).name).toBe('RandomError');
    expect((error as RandomError).cause).toBeInstanceOf(TypeError);
  });
});
