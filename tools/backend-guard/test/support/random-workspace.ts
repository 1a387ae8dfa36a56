/**
 * Seeded random workspaces for differential tests against Cargo and for benchmarks.
 *
 * A workspace is N packages `<prefix>p0 … <prefix>p{N-1}`; a package depends only on packages of lower
 * index (no cycles), with Cargo's per-dependency options (optional, default-features = false,
 * features), dev-dependencies, and a feature table using `f`, `dep:x`, `x/f`, `x?/f` and `default`.
 * Optional dependencies never named with `dep:` keep their implicit feature. Only constructs Cargo
 * accepts are generated, so one model can be written both as package.json files (the `guard` model)
 * and as a Cargo workspace (resolver 2, path dependencies), and the two resolved side by side; the
 * helpers at the end run Cargo offline and read `cargo tree` output back.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small, fast, seeded PRNG (mulberry32) with the helpers the generator needs. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(this.int(pool.length), 1)[0]!);
    return out;
  }
}

/** Mixes a run seed and an index into an independent seed, so item `index` can be replayed alone. */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface GeneratedDependency {
  name: string;
  optional: boolean;
  defaultFeatures: boolean;
  features: string[];
}

export interface GeneratedPackage {
  name: string;
  /** An app: a root to build; nothing depends on it. */
  app: boolean;
  dependencies: GeneratedDependency[];
  devDependencies: GeneratedDependency[];
  /** The explicit feature table, in declaration order. */
  features: Map<string, string[]>;
  /** Every feature a dependent may name: explicit ones and implicit ones of optional dependencies. */
  allFeatures: string[];
}

export interface GeneratedWorkspace {
  packages: GeneratedPackage[];
  /** Names of the apps (the last `apps` packages). */
  apps: string[];
}

export interface RandomWorkspaceOptions {
  seed: number;
  packages: number;
  /** How many of the highest-index packages are apps (nothing depends on them). Default 0. */
  apps?: number;
  /** Prepended to every package name, to keep several workspaces apart in one directory. */
  prefix?: string;
  /** Most normal dependencies of one package. Default 4. */
  maxDependencies?: number;
  /** Most explicit features `f<n>` of one package. Default 4. */
  maxFeatures?: number;
  /** How far below its own index a package's dependencies are picked (most of them). Default: all. */
  dependencyWindow?: number;
}

/** Generates a random workspace that both the `guard` model and Cargo accept. */
export function generateWorkspace(options: RandomWorkspaceOptions): GeneratedWorkspace {
  const random = new SeededRandom(options.seed);
  const prefix = options.prefix ?? '';
  const appCount = Math.min(options.apps ?? 0, options.packages);
  const firstApp = options.packages - appCount;
  const packages: GeneratedPackage[] = [];
  const byName = new Map<string, GeneratedPackage>();
  for (let index = 0; index < options.packages; index++) {
    const pkg = generatePackage(random, `${prefix}p${index}`, index >= firstApp, { packages, count: Math.min(index, firstApp), byName }, options);
    packages.push(pkg);
    byName.set(pkg.name, pkg);
  }
  return { packages, apps: packages.filter((p) => p.app).map((p) => p.name) };
}

/** The packages a new package may depend on: the first `count` of `packages` (no apps). */
interface Libraries {
  packages: readonly GeneratedPackage[];
  count: number;
  byName: ReadonlyMap<string, GeneratedPackage>;
}

/** Picks distinct dependency targets, mostly from the `window` libraries just below, some from anywhere. */
function pickTargets(random: SeededRandom, libraries: Libraries, count: number, window: number): GeneratedPackage[] {
  const targets = new Set<GeneratedPackage>();
  for (let attempt = 0; attempt < count * 3 && targets.size < count && libraries.count > 0; attempt++) {
    const nearby = random.chance(0.8) && libraries.count > window;
    targets.add(libraries.packages[libraries.count - 1 - random.int(nearby ? window : libraries.count)]!);
  }
  return [...targets];
}

function dependencyOn(random: SeededRandom, target: GeneratedPackage, optional: boolean): GeneratedDependency {
  return {
    name: target.name,
    optional,
    defaultFeatures: !random.chance(0.3),
    features: random.chance(0.35) ? random.sample(target.allFeatures, 1 + random.int(2)) : [],
  };
}

function generatePackage(random: SeededRandom, name: string, app: boolean, libraries: Libraries, options: RandomWorkspaceOptions): GeneratedPackage {
  const window = options.dependencyWindow ?? Number.MAX_SAFE_INTEGER;
  const { byName } = libraries;
  const maxDependencies = options.maxDependencies ?? 4;
  // An app depends on something; a library may be a leaf.
  const dependencyCount = app ? 1 + random.int(maxDependencies) : random.int(maxDependencies + 1);
  const dependencies = pickTargets(random, libraries, dependencyCount, window).map((t) => dependencyOn(random, t, random.chance(0.35)));
  const devDependencies = random.chance(0.3) ? pickTargets(random, libraries, 1 + random.int(2), window).map((t) => dependencyOn(random, t, false)) : [];

  const optional = dependencies.filter((d) => d.optional).map((d) => d.name);
  /** Optional dependencies hidden behind `dep:` (no implicit feature); each gets a `dep:` entry below. */
  const hidden = optional.filter(() => random.chance(0.4));
  const implicit = optional.filter((d) => !hidden.includes(d));

  // Explicit features in declaration order; each may name only earlier ones, so there is no cycle.
  const names = Array.from({ length: random.int((options.maxFeatures ?? 4) + 1) }, (_, i) => `f${i}`);
  // A feature may share the name of a hidden optional dependency (what `dep:` allows).
  for (const dep of hidden) if (random.chance(0.3)) names.splice(random.int(names.length + 1), 0, dep);
  const features = new Map<string, string[]>();
  const valueFor = (earlier: readonly string[]): string | undefined => {
    const kind = random.int(5);
    if (kind === 0) {
      const local = [...earlier, ...implicit];
      return local.length > 0 ? random.pick(local) : undefined;
    }
    if (kind === 1) return hidden.length > 0 ? `dep:${random.pick(hidden)}` : undefined;
    // `x/f` may also name a dev-dependency (it acts only in a test build); `x?/f` needs an optional one.
    const candidates = kind === 2 ? [...dependencies, ...(random.chance(0.15) ? devDependencies : [])] : dependencies.filter((d) => d.optional);
    if (candidates.length === 0) return undefined;
    const dep = random.pick(candidates).name;
    const target = byName.get(dep)!;
    if (target.allFeatures.length === 0) return undefined;
    return `${dep}${kind === 2 || kind === 3 ? '' : '?'}/${random.pick(target.allFeatures)}`;
  };
  const valuesFor = (earlier: readonly string[], count: number) => {
    const values = new Set<string>();
    for (let i = 0; i < count; i++) {
      const value = valueFor(earlier);
      if (value !== undefined) values.add(value);
    }
    return [...values];
  };
  names.forEach((feature, i) => features.set(feature, valuesFor(names.slice(0, i), random.int(4))));
  for (const dep of hidden) {
    if ([...features.values()].some((values) => values.includes(`dep:${dep}`))) continue;
    const owner = features.has(dep) || names.length === 0 ? dep : random.pick(names);
    features.set(owner, [...(features.get(owner) ?? []), `dep:${dep}`]);
  }
  if (random.chance(0.6)) features.set('default', valuesFor([...features.keys()], random.int(3)));

  const allFeatures = [...features.keys(), ...implicit];
  return { name, app, dependencies, devDependencies, features, allFeatures };
}

/** Writes the packages as a pnpm workspace of package.json files (`<dir>/crates/<name>/package.json`). */
export function writePnpmWorkspace(dir: string, packages: readonly GeneratedPackage[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages:\n  - crates/*\n');
  for (const pkg of packages) {
    const options = (deps: readonly GeneratedDependency[]) => {
      const out: Record<string, { optional?: true; defaultFeatures?: false; features?: string[] }> = {};
      for (const dep of deps) {
        const entry = { ...(dep.optional && { optional: true as const }), ...(!dep.defaultFeatures && { defaultFeatures: false as const }), ...(dep.features.length > 0 && { features: dep.features }) };
        if (Object.keys(entry).length > 0) out[dep.name] = entry;
      }
      return out;
    };
    const versions = (deps: readonly GeneratedDependency[]) => Object.fromEntries(deps.map((d) => [d.name, 'workspace:*']));
    const json = {
      name: pkg.name,
      version: '0.1.0',
      private: true,
      dependencies: versions(pkg.dependencies),
      devDependencies: versions(pkg.devDependencies),
      guard: { features: Object.fromEntries(pkg.features), dependencies: options(pkg.dependencies), devDependencies: options(pkg.devDependencies) },
    };
    mkdirSync(join(dir, 'crates', pkg.name), { recursive: true });
    writeFileSync(join(dir, 'crates', pkg.name, 'package.json'), `${JSON.stringify(json, null, 2)}\n`);
  }
}

/** Writes the packages as a Cargo workspace (resolver 2) of path dependencies (`<dir>/crates/<name>/Cargo.toml`). */
export function writeCargoWorkspace(dir: string, packages: readonly GeneratedPackage[]): void {
  mkdirSync(dir, { recursive: true });
  const members = packages.map((p) => `  "crates/${p.name}",`).join('\n');
  writeFileSync(join(dir, 'Cargo.toml'), `[workspace]\nresolver = "2"\nmembers = [\n${members}\n]\n`);
  const list = (items: readonly string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
  const section = (title: string, deps: readonly GeneratedDependency[]) =>
    deps.length === 0
      ? ''
      : `\n[${title}]\n${deps
          .map((d) => {
            const options = [`path = "../${d.name}"`, ...(d.optional ? ['optional = true'] : []), ...(d.defaultFeatures ? [] : ['default-features = false']), ...(d.features.length > 0 ? [`features = ${list(d.features)}`] : [])];
            return `${d.name} = { ${options.join(', ')} }`;
          })
          .join('\n')}\n`;
  for (const pkg of packages) {
    const features = [...pkg.features].map(([name, values]) => `${JSON.stringify(name)} = ${list(values)}`).join('\n');
    const toml =
      `[package]\nname = "${pkg.name}"\nversion = "0.1.0"\nedition = "2021"\n` +
      section('dependencies', pkg.dependencies) +
      section('dev-dependencies', pkg.devDependencies) +
      (features.length > 0 ? `\n[features]\n${features}\n` : '');
    mkdirSync(join(dir, 'crates', pkg.name, 'src'), { recursive: true });
    writeFileSync(join(dir, 'crates', pkg.name, 'Cargo.toml'), toml);
    writeFileSync(join(dir, 'crates', pkg.name, 'src', 'lib.rs'), '');
  }
}

/** Environment for offline Cargo runs whose home and target directory live under `dir`. */
export function cargoEnvironment(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, CARGO_HOME: join(dir, 'cargo-home'), CARGO_TARGET_DIR: join(dir, 'target'), CARGO_NET_OFFLINE: 'true' };
}

/** Runs cargo; resolves to its stdout, rejects with its stderr when it fails. */
export function runCargo(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cargo', args, { cwd, env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(`cargo ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${Buffer.concat(stderr).toString('utf8')}`));
    });
  });
}

/** package name -> enabled features, sorted. */
export type CargoFeatureMap = Map<string, string[]>;

/** `name vX (path)|f1,f2`, maybe followed by notes such as ` (*)`. */
const PACKAGE_LINE = /^(\S+) v\S+ \([^)]*\)\|(\S*)(?: \([^)]*\))*$/;
/** `name feature "f"`, maybe followed by notes such as ` (*)` or ` (command-line)`. */
const FEATURE_LINE = /^\S+ feature "[^"]*"(?: \([^)]*\))*$/;

/**
 * Parses `cargo tree --prefix none -f '{p}|{f}' -e <kinds>,features`: one tree per root, separated by
 * blank lines. Feature nodes (`name feature "f"`) are skipped: every package line carries the
 * package's whole feature set.
 */
export function parseCargoTrees(output: string): Map<string, CargoFeatureMap> {
  const trees = new Map<string, CargoFeatureMap>();
  for (const chunk of output.split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim().length > 0);
    if (lines.length === 0) continue;
    const tree: CargoFeatureMap = new Map();
    for (const line of lines) {
      if (FEATURE_LINE.test(line)) continue;
      const match = PACKAGE_LINE.exec(line);
      if (match === null) throw new Error(`unexpected cargo tree line: ${JSON.stringify(line)}`);
      const features = match[2]!.length === 0 ? [] : match[2]!.split(',').sort();
      const earlier = tree.get(match[1]!);
      if (earlier !== undefined && earlier.join() !== features.join()) throw new Error(`cargo tree shows ${match[1]} with two feature sets: ${earlier.join()} / ${features.join()}`);
      tree.set(match[1]!, features);
    }
    const root = PACKAGE_LINE.exec(lines[0]!)?.[1];
    if (root === undefined) throw new Error(`cargo tree output has a tree that does not start with its root package: ${JSON.stringify(lines[0])}`);
    trees.set(root, tree);
  }
  return trees;
}
