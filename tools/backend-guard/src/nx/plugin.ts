/**
 * The Nx plugin: infers `build`, `test` and `lint` targets from package.json files, so `nx build
 * <app>` builds an app with its one proven backend and Nx caches the bundle per resolved feature set.
 *
 *   build  every app (a workspace package with `guard.app.entry`): `guard build <app>` through tsx;
 *          cached; outputs `{projectRoot}/dist`. The app's resolved features (what `guard.json`
 *          records) are computed here and set as the target option `resolvedFeatures`, which the
 *          command never reads: Nx hashes a project's target options, so a feature change anywhere
 *          that changes what the app links misses the cache, and one that does not (another app's
 *          features under `package` unification) hits it. The app's and its dependencies'
 *          package.json files are file inputs too, whole (dependencies, exports, the entry).
 *          Worker entries (`guard.app.workers`) are file inputs of their own, also where the
 *          project's sources leave them out (a test folder, another folder of the workspace).
 *          Assets (`guard.app.assets`) are hashed by a `runtime` input that prints the SHA-256
 *          of each: an asset is often a build product that git ignores (a native addon), and Nx
 *          never hashes ignored files for file inputs.
 *   test   every package with a `vitest.config.ts`: `vitest run` in the package; cached.
 *   lint   every package: `eslint .` in the package; cached.
 *
 * Options (nx.json `plugins[].options`): `unification` (`package`, the default, | `selected` |
 * `workspace`) and `selected` (the apps unified under `selected`, passed as `--selected=a,b`;
 * default every app, and no flag). One run may
 * override the mode, `nx build <app> --unification=workspace`: `preTasksExecution` then puts the
 * features of that mode into `GUARD_NX_UNIFICATION`, an env input of `build`, so the override is
 * cached correctly without making other modes' features part of every default build's hash.
 *
 * Only packages that pnpm-workspace.yaml names get targets (the list the guard itself reads), so
 * stray package.json files such as test fixtures never become projects. Bad manifests do not stop
 * Nx: every target is still inferred, each app's `build` is uncached (so `nx build` runs the CLI,
 * which prints the located problems and fails), and the problems are printed once per process as a
 * warning naming this plugin. (Throwing Nx's AggregateCreateNodesError instead fails every Nx
 * command, `nx show projects` included, until the manifest is fixed.)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetConfiguration } from 'nx/src/config/workspace-json-project-json';
import type { CreateNodes, CreateNodesContext, CreateNodesResult, PreTasksExecution } from 'nx/src/project-graph/plugins';
import { appsOf, type AppRequest } from '../app/check-apps.ts';
import { resolvedFeatures } from '../build/build-app.ts';
import { ManifestError } from '../manifest/errors.ts';
import type { Manifest } from '../manifest/manifest.ts';
import { readWorkspace, type Workspace } from '../manifest/workspace.ts';
import { UNIFICATIONS, type Unification } from '../resolver/resolve.ts';

/** The plugin's name in Nx's messages. */
export const name = '@tsvmm/backend-guard/nx';

/** nx.json `plugins[].options`. */
export interface BackendGuardNxOptions {
  /** How features unify across apps in `build`; default `package` (each app alone, Cargo's `-p`). */
  unification?: Unification;
  /** With `selected`: the apps whose features unify (Cargo's `-p a -p b`); default every app. */
  selected?: string[];
}

interface NormalizedOptions {
  unification: Unification;
  selected: string[] | undefined;
}

/** The env input through which a `--unification` override enters the `build` hash. */
export const OVERRIDE_ENV = 'GUARD_NX_UNIFICATION';

const VITEST_CONFIGS = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs'];

const here = dirname(fileURLToPath(import.meta.url));
/** The guard CLI beside this plugin (src/cli/main.ts). */
const CLI = join(here, '..', 'cli', 'main.ts');
/** The backend-guard package folder. */
const PACKAGE_DIR = join(here, '..', '..');

function normalizeOptions(options: BackendGuardNxOptions | undefined): NormalizedOptions {
  const unification = options?.unification ?? 'package';
  if (!UNIFICATIONS.includes(unification)) {
    throw new Error(`${name}: option "unification" must be one of ${UNIFICATIONS.join(', ')}, not ${JSON.stringify(unification)}`);
  }
  const selected = options?.selected;
  if (selected !== undefined && !(Array.isArray(selected) && selected.every((s) => typeof s === 'string'))) {
    throw new Error(`${name}: option "selected" must be a list of app names`);
  }
  return { unification, selected: selected === undefined ? undefined : [...selected].sort() };
}

function appRequest(workspaceRoot: string, options: NormalizedOptions, unification = options.unification): AppRequest {
  return { workspaceRoot, unification, ...(options.selected !== undefined ? { selected: options.selected } : {}) };
}

/** tsx's CLI, resolved from this plugin (the guard's own dependency closure), not from the workspace. */
let tsxCli: string | undefined;
function tsxCliPath(): string {
  tsxCli ??= createRequire(import.meta.url).resolve('tsx/cli');
  return tsxCli;
}

/**
 * A digest of the guard modules the CLI loads (followed through relative imports) and of esbuild's
 * version, so a changed guard never reuses bundles of the old one, also where the guard is not a
 * project of the workspace (a workspace that names this plugin by path). Recomputed on every call:
 * a daemon keeps this module loaded across edits.
 */
function guardDigest(): string {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    hash.update(relative(PACKAGE_DIR, file)).update('\0').update(text).update('\0');
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) visit(join(dirname(file), m[1]!));
  };
  visit(CLI);
  try {
    const esbuild = createRequire(join(PACKAGE_DIR, 'package.json')).resolve('esbuild/package.json');
    hash.update(`esbuild@${(JSON.parse(readFileSync(esbuild, 'utf8')) as { version: string }).version}`);
  } catch {
    hash.update('esbuild@?');
  }
  return hash.digest('hex').slice(0, 16);
}

/** A path for the command line: workspace-relative when inside (so hashes match across clones). */
function commandPath(workspaceRoot: string, path: string): string {
  const rel = relative(workspaceRoot, path);
  const shown = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

/** Messages already printed by this process, so a daemon or watch loop does not repeat them. */
const warned = new Set<string>();
function warnOnce(message: string) {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`\n ${name}: ${message}\n\n`);
}

interface GuardState {
  workspace: Workspace | undefined;
  /** Workspace-relative folders of the packages pnpm-workspace.yaml names (sound or not). */
  members: Set<string>;
  /** App name -> its resolved features, or why they cannot be resolved. */
  features: Map<string, Record<string, string[]> | Error>;
  /** Why features cannot be resolved, when they cannot. */
  problem: string | undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readGuardState(root: string, options: NormalizedOptions): GuardState {
  const folder = (file: string) => relative(root, dirname(file)).split(sep).join('/');
  let workspace: Workspace;
  try {
    workspace = readWorkspace(root);
  } catch (error) {
    // pnpm-workspace.yaml itself cannot be read: no package is known to be a member.
    return { workspace: undefined, members: new Set(), features: new Map(), problem: messageOf(error) };
  }
  const members = new Set([...workspace.packages.values()].map((m) => folder(m.file)));
  for (const p of workspace.problems) if (p.file.endsWith('package.json')) members.add(folder(p.file));
  const features = new Map<string, Record<string, string[]> | Error>();
  const manifestProblem = workspace.problems.length > 0 ? new ManifestError(workspace.problems, root).message : undefined;
  let problem = manifestProblem;
  for (const app of appsOf(workspace)) {
    if (manifestProblem !== undefined) {
      features.set(app.name, new Error(manifestProblem));
      continue;
    }
    try {
      features.set(app.name, resolvedFeatures(appRequest(root, options), app.name));
    } catch (error) {
      features.set(app.name, error instanceof Error ? error : new Error(String(error)));
      problem ??= messageOf(error);
    }
  }
  return { workspace, members, features, problem };
}

function inputsOf(context: CreateNodesContext) {
  const hasProduction = context.nxJsonConfiguration.namedInputs?.['production'] !== undefined;
  return {
    own: hasProduction ? ['production'] : ['{projectRoot}/**/*', '!{projectRoot}/dist/**'],
    deps: hasProduction ? ['^production'] : ['^default'],
  };
}

/**
 * Prints `<sha256> <file>` (or `missing <file>`) for each file argument: the script of the
 * `runtime` input that hashes an app's assets (`node --no-warnings -e '<script>' <files>`, run by Nx
 * through the shell from the workspace root). It holds no single quote, so it is one shell word.
 * `--no-warnings`: Nx hashes what the command prints, and a Node warning carries the process id
 * (e.g. NO_COLOR set beside FORCE_COLOR, as under an outer Nx), which made every run a cache miss.
 */
const DIGEST_FILES_JS =
  'const{createHash}=require("node:crypto"),{readFileSync}=require("node:fs");' +
  'for(const f of process.argv.slice(1)){let h;try{h=createHash("sha256").update(readFileSync(f)).digest("hex")}catch{h="missing"}console.log(h,f)}';

/** A `{projectRoot}`/`{workspaceRoot}` file input for `path`, or undefined outside the workspace. */
function fileInput(workspaceRoot: string, projectRoot: string, path: string): string | undefined {
  const inProject = relative(join(workspaceRoot, projectRoot), path);
  if (inProject !== '' && !inProject.startsWith('..') && !isAbsolute(inProject)) return `{projectRoot}/${inProject.split(sep).join('/')}`;
  const inWorkspace = relative(workspaceRoot, path);
  if (inWorkspace !== '' && !inWorkspace.startsWith('..') && !isAbsolute(inWorkspace)) return `{workspaceRoot}/${inWorkspace.split(sep).join('/')}`;
  return undefined;
}

/** The inputs of an app's workers and assets (see the module doc); none for an app without. */
function appFileInputs(manifest: Manifest, projectRoot: string, workspaceRoot: string): NonNullable<TargetConfiguration['inputs']> {
  const app = manifest.app!;
  const workers = app.workers.flatMap((w) => fileInput(workspaceRoot, projectRoot, w.entry) ?? []);
  const assets = app.assets.length === 0 ? [] : [{ runtime: `node --no-warnings -e '${DIGEST_FILES_JS}' ${app.assets.map((a) => commandPath(workspaceRoot, a.path)).join(' ')}` }];
  return [...new Set(workers), ...assets];
}

function buildTarget(manifest: Manifest, projectRoot: string, state: GuardState, options: NormalizedOptions, context: CreateNodesContext, digest: string): TargetConfiguration {
  const root = context.workspaceRoot;
  const app = manifest.name;
  const { own, deps } = inputsOf(context);
  const features = state.features.get(app);
  const resolved = features !== undefined && !(features instanceof Error);
  const guard = `node ${commandPath(root, tsxCliPath())} ${commandPath(root, CLI)}`;
  const selected = options.selected === undefined ? '' : ` --selected=${options.selected.join(',')}`;
  return {
    executor: 'nx:run-commands',
    // Without resolved features the hash cannot tell builds apart: run the CLI every time (it
    // prints the located problems and fails) rather than risk replaying an old bundle.
    cache: resolved,
    inputs: [...own, ...deps, '{workspaceRoot}/pnpm-workspace.yaml', { env: OVERRIDE_ENV }, ...appFileInputs(manifest, projectRoot, root)],
    outputs: ['{projectRoot}/dist'],
    options: {
      command: `${guard} build ${app} --unification={args.unification}${selected}`,
      unification: options.unification,
      // The two options below are not arguments of the command; they are here to be hashed.
      forwardAllArgs: false,
      resolvedFeatures: resolved ? features : `unresolved: ${features?.message ?? 'unknown app'}`,
      guard: digest,
    },
    metadata: {
      description: `Build ${app} with esbuild and exactly one crypto backend (backend-guard; unification: ${options.unification})`,
      technologies: ['esbuild'],
      help: { command: `${guard} --help`, example: { options: { unification: 'workspace' } } },
    },
  };
}

function testTarget(context: CreateNodesContext): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    cache: true,
    // GUARD_FEATURES chooses the backend a library's tests run on (see the Vite plugin).
    inputs: ['default', ...inputsOf(context).deps, { env: 'GUARD_FEATURES' }],
    // The config loader 'runner' lets vitest.config.ts import TypeScript packages (backend-guard's
    // Vite plugin) on Node 20, which cannot import .ts itself.
    options: { command: 'vitest run --configLoader runner', cwd: '{projectRoot}' },
    metadata: { description: 'Run the package\'s tests with Vitest', technologies: ['vitest'] },
  };
}

function lintTarget(context: CreateNodesContext): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    cache: true,
    inputs: ['default', ...inputsOf(context).deps, '{workspaceRoot}/eslint.config.*', '{workspaceRoot}/tsconfig*.json', '{workspaceRoot}/pnpm-workspace.yaml'],
    options: { command: 'eslint .', cwd: '{projectRoot}' },
    metadata: { description: 'Lint the package with ESLint (the workspace\'s eslint.config)', technologies: ['eslint'] },
  };
}

/** Nx's entry point: one project entry per workspace package; see the module doc. */
export const createNodes: CreateNodes<BackendGuardNxOptions> = [
  '**/package.json',
  (files, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    const root = context.workspaceRoot;
    const state = readGuardState(root, options);
    if (state.problem !== undefined) warnOnce(`cannot resolve features, so builds are not cached until this is fixed:\n${state.problem}`);
    const apps = new Map(state.workspace === undefined ? [] : appsOf(state.workspace).map((m) => [m.dir, m]));
    const digest = apps.size > 0 ? guardDigest() : '';
    const results: [string, CreateNodesResult][] = [];
    for (const file of files) {
      const projectRoot = dirname(file).split(sep).join('/');
      if (projectRoot === '.' || !state.members.has(projectRoot)) continue;
      const targets: Record<string, TargetConfiguration> = { lint: lintTarget(context) };
      if (VITEST_CONFIGS.some((c) => existsSync(join(root, projectRoot, c)))) targets['test'] = testTarget(context);
      const app = apps.get(join(root, projectRoot));
      if (app !== undefined) targets['build'] = buildTarget(app, projectRoot, state, options, context, digest);
      results.push([file, { projects: { [projectRoot]: { targets } } }]);
    }
    return results;
  },
];

/** The same under its older name, for Nx versions that look for `createNodesV2` first (their `createNodes` took v1 arguments). */
export const createNodesV2 = createNodes;

/** The `--unification` value on Nx's command line (`--unification=x` or `--unification x`), if any. */
export function unificationOverride(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--unification=')) return arg.slice('--unification='.length);
    if (arg === '--unification') return argv[i + 1];
  }
  return undefined;
}

/**
 * Before tasks run (and are hashed): when the command line overrides the unification mode, put the
 * features every app resolves to under that mode into `GUARD_NX_UNIFICATION`, an input of `build`.
 * Without an override it is empty, so default builds keep their precise hash.
 */
export const preTasksExecution: PreTasksExecution<BackendGuardNxOptions> = (rawOptions, context) => {
  const override = unificationOverride(context.argv);
  const options = normalizeOptions(rawOptions);
  if (override === undefined || override === options.unification) {
    process.env[OVERRIDE_ENV] = '';
    return;
  }
  let value = `${override}:`;
  if (UNIFICATIONS.includes(override as Unification)) {
    try {
      const workspace = readWorkspace(context.workspaceRoot);
      const request = appRequest(context.workspaceRoot, options, override as Unification);
      const all = Object.fromEntries(appsOf(workspace).map((app) => [app.name, resolvedFeatures(request, app.name)]));
      value += createHash('sha256').update(JSON.stringify(all)).digest('hex').slice(0, 16);
    } catch (error) {
      value += `unresolved: ${messageOf(error)}`;
    }
  }
  process.env[OVERRIDE_ENV] = value;
};
