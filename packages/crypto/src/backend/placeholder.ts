/**
 * The placeholder backend: what `#backend` resolves to when no app chose a backend, that is in a
 * library's own tests and type checks (package.json `imports`), and when a test run asks for zero or
 * several backends.
 *
 * It works (it is the `openssl` backend) so that libraries can be tested without choosing, but it
 * is NEVER shippable: it says `placeholder = true`, and `ensureSingleBackend()`, which every app
 * calls in its entry, throws on it. An app gets a real backend only when backend-guard builds it
 * with exactly one of `@tsvmm/crypto/openssl`, `/noble`, `/native` enabled.
 */
export * from './openssl.ts';

/** Overrides the star export's `placeholder = false`: a local export wins over `export *`. */
export const placeholder = true;
