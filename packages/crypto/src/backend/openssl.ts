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
