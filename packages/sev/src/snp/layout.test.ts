/**
 * One name per unit (the workspace's style): every module `src/snp/<unit>.ts` has its tests in
 * `<unit>.test.ts` and is named in the package README.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const DIR = new URL('./', import.meta.url);
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const UNITS = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .sort();

test('the units are the ones this package ships', () => {
  expect(UNITS).toEqual(['amd_certificate', 'bytes', 'crl', 'der', 'error', 'guest_message', 'guest_policy', 'kds', 'key_info', 'platform_info', 'product', 'report', 'signature', 'tcb', 'trust_roots', 'validate', 'verify']);
});

describe.each(UNITS)('%s', (unit) => {
  test('has its tests', () => {
    expect(existsSync(new URL(`${unit}.test.ts`, DIR))).toBe(true);
  });

  test('is named in README.md', () => {
    expect(README).toContain(`\`${unit}.ts\``);
  });

  test('starts with a module doc', () => {
    expect(readFileSync(new URL(`${unit}.ts`, DIR), 'utf8')).toMatch(/^\/\*\*\n \* /);
  });
});
