/**
 * `ensure-single-backend`: the build's `ensure_single_backend` diagnostic, in the editor, at the
 * `ensureSingleBackend()` call of an app's entry.
 *
 * It asks `checkApps` (the door the esbuild plugin and `guard check` use) about the apps whose
 * `guard.app.entry` is the linted file, resolved as `nx build` resolves them (each app alone, its
 * default features), and reports each diagnostic with the build's own text: the backends found and
 * every chain that turned one on, with file:line:column. Nothing here resolves features itself.
 */
import { checkApps, type AppCheck } from '../../app/check-apps.ts';
import type { BackendDiagnosticCode } from '../../diagnostic/ensure-single-backend.ts';
import { ManifestError } from '../../manifest/errors.ts';
import type { Workspace } from '../../manifest/workspace.ts';
import { createRule } from '../create-rule.ts';
import { ensureSingleBackendCalls } from '../ensure-single-backend-calls.ts';
import { appsWithEntry, backendOwners, cached, workspaceOf } from '../workspace-context.ts';

export type MessageIds = 'ensureSingleBackend' | 'exclusiveGroup' | 'manifestProblems';

const MESSAGE_IDS: Record<BackendDiagnosticCode, MessageIds> = {
  ensure_single_backend: 'ensureSingleBackend',
  exclusive_group: 'exclusiveGroup',
};

/** An app's check, or the problems that stop the build (and so the check). */
type Outcome = { check: AppCheck } | { problems: ManifestError };

function checkOnce(workspace: Workspace, app: string): Outcome {
  return cached(workspace, `check-app:${app}`, () => {
    try {
      return { check: checkApps({ workspaceRoot: workspace.root }, [app])[0]! };
    } catch (error) {
      if (error instanceof ManifestError) return { problems: error };
      throw error;
    }
  });
}

export default createRule<[], MessageIds>({
  name: 'ensure-single-backend',
  meta: {
    type: 'problem',
    docs: {
      description: "Report an app's wrong crypto backend count at its ensureSingleBackend() call, as the build does",
      recommended: true,
      requiresWorkspace: true,
    },
    languages: ['js/js'],
    messages: {
      ensureSingleBackend: '{{ message }}',
      exclusiveGroup: '{{ message }}',
      manifestProblems: '{{ app }} cannot be checked or built: {{ problems }}',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const file = context.physicalFilename;
    return {
      Program() {
        const workspace = workspaceOf(file, 'ensure-single-backend');
        if (workspace === undefined) return;
        const apps = appsWithEntry(workspace, file);
        if (apps.length === 0) return;
        const [call] = ensureSingleBackendCalls(context.sourceCode, backendOwners(workspace));
        if (call === undefined) return; // require-ensure-single-backend reports that
        for (const app of apps) {
          const outcome = checkOnce(workspace, app.name);
          if ('problems' in outcome) {
            const problems = outcome.problems.message.replace(/\n/g, '\n  ');
            context.report({ node: call, messageId: 'manifestProblems', data: { app: app.name, problems } });
            continue;
          }
          for (const diagnostic of outcome.check.diagnostics) {
            context.report({ node: call, messageId: MESSAGE_IDS[diagnostic.code], data: { app: app.name, summary: diagnostic.summary, message: diagnostic.message } });
          }
        }
      },
    };
  },
});
