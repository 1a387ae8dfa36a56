/**
 * `@tsvmm/crypto`: backend-agnostic cryptographic primitives for tsvmm, modelled on openvmm's
 * `support/crypto`. One API, three backends, exactly one linked into each app:
 *
 * - `openssl`: Node's `node:crypto` (OpenSSL);
 * - `noble`: pure JavaScript (`@noble/hashes`, later `@noble/ciphers` and `@noble/curves`);
 * - `native`: the runtime's WebCrypto (`globalThis.crypto`).
 *
 * Every module below imports its backend only through the `#backend` specifier, which
 * backend-guard resolves to the app's chosen `src/backend/<name>.ts`. No backend type appears in
 * this API; each module has one opaque error type whose `cause` holds the backend's error.
 * An app calls {@link ensureSingleBackend} in its entry; libraries never choose a backend.
 *
 * Operations that WebCrypto only offers asynchronously return promises on every backend; the rest
 * are synchronous (see README.md for the table).
 */
export { type BackendName } from './backend/backend.ts';
export { ENSURE_SINGLE_BACKEND_SYMBOL, EnsureSingleBackendError, ensureSingleBackend } from './ensure_single_backend.ts';
export { MAX_RANDOM_LENGTH, RandomError, fillRandom, getRandomBytes } from './random/index.ts';
export { HashAlgorithm, HashError, hash, hashLength } from './hashes/index.ts';
export { SHA_256_LENGTH, Sha256, Sha256Error, sha256 } from './sha_256/index.ts';
export { SHA_384_LENGTH, Sha384, Sha384Error, sha384 } from './sha_384/index.ts';
export {
  HMAC_SHA_256_LENGTH,
  HMAC_SHA_256_MIN_TAG_LENGTH,
  HmacSha256Error,
  hmacSha256,
  verifyHmacSha256,
  type VerifyHmacSha256Options,
} from './hmac_sha_256/index.ts';
