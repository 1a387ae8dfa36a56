/**
 * The backends against the {@link Backend} contract.
 *
 * At compile time (`tsc`): each backend module, and the placeholder, is assignable to `Backend`
 * and exports nothing the contract does not name, at the top level or in any algorithm namespace.
 * The imports are type-only, so no backend is loaded here. At run time: the linked `#backend` has
 * exactly the contract's keys, and only the placeholder says `placeholder = true`.
 */
import { expect, test } from 'vitest';
import * as linked from '#backend';
import type { Backend } from './backend.ts';
import { BACKEND_NAMES } from './backend.ts';
import type * as native from './native.ts';
import type * as noble from './noble.ts';
import type * as openssl from './openssl.ts';
import type * as placeholder from './placeholder.ts';

type Algorithm = Exclude<keyof Backend, 'name' | 'placeholder'>;
/** Names a module exports beyond the contract: top-level, or inside one algorithm's namespace. */
type Extra<M extends Backend> = Exclude<keyof M, keyof Backend> | { [K in Algorithm]: Exclude<keyof M[K], keyof Backend[K]> }[Algorithm];
type Conforms<M extends Backend> = [Extra<M>] extends [never] ? true : { extraExports: Extra<M> };

// Each line fails to compile if that module breaks the contract (assignability or extra exports).
const conformance: [Conforms<typeof openssl>, Conforms<typeof noble>, Conforms<typeof native>, Conforms<typeof placeholder>] = [true, true, true, true];

const CONTRACT_KEYS = {
  name: true,
  placeholder: true,
  random: true,
  hashes: true,
  sha_256: true,
  sha_384: true,
  hmac_sha_256: true,
  aes_256_cbc: true,
  aes_256_gcm: true,
  xts_aes_256: true,
  aes_key_wrap_with_padding: true,
  kbkdf: true,
  ecdsa: true,
  rsa: true,
  x509: true,
  pkcs7: true,
} satisfies Record<keyof Backend, true>;

test('every backend module conforms to Backend (checked by tsc)', () => {
  expect(conformance).toEqual([true, true, true, true]);
});

test('the linked backend has exactly the keys of Backend', () => {
  expect(Object.keys(linked).sort()).toEqual(Object.keys(CONTRACT_KEYS).sort());
  expect(BACKEND_NAMES).toContain(linked.name);
  expect(typeof linked.placeholder).toBe('boolean');
});
