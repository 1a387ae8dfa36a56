/**
 * `ensureSingleBackend()`: the runtime half of openvmm's "exactly one crypto backend" check.
 *
 * In openvmm a binary with zero or several backends fails to link on the undefined symbol
 * `__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto`. Here
 * backend-guard does that check at build time and resolves `#backend` to the one chosen backend;
 * anything not built by it (a library's tests, `tsx src/main.ts`, a plain bundler) gets the
 * placeholder. Every app calls `ensureSingleBackend()` first thing in its entry, so an app that
 * was not built by backend-guard stops at once instead of running on an unchosen backend.
 */
// Only the two constants: a namespace import would pull every algorithm into an app that uses none.
import { name, placeholder } from '#backend';
import type { Backend, BackendName } from './backend/backend.ts';

/** openvmm's link-error symbol, kept so people can search for it (also in backend-guard's diagnostics). */
export const ENSURE_SINGLE_BACKEND_SYMBOL = '__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto';

/** Thrown by {@link ensureSingleBackend} when the linked backend is the placeholder. */
export class EnsureSingleBackendError extends Error {
  override readonly name = 'EnsureSingleBackendError';
  /** openvmm's link-error symbol; also part of the message. */
  readonly symbol = ENSURE_SINGLE_BACKEND_SYMBOL;

  constructor() {
    super([
      `@tsvmm/crypto has no backend: the linked backend is the placeholder (undefined symbol: ${ENSURE_SINGLE_BACKEND_SYMBOL}).`,
      'This app was not built by backend-guard, which resolves "#backend" to the one backend the app chose;',
      'without it, "#backend" falls back to a placeholder that is for library tests only and is never shippable.',
      'Build the app with backend-guard, and choose exactly one backend in the app\'s package.json:',
      '"guard": { "dependencies": { "@tsvmm/crypto": { "features": ["openssl"] } } } (or "noble", or "native").',
      'Libraries must not choose a backend; see packages/crypto/README.md.',
    ].join('\n'));
  }
}

/** The check itself, on the linked backend's `name` and `placeholder` (exported for tests). */
export function checkLinkedBackend(linked: Pick<Backend, 'name' | 'placeholder'>): BackendName {
  if (linked.placeholder) throw new EnsureSingleBackendError();
  return linked.name;
}

/**
 * The name of the one backend this app was built with; throws {@link EnsureSingleBackendError} if
 * it was not built by backend-guard (the backend is the placeholder). Call it in every app's entry.
 */
export function ensureSingleBackend(): BackendName {
  return checkLinkedBackend({ name, placeholder });
}
