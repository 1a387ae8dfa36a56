/**
 * The workspace: every package that `pnpm-workspace.yaml` names, read into manifests, with the
 * references between them checked (dependency features, package cycles).
 *
 * Loading is done once per process and kept while no package.json changes (checked by mtime), so
 * the build, the lint rules, the Nx plugin and the CLI share one copy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { globSync } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import { ManifestError, ManifestProblem } from './errors.ts';
import { locateSyntaxError } from './locate.ts';
import { readManifest, type Manifest } from './manifest.ts';

export interface Workspace {
  root: string;
  /** Workspace packages by name. */
  packages: Map<string, Manifest>;
  /** Every problem found; empty when the workspace is sound. */
  problems: ManifestProblem[];
}

/** Finds the folder holding `pnpm-workspace.yaml` at or above `from`. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = resolvePath(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml at or above ${from}`);
  }
}

const cache = new Map<string, { stamp: string; workspace: Workspace }>();

function packageFiles(root: string): string[] {
  const file = join(root, 'pnpm-workspace.yaml');
  let patterns: unknown;
  try {
    patterns = (parseYaml(readFileSync(file, 'utf8')) as { packages?: unknown } | null)?.packages;
  } catch (error) {
    throw new ManifestError([new ManifestProblem('invalid-workspace', file, [], `cannot read pnpm-workspace.yaml: ${(error as Error).message}`, 'a YAML file with a "packages" list', 'value', { file, line: 1, column: 1, lineText: '' })], root);
  }
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
    throw new ManifestError([new ManifestProblem('invalid-workspace', file, [], '"packages" is missing or not a list of globs', 'packages: [ "packages/*", ... ]', 'value', { file, line: 1, column: 1, lineText: '' })], root);
  }
  const globs = (patterns as string[]).map((p) => (p.startsWith('!') ? `!${p.slice(1).replace(/\/$/, '')}/package.json` : `${p.replace(/\/$/, '')}/package.json`));
  return globSync(globs, { cwd: root, absolute: true, ignore: ['**/node_modules/**'] }).sort();
}

function stampOf(files: string[]): string {
  return files.map((f) => `${f}:${statSync(f).mtimeMs}`).join('|');
}

/** Reads the workspace at `root`, gathering every problem rather than stopping at the first. */
export function readWorkspace(root: string): Workspace {
  root = resolvePath(root);
  const files = packageFiles(root);
  const stamp = stampOf(files);
  const cached = cache.get(root);
  if (cached !== undefined && cached.stamp === stamp) return cached.workspace;

  const problems: ManifestProblem[] = [];
  const packages = new Map<string, Manifest>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const syntax = locateSyntaxError(file, text);
      problems.push(new ManifestProblem('invalid-json', file, [], `invalid JSON: ${syntax?.message ?? 'cannot parse'}`, 'a valid JSON document', 'value', syntax?.location));
      continue;
    }
    const manifest = readManifest(file, json, problems);
    if (manifest === undefined) continue;
    const earlier = packages.get(manifest.name);
    if (earlier !== undefined) {
      problems.push(new ManifestProblem('duplicate-package', file, ['name'], `package name "${manifest.name}" is also used by ${earlier.file}`, 'a name used by one workspace package only'));
      continue;
    }
    packages.set(manifest.name, manifest);
  }
  const workspace: Workspace = { root, packages, problems };
  checkCrossReferences(workspace);
  cache.set(root, { stamp, workspace });
  return workspace;
}

/** Like `readWorkspace`, but throws a `ManifestError` listing every problem. */
export function loadWorkspace(root: string): Workspace {
  const workspace = readWorkspace(root);
  if (workspace.problems.length > 0) throw new ManifestError(workspace.problems, workspace.root);
  return workspace;
}

/** Checks that every `package/feature` names a real feature, and that normal dependencies form no cycle. */
function checkCrossReferences(workspace: Workspace) {
  const { packages, problems } = workspace;
  const featureExists = (pkg: string, feature: string) => feature === 'default' || packages.get(pkg)!.features.has(feature);
  const expectation = (pkg: string) => {
    const features = [...packages.get(pkg)!.features.keys()];
    return `a feature of ${pkg}: ${features.length > 0 ? features.join(', ') : '(it declares none)'}`;
  };
  for (const manifest of packages.values()) {
    const report = (pointer: readonly (string | number)[], dep: string, feature: string) => {
      const message = packages.has(dep)
        ? `${dep} has no feature "${feature}"`
        : `"${dep}" is not a workspace package, so it has no feature "${feature}"`;
      const expected = packages.has(dep) ? expectation(dep) : 'features only on workspace packages';
      problems.push(new ManifestProblem(packages.has(dep) ? 'unknown-feature' : 'unknown-package', manifest.file, pointer, message, expected));
    };
    for (const dep of manifest.dependencies) {
      for (const ref of dep.features) {
        if (!packages.has(dep.name) || !featureExists(dep.name, ref.feature)) report(ref.pointer, dep.name, ref.feature);
      }
    }
    for (const values of manifest.features.values()) {
      for (const value of values) {
        if (value.kind !== 'depFeature' || !manifest.dependencies.some((d) => d.name === value.dep)) continue;
        if (!packages.has(value.dep) || !featureExists(value.dep, value.feature)) report(value.pointer, value.dep, value.feature);
      }
    }
  }
  findPackageCycles(workspace);
}

function findPackageCycles({ packages, problems }: Workspace) {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    state.set(name, 'visiting');
    const manifest = packages.get(name)!;
    for (const dep of manifest.dependencies) {
      if (dep.kind !== 'normal' || !packages.has(dep.name)) continue;
      const seen = state.get(dep.name);
      if (seen === 'visiting') {
        const cycle = [...path.slice(path.indexOf(dep.name)), name, dep.name];
        problems.push(new ManifestProblem('dependency-cycle', manifest.file, dep.pointer, `dependency cycle: ${cycle.join(' -> ')}`, 'dependencies that do not lead back to the package (dev-dependencies may)', 'key'));
      } else if (seen === undefined) {
        visit(dep.name, [...path, name]);
      }
    }
    state.set(name, 'done');
  };
  for (const name of packages.keys()) if (!state.has(name)) visit(name, []);
}
