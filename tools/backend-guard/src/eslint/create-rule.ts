/**
 * The one rule factory of the ESLint plugin, as typescript-eslint's `createRule`: every rule gets
 * its documentation URL from its name (`docs/rules/<name>.md` of this package), so the name is the
 * same in the source file, the doc and the test.
 *
 * Source-file rules are typescript-eslint rules (`createRule`); package.json rules are plain ESLint
 * rules for `@eslint/json`'s `json/json` language (`createJsonRule`), whose AST is momoa's, the
 * parser backend-guard's own located errors use.
 */
import type { JSONRuleDefinition } from '@eslint/json';
import { ESLintUtils } from '@typescript-eslint/utils';

/** What every rule's `meta.docs` says beyond its description. */
export type BackendGuardDocs = {
  /** Whether the rule is in the plugin's `recommended` config. */
  recommended: boolean;
  /** Whether the rule reads the whole workspace (package.json files, resolved features). */
  requiresWorkspace: boolean;
};

/** The documentation of rule `name`: `docs/rules/<name>.md` beside this package's sources. */
export function docsUrl(name: string): string {
  return new URL(`../../docs/rules/${name}.md`, import.meta.url).href;
}

/** Makes a typescript-eslint rule with its docs URL. */
export const createRule = ESLintUtils.RuleCreator<BackendGuardDocs>(docsUrl);

/** A package.json rule: `@eslint/json`'s rule type, with this plugin's docs and no options. */
export type JsonRule<MessageIds extends string> = JSONRuleDefinition<{ MessageIds: MessageIds; RuleOptions: []; ExtRuleDocs: BackendGuardDocs }> & { name: string };

type JsonRuleMeta<MessageIds extends string> = NonNullable<JsonRule<MessageIds>['meta']>;

/** A package.json rule as written: everything but the docs URL (from the name) and the language. */
export interface JsonRuleSpec<MessageIds extends string> {
  name: string;
  meta: Omit<JsonRuleMeta<MessageIds>, 'docs' | 'languages'> & { docs: BackendGuardDocs & { description: string } };
  create: JsonRule<MessageIds>['create'];
}

/** Makes a package.json rule for `@eslint/json`'s `json/json` language, with its docs URL. */
export function createJsonRule<MessageIds extends string>({ name, meta, create }: JsonRuleSpec<MessageIds>): JsonRule<MessageIds> {
  return {
    name,
    meta: { ...meta, languages: ['json/json'], docs: { ...meta.docs, url: docsUrl(name) } },
    create,
  };
}
