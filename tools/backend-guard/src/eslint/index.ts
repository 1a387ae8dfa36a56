/**
 * backend-guard's ESLint plugin: the build's backend diagnostic in the editor, and the rules openvmm
 * keeps only in prose (apps choose the backend, libraries do not; only the crypto package touches a
 * backend library). See `docs/rules/` of this package, one page per rule.
 *
 * ```ts
 * // eslint.config.ts
 * import backendGuard from '@tsvmm/backend-guard/eslint';
 * export default defineConfig(backendGuard.configs.recommended);
 * ```
 *
 * `recommended` turns every rule on as an error: the source rules on `**\/*.ts`, the package.json
 * rules on `**\/package.json` (with `@eslint/json`'s `json/json` language). The rules read the
 * workspace with the resolver the build uses, once per lint run.
 */
import json from '@eslint/json';
import type { ESLint, Linter } from 'eslint';
import { packageJsonRules, rules, sourceRules } from './rules/index.ts';
import { PLUGIN_NAMESPACE } from './workspace-context.ts';

type RuleName = keyof typeof rules;

const errors = (names: string[]) => Object.fromEntries(names.map((name) => [`${PLUGIN_NAMESPACE}/${name}`, 'error'])) as Linter.RulesRecord;

const plugin = {
  meta: { name: '@tsvmm/backend-guard/eslint', version: '0.0.0', namespace: PLUGIN_NAMESPACE },
  rules: rules as unknown as Record<RuleName, NonNullable<ESLint.Plugin['rules']>[string]>,
  configs: {} as { recommended: Linter.Config[] },
} satisfies ESLint.Plugin;

plugin.configs.recommended = [
  {
    name: `${PLUGIN_NAMESPACE}/recommended/sources`,
    files: ['**/*.ts'],
    plugins: { [PLUGIN_NAMESPACE]: plugin },
    rules: errors(Object.keys(sourceRules)),
  },
  {
    name: `${PLUGIN_NAMESPACE}/recommended/package-json`,
    files: ['**/package.json'],
    language: 'json/json',
    plugins: { json, [PLUGIN_NAMESPACE]: plugin },
    rules: errors(Object.keys(packageJsonRules)),
  },
];

export default plugin;
