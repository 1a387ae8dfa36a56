/**
 * `require-ensure-single-backend`: an app's entry must call `ensureSingleBackend()` from the crypto
 * package, as openvmm's binaries invoke `ensure_single_backend!()`. The call is the run-time half of
 * the guarantee: it throws when the app runs on the placeholder backend (sources run without the
 * build), and it is where the build and `ensure-single-backend` report a wrong count.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule.ts';
import { ensureSingleBackendCalls, ownerImports } from '../ensure-single-backend-calls.ts';
import { appsWithEntry, backendOwners, workspaceOf } from '../workspace-context.ts';

export type MessageIds = 'missingCall';

export default createRule<[], MessageIds>({
  name: 'require-ensure-single-backend',
  meta: {
    type: 'problem',
    docs: {
      description: "Require an app's entry to call ensureSingleBackend() from the crypto package",
      recommended: true,
      requiresWorkspace: true,
    },
    languages: ['js/js'],
    messages: {
      missingCall:
        "{{ app }}'s entry does not call ensureSingleBackend() from {{ owner }}. Call it once at start-up: it throws on the placeholder backend, and the build reports a wrong backend count there.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const file = context.physicalFilename;
    return {
      Program(program) {
        const workspace = workspaceOf(file, 'require-ensure-single-backend');
        if (workspace === undefined) return;
        const apps = appsWithEntry(workspace, file);
        if (apps.length === 0) return;
        const owners = backendOwners(workspace);
        if (owners.size === 0) return; // no backend group in the workspace: nothing to call
        if (ensureSingleBackendCalls(context.sourceCode, owners).length > 0) return;
        // At the crypto import if there is one (where the call's import goes), else the first statement.
        const node: TSESTree.Node = ownerImports(program, owners)[0] ?? program.body[0] ?? program;
        for (const app of apps) context.report({ node, messageId: 'missingCall', data: { app: app.name, owner: [...owners].sort().join(' or ') } });
      },
    };
  },
});
