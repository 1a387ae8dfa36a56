/**
 * `valid-features`: the resolver's manifest problems, in the package.json they are about, with the
 * resolver's message, expected text and location.
 */
import json from '@eslint/json';
import { Linter, type Rule } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule, { MESSAGE_IDS } from '../../../src/eslint/rules/valid-features.ts';
import { readWorkspace } from '../../../src/manifest/workspace.ts';
import { FIXTURES } from '../../support/fixture.ts';
import { featureProblemsWorkspace } from '../support/feature-problems.ts';
import { onDisk, packageJsonRuleTester } from '../support/rule-testers.ts';

const root = featureProblemsWorkspace();
const file = (name: string) => join(root, 'packages', name, 'package.json');

/** A problem as the rule reports it: the messageId of its code, the resolver's texts, its span. */
const problem = (messageId: string, message: string, expected: string, line: number, column: number, endLine: number, endColumn: number) => ({
  messageId,
  data: { message, expected },
  line,
  column,
  endLine,
  endColumn,
});
const CRYPTO_FEATURES = 'a feature of @t/crypto: default, openssl, noble, native';

packageJsonRuleTester().run('valid-features', rule as unknown as Rule.RuleModule, {
  valid: [
    onDisk(file('crypto')),
    onDisk(file('a')), // the cycle is found from @t/a and reported where it closes, in @t/b
    onDisk(file('dup1')), // the first of two packages with one name
    onDisk(join(FIXTURES, 'library-feature-adds-backend/apps/vmm/package.json')),
    onDisk(join(FIXTURES, '_crypto/package.json')),
    // Not a workspace package: not checked.
    { code: '{ "name": "stray", "guard": { "features": { "x": ["y"] } } }', filename: join(root, 'stray/package.json') },
  ],
  invalid: [
    {
      ...onDisk(file('refs')),
      errors: [
        problem('unknownFeature', '@t/crypto has no feature "opensll"', CRYPTO_FEATURES, 14, 9, 14, 28),
        problem('unknownPackage', '"left-pad" is not a workspace package, so it has no feature "fast"', 'features only on workspace packages', 17, 9, 17, 24),
        problem('unknownDependency', '"@t/tlx" is not a dependency of @t/refs', 'a package in "dependencies" or "devDependencies"', 20, 9, 20, 22),
        problem('notOptional', '"dep:@t/crypto" needs "@t/crypto" to be optional', '"optional": true in guard.dependencies["@t/crypto"], or "@t/crypto/feature" without "?"', 21, 9, 21, 24),
        problem('unknownFeature', '"sped" is not a feature of @t/refs', 'one of: default, std, pad, tls, fast, or "package/feature"', 24, 9, 24, 15),
        problem('unknownFeature', '@t/crypto has no feature "nobel"', CRYPTO_FEATURES, 30, 11, 30, 18),
        problem('unknownDependency', '"ghost" has feature options but is not in "dependencies"', 'a package listed in "dependencies"', 33, 7, 33, 14),
      ],
    },
    {
      ...onDisk(file('groups')),
      errors: [
        problem('unknownFeature', 'group "size" names "huge", which is not a feature of @t/groups', 'one of: small, tiny, fast', 14, 11, 14, 17),
        problem('invalidGroup', 'group "speed" has 1 feature', 'two or more features', 18, 22, 20, 10),
      ],
    },
    {
      ...onDisk(file('shape')),
      errors: [
        problem('invalidName', '"bad name" is not a feature name', 'a feature name (letters, digits, _ - + .)', 10, 7, 10, 17),
        problem('featureCycle', 'feature cycle in @t/shape: loop -> loop2 -> loop', 'features that do not enable themselves', 15, 9, 15, 15),
        problem('featureShadowsDependency', 'feature "zlib" has the name of optional dependency "zlib"', 'another feature name, or "dep:zlib" somewhere in the table so the dependency has no implicit feature', 17, 7, 17, 13),
        problem('malformed', '"optional" is string "yes"', 'true or false', 24, 21, 24, 26),
        problem('malformed', 'unknown key "exports" in "guard"', 'one of app, features, dependencies, devDependencies, exclusive', 27, 5, 27, 14),
      ],
    },
    {
      ...onDisk(file('b')),
      errors: [problem('dependencyCycle', 'dependency cycle: @t/a -> @t/b -> @t/a', 'dependencies that do not lead back to the package (dev-dependencies may)', 5, 5, 5, 11)],
    },
    {
      ...onDisk(file('dup2')),
      errors: [problem('duplicatePackage', `package name "@t/dup" is also used by ${file('dup1')}`, 'a name used by one workspace package only', 2, 11, 2, 19)],
    },
  ],
});

describe('valid-features and the resolver', () => {
  it('reports every problem of the workspace with its message, expected text and location', () => {
    const { problems, packages } = readWorkspace(root);
    const linter = new Linter({ cwd: root });
    const config = [{ files: ['**/package.json'], plugins: { json, guard: { rules: { 'valid-features': rule as unknown as Rule.RuleModule } } }, language: 'json/json', rules: { 'guard/valid-features': 'error' as const } }];
    const files = [...new Set([...[...packages.values()].map((m) => m.file), ...problems.map((p) => p.file)])];
    const linted = files.flatMap((f) => linter.verify(onDisk(f).code, config, f).map((m) => `${f}:${m.line}:${m.column}: ${m.message}`));
    const resolved = problems.map((p) => `${p.file}:${p.location.line}:${p.location.column}: ${p.message} (expected ${p.expected})`);
    expect(linted.sort()).toEqual(resolved.sort());
    expect(resolved.length).toBe(16);
  });

  it('has a messageId for every problem code, its code in lowerCamelCase', () => {
    for (const [code, id] of Object.entries(MESSAGE_IDS)) expect(id).toBe(code.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()));
  });
});
