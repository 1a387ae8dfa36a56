/**
 * The workspace as the lint rules see it: the one `readWorkspace` the build and the CLI use, and
 * what the rules derive from it (app checks, library resolutions, backend libraries), cached on the
 * workspace object. One lint run therefore resolves each package once, however many files it lints.
 *
 * As in Nx's module-boundaries rule, a run of the ESLint command line reads the workspace once and
 * keeps it (the run lints one snapshot; re-checking every package.json's mtime for every file and
 * rule would cost more than the rules themselves). Anywhere else (an editor's ESLint server, tests)
 * every file asks `readWorkspace`, which re-reads only when a package.json changed; the new
 * workspace object then gets fresh derived results, so an editor session stays current.
 *
 * When the workspace cannot be read (no pnpm-workspace.yaml, or an unreadable one), the rule that
 * asked warns once, naming itself, and skips the file, as Nx's module-boundaries rule does when it
 * has no project graph. Problems inside package.json files are not such a failure: `valid-features`
 * reports them.
 */
import { dirname, sep } from 'node:path';
import { backendGroups } from '../diagnostic/ensure-single-backend.ts';
import { clearLocationCache } from '../manifest/locate.ts';
import type { Manifest } from '../manifest/manifest.ts';
import { findWorkspaceRoot, readWorkspace, type Workspace } from '../manifest/workspace.ts';

/** The plugin's name in `plugins` and in rule ids (`backend-guard/<rule>`). */
export const PLUGIN_NAMESPACE = 'backend-guard';

/** Whether this process is one run of the ESLint command line (as Nx's `isTerminalRun`). */
export const ONE_SHOT_RUN = /[\\/]eslint[\\/]bin[\\/]eslint\.js$/.test(process.argv[1] ?? '');

const rootOfDir = new Map<string, string | Error>();
const lastWorkspace = new Map<string, Workspace>();
const warned = new Set<string>();
const derived = new WeakMap<Workspace, Map<string, unknown>>();

function warnOnce(rule: string, key: string, reason: string) {
  if (warned.has(`${rule}\0${key}`)) return;
  warned.add(`${rule}\0${key}`);
  console.warn(`warning  ${PLUGIN_NAMESPACE}/${rule}: ${reason}. The rule is skipped.`);
}

/**
 * The workspace holding `file`, or undefined when it cannot be read (after one warning for `rule`).
 * Cheap to call per file: the workspace is re-read only when a package.json changed.
 */
export function workspaceOf(file: string, rule: string): Workspace | undefined {
  const dir = dirname(file);
  let root = rootOfDir.get(dir);
  if (root === undefined) {
    try {
      root = findWorkspaceRoot(dir);
    } catch (error) {
      root = error as Error;
    }
    rootOfDir.set(dir, root);
  }
  if (root instanceof Error) {
    warnOnce(rule, '', `no workspace: ${root.message}`);
    return undefined;
  }
  const last = lastWorkspace.get(root);
  if (ONE_SHOT_RUN && last !== undefined) return last;
  let workspace: Workspace;
  try {
    workspace = readWorkspace(root);
  } catch (error) {
    warnOnce(rule, root, `cannot read the workspace at ${root}: ${(error as Error).message}`);
    return undefined;
  }
  if (last !== workspace) {
    // A package.json changed: locations of package.json entries (in chains) must be found afresh.
    if (last !== undefined) clearLocationCache();
    lastWorkspace.set(root, workspace);
  }
  return workspace;
}

/** `compute()`, once per workspace object and key. */
export function cached<T>(workspace: Workspace, key: string, compute: () => T): T {
  let map = derived.get(workspace);
  if (map === undefined) {
    map = new Map();
    derived.set(workspace, map);
  }
  if (!map.has(key)) map.set(key, compute());
  return map.get(key) as T;
}

/** Names of the packages that own a backend group (an `exactlyOne` group): the crypto package. */
export function backendOwners(workspace: Workspace): ReadonlySet<string> {
  return cached(workspace, 'backend-owners', () => new Set(backendGroups(workspace).map((g) => g.owner)));
}

/** The apps whose `guard.app.entry` is `file`. */
export function appsWithEntry(workspace: Workspace, file: string): readonly Manifest[] {
  const entries = cached(workspace, 'app-entries', () => {
    const map = new Map<string, Manifest[]>();
    for (const manifest of workspace.packages.values()) {
      if (manifest.app !== undefined) map.set(manifest.app.entry, [...(map.get(manifest.app.entry) ?? []), manifest]);
    }
    return map;
  });
  return entries.get(file) ?? [];
}

/** The workspace package whose folder holds `file` (the innermost one), if any. */
export function packageOfFile(workspace: Workspace, file: string): Manifest | undefined {
  let best: Manifest | undefined;
  for (const manifest of workspace.packages.values()) {
    if (file.startsWith(manifest.dir + sep) && (best === undefined || manifest.dir.length > best.dir.length)) best = manifest;
  }
  return best;
}

/** The workspace package whose package.json is `file`, if any. */
export function packageOfManifest(workspace: Workspace, file: string): Manifest | undefined {
  return [...workspace.packages.values()].find((m) => m.file === file);
}
