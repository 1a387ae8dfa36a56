/**
 * The package's layout rules, checked on the source text (the same on every backend run):
 *
 * - one name per algorithm: `src/<name>/` holds `index.ts`, `openssl.ts`, `noble.ts`, `native.ts`
 *   and `<name>.test.ts`; every backend module re-exports it as `<name>`; README.md documents it;
 * - the public modules reach a backend only through `#backend`, never a backend file;
 * - each backend's files use only that backend's library: `openssl` only `node:crypto`, `noble`
 *   only `@noble/*` (pure JS), `native` neither (WebCrypto is a global); shared files use none.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BACKEND_NAMES, type BackendName } from './backend/backend.ts';

const SRC = new URL('./', import.meta.url);
const NOT_ALGORITHMS = new Set(['backend', 'internal', 'testing']);
const ALGORITHMS = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NOT_ALGORITHMS.has(entry.name))
  .map((entry) => entry.name)
  .sort();

const read = (path: string) => readFileSync(new URL(path, SRC), 'utf8');

test('the algorithms are the ones this session ships', () => {
  expect(ALGORITHMS).toEqual(['aes_256_cbc', 'aes_256_gcm', 'aes_key_wrap_with_padding', 'ecdsa', 'hashes', 'hmac_sha_256', 'kbkdf', 'pkcs7', 'random', 'rsa', 'sha_256', 'sha_384', 'x509', 'xts_aes_256']);
});

describe.each(ALGORITHMS)('%s', (algorithm) => {
  test('has its public module, one file per backend, and its tests', () => {
    for (const file of ['index.ts', ...BACKEND_NAMES.map((b) => `${b}.ts`), `${algorithm}.test.ts`]) {
      expect(existsSync(new URL(`${algorithm}/${file}`, SRC)), `${algorithm}/${file}`).toBe(true);
    }
  });

  test.each(BACKEND_NAMES)('is re-exported by backend/%s.ts under its own name', (backend) => {
    expect(read(`backend/${backend}.ts`)).toContain(`export * as ${algorithm} from '../${algorithm}/${backend}.ts';`);
  });

  test('is documented in README.md', () => {
    expect(readFileSync(new URL('../README.md', SRC), 'utf8')).toContain(`\`${algorithm}\``);
  });
});

/** The backend a source file belongs to, or undefined for shared (backend-neutral) code. */
function backendOf(path: string): BackendName | undefined {
  if (path === 'internal/node.ts' || path === 'backend/placeholder.ts') return 'openssl';
  if (path === 'internal/webcrypto.ts') return 'native';
  if (path === 'internal/webcrypto_aes.ts') return 'native';
  const base = path.slice(path.lastIndexOf('/') + 1, -'.ts'.length);
  return (BACKEND_NAMES as readonly string[]).includes(base) ? (base as BackendName) : undefined;
}

const LIBRARIES: Record<BackendName, RegExp | undefined> = { openssl: /^node:crypto$/, noble: /^@noble\/|^micro-rsa-dsa-dh\//, native: undefined };

/**
 * The one shared file that may use a library: pure-JS ASN.1 parsing, no cryptography (what
 * `node:crypto` and WebCrypto cannot parse: X.509 names, PKCS#7, PKCS#8 for `noble`). Every backend
 * may import it; the public modules do not (they reach parsing only through a backend).
 */
const SHARED_LIBRARIES: Record<string, RegExp> = { 'internal/asn1.ts': /^@peculiar\/asn1-/ };

function sourceFiles(dir = ''): string[] {
  return readdirSync(new URL(dir || './', SRC), { withFileTypes: true }).flatMap((entry) => {
    const path = dir + entry.name;
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(`${path}/`);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  return [...read(path).matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

function resolveRelative(from: string, specifier: string): string {
  const url = new URL(specifier, new URL(from, SRC));
  return url.pathname.slice(SRC.pathname.length);
}

describe.each(sourceFiles())('%s', (path) => {
  const owner = backendOf(path);
  test(`imports only ${owner === undefined ? 'shared code and #backend' : `shared code and ${owner} code`}`, () => {
    for (const specifier of imports(path)) {
      if (specifier.startsWith('.')) {
        const target = backendOf(resolveRelative(path, specifier));
        if (target !== undefined) expect(target, `${path} imports ${specifier}`).toBe(owner);
      } else if (specifier === '#backend') {
        expect(owner, `${path} imports #backend`).toBeUndefined();
      } else {
        const allowed = owner === undefined ? SHARED_LIBRARIES[path] : LIBRARIES[owner];
        expect(allowed?.test(specifier) ?? false, `${path} imports ${specifier}`).toBe(true);
      }
    }
  });
});

test('the public modules import #backend', () => {
  for (const algorithm of ALGORITHMS) expect(imports(`${algorithm}/index.ts`)).toContain('#backend');
});

test('the public modules do not import the ASN.1 helpers (only backends parse)', () => {
  for (const algorithm of ALGORITHMS) expect(imports(`${algorithm}/index.ts`)).not.toContain('../internal/asn1.ts');
});
