/**
 * Finds an app entry's `ensureSingleBackend()` calls, by scope analysis rather than by name: the
 * callee must be `ensureSingleBackend` imported from a backend group's owner (the crypto package),
 * by a named import (renamed or not) or through a namespace or default import
 * (`crypto.ensureSingleBackend()`). A local function of the same name does not count.
 * `ensure-single-backend` reports at the first call; `require-ensure-single-backend` reports when
 * there is none.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

export const ENSURE_SINGLE_BACKEND = 'ensureSingleBackend';

/** Whether `source` (an import specifier) names package `owner` or one of its subpaths. */
export function importsPackage(source: string, owner: string): boolean {
  return source === owner || source.startsWith(`${owner}/`);
}

/** The value imports of any of `owners` in the file, in source order. */
export function ownerImports(program: TSESTree.Program, owners: ReadonlySet<string>): TSESTree.ImportDeclaration[] {
  return program.body.filter(
    (node): node is TSESTree.ImportDeclaration =>
      node.type === AST_NODE_TYPES.ImportDeclaration && node.importKind !== 'type' && [...owners].some((owner) => importsPackage(node.source.value, owner)),
  );
}

function memberName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  if (node.computed && node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string') return node.property.value;
  return undefined;
}

function specifierName(specifier: TSESTree.ImportSpecifier): string {
  return specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : specifier.imported.value;
}

/** Every call of the owners' `ensureSingleBackend` in the file, in source order. */
export function ensureSingleBackendCalls(sourceCode: Readonly<TSESLint.SourceCode>, owners: ReadonlySet<string>): TSESTree.CallExpression[] {
  const calls: TSESTree.CallExpression[] = [];
  for (const declaration of ownerImports(sourceCode.ast, owners)) {
    for (const specifier of declaration.specifiers) {
      const named = specifier.type === AST_NODE_TYPES.ImportSpecifier;
      if (named && (specifier.importKind === 'type' || specifierName(specifier) !== ENSURE_SINGLE_BACKEND)) continue;
      for (const variable of sourceCode.getDeclaredVariables(specifier)) {
        for (const reference of variable.references) {
          const id = reference.identifier;
          const parent = id.parent;
          if (named) {
            if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === id) calls.push(parent);
          } else if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === id && memberName(parent) === ENSURE_SINGLE_BACKEND) {
            const call = parent.parent;
            if (call?.type === AST_NODE_TYPES.CallExpression && call.callee === parent) calls.push(call);
          }
        }
      }
    }
  }
  return calls.sort((a, b) => a.range[0] - b.range[0]);
}
