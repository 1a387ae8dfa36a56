/**
 * The legacy SEV tests run once per crypto backend (vitest.config.ts's projects); this checks that
 * each run links the backend it asked for (`SEV_TEST_BACKEND`), so a misconfigured run cannot pass
 * while silently testing another backend, and that verification really goes through it.
 */
import { EnsureSingleBackendError, ensureSingleBackend } from '@tsvmm/crypto';
import { expect, test } from 'vitest';
import { sevBuiltinCaChain } from './builtin.ts';

const expected = process.env.SEV_TEST_BACKEND ?? 'placeholder';

test(`the linked crypto backend is ${expected}`, () => {
  if (expected === 'placeholder') expect(() => ensureSingleBackend()).toThrow(EnsureSingleBackendError);
  else expect(ensureSingleBackend()).toBe(expected);
});

test('verification works on it', async () => {
  expect((await sevBuiltinCaChain('naples').verify()).valid).toBe(true);
});
