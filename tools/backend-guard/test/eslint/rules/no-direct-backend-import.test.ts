/**
 * `no-direct-backend-import`: node:crypto, the crypto package's backend libraries (derived from its
 * package.json) and WebCrypto's primitives are for the crypto package only.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWorkspace } from '../../../src/manifest/workspace.ts';
import rule, { derivedBackendLibraries } from '../../../src/eslint/rules/no-direct-backend-import.ts';
import { pkg, writeWorkspace } from '../../support/write-workspace.ts';
import { SourceRuleTester } from '../support/rule-testers.ts';

const root = writeWorkspace({
  'packages/crypto/package.json': pkg('@t/crypto', {
    dependencies: { '@noble/hashes': '2.4.0', '@noble/curves': '2.4.0', 'webcrypto-shim': '1.0.0', 'bytes-util': '1.0.0' },
    guard: {
      // noble turns on two libraries (one through another feature), native one more.
      features: { default: [], openssl: [], noble: ['curves', 'dep:@noble/hashes'], curves: ['dep:@noble/curves'], native: ['webcrypto-shim/strict'], bytes: ['dep:bytes-util'] },
      dependencies: { '@noble/hashes': { optional: true }, '@noble/curves': { optional: true }, 'webcrypto-shim': { optional: true }, 'bytes-util': { optional: true } },
      exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } },
    },
  }),
  'packages/lib/package.json': pkg('@t/lib', { dependencies: { '@t/crypto': 'workspace:*' } }),
});
const lib = join(root, 'packages/lib/src/index.ts');
const owned = join(root, 'packages/crypto/src/backend/openssl.ts');
const outside = join(root, 'scripts/tool.ts');
const imported = (source: string, line: number, column: number, endColumn: number) => ({
  messageId: 'backendImport' as const,
  data: { source, owner: '@t/crypto' },
  line,
  column,
  endLine: line,
  endColumn,
});
const web = (api: string, line: number, column: number, endColumn: number) => ({
  messageId: 'webCrypto' as const,
  data: { api, owner: '@t/crypto' },
  line,
  column,
  endLine: line,
  endColumn,
});

new SourceRuleTester().run('no-direct-backend-import', rule, {
  valid: [
    // The crypto package itself may use every backend library.
    { code: "import { createHash } from 'node:crypto';\nimport { sha256 } from '@noble/hashes/sha2.js';\nexport const d = crypto.subtle;\n", filename: owned },
    // Everyone else goes through its API.
    { code: "import { sha_256 } from '@t/crypto';\nexport const h = sha_256;\n", filename: lib },
    // Types are erased: nothing is linked.
    { code: "import type { KeyObject } from 'node:crypto';\nexport type K = KeyObject;\n", filename: lib },
    { code: "export type { KeyObject } from 'node:crypto';\n", filename: lib },
    { code: "export type Hash = typeof import('node:crypto').createHash;\n", filename: lib },
    // randomUUID on WebCrypto's global: an identifier, not key material; it links nothing.
    { code: 'export const id = crypto.randomUUID();\n', filename: lib },
    { code: 'export const id = globalThis.crypto.randomUUID();\n', filename: lib },
    // A local `crypto` is not WebCrypto.
    { code: 'const crypto = { subtle: 1 };\nexport const s = crypto.subtle;\n', filename: lib },
    { code: 'export function f(crypto: { getRandomValues(): void }) {\n  crypto.getRandomValues();\n}\n', filename: lib },
    // Not backend libraries: an optional dependency no backend feature turns on, look-alike names.
    { code: "import { x } from 'bytes-util';\nimport { y } from '@nobleman/hashes';\nimport { z } from 'cryptography';\nexport { x, y, z };\n", filename: lib },
    // A computed import specifier cannot be checked.
    { code: 'export const load = (name: string) => import(name);\n', filename: lib },
  ],
  invalid: [
    {
      // Any value import of node:crypto links OpenSSL, randomUUID and inline type specifiers too.
      code: "import { createHash } from 'node:crypto';\nimport { randomUUID } from 'crypto';\nimport { type KeyObject } from 'node:crypto';\n",
      filename: lib,
      errors: [imported('node:crypto', 1, 28, 41), imported('crypto', 2, 28, 36), imported('node:crypto', 3, 32, 45)],
    },
    {
      // Libraries derived from the crypto package's backend features, and every @noble package.
      code: "import { sha256 } from '@noble/hashes/sha2.js';\nimport { p256 } from '@noble/curves/nist.js';\nimport shim from 'webcrypto-shim';\nimport { gcm } from '@noble/ciphers/aes.js';\n",
      filename: lib,
      errors: [imported('@noble/hashes/sha2.js', 1, 24, 47), imported('@noble/curves/nist.js', 2, 22, 45), imported('webcrypto-shim', 3, 18, 34), imported('@noble/ciphers/aes.js', 4, 21, 44)],
    },
    {
      // Re-exports, dynamic imports, require and import = require.
      code: "export { createHash } from 'node:crypto';\nexport * from '@noble/hashes';\nconst c = await import('node:crypto');\nconst r = require('node:crypto');\nimport n = require('node:crypto');\nexport { c, r, n };\n",
      filename: lib,
      errors: [imported('node:crypto', 1, 28, 41), imported('@noble/hashes', 2, 15, 30), imported('node:crypto', 3, 24, 37), imported('node:crypto', 4, 19, 32), imported('node:crypto', 5, 20, 33)],
    },
    {
      // WebCrypto's primitives and CSPRNG, however reached.
      code: [
        "export const a = crypto.subtle.digest('SHA-256', new Uint8Array());",
        'export const b = globalThis.crypto.subtle;',
        'window.crypto.getRandomValues(new Uint8Array(8));',
        "export const c = crypto['getRandomValues'];",
        'const { subtle, randomUUID } = globalThis.crypto;',
        'export const d = (globalThis.crypto as Crypto).subtle;',
        'export { subtle, randomUUID };',
      ].join('\n'),
      filename: lib,
      errors: [
        web('crypto.subtle', 1, 18, 31),
        web('crypto.subtle', 2, 18, 42),
        web('crypto.getRandomValues', 3, 1, 30),
        web('crypto.getRandomValues', 4, 18, 43),
        web('crypto.subtle', 5, 9, 15),
        web('crypto.subtle', 6, 18, 54),
      ],
    },
    {
      // Files outside every package (scripts at the root) are held to it too.
      code: "import { randomBytes } from 'node:crypto';\nrandomBytes(8);\n",
      filename: outside,
      errors: [imported('node:crypto', 1, 29, 42)],
    },
  ],
});

describe('backend libraries', () => {
  it('are the optional dependencies that backend features turn on, read from the crypto package', () => {
    expect(derivedBackendLibraries(readWorkspace(root))).toEqual(['@noble/curves', '@noble/hashes', 'webcrypto-shim']);
  });
});
