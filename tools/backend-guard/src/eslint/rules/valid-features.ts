/**
 * `valid-features`: the `guard` key of package.json, checked as the resolver checks it. Every
 * feature reference names a real package and feature, every exclusive group names real features of
 * its package, and the table is well formed.
 *
 * It reports the workspace's `ManifestProblem`s (one list, gathered by `readWorkspace` for the
 * build, the CLI and the Nx plugin) whose file is the linted package.json, with the resolver's own
 * message and expected text, at the same line and column; the messageId is the problem's code.
 */
import type { ManifestProblemCode } from '../../manifest/errors.ts';
import { createJsonRule } from '../create-rule.ts';
import { nodeAtPointer } from '../json-pointer.ts';
import { workspaceOf } from '../workspace-context.ts';

/** lowerCamelCase of each problem code; a new code fails to compile until it has a message. */
export const MESSAGE_IDS = {
  'invalid-json': 'invalidJson',
  'invalid-workspace': 'invalidWorkspace',
  malformed: 'malformed',
  'invalid-name': 'invalidName',
  'unknown-feature': 'unknownFeature',
  'unknown-package': 'unknownPackage',
  'unknown-dependency': 'unknownDependency',
  'not-optional': 'notOptional',
  'feature-shadows-dependency': 'featureShadowsDependency',
  'feature-cycle': 'featureCycle',
  'dependency-cycle': 'dependencyCycle',
  'duplicate-package': 'duplicatePackage',
  'invalid-group': 'invalidGroup',
} as const satisfies Record<ManifestProblemCode, string>;

export type MessageIds = (typeof MESSAGE_IDS)[ManifestProblemCode];

const TEXT = '{{ message }} (expected {{ expected }})';

export default createJsonRule<MessageIds>({
  name: 'valid-features',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require feature references and exclusive groups in package.json to name real packages and features',
      recommended: true,
      requiresWorkspace: true,
    },
    messages: Object.fromEntries(Object.values(MESSAGE_IDS).map((id) => [id, TEXT])) as Record<MessageIds, string>,
    schema: [],
  },
  create(context) {
    const file = context.physicalFilename;
    return {
      Document(document) {
        const workspace = workspaceOf(file, 'valid-features');
        if (workspace === undefined) return;
        for (const problem of workspace.problems) {
          if (problem.file !== file) continue;
          context.report({
            node: nodeAtPointer(document, problem.pointer, problem.at),
            messageId: MESSAGE_IDS[problem.code],
            data: { message: problem.message, expected: problem.expected ?? 'a valid "guard" manifest' },
          });
        }
      },
    };
  },
});
