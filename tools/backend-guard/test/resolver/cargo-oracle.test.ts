/**
 * Differential test of the feature resolver against Cargo (resolver 2) as an oracle.
 *
 * Each run generates random workspaces (seed from ORACLE_SEED, else from the clock; always printed),
 * writes every one both as package.json files and as Cargo crates, and compares per package the
 * enabled features: ours (`resolve`) against `cargo tree -e normal,features` (`-e normal,dev,features`
 * for a test build). Compared:
 *
 * - `package` unification: one root per `cargo tree -p <root>`, with random `--features`
 *   (`f`, `root/f`, `dep/f` of a direct dependency), `--no-default-features`, `--all-features`;
 * - `selected` unification: 2-3 roots of one workspace in one `cargo tree -p a -p b` (the union of
 *   their trees, since Cargo unifies features over the selected packages);
 * - `dev: true`: the roots' dev-dependencies, as `cargo test -p <root>` resolves them (Cargo follows
 *   the dev-dependencies of the selected packages only, as we do).
 *
 * For speed, many workspaces (names prefixed `w<index>_`) share one Cargo workspace per batch, and one
 * `cargo tree` call takes one case from each of many workspaces at once: their graphs are disjoint, so
 * unifying over all the `-p`s changes nothing, and `root/f` spells each request unambiguously.
 * Replay one workspace with ORACLE_SEED=<seed> ORACLE_WORKSPACE=<index>; ORACLE_WORKSPACES sets the count.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readWorkspace } from '../../src/manifest/workspace.ts';
import { resolve, type ResolveRequest } from '../../src/resolver/resolve.ts';
import { cargoEnvironment, deriveSeed, generateWorkspace, parseCargoTrees, runCargo, SeededRandom, writeCargoWorkspace, writePnpmWorkspace, type CargoFeatureMap, type GeneratedPackage } from '../support/random-workspace.ts';

const SEED = process.env.ORACLE_SEED !== undefined ? Number(process.env.ORACLE_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const WORKSPACE_COUNT = Number(process.env.ORACLE_WORKSPACES ?? 200);
const ONLY_WORKSPACE = process.env.ORACLE_WORKSPACE !== undefined ? Number(process.env.ORACLE_WORKSPACE) : undefined;
const PARALLELISM = availableParallelism();
/** Cargo workspaces per run: a `cargo tree` call reads every member, so smaller batches are faster. */
const BATCH_COUNT = Math.max(1, Math.min(8, Math.ceil(WORKSPACE_COUNT / 25)));

interface OracleCase {
  workspace: number;
  roots: GeneratedPackage[];
  request: Required<Pick<ResolveRequest, 'features' | 'noDefaultFeatures' | 'allFeatures' | 'dev'>> & { unification: 'package' | 'selected' };
}

/** Draws a request for `roots` that Cargo accepts for `cargo tree -p <each root>`. */
function randomRequest(random: SeededRandom, roots: readonly GeneratedPackage[], byName: ReadonlyMap<string, GeneratedPackage>, unification: OracleCase['request']['unification']): OracleCase['request'] {
  const dev = random.chance(0.25);
  const rootNames = new Set(roots.map((r) => r.name));
  // A plain `f` is spelled `root/f` for Cargo, which is the same request only if no root depends on another.
  const plainAllowed = !roots.some((r) => [...r.dependencies, ...r.devDependencies].some((d) => rootNames.has(d.name)));
  // `cargo tree` panics ("missing dep graph connection") on `x/f` when a root has `x` only as a
  // dev-dependency outside a test build; `cargo build` ignores it there. Such requests are not drawn.
  const devOnlyOfRoot = (name: string) => !dev && roots.some((r) => r.devDependencies.some((d) => d.name === name) && !r.dependencies.some((d) => d.name === name));
  const features = new Set<string>();
  for (let i = random.int(3); i > 0; i--) {
    const root = random.pick(roots);
    const form = random.int(3);
    if (form === 2) {
      const deps = dev ? [...root.dependencies, ...root.devDependencies] : root.dependencies;
      const dep = deps.length > 0 ? byName.get(random.pick(deps).name)! : undefined;
      if (dep !== undefined && dep.allFeatures.length > 0 && !devOnlyOfRoot(dep.name)) features.add(`${dep.name}/${random.pick(dep.allFeatures)}`);
    } else if (root.allFeatures.length > 0) {
      const feature = random.pick(root.allFeatures);
      if (form === 0 && plainAllowed) features.add(feature);
      else if (!devOnlyOfRoot(root.name)) features.add(`${root.name}/${feature}`);
    }
  }
  return { features: [...features], noDefaultFeatures: random.chance(0.3), allFeatures: random.chance(0.15), dev, unification };
}

/** Generates workspace `index` of this run and its cases (1-3 roots; sometimes all of them together). */
function generateCases(index: number): { packages: GeneratedPackage[]; cases: OracleCase[] } {
  const seed = deriveSeed(SEED, index);
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const { packages } = generateWorkspace({ seed, packages: 2 + random.int(19), prefix: `w${index}_` });
  const byName = new Map(packages.map((p) => [p.name, p]));
  // Roots lean towards high indices, which have the deepest graphs.
  const roots = new Set<GeneratedPackage>();
  for (let wanted = 1 + random.int(3); roots.size < Math.min(wanted, packages.length); ) {
    roots.add(packages[packages.length - 1 - Math.floor(random.next() ** 2 * packages.length)]!);
  }
  const cases: OracleCase[] = [...roots].map((root) => ({ workspace: index, roots: [root], request: randomRequest(random, [root], byName, 'package') }));
  if (roots.size > 1 && random.chance(0.5)) cases.push({ workspace: index, roots: [...roots], request: randomRequest(random, [...roots], byName, 'selected') });
  return { packages, cases };
}

/** Cargo's spelling of the request's `--features`: every plain `f` becomes `root/f` for each root having it. */
function cargoFeatures(oracleCase: OracleCase): string[] {
  return oracleCase.request.features.flatMap((spec) => (spec.includes('/') ? [spec] : oracleCase.roots.filter((r) => r.allFeatures.includes(spec)).map((r) => `${r.name}/${spec}`)));
}

/** One `cargo tree` call: cases of distinct workspaces that share the global flags. */
interface CargoCall {
  batch: number;
  cases: OracleCase[];
  args: string[];
}

function planCargoCalls(batch: number, cases: readonly OracleCase[]): CargoCall[] {
  const rounds = new Map<string, { workspaces: Set<number>; cases: OracleCase[] }[]>();
  for (const oracleCase of cases) {
    const { noDefaultFeatures, allFeatures, dev } = oracleCase.request;
    const key = `${noDefaultFeatures}|${allFeatures}|${dev}`;
    const list = rounds.get(key) ?? [];
    rounds.set(key, list);
    let round = list.find((r) => !r.workspaces.has(oracleCase.workspace));
    if (round === undefined) list.push((round = { workspaces: new Set(), cases: [] }));
    round.workspaces.add(oracleCase.workspace);
    round.cases.push(oracleCase);
  }
  return [...rounds.values()].flat().map(({ cases: roundCases }) => {
    const { noDefaultFeatures, allFeatures, dev } = roundCases[0]!.request;
    const features = roundCases.flatMap(cargoFeatures);
    const args = ['tree', '--offline', '-e', dev ? 'normal,dev,features' : 'normal,features', '--prefix', 'none', '-f', '{p}|{f}'];
    if (noDefaultFeatures) args.push('--no-default-features');
    if (allFeatures) args.push('--all-features');
    if (features.length > 0) args.push('--features', features.join(','));
    for (const root of roundCases.flatMap((c) => c.roots)) args.push('-p', root.name);
    return { batch, cases: roundCases, args };
  });
}

/** Runs `jobs` with at most `limit` at a time. */
async function runLimited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

function sorted(features: Iterable<string>): string[] {
  return [...features].sort();
}

/** Lines describing how `ours` differs from `cargo`; empty when they agree. */
function differences(ours: CargoFeatureMap, cargo: CargoFeatureMap): string[] {
  const out: string[] = [];
  for (const pkg of new Set([...ours.keys(), ...cargo.keys()])) {
    const a = ours.get(pkg);
    const b = cargo.get(pkg);
    if (a === undefined) out.push(`  ${pkg}: cargo has it [${b!.join(', ')}], ours does not`);
    else if (b === undefined) out.push(`  ${pkg}: ours has it [${a.join(', ')}], cargo does not`);
    else if (a.join() !== b.join()) out.push(`  ${pkg}: ours [${a.join(', ')}], cargo [${b.join(', ')}]`);
  }
  return out.sort();
}

it(
  'resolves features as cargo tree does, on random workspaces',
  async () => {
    const cargoVersion = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
    if (cargoVersion.error !== undefined || cargoVersion.status !== 0) {
      throw new Error(`cargo is required by the Cargo oracle test and is part of this machine's toolchain, but \`cargo --version\` failed: ${cargoVersion.error?.message ?? cargoVersion.stderr}`);
    }
    const indices = ONLY_WORKSPACE !== undefined ? [ONLY_WORKSPACE] : Array.from({ length: WORKSPACE_COUNT }, (_, i) => i);
    console.log(`cargo oracle: seed ${SEED} (replay with ORACLE_SEED=${SEED}), ${indices.length} workspaces, ${cargoVersion.stdout.trim()}`);

    const temp = mkdtempSync(join(tmpdir(), 'cargo-oracle-'));
    const env = cargoEnvironment(temp);
    let passed = false;
    try {
      const started = performance.now();
      const generated = indices.map((index) => ({ index, ...generateCases(index) }));
      const batches = Array.from({ length: Math.min(BATCH_COUNT, generated.length) }, (_, b) => generated.filter((_, i) => i % BATCH_COUNT === b));
      const batchDirs = batches.map((_, b) => join(temp, `batch-${b}`));
      batches.forEach((batch, b) => {
        const packages = batch.flatMap((w) => w.packages);
        writePnpmWorkspace(batchDirs[b]!, packages);
        writeCargoWorkspace(batchDirs[b]!, packages);
      });
      const generatedAt = performance.now();

      // Ours: one resolution per case; `package` cases give one map per root, `selected` cases the union.
      const expected = new Map<OracleCase, CargoFeatureMap>();
      batches.forEach((batch, b) => {
        const workspace = readWorkspace(batchDirs[b]!);
        expect(workspace.problems.map((p) => p.format(workspace.root))).toEqual([]);
        for (const oracleCase of batch.flatMap((w) => w.cases)) {
          const resolutions = resolve(workspace, { ...oracleCase.request, roots: oracleCase.roots.map((r) => r.name) });
          const union: CargoFeatureMap = new Map();
          for (const resolution of new Set(resolutions.values())) for (const [pkg, features] of resolution.packages) union.set(pkg, sorted(features));
          expected.set(oracleCase, union);
        }
      });
      const resolvedAt = performance.now();

      // Cargo: lock files first (one writer per workspace), then the tree calls in parallel.
      await runLimited(batchDirs.map((dir) => () => runCargo(['generate-lockfile', '--offline'], dir, env)), PARALLELISM);
      const calls = batches.flatMap((batch, b) => planCargoCalls(b, batch.flatMap((w) => w.cases)));
      const outputs = await runLimited(calls.map((call) => () => runCargo(call.args, batchDirs[call.batch]!, env)), PARALLELISM);
      const cargoAt = performance.now();

      const mismatches: string[] = [];
      let compared = 0;
      let featureSetsCompared = 0;
      calls.forEach((call, c) => {
        const trees = parseCargoTrees(outputs[c]!);
        for (const oracleCase of call.cases) {
          const actual: CargoFeatureMap = new Map();
          for (const root of oracleCase.roots) {
            const tree = trees.get(root.name);
            if (tree === undefined) throw new Error(`cargo tree printed no tree for ${root.name}: cargo ${call.args.join(' ')}`);
            for (const [pkg, features] of tree) actual.set(pkg, features);
          }
          compared++;
          featureSetsCompared += actual.size;
          const diff = differences(expected.get(oracleCase)!, actual);
          if (diff.length === 0) continue;
          const { request } = oracleCase;
          const roots = oracleCase.roots.map((r) => r.name);
          const flags = [...(request.noDefaultFeatures ? ['--no-default-features'] : []), ...(request.allFeatures ? ['--all-features'] : []), ...(request.features.length > 0 ? [`--features ${cargoFeatures(oracleCase).join(',')}`] : [])];
          mismatches.push(
            `seed ${SEED}, workspace #${oracleCase.workspace} (replay: ORACLE_SEED=${SEED} ORACLE_WORKSPACE=${oracleCase.workspace}), ` +
              `${request.unification} unification, roots ${roots.join(', ')}, request ${JSON.stringify({ features: request.features, noDefaultFeatures: request.noDefaultFeatures, allFeatures: request.allFeatures, dev: request.dev })}\n` +
              `  files: ${batchDirs[call.batch]}/crates/w${oracleCase.workspace}_p*\n` +
              `  cargo tree ${request.dev ? '-e normal,dev,features' : '-e normal,features'} ${flags.join(' ')} ${roots.map((r) => `-p ${r}`).join(' ')}\n` +
              diff.join('\n'),
          );
        }
      });
      const seconds = (from: number, to: number) => `${((to - from) / 1000).toFixed(2)} s`;
      const cases = calls.flatMap((call) => call.cases);
      const count = (test: (c: OracleCase) => boolean) => cases.filter(test).length;
      console.log(
        `cargo oracle: ${compared} cases on ${indices.length} workspaces: ${count((c) => c.request.unification === 'package')} package, ${count((c) => c.request.unification === 'selected')} selected; ` +
          `${count((c) => c.request.dev)} with dev-dependencies, ${count((c) => c.request.features.length > 0)} with --features, ${count((c) => c.request.noDefaultFeatures)} --no-default-features, ${count((c) => c.request.allFeatures)} --all-features; ` +
          `${featureSetsCompared} package feature sets compared`,
      );
      console.log(
        `cargo oracle: ${batches.length} cargo workspaces, ${calls.length} cargo tree calls, ${PARALLELISM} in parallel; ` +
          `generate+write ${seconds(started, generatedAt)}, ours ${seconds(generatedAt, resolvedAt)}, cargo ${seconds(resolvedAt, cargoAt)}, total ${seconds(started, performance.now())}`,
      );
      expect(compared).toBeGreaterThanOrEqual(indices.length);
      expect(mismatches.length, `${mismatches.length} of ${compared} cases differ from cargo (files kept in ${temp}):\n\n${mismatches.slice(0, 8).join('\n\n')}`).toBe(0);
      passed = true;
    } finally {
      if (passed) rmSync(temp, { recursive: true, force: true });
    }
  },
  600_000,
);
