/**
 * The Vite (Vitest) plugin: the test-side twin of the esbuild plugin.
 *
 * Tests of a package resolve that package as a test build does (its dev-dependencies included),
 * plus the features in the `GUARD_FEATURES` environment variable (comma-separated, Cargo's
 * `--features` syntax, e.g. `@tsvmm/crypto/noble`). A backend group's specifier (`#backend`) then
 * resolves to the one chosen backend, or to the group's placeholder when none or several are on,
 * so `nx test <lib>` runs with no backend chosen and CI can run the same tests once per backend.
 */
import { resolve as resolvePath } from 'node:path';
import { findWorkspaceRoot, loadWorkspace } from '../manifest/workspace.ts';
import { resolve } from '../resolver/resolve.ts';
import { chooseModule, groupForImport } from '../select/select-module.ts';

export interface BackendGuardViteOptions {
  /** The workspace root; found by walking up to `pnpm-workspace.yaml` when not given. */
  workspaceRoot?: string;
  /** Extra features; default: `GUARD_FEATURES` from the environment. */
  features?: readonly string[];
}

/** The part of Vite's plugin interface this plugin uses. */
export interface VitePluginLike {
  name: string;
  enforce: 'pre';
  configResolved(config: { root: string }): void;
  resolveId(source: string, importer: string | undefined): string | undefined;
}

/** Features requested through `GUARD_FEATURES`. */
export function featuresFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.GUARD_FEATURES ?? '').split(',').map((f) => f.trim()).filter((f) => f.length > 0);
}

export function backendGuard(options: BackendGuardViteOptions = {}): VitePluginLike {
  let root = '';
  let packageUnderTest: string | undefined;
  return {
    name: 'backend-guard',
    enforce: 'pre',
    configResolved(config) {
      root = options.workspaceRoot ?? findWorkspaceRoot(config.root);
      const workspace = loadWorkspace(root);
      const dir = resolvePath(config.root);
      packageUnderTest = [...workspace.packages.values()].find((m) => m.dir === dir)?.name;
    },
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('#')) return undefined;
      const workspace = loadWorkspace(root);
      const group = groupForImport(workspace, source, importer);
      if (group === undefined) return undefined;
      const testRoot = packageUnderTest ?? group.owner;
      const resolution = resolve(workspace, { roots: [testRoot], features: options.features ?? featuresFromEnv(), dev: true }).get(testRoot)!;
      return chooseModule(resolution, group).file;
    },
  };
}
