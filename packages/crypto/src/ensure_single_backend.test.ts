/**
 * Which backend is linked, and `ensureSingleBackend()`.
 *
 * The suite runs once per backend (the vitest projects in vitest.config.ts): backend-guard's Vite
 * plugin resolves `#backend` from each project's features, and each project passes the same
 * features to the tests as `GUARD_FEATURES` (such as `@tsvmm/crypto/noble`; none for the
 * placeholder). This test checks that the run got what it asked for, so a misconfigured run cannot
 * pass while silently testing another backend.
 */
import { describe, expect, test } from 'vitest';
import { BACKEND_NAMES, type BackendName } from './backend/backend.ts';
import { ENSURE_SINGLE_BACKEND_SYMBOL, EnsureSingleBackendError, checkLinkedBackend, ensureSingleBackend } from './ensure_single_backend.ts';

const PREFIX = '@tsvmm/crypto/';

/**
 * The backends named in `GUARD_FEATURES`: comma-separated features in Cargo's `--features` syntax,
 * either `@tsvmm/crypto/<backend>` or, since this package is the one under test, a bare `<backend>`.
 */
function requestedBackends(features: string | undefined): BackendName[] {
  const names = (features ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .map((entry) => (entry.startsWith(PREFIX) ? entry.slice(PREFIX.length) : entry));
  return BACKEND_NAMES.filter((name) => names.includes(name));
}

describe('the linked backend', () => {
  const requested = requestedBackends(process.env.GUARD_FEATURES);

  if (requested.length === 1) {
    test(`is ${requested[0]}, as GUARD_FEATURES requests`, () => {
      expect(ensureSingleBackend()).toBe(requested[0]);
    });
  } else {
    test(`is the placeholder, since GUARD_FEATURES names ${requested.length === 0 ? 'no backend' : 'several backends'}`, () => {
      expect(() => ensureSingleBackend()).toThrow(EnsureSingleBackendError);
    });
  }
});

describe('checkLinkedBackend', () => {
  test.each(BACKEND_NAMES)('returns %s for a real backend', (name) => {
    expect(checkLinkedBackend({ name, placeholder: false })).toBe(name);
  });

  test('throws EnsureSingleBackendError on the placeholder, with openvmm\'s symbol and the fix', () => {
    let error: unknown;
    try {
      checkLinkedBackend({ name: 'openssl', placeholder: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnsureSingleBackendError);
    const { name, symbol, message } = error as EnsureSingleBackendError;
    expect(name).toBe('EnsureSingleBackendError');
    expect(symbol).toBe('__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto');
    expect(symbol).toBe(ENSURE_SINGLE_BACKEND_SYMBOL);
    expect(message).toContain(ENSURE_SINGLE_BACKEND_SYMBOL);
    expect(message).toContain('not built by backend-guard');
    expect(message).toContain('placeholder');
    expect(message).toContain('"guard": { "dependencies": { "@tsvmm/crypto": { "features": ["openssl"] } } }');
  });
});
