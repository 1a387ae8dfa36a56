/**
 * The Wycheproof loader fails loudly, never skips: a missing file names where it was looked for.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { WYCHEPROOF_DIR, loadWycheproof } from './wycheproof.ts';

test('the vectors are looked for in <repo>/../shared/testdata/wycheproof/', () => {
  const repo = fileURLToPath(new URL('../../../../', import.meta.url));
  expect(fileURLToPath(WYCHEPROOF_DIR)).toBe(fileURLToPath(new URL('../shared/testdata/wycheproof/', `file://${repo}`)));
});

test('a missing file throws, naming the path and the shared/ folder', () => {
  expect(() => loadWycheproof('no_such_test.json', 'X')).toThrow(/Wycheproof vectors not found: .*no_such_test\.json does not exist[\s\S]*"shared" beside the repository/);
});

test('a file of another algorithm is refused', () => {
  expect(() => loadWycheproof('hmac_sha256_test.json', 'HMACSHA384')).toThrow(/algorithm is "HMACSHA256", expected "HMACSHA384"/);
});
