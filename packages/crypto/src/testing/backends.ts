/**
 * The three backend modules side by side, for tests that compare them directly (the linked
 * `#backend` is only one of them), and fast-check arbitraries for valid inputs: the backends sit
 * behind the public modules' validation, so these generate only what the public API would pass on.
 */
import fc from 'fast-check';
import type { Backend } from '../backend/backend.ts';
import * as native from '../backend/native.ts';
import * as noble from '../backend/noble.ts';
import * as openssl from '../backend/openssl.ts';
import { toHex } from './hex.ts';

export const BACKENDS: readonly Backend[] = [openssl, noble, native];

/** Exactly `length` random bytes. */
export const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/** Between `min` and `max` random bytes. */
export const bytesBetween = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Whole 16-byte blocks, 0 to `maxBlocks` of them. */
export const blocks = (maxBlocks: number) => fc.integer({ min: 0, max: maxBlocks }).chain((n) => bytes(16 * n));

/**
 * Runs `run` on every backend and checks they all give the same result (compared as JSON with byte
 * arrays as hex); returns it.
 */
export async function agree<T>(run: (backend: Backend) => unknown): Promise<T> {
  const results = await Promise.all(BACKENDS.map(async (backend) => normalize(await run(backend))));
  for (let i = 1; i < results.length; i++) {
    if (results[i] !== results[0]) throw new Error(`${BACKENDS[i]!.name} disagrees with ${BACKENDS[0]!.name}:\n${results[i]}\n${results[0]}`);
  }
  return JSON.parse(results[0]!) as T;
}

function normalize(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v === undefined ? null : v)) ?? 'null';
}
