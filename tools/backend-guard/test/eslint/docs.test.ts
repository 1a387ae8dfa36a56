/**
 * The plugin's meta-test, as typescript-eslint's: one name in every place (rule file, doc, test),
 * and each doc says what the rule's metadata says (description, type, recommended, files, messages,
 * options), so neither can drift.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { docsUrl } from '../../src/eslint/create-rule.ts';
import plugin from '../../src/eslint/index.ts';
import { packageJsonRules, sourceRules } from '../../src/eslint/rules/index.ts';
import { PLUGIN_NAMESPACE } from '../../src/eslint/workspace-context.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const RULES_DIR = here('../../src/eslint/rules');
const DOCS_DIR = here('../../docs/rules');
const TESTS_DIR = here('./rules');
const names = (dir: string, suffix: string) => readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length)).sort();

interface RuleLike {
  name: string;
  meta: { type?: string; docs?: { description?: string; url?: string; recommended?: boolean; requiresWorkspace?: boolean }; languages?: string[]; messages?: Record<string, string>; schema?: unknown };
}
const rules = Object.entries(plugin.rules) as unknown as [string, RuleLike][];
const FILES_OF: Record<string, { files: string; language: string }> = {
  ...Object.fromEntries(Object.keys(sourceRules).map((n) => [n, { files: '**/*.ts', language: 'js/js' }])),
  ...Object.fromEntries(Object.keys(packageJsonRules).map((n) => [n, { files: '**/package.json', language: 'json/json' }])),
};

function readDoc(name: string) {
  const text = readFileSync(`${DOCS_DIR}/${name}.md`, 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n\n# (\S+)\n/.exec(text);
  expect(match, `${name}.md starts with front matter and "# ${name}"`).not.toBeNull();
  const headings = [...text.matchAll(/^(#{2,3}) (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
  const section = (title: string) => text.split(/^## /m).find((s) => s.startsWith(`${title}\n`)) ?? '';
  const messageIds = [...section('Messages').matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  return { front: parseYaml(match![1]!) as Record<string, unknown>, title: match![2], headings, section, messageIds };
}

describe('one name in every place', () => {
  it('every rule file is a rule of the plugin, and every rule has a file', () => {
    expect(names(RULES_DIR, '.ts').filter((n) => n !== 'index')).toEqual(Object.keys(plugin.rules).sort());
  });

  it('every rule has a doc, and every doc a rule', () => {
    expect(names(DOCS_DIR, '.md')).toEqual(Object.keys(plugin.rules).sort());
  });

  it('every rule has a test, and every test a rule', () => {
    expect(names(TESTS_DIR, '.test.ts')).toEqual(Object.keys(plugin.rules).sort());
  });
});

describe.each(rules)('%s', (name, rule) => {
  const doc = readDoc(name);

  it('is named as its file, and its docs URL is its doc', () => {
    expect(rule.name).toBe(name);
    expect(rule.meta.docs?.url).toBe(docsUrl(name));
    expect(fileURLToPath(rule.meta.docs!.url!)).toBe(`${DOCS_DIR}/${name}.md`);
  });

  it('has a doc that agrees with its metadata', () => {
    expect(doc.title).toBe(name);
    expect(doc.front).toEqual({ description: rule.meta.docs?.description, type: rule.meta.type, recommended: rule.meta.docs?.recommended, files: FILES_OF[name]!.files });
    expect(rule.meta.docs?.description).toMatch(/^[A-Z].*[^.\s]$/);
  });

  it('has a doc with the usual sections', () => {
    expect(doc.headings).toEqual(['## Rule details', '## Examples', '### Incorrect', '### Correct', '## Messages', '## Options', '## When not to use it', '## Related']);
  });

  it('lists exactly its messageIds in its doc, and words them with {{ placeholders }}', () => {
    expect(doc.messageIds.sort()).toEqual(Object.keys(rule.meta.messages ?? {}).sort());
    for (const message of Object.values(rule.meta.messages ?? {})) expect(message.match(/\{\{[^}]*\}\}/g)?.every((p) => /^\{\{ \w+ \}\}$/.test(p)) ?? true).toBe(true);
  });

  it('documents its options (none)', () => {
    expect(rule.meta.schema).toEqual([]);
    expect(doc.section('Options')).toMatch(/^Options\n\nThis rule has no options\./);
  });

  it('declares the language it lints, and the recommended config enables it there', () => {
    expect(rule.meta.languages).toEqual([FILES_OF[name]!.language]);
    const configs = plugin.configs.recommended.filter((c) => c.rules?.[`${PLUGIN_NAMESPACE}/${name}`] !== undefined);
    expect(configs.map((c) => ({ files: c.files, level: c.rules?.[`${PLUGIN_NAMESPACE}/${name}`] }))).toEqual(rule.meta.docs?.recommended ? [{ files: [FILES_OF[name]!.files], level: 'error' }] : []);
  });
});

describe('the recommended config', () => {
  it('lints package.json files with @eslint/json', () => {
    const packageJson = plugin.configs.recommended.find((c) => c.files?.includes('**/package.json'));
    expect(packageJson?.language).toBe('json/json');
    expect(existsSync(DOCS_DIR)).toBe(true);
  });
});
