/**
 * The `openssl` backend: Node's `node:crypto`, which is OpenSSL (openvmm's `ossl.rs` backends).
 *
 * The build resolves `#backend` to this module when the app enables `@tsvmm/crypto/openssl`.
 * It only re-exports the per-algorithm `openssl.ts` files; see `backend.ts` for the contract.
 * Every operation is synchronous underneath; the public API awaits where another backend needs it.
 */
export const name = 'openssl';
export const placeholder = false;

export * as random from '../random/openssl.ts';
export * as hashes from '../hashes/openssl.ts';
export * as sha_256 from '../sha_256/openssl.ts';
export * as sha_384 from '../sha_384/openssl.ts';
export * as hmac_sha_256 from '../hmac_sha_256/openssl.ts';
export * as aes_256_cbc from '../aes_256_cbc/openssl.ts';
export * as aes_256_gcm from '../aes_256_gcm/openssl.ts';
export * as xts_aes_256 from '../xts_aes_256/openssl.ts';
export * as aes_key_wrap_with_padding from '../aes_key_wrap_with_padding/openssl.ts';
export * as kbkdf from '../kbkdf/openssl.ts';
export * as ecdsa from '../ecdsa/openssl.ts';
export * as rsa from '../rsa/openssl.ts';
export * as x509 from '../x509/openssl.ts';
export * as pkcs7 from '../pkcs7/openssl.ts';
