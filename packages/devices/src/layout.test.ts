/**
 * The package's layout: one folder per unit (`bus`, `irq`, `shared`, and each device), holding `index.ts`
 * with a module doc and `<name>.test.ts`; each is exported from `src/index.ts` and documented in
 * README.md under its folder name.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const SRC = new URL('./', import.meta.url);
const NOT_UNITS = new Set(['internal', 'testing']);
const UNITS = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NOT_UNITS.has(entry.name))
  .map((entry) => entry.name)
  .sort();
const read = (path: string) => readFileSync(new URL(path, SRC), 'utf8');

test('the units are the ones this package ships', () => {
  expect(UNITS).toEqual(['bus', 'cmos', 'i8042', 'irq', 'pci', 'serial', 'shared']);
});

describe.each(UNITS)('%s', (unit) => {
  test('has index.ts opening with a module doc, and its tests', () => {
    expect(read(`${unit}/index.ts`).startsWith('/**')).toBe(true);
    expect(existsSync(new URL(`${unit}/${unit}.test.ts`, SRC))).toBe(true);
  });

  test('is exported from src/index.ts', () => {
    expect(read('index.ts')).toMatch(new RegExp(`from '\\./${unit}/index\\.ts'`));
  });

  test('is documented in README.md', () => {
    expect(readFileSync(new URL('../README.md', SRC), 'utf8')).toContain(`\`src/${unit}/\``);
  });
});

test('every source file opens with a module doc', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) expect(read(file).startsWith('/**'), file).toBe(true);
});
