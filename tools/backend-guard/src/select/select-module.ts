/**
 * Which module a backend group's import specifier (such as `#backend`) resolves to.
 *
 * Exactly one feature of the group on: that feature's module. Zero or several: the group's
 * placeholder module. Apps never get the placeholder (their build fails first with
 * `ensure_single_backend`); a library's tests do, so `nx test <lib>` runs with no backend chosen.
 * The esbuild plugin (builds) and the Vite plugin (tests) both call this.
 */
import type { ExclusiveGroup, GroupModule } from '../manifest/manifest.ts';
import type { Workspace } from '../manifest/workspace.ts';
import type { Resolution } from '../resolver/resolve.ts';

export interface ModuleChoice {
  group: ExclusiveGroup & { module: GroupModule };
  /** The chosen feature; undefined for the placeholder. */
  feature: string | undefined;
  /** Absolute path of the module to load. */
  file: string;
}

/** Groups whose choice is made by the build: they declare a `module`. */
export function moduleGroups(workspace: Workspace): (ExclusiveGroup & { module: GroupModule })[] {
  const out: (ExclusiveGroup & { module: GroupModule })[] = [];
  for (const manifest of workspace.packages.values()) {
    for (const group of manifest.groups) if (group.module !== undefined) out.push(group as ExclusiveGroup & { module: GroupModule });
  }
  return out;
}

/** The module for `group` under `resolution`. */
export function chooseModule(resolution: Resolution, group: ExclusiveGroup & { module: GroupModule }): ModuleChoice {
  const features = resolution.features(group.owner);
  const on = group.features.filter((f) => features?.has(f));
  if (on.length === 1) return { group, feature: on[0], file: group.module.modules.get(on[0]!)! };
  return { group, feature: undefined, file: group.module.placeholder };
}

/** The group whose specifier `specifier` is, imported from a file under its owner's folder. */
export function groupForImport(workspace: Workspace, specifier: string, importer: string): (ExclusiveGroup & { module: GroupModule }) | undefined {
  return moduleGroups(workspace).find((g) => g.module.specifier === specifier && importer.startsWith(workspace.packages.get(g.owner)!.dir + '/'));
}
