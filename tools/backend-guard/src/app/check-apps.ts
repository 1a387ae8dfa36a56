/**
 * Apps and their backends: resolves apps as one build would and checks each has exactly one backend.
 *
 * This is the one door the build (esbuild plugin), the lint rules, the Nx plugin and the CLI use,
 * so they all agree. An app is a workspace package with `guard.app` in its package.json.
 */
import { checkApp, type BackendDiagnostic } from '../diagnostic/ensure-single-backend.ts';
import type { Manifest } from '../manifest/manifest.ts';
import { loadWorkspace, type Workspace } from '../manifest/workspace.ts';
import { resolve, ResolveRequestError, type Resolution, type Unification } from '../resolver/resolve.ts';
import { chooseModule, moduleGroups, type ModuleChoice } from '../select/select-module.ts';

export interface AppRequest {
  workspaceRoot: string;
  /** Unification mode; `package` (each app alone) unless asked otherwise. */
  unification?: Unification;
  /** With `selected`: the apps built together (default: every app). */
  selected?: readonly string[];
  features?: readonly string[];
  noDefaultFeatures?: boolean;
  allFeatures?: boolean;
}

export interface AppCheck {
  app: Manifest;
  resolution: Resolution;
  diagnostics: BackendDiagnostic[];
  /** The module each backend group resolves to (placeholders where the count is wrong). */
  choices: ModuleChoice[];
}

/** Every app of the workspace, sorted by name. */
export function appsOf(workspace: Workspace): Manifest[] {
  return [...workspace.packages.values()].filter((m) => m.app !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** Resolves and checks `apps` (default: every app). Throws `ManifestError` on bad manifests. */
export function checkApps(request: AppRequest, apps?: readonly string[]): AppCheck[] {
  const workspace = loadWorkspace(request.workspaceRoot);
  const all = appsOf(workspace);
  const names = apps ?? all.map((a) => a.name);
  for (const name of names) {
    const manifest = workspace.packages.get(name);
    if (manifest === undefined) throw new ResolveRequestError(`"${name}" is not a workspace package`);
    if (manifest.app === undefined) throw new ResolveRequestError(`${name} is not an app: its package.json has no "guard.app"`);
  }
  const unification = request.unification ?? 'package';
  const roots = unification === 'selected' ? [...new Set([...(request.selected ?? all.map((a) => a.name)), ...names])] : names;
  const resolutions = resolve(workspace, {
    roots,
    features: request.features ?? [],
    noDefaultFeatures: request.noDefaultFeatures ?? false,
    allFeatures: request.allFeatures ?? false,
    unification,
  });
  const groups = moduleGroups(workspace);
  return names.map((name) => {
    const resolution = resolutions.get(name)!;
    return {
      app: workspace.packages.get(name)!,
      resolution,
      diagnostics: checkApp(resolution, name, workspace.root),
      choices: groups.filter((g) => resolution.features(g.owner) !== undefined).map((g) => chooseModule(resolution, g)),
    };
  });
}
