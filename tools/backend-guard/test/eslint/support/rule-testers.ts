/**
 * Rule testers for the ESLint plugin's tests, run by vitest: typescript-eslint's RuleTester for the
 * source rules, ESLint's own with `@eslint/json`'s `json/json` language for the package.json rules.
 * Both take the file's absolute path as `filename`, because the rules read the workspace around it.
 */
import json from '@eslint/json';
import { RuleTester as SourceRuleTester } from '@typescript-eslint/rule-tester';
import { RuleTester as EslintRuleTester } from 'eslint';
import { readFileSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';

SourceRuleTester.afterAll = afterAll;
SourceRuleTester.describe = describe;
SourceRuleTester.describeSkip = describe.skip;
SourceRuleTester.it = it;
SourceRuleTester.itOnly = it.only;
SourceRuleTester.itSkip = it.skip;

EslintRuleTester.describe = describe;
EslintRuleTester.it = it;
EslintRuleTester.itOnly = it.only;

export { SourceRuleTester };

/** ESLint's RuleTester, set up for package.json files. */
export function packageJsonRuleTester(): EslintRuleTester {
  return new EslintRuleTester({ plugins: { json }, language: 'json/json' });
}

/** A test case for a file as it is on disk: its text, and its path as the filename. */
export function onDisk(filename: string): { code: string; filename: string } {
  return { code: readFileSync(filename, 'utf8'), filename };
}
