/**
 * One package.json, read into a validated feature manifest.
 *
 * The model is Cargo's `[features]` table, kept under the `guard` key of package.json:
 *
 * ```json
 * "guard": {
 *   "app": { "entry": "src/main.ts", "workers": { "vcpu": "src/machine/vcpu_main.ts" }, "assets": ["native/addon.node"] },
 *   "features": { "default": ["std"], "std": [], "tls": ["dep:@tsvmm/crypto", "@tsvmm/crypto/openssl"] },
 *   "dependencies": { "@tsvmm/crypto": { "optional": true, "defaultFeatures": false, "features": [] } },
 *   "devDependencies": { "@tsvmm/crypto": { "features": ["noble"] } },
 *   "exclusive": { "backend": { "exactlyOne": ["openssl", "noble", "native"] } }
 * }
 * ```
 *
 * This module checks what one file can check alone; `workspace.ts` checks references between files.
 * Nothing here throws on bad input: problems are returned with their JSON pointers.
 */
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { ManifestProblem, type ManifestProblemCode } from './errors.ts';
import type { JsonPointer } from './locate.ts';

export type DependencyKind = 'normal' | 'dev';

/** A reference to a feature of a dependency, as written in a feature table or a dependency's options. */
export interface FeatureRef {
  feature: string;
  pointer: JsonPointer;
}

/** One dependency edge as declared: where it is, and Cargo's per-dependency options. */
export interface DependencyDecl {
  name: string;
  kind: DependencyKind;
  optional: boolean;
  defaultFeatures: boolean;
  features: FeatureRef[];
  /** `["dependencies", name]` or `["devDependencies", name]`. */
  pointer: JsonPointer;
}

/** One entry of a feature's list, parsed as Cargo parses it. */
export type FeatureValue =
  | { kind: 'feature'; feature: string; pointer: JsonPointer }
  | { kind: 'dep'; dep: string; pointer: JsonPointer }
  | { kind: 'depFeature'; dep: string; feature: string; weak: boolean; pointer: JsonPointer };

/** How the build maps an exclusive group's choice to one module (the crypto backend). */
export interface GroupModule {
  /** The import specifier the owner package uses, such as `#backend`. */
  specifier: string;
  /** Absolute path of the module for each feature of the group. */
  modules: Map<string, string>;
  /**
   * Absolute path of the module used when the count is not one (a library's tests, where no app
   * chose). It must say it is a placeholder; the build never ships it.
   */
  placeholder: string;
  pointer: JsonPointer;
}

export type GroupRule = 'exactlyOne' | 'atMostOne';

/** A mutually exclusive group, declared by the package that owns its features. */
export interface ExclusiveGroup {
  owner: string;
  name: string;
  rule: GroupRule;
  features: string[];
  pointer: JsonPointer;
  module: GroupModule | undefined;
}

/** A worker of an app: another entry point, bundled beside the main one to `dist/<name>.mjs`. */
export interface WorkerDecl {
  /** Lowercase, `^[a-z][a-z0-9_-]*$`, never `main`. */
  name: string;
  /** Absolute path of the worker's entry module. */
  entry: string;
  /** `["guard", "app", "workers", name]`. */
  pointer: JsonPointer;
}

/** A file copied into the app's `dist/` (basename kept) after bundling. */
export interface AssetDecl {
  /** Absolute path of the file. */
  path: string;
  /** `["guard", "app", "assets", index]`. */
  pointer: JsonPointer;
}

export interface AppDecl {
  /** Absolute path of the entry module. */
  entry: string;
  pointer: JsonPointer;
  /** Extra entry points, in declaration order. */
  workers: WorkerDecl[];
  assets: AssetDecl[];
}

/** A workspace package's validated feature manifest. */
export interface Manifest {
  name: string;
  dir: string;
  file: string;
  app: AppDecl | undefined;
  /** Every feature, explicit and implicit (an optional dependency never named with `dep:`). */
  features: Map<string, FeatureValue[]>;
  /** Where each explicit feature is declared (key of its entry). */
  featurePointers: Map<string, JsonPointer>;
  implicitFeatures: Set<string>;
  dependencies: DependencyDecl[];
  groups: ExclusiveGroup[];
}

const FEATURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;
/** A worker's name, which is also its bundle's name: `dist/<name>.mjs`. */
export const WORKER_NAME = /^[a-z][a-z0-9_-]*$/;
const APP_KEYS = new Set(['entry', 'workers', 'assets']);
const GUARD_KEYS = new Set(['app', 'features', 'dependencies', 'devDependencies', 'exclusive']);
const DEPENDENCY_OPTION_KEYS = new Set(['optional', 'defaultFeatures', 'features']);
const SECTION: Record<DependencyKind, 'dependencies' | 'devDependencies'> = {
  normal: 'dependencies',
  dev: 'devDependencies',
};

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: Json): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Parses one feature-table entry (`foo`, `dep:foo`, `foo/bar`, `foo?/bar`); undefined if malformed. */
export function parseFeatureValue(text: string, pointer: JsonPointer): FeatureValue | undefined {
  if (text.startsWith('dep:')) {
    const dep = text.slice(4);
    return dep.length > 0 && !dep.includes('?') ? { kind: 'dep', dep, pointer } : undefined;
  }
  const slash = text.lastIndexOf('/');
  if (slash < 0) return FEATURE_NAME.test(text) ? { kind: 'feature', feature: text, pointer } : undefined;
  let dep = text.slice(0, slash);
  const feature = text.slice(slash + 1);
  const weak = dep.endsWith('?');
  if (weak) dep = dep.slice(0, -1);
  // A scoped name has its own slash: "@scope/name/feature".
  if (dep.length === 0 || dep === '@' || dep.endsWith('/') || !FEATURE_NAME.test(feature)) return undefined;
  return { kind: 'depFeature', dep, feature, weak, pointer };
}

/** Reads one package.json (already parsed) into a manifest, collecting problems instead of throwing. */
export function readManifest(file: string, json: Json, problems: ManifestProblem[]): Manifest | undefined {
  const problem = (code: ManifestProblemCode, pointer: JsonPointer, message: string, expected?: string, at: 'key' | 'value' = 'value') =>
    problems.push(new ManifestProblem(code, file, pointer, message, expected, at));

  if (!isObject(json)) {
    problem('malformed', [], `package.json is ${describe(json)}`, 'an object');
    return undefined;
  }
  const name = json.name;
  if (typeof name !== 'string' || name.length === 0) {
    problem('malformed', ['name'], `"name" is ${describe(name)}`, 'a package name (a non-empty string)');
    return undefined;
  }
  const dir = dirname(file);
  const manifest: Manifest = {
    name,
    dir,
    file,
    app: undefined,
    features: new Map(),
    featurePointers: new Map(),
    implicitFeatures: new Set(),
    dependencies: [],
    groups: [],
  };

  const guard = json.guard ?? {};
  if (!isObject(guard)) {
    problem('malformed', ['guard'], `"guard" is ${describe(guard)}`, 'an object with app, features, dependencies, devDependencies, exclusive');
    return manifest;
  }
  for (const key of Object.keys(guard)) {
    if (!GUARD_KEYS.has(key)) {
      problem('malformed', ['guard', key], `unknown key "${key}" in "guard"`, `one of ${[...GUARD_KEYS].join(', ')}`, 'key');
    }
  }

  readApp(manifest, guard.app, problem);
  for (const kind of ['normal', 'dev'] as const) readDependencies(manifest, json, guard, kind, problem);
  readFeatures(manifest, guard.features, problem);
  readGroups(manifest, guard.exclusive, problem);
  checkLocalReferences(manifest, problem);
  return manifest;
}

type Report = (code: ManifestProblemCode, pointer: JsonPointer, message: string, expected?: string, at?: 'key' | 'value') => void;

function readApp(manifest: Manifest, app: Json, problem: Report) {
  if (app === undefined) return;
  const pointer = ['guard', 'app'];
  if (!isObject(app) || typeof app.entry !== 'string' || app.entry.length === 0) {
    problem('malformed', pointer, `"guard.app" is ${describe(app)}`, '{ "entry": "<path of the app\'s entry module>", "workers"?: { "<name>": "<path>" }, "assets"?: ["<path>"] }');
    return;
  }
  for (const key of Object.keys(app)) {
    if (!APP_KEYS.has(key)) problem('malformed', [...pointer, key], `unknown key "${key}" in "guard.app"`, `one of ${[...APP_KEYS].join(', ')}`, 'key');
  }
  const workers = readWorkers(manifest, app.workers, [...pointer, 'workers'], problem);
  const assets = readAssets(manifest, app.assets, [...pointer, 'assets'], workers, problem);
  manifest.app = { entry: resolvePath(manifest.dir, app.entry), pointer: [...pointer, 'entry'], workers, assets };
}

function readWorkers(manifest: Manifest, table: Json, pointer: JsonPointer, problem: Report): WorkerDecl[] {
  if (table === undefined) return [];
  if (!isObject(table)) {
    problem('malformed', pointer, `"guard.app.workers" is ${describe(table)}`, 'an object of worker names to entry modules, { "<name>": "<path>" }');
    return [];
  }
  const workers: WorkerDecl[] = [];
  for (const [name, entry] of Object.entries(table)) {
    const at = [...pointer, name];
    if (!WORKER_NAME.test(name) || name === 'main') {
      const why = name === 'main' ? '"main" is the main bundle\'s name' : `"${name}" is not a worker name`;
      problem('invalid-name', at, why, 'a lowercase name matching ^[a-z][a-z0-9_-]*$, other than "main" (the bundle is dist/<name>.mjs)', 'key');
    } else if (typeof entry !== 'string' || entry.length === 0) {
      problem('malformed', at, `worker "${name}" is ${describe(entry)}`, 'the path of the worker\'s entry module, relative to package.json');
    } else {
      workers.push({ name, entry: resolvePath(manifest.dir, entry), pointer: at });
    }
  }
  return workers;
}

function readAssets(manifest: Manifest, list: Json, pointer: JsonPointer, workers: WorkerDecl[], problem: Report): AssetDecl[] {
  const what = 'paths of files to copy into dist/, relative to package.json';
  if (list !== undefined && !Array.isArray(list)) {
    problem('malformed', pointer, `"guard.app.assets" is ${describe(list)}`, `an array of strings (${what})`);
    return [];
  }
  // What the build writes into dist/ itself; an asset of the same name would overwrite it or be overwritten.
  const taken = new Map<string, string>();
  for (const bundle of ['main', ...workers.map((w) => w.name)]) {
    taken.set(`${bundle}.mjs`, `the ${bundle === 'main' ? 'main' : `"${bundle}" worker's`} bundle`);
    taken.set(`${bundle}.mjs.map`, `the ${bundle === 'main' ? 'main' : `"${bundle}" worker's`} source map`);
  }
  taken.set('guard.json', 'the build\'s record');
  const assets: AssetDecl[] = [];
  for (const { text, pointer: at } of readStringList(list, pointer, problem, what)) {
    const path = resolvePath(manifest.dir, text);
    const name = basename(path);
    if (text.length === 0 || text.endsWith('/') || text.endsWith('\\') || path === manifest.dir) {
      problem('malformed', at, `asset ${JSON.stringify(text)} is not a file path`, `the path of a file, relative to package.json`);
    } else if (taken.has(name)) {
      problem('malformed', at, `asset "${text}" would be copied to dist/${name}, which is ${taken.get(name)}`, 'a file whose name differs from every other asset and output in dist/');
    } else {
      taken.set(name, `the copy of asset "${text}"`);
      assets.push({ path, pointer: at });
    }
  }
  return assets;
}

function readDependencies(manifest: Manifest, json: Record<string, Json>, guard: Record<string, Json>, kind: DependencyKind, problem: Report) {
  const section = SECTION[kind];
  const declared = json[section] ?? {};
  if (!isObject(declared)) {
    problem('malformed', [section], `"${section}" is ${describe(declared)}`, 'an object of package names to version ranges');
    return;
  }
  const options = guard[section] ?? {};
  if (!isObject(options)) {
    problem('malformed', ['guard', section], `"guard.${section}" is ${describe(options)}`, 'an object of dependency names to { optional, defaultFeatures, features }');
    return;
  }
  for (const depName of Object.keys(options)) {
    if (!(depName in declared)) {
      problem('unknown-dependency', ['guard', section, depName], `"${depName}" has feature options but is not in "${section}"`, `a package listed in "${section}"`, 'key');
    }
  }
  for (const depName of Object.keys(declared)) {
    const dep: DependencyDecl = { name: depName, kind, optional: false, defaultFeatures: true, features: [], pointer: [section, depName] };
    const base = ['guard', section, depName];
    const opts = options[depName];
    if (opts !== undefined) {
      if (!isObject(opts)) {
        problem('malformed', base, `options of "${depName}" are ${describe(opts)}`, '{ "optional"?: boolean, "defaultFeatures"?: boolean, "features"?: string[] }');
      } else {
        for (const key of Object.keys(opts)) {
          if (!DEPENDENCY_OPTION_KEYS.has(key)) problem('malformed', [...base, key], `unknown dependency option "${key}"`, 'one of optional, defaultFeatures, features', 'key');
        }
        for (const key of ['optional', 'defaultFeatures'] as const) {
          if (opts[key] === undefined) continue;
          if (typeof opts[key] !== 'boolean') problem('malformed', [...base, key], `"${key}" is ${describe(opts[key])}`, 'true or false');
        }
        if (opts.optional === true && kind === 'dev') {
          problem('malformed', [...base, 'optional'], `dev-dependency "${depName}" cannot be optional`, 'optional only on "dependencies"');
        } else {
          dep.optional = opts.optional === true;
        }
        dep.defaultFeatures = opts.defaultFeatures !== false;
        dep.features = readStringList(opts.features, [...base, 'features'], problem, 'feature names of the dependency').flatMap(({ text, pointer }) => {
          if (FEATURE_NAME.test(text)) return [{ feature: text, pointer }];
          problem('invalid-name', pointer, `"${text}" is not a feature name`, 'a feature name (letters, digits, _ - + .)');
          return [];
        });
      }
    }
    manifest.dependencies.push(dep);
  }
}

function readStringList(value: Json, pointer: JsonPointer, problem: Report, what: string): { text: string; pointer: JsonPointer }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problem('malformed', pointer, `expected a list of ${what}, found ${describe(value)}`, `an array of strings (${what})`);
    return [];
  }
  const out: { text: string; pointer: JsonPointer }[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') out.push({ text: item, pointer: [...pointer, index] });
    else problem('malformed', [...pointer, index], `list entry is ${describe(item)}`, `a string (${what})`);
  });
  return out;
}

function readFeatures(manifest: Manifest, table: Json, problem: Report) {
  if (table === undefined) table = {};
  if (!isObject(table)) {
    problem('malformed', ['guard', 'features'], `"guard.features" is ${describe(table)}`, 'an object of feature names to lists of feature values');
    table = {};
  }
  const features = table as Record<string, Json>;
  for (const [feature, list] of Object.entries(features)) {
    const pointer = ['guard', 'features', feature];
    if (!FEATURE_NAME.test(feature)) {
      problem('invalid-name', pointer, `"${feature}" is not a feature name`, 'a feature name (letters, digits, _ - + .)', 'key');
      continue;
    }
    const values: FeatureValue[] = [];
    for (const { text, pointer: itemPointer } of readStringList(list, pointer, problem, 'feature values')) {
      const value = parseFeatureValue(text, itemPointer);
      if (value === undefined) {
        problem('malformed', itemPointer, `"${text}" is not a feature value`, '"feature", "dep:package", "package/feature" or "package?/feature"');
      } else {
        values.push(value);
      }
    }
    manifest.features.set(feature, values);
    manifest.featurePointers.set(feature, pointer);
  }
  // Cargo's implicit features: an optional dependency that no `dep:` entry names is also a feature.
  const namedWithDep = new Set<string>();
  for (const values of manifest.features.values()) for (const v of values) if (v.kind === 'dep') namedWithDep.add(v.dep);
  for (const dep of manifest.dependencies) {
    if (!dep.optional || namedWithDep.has(dep.name)) continue;
    if (manifest.features.has(dep.name)) {
      problem('feature-shadows-dependency', manifest.featurePointers.get(dep.name)!, `feature "${dep.name}" has the name of optional dependency "${dep.name}"`, `another feature name, or "dep:${dep.name}" somewhere in the table so the dependency has no implicit feature`, 'key');
      continue;
    }
    if (!FEATURE_NAME.test(dep.name)) continue; // scoped names have no implicit feature: use "dep:@scope/name"
    manifest.features.set(dep.name, [{ kind: 'dep', dep: dep.name, pointer: dep.pointer }]);
    manifest.implicitFeatures.add(dep.name);
  }
}

function readGroups(manifest: Manifest, table: Json, problem: Report) {
  if (table === undefined) return;
  const base = ['guard', 'exclusive'];
  if (!isObject(table)) {
    problem('malformed', base, `"guard.exclusive" is ${describe(table)}`, 'an object of group names to { "exactlyOne" | "atMostOne": [features] }');
    return;
  }
  const claimed = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) {
    const pointer = [...base, name];
    if (!isObject(spec)) {
      problem('malformed', pointer, `group "${name}" is ${describe(spec)}`, '{ "exactlyOne": [features] } or { "atMostOne": [features] }');
      continue;
    }
    const rules = (['exactlyOne', 'atMostOne'] as const).filter((r) => spec[r] !== undefined);
    for (const key of Object.keys(spec)) {
      if (key !== 'exactlyOne' && key !== 'atMostOne' && key !== 'module') {
        problem('malformed', [...pointer, key], `unknown key "${key}" in group "${name}"`, 'exactlyOne, atMostOne or module', 'key');
      }
    }
    if (rules.length !== 1) {
      problem('invalid-group', pointer, `group "${name}" must have exactly one of "exactlyOne" and "atMostOne"`, '{ "exactlyOne": [features] } or { "atMostOne": [features] }');
      continue;
    }
    const rule = rules[0]!;
    const members = readStringList(spec[rule], [...pointer, rule], problem, 'feature names');
    const features: string[] = [];
    for (const { text, pointer: p } of members) {
      if (!manifest.features.has(text)) {
        problem('unknown-feature', p, `group "${name}" names "${text}", which is not a feature of ${manifest.name}`, `one of: ${[...manifest.features.keys()].join(', ') || '(no features)'}`);
      } else if (features.includes(text)) {
        problem('invalid-group', p, `group "${name}" names "${text}" twice`, 'each feature once');
      } else if (claimed.has(text)) {
        problem('invalid-group', p, `"${text}" is already in group "${claimed.get(text)}"`, 'each feature in at most one exclusive group');
      } else {
        features.push(text);
        claimed.set(text, name);
      }
    }
    if (members.length < 2) {
      problem('invalid-group', [...pointer, rule], `group "${name}" has ${members.length} feature${members.length === 1 ? '' : 's'}`, 'two or more features');
    }
    const module = readGroupModule(manifest, spec.module, [...pointer, 'module'], features, problem);
    manifest.groups.push({ owner: manifest.name, name, rule, features, pointer, module });
  }
}

function readGroupModule(manifest: Manifest, spec: Json, pointer: JsonPointer, features: string[], problem: Report): GroupModule | undefined {
  if (spec === undefined) return undefined;
  const expected = '{ "specifier": "#name", "modules": { "<feature>": "<path>" for every feature of the group }, "placeholder": "<path>" }';
  if (!isObject(spec) || typeof spec.specifier !== 'string' || !isObject(spec.modules) || typeof spec.placeholder !== 'string') {
    problem('malformed', pointer, `the group's "module" is ${describe(spec)} or lacks a field`, expected);
    return undefined;
  }
  const modules = new Map<string, string>();
  for (const [feature, path] of Object.entries(spec.modules)) {
    if (typeof path !== 'string') problem('malformed', [...pointer, 'modules', feature], `module of "${feature}" is ${describe(path)}`, 'a path relative to package.json');
    else if (!features.includes(feature)) problem('unknown-feature', [...pointer, 'modules', feature], `"${feature}" is not in this group`, `one of: ${features.join(', ')}`, 'key');
    else modules.set(feature, resolvePath(manifest.dir, path));
  }
  for (const feature of features) {
    if (!modules.has(feature)) problem('invalid-group', [...pointer, 'modules'], `no module for "${feature}"`, 'a module for every feature of the group');
  }
  return { specifier: spec.specifier, modules, placeholder: resolvePath(manifest.dir, spec.placeholder), pointer };
}

/** References that one manifest can check alone: own features, own dependencies, feature cycles. */
function checkLocalReferences(manifest: Manifest, problem: Report) {
  const deps = new Map<string, DependencyDecl[]>();
  for (const dep of manifest.dependencies) deps.set(dep.name, [...(deps.get(dep.name) ?? []), dep]);
  for (const values of manifest.features.values()) {
    for (const value of values) {
      if (value.kind === 'feature') {
        if (!manifest.features.has(value.feature)) {
          problem('unknown-feature', value.pointer, `"${value.feature}" is not a feature of ${manifest.name}`, `one of: ${[...manifest.features.keys()].join(', ') || '(no features)'}, or "package/feature"`);
        }
        continue;
      }
      const declared = deps.get(value.dep);
      if (declared === undefined) {
        problem('unknown-dependency', value.pointer, `"${value.dep}" is not a dependency of ${manifest.name}`, `a package in "dependencies" or "devDependencies"`);
      } else if ((value.kind === 'dep' || value.weak) && !declared.some((d) => d.optional)) {
        const form = value.kind === 'dep' ? `"dep:${value.dep}"` : `"${value.dep}?/${value.feature}"`;
        problem('not-optional', value.pointer, `${form} needs "${value.dep}" to be optional`, `"optional": true in guard.dependencies["${value.dep}"], or "${value.dep}/feature" without "?"`);
      }
    }
  }
  findFeatureCycles(manifest, problem);
}

function findFeatureCycles(manifest: Manifest, problem: Report) {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (feature: string, via: FeatureValue | undefined, path: string[]) => {
    const seen = state.get(feature);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(feature)), feature];
      problem('feature-cycle', via!.pointer, `feature cycle in ${manifest.name}: ${cycle.join(' -> ')}`, 'features that do not enable themselves');
      return;
    }
    state.set(feature, 'visiting');
    for (const value of manifest.features.get(feature) ?? []) {
      if (value.kind === 'feature') visit(value.feature, value, [...path, feature]);
    }
    state.set(feature, 'done');
  };
  for (const feature of manifest.features.keys()) visit(feature, undefined, []);
}
