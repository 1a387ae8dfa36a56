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
