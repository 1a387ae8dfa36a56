/**
 * The lint rules' view of the workspace: one read and one resolution per workspace state, a fresh
 * one after a package.json changes (an editor session), and one warning per rule, not a crash,
 * when the workspace cannot be read.
 */
import json from '@eslint/json';
import { Linter } from 'eslint';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { afterEach, describe, expect, it, vi } from 'vitest';
import plugin from '../../src/eslint/index.ts';
import { cached, workspaceOf } from '../../src/eslint/workspace-context.ts';
import { pkg, writeWorkspace } from '../support/write-workspace.ts';

const ENTRY = "import { ensureSingleBackend } from '@t/crypto';\n\nensureSingleBackend();\n";
const CRYPTO = pkg('@t/crypto', {
  guard: { features: { default: [], openssl: [], noble: [], native: [] }, exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } } },
});
const app = (features: string[]) =>
  pkg('@t/app', { dependencies: { '@t/crypto': 'workspace:*' }, guard: { app: { entry: 'src/main.ts' }, dependencies: { '@t/crypto': { features } } } });

/** Every rule of the plugin, as the recommended config sets them, with typescript-eslint's parser. */
function lint(root: string, file: string, text: string) {
  const config: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } }, ...plugin.configs.recommended];
  return new Linter({ cwd: root }).verify(text, config, file);
}

/** Writes `text` to `file` with an mtime in the future, so a changed stamp is certain. */
function rewrite(file: string, text: string, seconds: number) {
  writeFileSync(file, text);
  const time = new Date(Date.now() + seconds * 1000);
  utimesSync(file, time, time);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('workspace state', () => {
  it('is read and resolved once while no package.json changes, and again after one does', () => {
    const root = writeWorkspace({ 'packages/crypto/package.json': CRYPTO, 'packages/app/package.json': app(['openssl', 'noble']), 'packages/app/src/main.ts': ENTRY });
    const entry = join(root, 'packages/app/src/main.ts');
    const first = workspaceOf(entry, 'test')!;
    expect(workspaceOf(join(root, 'packages/crypto/src/index.ts'), 'test')).toBe(first);
    const compute = vi.fn(() => ({}));
    const value = cached(first, 'k', compute);
    expect(cached(first, 'k', compute)).toBe(value);
    expect(compute).toHaveBeenCalledTimes(1);

    const [before] = lint(root, entry, ENTRY);
    expect(before?.message).toContain('packages/app/package.json:15:11  @t/app: depends on @t/crypto with feature "noble"');
    // The editor case: the app chooses a backend and is linted again, with no restart.
    rewrite(join(root, 'packages/app/package.json'), app(['noble']), 10);
    const second = workspaceOf(entry, 'test')!;
    expect(second).not.toBe(first);
    expect(cached(second, 'k', compute)).not.toBe(value);
    expect(lint(root, entry, ENTRY)).toEqual([]);
    // ...and chains point at the entries as they are now, not as they were (two lines higher).
    rewrite(join(root, 'packages/app/package.json'), `\n\n${app(['noble', 'native'])}`, 20);
    const [after] = lint(root, entry, ENTRY);
    expect(after?.message).toContain('packages/app/package.json:16:11  @t/app: depends on @t/crypto with feature "noble"');
  });
});

describe('an unreadable workspace', () => {
  it('warns once per rule, naming it, and skips the file, when no pnpm-workspace.yaml is found', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dir = mkdtempSync(join(tmpdir(), 'guard-no-ws-'));
    for (const name of ['a.ts', 'b.ts']) expect(lint(dir, join(dir, name), "import { createHash } from 'node:crypto';\ncreateHash('sha256');\n")).toEqual([]);
    for (const name of ['a', 'b']) expect(lint(dir, join(dir, name, 'package.json'), '{ "name": "x" }')).toEqual([]);
    const rules = warn.mock.calls.map(([text]) => String(text).match(/^warning {2}backend-guard\/([a-z-]+): no workspace: no pnpm-workspace\.yaml at or above /)?.[1]);
    expect(rules.sort()).toEqual(['ensure-single-backend', 'no-backend-in-library', 'no-direct-backend-import', 'require-ensure-single-backend', 'valid-features']);
  });

  it('warns once per rule when pnpm-workspace.yaml has no package list', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const root = mkdtempSync(join(tmpdir(), 'guard-bad-ws-'));
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: 3\n');
    mkdirSync(join(root, 'packages/app'), { recursive: true });
    writeFileSync(join(root, 'packages/app/package.json'), app(['noble']));
    expect(lint(root, join(root, 'packages/app/src/main.ts'), ENTRY)).toEqual([]);
    expect(lint(root, join(root, 'packages/app/src/other.ts'), ENTRY)).toEqual([]);
    expect(lint(root, join(root, 'packages/app/package.json'), app(['noble']))).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(5);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^warning {2}backend-guard\/[a-z-]+: cannot read the workspace at .*: 1 problem in package\.json features:\n.*error\[invalid-workspace\]: "packages" is missing or not a list of globs/);
    expect(String(warn.mock.calls[0]![0])).toMatch(/The rule is skipped\.$/);
  });
});

describe('the plugin in a config', () => {
  it('registers @eslint/json for the package.json rules', () => {
    const [, packageJson] = plugin.configs.recommended;
    expect(packageJson!.plugins!.json).toBe(json);
  });
});
