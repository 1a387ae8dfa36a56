/**
 * Benchmark: reading and resolving a large workspace, ours against Cargo on the same graph.
 *
 * Generates a random workspace (default 5,000 packages, 50 apps; BENCH_PACKAGES, BENCH_APPS,
 * BENCH_SEED), writes it as package.json files and as a Cargo workspace in one temp directory, and
 * times (a) `readWorkspace`, (b) resolving every app alone (`package` unification), (c) `cargo tree`
 * on the same apps, (d) `cargo metadata` as a reference for Cargo's own loading. Ours is warmed up
 * once and reported as the median of BENCH_RUNS runs (default 5), with the first call shown apart,
 * in wall time and in CPU time of this process (steadier than wall time on a busy machine).
 *
 * One `cargo tree -p <app>` reads all 5,000 manifests (seconds per call), so per-app calls run for a
 * sample of BENCH_CARGO_SAMPLE apps (default 3) and are extrapolated to all apps; one call with every
 * app's `-p` is measured as well (it unifies features over all apps: Cargo's `selected` mode, compared
 * with ours in that mode). Cargo's trees are also checked against ours, so the figures compare equal work.
 *
 * Run: pnpm exec tsx tools/backend-guard/bench/resolve.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkspace, type Workspace } from '../src/manifest/workspace.ts';
import { resolve, type Unification } from '../src/resolver/resolve.ts';
import { cargoEnvironment, generateWorkspace, parseCargoTrees, runCargo, writeCargoWorkspace, writePnpmWorkspace, type CargoFeatureMap } from '../test/support/random-workspace.ts';

const PACKAGES = Number(process.env.BENCH_PACKAGES ?? 5000);
const APPS = Number(process.env.BENCH_APPS ?? 50);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CARGO_SAMPLE = Number(process.env.BENCH_CARGO_SAMPLE ?? 3);
/** Dependencies are picked mostly among the 200 packages just below, so an app reaches about a thousand. */
const DEPENDENCY_WINDOW = 200;
const GOAL_MS = 250;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const formatMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`);

function time<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

async function timeAsync<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

interface Measured {
  /** Wall time of the warm-up (first) run. */
  first: number;
  /** Medians of `RUNS` runs after the warm-up: wall time and CPU time (user + system) of this process. */
  median: number;
  cpuMedian: number;
}

function measure(run: () => unknown): Measured {
  const first = time(run).ms;
  const runs = Array.from({ length: RUNS }, () => {
    const cpuBefore = process.cpuUsage();
    const { ms } = time(run);
    const cpu = process.cpuUsage(cpuBefore);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  });
  return { first, median: median(runs.map((r) => r.ms)), cpuMedian: median(runs.map((r) => r.cpuMs)) };
}

/** Our features per active package for `roots` resolved together, sorted like the parsed Cargo trees. */
function oursFor(workspace: Workspace, roots: readonly string[], unification: Unification): CargoFeatureMap {
  const resolution = resolve(workspace, { roots, unification }).get(roots[0]!)!;
  return new Map([...resolution.packages].map(([pkg, features]) => [pkg, [...features].sort()]));
}

function sameFeatures(a: CargoFeatureMap, b: CargoFeatureMap): boolean {
  return a.size === b.size && [...a].every(([pkg, features]) => b.get(pkg)?.join() === features.join());
}

async function main() {
  const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (cargo.error !== undefined || cargo.status !== 0) throw new Error(`cargo is needed for the comparison: \`cargo --version\` failed: ${cargo.error?.message ?? cargo.stderr}`);

  const temp = mkdtempSync(join(tmpdir(), 'resolve-bench-'));
  const generated = time(() => generateWorkspace({ seed: SEED, packages: PACKAGES, apps: APPS, dependencyWindow: DEPENDENCY_WINDOW }));
  const { packages, apps } = generated.value;
  const written = time(() => {
    writePnpmWorkspace(temp, packages);
    writeCargoWorkspace(temp, packages);
  });
  console.log(`workspace: ${PACKAGES} packages, ${APPS} apps, seed ${SEED}, in ${temp} (generated in ${formatMs(generated.ms)}, written in ${formatMs(written.ms)})`);
  console.log(`machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}; node ${process.version}; ${cargo.stdout.trim()}`);

  // (a) Reading: a changed package.json makes readWorkspace read every file again (its cache is by mtime).
  const touched = join(temp, 'crates', packages[0]!.name, 'package.json');
  let stamp = Date.now() / 1000;
  const read = measure(() => {
    utimesSync(touched, stamp, ++stamp);
    return readWorkspace(temp);
  });
  const cachedRead = measure(() => readWorkspace(temp));
  const workspace = readWorkspace(temp);
  if (workspace.problems.length > 0) throw new Error(`the generated workspace has problems:\n${workspace.problems.slice(0, 5).map((p) => p.format(temp)).join('\n')}`);

  // (b) Resolving every app alone; the first call also compiles each manifest once.
  const resolvedAlone = measure(() => resolve(workspace, { roots: apps, unification: 'package' }));
  const resolvedTogether = measure(() => resolve(workspace, { roots: apps, unification: 'selected' }));
  const alone = resolve(workspace, { roots: apps, unification: 'package' });
  const activeCounts = apps.map((app) => alone.get(app)!.packages.size);

  // (c), (d) Cargo, one call at a time (ours is single-threaded too).
  const env = cargoEnvironment(temp);
  const lockfile = await timeAsync(() => runCargo(['generate-lockfile', '--offline'], temp, env));
  const treeArgs = ['tree', '--offline', '-e', 'normal,features', '--prefix', 'none', '-f', '{p}|{f}'];
  const sample = apps.slice(0, CARGO_SAMPLE);
  const perApp: number[] = [];
  let agreeing = 0;
  for (const app of sample) {
    const tree = await timeAsync(() => runCargo([...treeArgs, '-p', app], temp, env));
    perApp.push(tree.ms);
    if (sameFeatures(parseCargoTrees(tree.value).get(app)!, oursFor(workspace, [app], 'package'))) agreeing++;
  }
  const allApps = await timeAsync(() => runCargo([...treeArgs, ...apps.flatMap((app) => ['-p', app])], temp, env));
  const cargoTrees = parseCargoTrees(allApps.value);
  const unionOfCargoTrees: CargoFeatureMap = new Map(apps.flatMap((app) => [...cargoTrees.get(app)!]));
  const togetherAgrees = sameFeatures(unionOfCargoTrees, oursFor(workspace, apps, 'selected'));
  const metadata = await timeAsync(() => runCargo(['metadata', '--format-version', '1', '--offline'], temp, env));

  const perAppMean = perApp.reduce((a, b) => a + b, 0) / perApp.length;
  const rows: [string, Measured, string, number][] = [
    [`(a) read workspace (${PACKAGES} package.json)`, read, 'cargo metadata (load + resolve)', metadata.ms],
    [`(b) resolve ${APPS} apps, each alone (package)`, resolvedAlone, `${APPS} x cargo tree -p <app> (est. from ${sample.length})`, perAppMean * APPS],
    [`    resolve ${APPS} apps together (selected)`, resolvedTogether, `1 x cargo tree with ${APPS} -p`, allApps.ms],
  ];
  const widths = [46, 10, 10, 44, 10, 10];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log();
  console.log(line(['step', 'ours', 'ours CPU', 'cargo', 'cargo', 'cargo/ours']));
  for (const [what, ours, cargoWhat, cargoMs] of rows) console.log(line([what, formatMs(ours.median), formatMs(ours.cpuMedian), cargoWhat, formatMs(cargoMs), `${(cargoMs / ours.median).toFixed(0)}x`]));
  console.log();
  console.log(`ours: median of ${RUNS} after one warm-up; first call: read ${formatMs(read.first)}, resolve alone ${formatMs(resolvedAlone.first)} (JIT warm-up, and compiling each package once per workspace), together ${formatMs(resolvedTogether.first)}; cached re-read (mtime check only) ${formatMs(cachedRead.median)}`);
  console.log(`active packages per app: mean ${(activeCounts.reduce((a, b) => a + b, 0) / APPS).toFixed(0)}, max ${Math.max(...activeCounts)}`);
  console.log(`cargo: generate-lockfile ${formatMs(lockfile.ms)}; cargo tree -p <app>: ${perApp.map(formatMs).join(', ')}`);
  console.log(`agreement with cargo tree: ${agreeing} of ${sample.length} sampled apps (package), all ${APPS} apps together (selected): ${togetherAgrees ? 'yes' : 'NO'}`);
  const verdict = (ms: number) => (ms <= GOAL_MS ? 'met' : 'NOT met');
  console.log(
    `goal: resolve every app in <= ${GOAL_MS} ms: ${verdict(resolvedAlone.median)} in wall time (median ${formatMs(resolvedAlone.median)}), ${verdict(resolvedAlone.cpuMedian)} in CPU time (median ${formatMs(resolvedAlone.cpuMedian)}); ` +
      `first call ${formatMs(resolvedAlone.first)}; load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  );
  rmSync(temp, { recursive: true, force: true });
}

await main();
