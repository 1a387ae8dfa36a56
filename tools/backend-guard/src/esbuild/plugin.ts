/**
 * The esbuild plugin: builds an app with exactly one crypto backend, or fails.
 *
 * At the start of a build it resolves the app's features (the same `checkApps` the lint rules and
 * the CLI use). A wrong backend count fails the build with the `ensure_single_backend` diagnostic,
 * located at the app's `ensureSingleBackend()` call, with a note at each package.json entry that
 * turned a backend on. Otherwise each backend group's specifier (`#backend`) resolves to the chosen
 * backend's module only, so no other backend is ever parsed or bundled.
 */
import { readFileSync } from 'node:fs';
import type { Location, PartialMessage, Plugin } from 'esbuild';
import { checkApps, type AppCheck, type AppRequest } from '../app/check-apps.ts';
import { ManifestError } from '../manifest/errors.ts';
import type { SourceLocation } from '../manifest/locate.ts';
import { ResolveRequestError } from '../resolver/resolve.ts';
import { groupForImport, moduleGroups, type ModuleChoice } from '../select/select-module.ts';
import { loadWorkspace } from '../manifest/workspace.ts';

export const PLUGIN_NAME = 'backend-guard';

export interface BackendGuardPluginOptions extends AppRequest {
  /** The app being built (its package name). */
  app: string;
  /** Called with the app's sound check (its resolution and backend choices), e.g. to record it. */
  onCheck?: (check: AppCheck) => void;
}

/** A manifest location (1-based column) as esbuild's (0-based column). */
export function esbuildLocation(location: SourceLocation): Partial<Location> {
  return { file: location.file, line: location.line, column: location.column - 1, lineText: location.lineText };
}

/** Where an app's entry calls `ensureSingleBackend()`, or undefined if it does not. */
export function findEnsureSingleBackendCall(entry: string): SourceLocation | undefined {
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const column = line.search(/\bensureSingleBackend\s*\(/);
    if (column >= 0 && !/^\s*(\/\/|\*|import\b)/.test(line)) return { file: entry, line: i + 1, column: column + 1, lineText: line };
  }
  return undefined;
}

function manifestErrors(error: ManifestError): PartialMessage[] {
  return error.problems.map((p) => ({
    id: p.code,
    pluginName: PLUGIN_NAME,
    text: `${p.message}${p.expected === undefined ? '' : ` (expected ${p.expected})`}`,
    location: esbuildLocation(p.location),
  }));
}

/** The plugin; see the module doc. */
export function backendGuardPlugin(options: BackendGuardPluginOptions): Plugin {
  return {
    name: PLUGIN_NAME,
    setup(build) {
      let choices: ModuleChoice[] = [];
      build.onStart(() => {
        let check;
        try {
          [check] = checkApps(options, [options.app]);
        } catch (error) {
          if (error instanceof ManifestError) return { errors: manifestErrors(error) };
          if (error instanceof ResolveRequestError) return { errors: [{ pluginName: PLUGIN_NAME, text: error.message }] };
          throw error;
        }
        const { app, diagnostics } = check!;
        const call = findEnsureSingleBackendCall(app.app!.entry);
        const warnings: PartialMessage[] = call === undefined
          ? [{ id: 'require-ensure-single-backend', pluginName: PLUGIN_NAME, text: `${app.name}'s entry does not call ensureSingleBackend() from the crypto package`, location: { file: app.app!.entry } }]
          : [];
        if (diagnostics.length > 0) {
          return {
            warnings,
            errors: diagnostics.map((d) => ({
              id: d.code,
              pluginName: PLUGIN_NAME,
              text: d.message,
              location: call !== undefined ? esbuildLocation(call) : { file: app.file },
              notes: d.enabled.flatMap((by) =>
                by.chains.map((chain) => {
                  const last = chain.steps[chain.steps.length - 1]!;
                  return { text: `backend "${by.feature}" turned on here: ${last.text}`, location: esbuildLocation(last.location) };
                }),
              ),
            })),
          };
        }
        choices = check!.choices;
        options.onCheck?.(check!);
        return { warnings };
      });

      let workspace;
      try {
        workspace = loadWorkspace(options.workspaceRoot);
      } catch (error) {
        if (error instanceof ManifestError) return; // onStart reports every problem, located
        throw error;
      }
      const specifiers = [...new Set(moduleGroups(workspace).map((g) => g.module.specifier))];
      if (specifiers.length === 0) return;
      const filter = new RegExp(`^(${specifiers.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (args) => {
        const group = groupForImport(workspace!, args.path, args.importer);
        if (group === undefined) return undefined;
        const choice = choices.find((c) => c.group.owner === group.owner && c.group.name === group.name);
        // Without a sound choice the build has already failed in onStart; the placeholder keeps
        // esbuild from adding a second, less helpful error for the same cause.
        if (choice === undefined || choice.feature === undefined) return { path: group.module.placeholder };
        return { path: choice.file, watchFiles: [...workspace!.packages.values()].map((m) => m.file) };
      });
    },
  };
}
