/**
 * The `native` backend: the runtime's WebCrypto (`globalThis.crypto.subtle` and
 * `crypto.getRandomValues`), as in a browser, Deno, Bun or Node (openvmm's `win.rs`/`mac.rs`
 * backends, which use the platform's own library).
 *
 * The build resolves `#backend` to this module when the app enables `@tsvmm/crypto/native`.
 * It only re-exports the per-algorithm `native.ts` files; see `backend.ts` for the contract.
 * WebCrypto is asynchronous, which is why several public operations return promises. WebCrypto has
 * no incremental digest: `sha_256`/`sha_384` hashers buffer their input (see `internal/webcrypto.ts`).
 */
export const name = 'native';
export const placeholder = false;

export * as random from '../random/native.ts';
export * as hashes from '../hashes/native.ts';
export * as sha_256 from '../sha_256/native.ts';
export * as sha_384 from '../sha_384/native.ts';
export * as hmac_sha_256 from '../hmac_sha_256/native.ts';
export * as aes_256_cbc from '../aes_256_cbc/native.ts';
export * as aes_256_gcm from '../aes_256_gcm/native.ts';
export * as xts_aes_256 from '../xts_aes_256/native.ts';
export * as aes_key_wrap_with_padding from '../aes_key_wrap_with_padding/native.ts';
export * as kbkdf from '../kbkdf/native.ts';
export * as ecdsa from '../ecdsa/native.ts';
export * as rsa from '../rsa/native.ts';
export * as x509 from '../x509/native.ts';
export * as pkcs7 from '../pkcs7/native.ts';
