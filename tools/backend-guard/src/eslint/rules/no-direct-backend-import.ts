/**
 * `no-direct-backend-import`: only the package that owns a backend group (the crypto package) may
 * use a crypto backend's library; everything else uses its API, so each app links the one backend
 * it chose and no other (openvmm: only `support/crypto` depends on OpenSSL, SymCrypt or RustCrypto).
 *
 * Backend libraries are:
 * - `node:crypto` (also written `crypto`): the `openssl` backend. Any value import counts, whatever
 *   is taken from it (`randomUUID` and a non-cryptographic `createHash` too), because importing it
 *   links it: a build for the `native` or `noble` backend must not need it. `import type` is erased
 *   and allowed.
 * - the crypto package's optional dependencies that a backend feature turns on (`"noble":
 *   ["dep:@noble/hashes"]`), read from its package.json, and every `@noble/*` package.
 * - WebCrypto's `crypto.subtle` and `crypto.getRandomValues` (also through `globalThis`, `window`,
 *   `self` or `global`): the `native` backend. `crypto.randomUUID()` is allowed: an identifier,
 *   not key material, and it links nothing (openvmm makes GUIDs outside its crypto crate too).
 */
import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { backendGroups } from '../../diagnostic/ensure-single-backend.ts';
import type { Workspace } from '../../manifest/workspace.ts';
import { createRule } from '../create-rule.ts';
import { backendOwners, cached, packageOfFile, workspaceOf } from '../workspace-context.ts';

export type MessageIds = 'backendImport' | 'webCrypto';

/** Node's crypto module, under both its names. */
export const NODE_CRYPTO = ['node:crypto', 'crypto'] as const;
/** Scopes whose every package is a backend library. */
export const BACKEND_SCOPES = ['@noble/'] as const;
/** WebCrypto members that are a backend: the primitives and the CSPRNG. */
export const WEB_CRYPTO_MEMBERS = ['subtle', 'getRandomValues'] as const;
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);

/**
 * The optional dependencies of each backend group's owner that a backend feature turns on
 * (directly or through the owner's other features), as package names.
 */
export function derivedBackendLibraries(workspace: Workspace): string[] {
  return cached(workspace, 'backend-libraries', () => {
    const libraries = new Set<string>();
    for (const group of backendGroups(workspace)) {
      const owner = workspace.packages.get(group.owner)!;
      const optional = new Set(owner.dependencies.filter((d) => d.optional).map((d) => d.name));
      const seen = new Set<string>();
      const visit = (feature: string) => {
        if (seen.has(feature)) return;
        seen.add(feature);
        for (const value of owner.features.get(feature) ?? []) {
          if (value.kind === 'feature') visit(value.feature);
          else if (optional.has(value.dep)) libraries.add(value.dep);
        }
      };
      group.features.forEach(visit);
    }
    return [...libraries].sort();
  });
}

/** Whether module specifier `source` is a backend library. */
export function isBackendModule(source: string, derived: readonly string[]): boolean {
  if ((NODE_CRYPTO as readonly string[]).includes(source)) return true;
  if (BACKEND_SCOPES.some((scope) => source.startsWith(scope))) return true;
  return derived.some((library) => source === library || source.startsWith(`${library}/`));
}

function staticString(node: TSESTree.Node | null | undefined): string | undefined {
  if (node?.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return node.value;
  if (node?.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) return node.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}

function memberName(node: TSESTree.MemberExpression): string | undefined {
  return node.computed ? staticString(node.property) : node.property.type === AST_NODE_TYPES.Identifier ? node.property.name : undefined;
}

/** `x!`, `x as T`, `x satisfies T` → `x`. */
function unwrap(node: TSESTree.Node): TSESTree.Node {
  while (node.type === AST_NODE_TYPES.TSNonNullExpression || node.type === AST_NODE_TYPES.TSAsExpression || node.type === AST_NODE_TYPES.TSSatisfiesExpression) node = node.expression;
  return node;
}

export default createRule<[], MessageIds>({
  name: 'no-direct-backend-import',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow crypto backend libraries (node:crypto, @noble/*, WebCrypto) outside the crypto package',
      recommended: true,
      requiresWorkspace: true,
    },
    languages: ['js/js'],
    messages: {
      backendImport: '"{{ source }}" is a crypto backend library: only {{ owner }} may import it. Use the API of {{ owner }}, which links the backend the app chose.',
      webCrypto: '{{ api }} is WebCrypto, a crypto backend: only {{ owner }} may use it. Use the API of {{ owner }}, which links the backend the app chose.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const file = context.physicalFilename;
    const workspace = workspaceOf(file, 'no-direct-backend-import');
    if (workspace === undefined) return {};
    const owners = backendOwners(workspace);
    const home = packageOfFile(workspace, file);
    if (owners.size === 0 || (home !== undefined && owners.has(home.name))) return {};
    const owner = [...owners].sort().join(' or ');
    const derived = derivedBackendLibraries(workspace);

    const checkSource = (node: TSESTree.Node | null | undefined) => {
      const source = staticString(node);
      if (source !== undefined && isBackendModule(source, derived)) context.report({ node: node!, messageId: 'backendImport', data: { source, owner } });
    };
    const isGlobal = (node: TSESTree.Identifier) => {
      const variable = ASTUtils.findVariable(context.sourceCode.getScope(node), node);
      return variable === null || variable.defs.length === 0;
    };
    /** `crypto`, `globalThis.crypto` (or window/self/global), when they are WebCrypto's global. */
    const isWebCrypto = (expression: TSESTree.Node): boolean => {
      const node = unwrap(expression);
      if (node.type === AST_NODE_TYPES.Identifier) return node.name === 'crypto' && isGlobal(node);
      if (node.type !== AST_NODE_TYPES.MemberExpression || memberName(node) !== 'crypto') return false;
      const object = unwrap(node.object);
      return object.type === AST_NODE_TYPES.Identifier && GLOBAL_OBJECTS.has(object.name) && isGlobal(object);
    };
    const reportWebCrypto = (node: TSESTree.Node, member: string | undefined) => {
      if (member !== undefined && (WEB_CRYPTO_MEMBERS as readonly string[]).includes(member)) {
        context.report({ node, messageId: 'webCrypto', data: { api: `crypto.${member}`, owner } });
      }
    };

    const listener: TSESLint.RuleListener = {
      ImportDeclaration(node) {
        if (node.importKind !== 'type') checkSource(node.source);
      },
      ExportNamedDeclaration(node) {
        if (node.exportKind !== 'type') checkSource(node.source);
      },
      ExportAllDeclaration(node) {
        if (node.exportKind !== 'type') checkSource(node.source);
      },
      ImportExpression(node) {
        checkSource(node.source);
      },
      TSImportEqualsDeclaration(node) {
        if (node.importKind !== 'type' && node.moduleReference.type === AST_NODE_TYPES.TSExternalModuleReference) checkSource(node.moduleReference.expression);
      },
      CallExpression(node) {
        if (node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'require' && isGlobal(node.callee)) checkSource(node.arguments[0]);
      },
      MemberExpression(node) {
        if (isWebCrypto(node.object)) reportWebCrypto(node, memberName(node));
      },
      VariableDeclarator(node) {
        if (node.id.type !== AST_NODE_TYPES.ObjectPattern || node.init === null || !isWebCrypto(node.init)) return;
        for (const property of node.id.properties) {
          if (property.type !== AST_NODE_TYPES.Property) continue;
          const key = property.computed ? staticString(property.key) : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : staticString(property.key);
          reportWebCrypto(property, key);
        }
      },
    };
    return listener;
  },
});
