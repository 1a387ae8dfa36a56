/**
 * The module layout of arch/x86_64: every module opens with a module doc, has its test file, and
 * is exported from index.ts; nothing here imports the KVM binding or anything outside this folder.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect, test } from 'vitest';

const DIR = new URL('./', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');
const MODULES = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts').sort();
const INTERNAL = new Set(['guest_memory.ts']);

test('the modules are the ones this folder ships', () => {
  expect(MODULES).toEqual(['bzimage.ts', 'cmdline.ts', 'cpuid.ts', 'e820.ts', 'gdt.ts', 'guest_memory.ts', 'lapic.ts', 'layout.ts', 'linux_boot.ts', 'mptable.ts', 'msrs.ts', 'page_tables.ts', 'regs.ts', 'zero_page.ts']);
});

test.each(MODULES)('%s opens with a module doc, has tests, and is exported from index.ts', (file) => {
  expect(read(file).startsWith('/**')).toBe(true);
  const name = file.slice(0, -3);
  if (INTERNAL.has(file)) return;
  expect(readdirSync(DIR)).toContain(`${name}.test.ts`);
  expect(read('index.ts')).toContain(`from './${file}'`);
});

test('no module imports anything but its siblings (no KVM binding, no devices, no Node APIs)', () => {
  for (const file of [...MODULES, 'index.ts']) {
    const imports = [...read(file).matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    for (const specifier of imports) expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[a-z_0-9]+\.ts$/);
  }
});
