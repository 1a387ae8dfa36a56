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
export { AES_256_CBC_IV_LENGTH, AES_256_CBC_KEY_LENGTH, Aes256Cbc, Aes256CbcError } from './aes_256_cbc/index.ts';
export {
  AES_256_GCM_IV_LENGTH,
  AES_256_GCM_KEY_LENGTH,
  AES_256_GCM_MAX_IV_LENGTH,
  AES_256_GCM_MIN_IV_LENGTH,
  AES_256_GCM_TAG_LENGTH,
  AES_256_GCM_TAG_MISMATCH,
  Aes256Gcm,
  Aes256GcmError,
  type Aes256GcmSealed,
} from './aes_256_gcm/index.ts';
export {
  XTS_AES_256_KEY_LENGTH,
  XTS_AES_256_MAX_DATA_UNIT_SIZE,
  XTS_AES_256_MAX_TWEAK,
  XTS_AES_256_MIN_DATA_UNIT_SIZE,
  XtsAes256,
  XtsAes256Error,
} from './xts_aes_256/index.ts';
export {
  AES_KEY_WRAP_WITH_PADDING_INTEGRITY_FAILURE,
  AES_KEY_WRAP_WITH_PADDING_KEK_LENGTHS,
  AES_KEY_WRAP_WITH_PADDING_MAX_PAYLOAD_LENGTH,
  AesKeyWrapWithPadding,
  AesKeyWrapWithPaddingError,
} from './aes_key_wrap_with_padding/index.ts';
export { KBKDF_MAX_OUTPUT_LENGTH, KbkdfError, type KbkdfOptions, kbkdfHmacSha256 } from './kbkdf/index.ts';
export { UnsupportedError, isUnsupported } from './internal/unsupported.ts';
export { EcdsaCurve, EcdsaError, EcdsaKeyPair, EcdsaPublicKey } from './ecdsa/index.ts';
export {
  RSA_GENERATE_BITS,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
  RsaError,
  RsaKeyPair,
  RsaPublicKey,
  type RsaOaepOptions,
  type RsaPrivateKeyComponents,
  type RsaPssOptions,
  type RsaPublicKeyComponents,
} from './rsa/index.ts';
export {
  X509Certificate,
  X509Error,
  type X509Extension,
  type X509PublicKey,
  type X509SignatureAlgorithm,
  type X509Validity,
} from './x509/index.ts';
export { Pkcs7Error, Pkcs7SignedData } from './pkcs7/index.ts';
