/**
 * The `noble` backend: pure JavaScript, on the audited `@noble/*` libraries (openvmm's `rust.rs`
 * backends, which use RustCrypto).
 *
 * The build resolves `#backend` to this module when the app enables `@tsvmm/crypto/noble`, which
 * also turns on the optional `@noble/*` dependencies (`dep:` in package.json). It only re-exports
 * the per-algorithm `noble.ts` files; see `backend.ts` for the contract.
 *
 * Randomness is the one thing pure JavaScript cannot provide: `random` draws from the platform
 * CSPRNG through `@noble/hashes`' `randomBytes` (`crypto.getRandomValues`).
 */
export const name = 'noble';
export const placeholder = false;

export * as random from '../random/noble.ts';
export * as hashes from '../hashes/noble.ts';
export * as sha_256 from '../sha_256/noble.ts';
export * as sha_384 from '../sha_384/noble.ts';
export * as hmac_sha_256 from '../hmac_sha_256/noble.ts';
export * as aes_256_cbc from '../aes_256_cbc/noble.ts';
export * as aes_256_gcm from '../aes_256_gcm/noble.ts';
export * as xts_aes_256 from '../xts_aes_256/noble.ts';
export * as aes_key_wrap_with_padding from '../aes_key_wrap_with_padding/noble.ts';
export * as kbkdf from '../kbkdf/noble.ts';
export * as ecdsa from '../ecdsa/noble.ts';
export * as rsa from '../rsa/noble.ts';
export * as x509 from '../x509/noble.ts';
export * as pkcs7 from '../pkcs7/noble.ts';
