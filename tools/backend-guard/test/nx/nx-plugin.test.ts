/**
 * The Nx plugin, called directly and run as Nx runs it: fixture workspaces copied to a temporary
 * folder, installed, given an nx.json that names the plugin by absolute path and the repository's
 * nx; then real `nx` processes (no daemon, no cloud, a cache folder per scenario) build the apps.
 * Cache hits and misses are read from the `run.json` Nx writes into its cache folder after a run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ENSURE_SINGLE_BACKEND_SYMBOL } from '../../src/diagnostic/ensure-single-backend.ts';
import { createNodes, OVERRIDE_ENV, unificationOverride, type BackendGuardNxOptions } from '../../src/nx/plugin.ts';
import { fixtureWorkspace, type FixtureName } from '../support/fixture.ts';

const PLUGIN = fileURLToPath(new URL('../../src/nx/plugin.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
/** What a workspace needs to run nx with a TypeScript plugin (tsx comes from the plugin's own folder). */
const NX_TOOLS = ['nx', '@swc-node/register', '@swc/core'];

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const writeJson = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value, null, 2) + '\n');

/** The parts of the manifests and nx.json that the tests edit. */
interface PackageJson {
  description?: string;
  guard: { features: Record<string, string[]>; dependencies: Record<string, { features: string[] }> };
}
interface NxJson {
  plugins: unknown[];
}

/** Changes a JSON file for the length of `body`, then puts the exact old text back. */
async function withJson<T = PackageJson>(file: string, change: (json: T) => void, body: () => void | Promise<void>) {
  const before = readFileSync(file, 'utf8');
  const json = JSON.parse(before) as T;
  change(json);
  writeJson(file, json);
  try {
    await body();
  } finally {
    writeFileSync(file, before);
  }
}

function writeNxJson(root: string, options?: BackendGuardNxOptions) {
  const { namedInputs } = readJson(join(REPO, 'nx.json'));
  writeJson(join(root, 'nx.json'), { namedInputs, plugins: [options === undefined ? PLUGIN : { plugin: PLUGIN, options }] });
}

/**
 * Fixture `name`, installed, with an nx.json and a tsconfig.json (Nx loads TypeScript plugins only
 * with one). Nx and the transpiler it loads plugins with are the repository's own, linked in: no
 * registry lookups, and the nx under test is the one the repository pins.
 */
function nxWorkspace(name: FixtureName, options?: BackendGuardNxOptions): string {
  const root = fixtureWorkspace(name);
  for (const pkg of NX_TOOLS) {
    mkdirSync(dirname(join(root, 'node_modules', pkg)), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', pkg), join(root, 'node_modules', pkg), 'junction');
  }
  writeJson(join(root, 'tsconfig.json'), { compilerOptions: readJson(join(REPO, 'tsconfig.base.json'))['compilerOptions'] });
  writeNxJson(root, options);
  return root;
}

interface NxRun {
  code: number | null;
  /** stdout and stderr. */
  output: string;
  /** Task id -> Nx's cache status (`cache-miss`, `local-cache-hit`, ...) and exit status. */
  tasks: Record<string, { cacheStatus: string; status: number }>;
}

/**
 * Runs the workspace's own nx with `cache` as its cache folder, cleared of the NX_* of any outer Nx.
 * Plugins load in-process unless `{ isolate: true }` comes last: Nx's default, plugin workers,
 * costs about 2.5 s per run without a daemon and gives the same task hashes.
 */
function nx(root: string, cache: string, ...rest: (string | { isolate: boolean })[]): NxRun {
  const last = rest[rest.length - 1];
  const isolate = typeof last === 'object' && last.isolate;
  const args = rest.filter((a): a is string => typeof a === 'string');
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_')));
  const bin = join(root, 'node_modules/nx', (readJson(join(root, 'node_modules/nx/package.json'))['bin'] as Record<string, string>)['nx']!);
  rmSync(join(cache, 'run.json'), { force: true });
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: cache, NX_TUI: 'false', NO_COLOR: '1', NX_ISOLATE_PLUGINS: String(isolate) },
  });
  const summary = join(cache, 'run.json');
  const tasks = existsSync(summary)
    ? Object.fromEntries((readJson(summary)['tasks'] as { taskId: string; cacheStatus: string; status: number }[]).map((t) => [t.taskId, { cacheStatus: t.cacheStatus, status: t.status }]))
    : {};
  return { code: run.status, output: `${run.stdout}\n${run.stderr}`, tasks };
}

/** The cache status of each task of a run, for one readable assertion. */
const statuses = (run: NxRun) => Object.fromEntries(Object.entries(run.tasks).map(([id, t]) => [id, t.cacheStatus]));
const cacheDir = (root: string) => mkdtempSync(join(root, '..', 'nx-cache-'));
const runApp = (root: string, app: string) => execFileSync(process.execPath, [join(root, 'apps', app, 'dist/main.mjs'), 'abc'], { encoding: 'utf8' }).trim();

describe('createNodes', () => {
  const context = (root: string) => ({ workspaceRoot: root, nxJsonConfiguration: { namedInputs: readJson(join(REPO, 'nx.json'))['namedInputs'] as never } });
  const files = ['package.json', 'apps/sevtool/package.json', 'apps/vmm/package.json', 'apps/vmm/test/stray/package.json'];
  const infer = async (root: string, options?: BackendGuardNxOptions) =>
    Object.fromEntries((await createNodes[1](files, options, context(root))).map(([file, result]) => [file, result.projects!]));

  afterEach(() => vi.restoreAllMocks());

  it('infers lint for every package, test where Vitest is set up, build for apps; nothing for other package.json files', async () => {
    const root = fixtureWorkspace('two-apps', { install: false });
    writeFileSync(join(root, 'apps/vmm/vitest.config.ts'), 'export default {};\n');
    const nodes = await infer(root);
    expect(Object.keys(nodes).sort()).toEqual(['apps/sevtool/package.json', 'apps/vmm/package.json']);
    expect(Object.keys(nodes['apps/vmm/package.json']!['apps/vmm']!.targets!).sort()).toEqual(['build', 'lint', 'test']);
    expect(Object.keys(nodes['apps/sevtool/package.json']!['apps/sevtool']!.targets!).sort()).toEqual(['build', 'lint']);
    const build = nodes['apps/vmm/package.json']!['apps/vmm']!.targets!['build']!;
    expect(build).toMatchObject({
      executor: 'nx:run-commands',
      cache: true,
      outputs: ['{projectRoot}/dist'],
      inputs: ['production', '^production', '{workspaceRoot}/pnpm-workspace.yaml', { env: OVERRIDE_ENV }],
      options: { unification: 'package', forwardAllArgs: false, resolvedFeatures: { '@fx/crypto': ['default', 'openssl'], '@fx/vmm': [] } },
      metadata: { description: expect.stringContaining('exactly one crypto backend') },
    });
    expect(build.options.command).toMatch(/ build @fx\/vmm --unification=\{args\.unification\}$/);
  });

  it('resolves features under the configured unification', async () => {
    const root = fixtureWorkspace('two-apps', { install: false });
    const nodes = await infer(root, { unification: 'workspace' });
    expect(nodes['apps/vmm/package.json']!['apps/vmm']!.targets!['build']!.options.resolvedFeatures['@fx/crypto']).toEqual(['default', 'noble', 'openssl']);
    await expect(infer(root, { unification: 'crate' as never })).rejects.toThrow('option "unification" must be one of package, selected, workspace');
  });

  it('keeps every target when a manifest is bad, leaves builds uncached and warns once with the location', async () => {
    const root = fixtureWorkspace('two-apps', { install: false });
    const vmm = join(root, 'apps/vmm/package.json');
    writeFileSync(vmm, readFileSync(vmm, 'utf8').replace('["openssl"]', '["opensssl"]'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const nodes = await infer(root);
    await infer(root);
    for (const app of ['vmm', 'sevtool']) {
      const targets = nodes[`apps/${app}/package.json`]![`apps/${app}`]!.targets!;
      expect(Object.keys(targets).sort()).toEqual(['build', 'lint']);
      expect(targets['build']!.cache).toBe(false);
      expect(targets['build']!.options.resolvedFeatures).toMatch(/^unresolved: /);
    }
    const warnings = stderr.mock.calls.map(([text]) => String(text)).filter((text) => text.includes('@tsvmm/backend-guard/nx'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/apps\/vmm\/package\.json:\d+:\d+: error\[unknown-feature\]: @fx\/crypto has no feature "opensssl"/);
  });

  it('reads a --unification override from Nx\'s command line', () => {
    expect(unificationOverride(['node', 'nx', 'build', 'a', '--unification=workspace'])).toBe('workspace');
    expect(unificationOverride(['node', 'nx', 'build', 'a', '--unification', 'selected'])).toBe('selected');
    expect(unificationOverride(['node', 'nx', 'build', 'a'])).toBeUndefined();
  });
});

describe('nx with the two-apps fixture', () => {
  let root: string;
  beforeAll(() => {
    root = nxWorkspace('two-apps');
  });

  it('builds both apps in one run, each with its own backend', () => {
    const run = nx(root, cacheDir(root), 'run-many', '-t', 'build', { isolate: true });
    expect(run.code, run.output).toBe(0);
    expect(run.tasks).toEqual({ '@fx/vmm:build': { cacheStatus: 'cache-miss', status: 0 }, '@fx/sevtool:build': { cacheStatus: 'cache-miss', status: 0 } });
    expect(readJson(join(root, 'apps/vmm/dist/guard.json'))['backends']).toEqual(['@fx/crypto/openssl']);
    expect(readJson(join(root, 'apps/sevtool/dist/guard.json'))['backends']).toEqual(['@fx/crypto/noble']);
    expect(runApp(root, 'vmm')).toBe(`openssl ${SHA256_ABC}`);
    expect(runApp(root, 'sevtool')).toBe(`noble ${SHA256_ABC}`);
  });

  it('misses the cache exactly when an app\'s resolved features change', async () => {
    const cache = cacheDir(root);
    const build = () => nx(root, cache, 'run-many', '-t', 'build');
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss', '@fx/sevtool:build': 'cache-miss' });
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit', '@fx/sevtool:build': 'local-cache-hit' });

    // The crypto package's openssl feature now also turns on "fips": only the vmm's features change.
    // The crypto package lies outside the Nx workspace, so no file input sees this edit: the miss
    // comes from the resolved features in the hash alone.
    await withJson(join(root, '../_crypto/package.json'), (m) => Object.assign(m.guard.features, { openssl: ['fips'], fips: [] }), () => {
      expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss', '@fx/sevtool:build': 'local-cache-hit' });
      expect(readJson(join(root, 'apps/vmm/dist/guard.json'))['features']).toMatchObject({ '@fx/crypto': ['default', 'fips', 'openssl'] });
    });
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit', '@fx/sevtool:build': 'local-cache-hit' });
    expect(readJson(join(root, 'apps/vmm/dist/guard.json'))['features']).toMatchObject({ '@fx/crypto': ['default', 'openssl'] });

    // Another app's manifest is no input of the vmm, and under `package` unification does not change
    // its features: the vmm hits, the SEV tool (now on native) misses.
    await withJson(join(root, 'apps/sevtool/package.json'), (m) => (m.guard.dependencies['@fx/crypto']!.features = ['native']), () => {
      expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit', '@fx/sevtool:build': 'cache-miss' });
      expect(runApp(root, 'sevtool')).toBe(`native ${SHA256_ABC}`);
    });

    // An app's own package.json is a file input as a whole (dependencies, exports and the entry
    // change bundles too), so an edit that leaves its features alone still misses.
    await withJson(join(root, 'apps/vmm/package.json'), (m) => (m.description = 'the VMM'), () => {
      expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss', '@fx/sevtool:build': 'local-cache-hit' });
    });
  });

  it('fails both apps under `selected` or `workspace` unification, as Cargo does: why `package` is the default', async () => {
    await withJson<NxJson>(join(root, 'nx.json'), (nxJson) => (nxJson.plugins = [{ plugin: PLUGIN, options: { unification: 'selected' } }]), () => {
      const run = nx(root, cacheDir(root), 'run-many', '-t', 'build');
      expect(run.code).toBe(1);
      expect(run.tasks).toMatchObject({ '@fx/vmm:build': { status: 1 }, '@fx/sevtool:build': { status: 1 } });
      expect(run.output).toContain('@fx/vmm enables 2 backends (openssl, noble) of @fx/crypto');
      expect(run.output).toContain('@fx/sevtool enables 2 backends (openssl, noble) of @fx/crypto');
    });
    // The same mode for one run from the command line.
    const run = nx(root, cacheDir(root), 'build', '@fx/vmm', '--unification=workspace');
    expect(run.code).toBe(1);
    expect(run.output).toContain('--unification=workspace');
    expect(run.output).toContain('@fx/vmm enables 2 backends (openssl, noble) of @fx/crypto');
  });

  it('under `workspace` unification, another app\'s feature change misses the cache, configured or overridden', async () => {
    const sevtool = join(root, 'apps/sevtool/package.json');
    const backendFeatures = (features: string[]) => (m: PackageJson) => (m.guard.dependencies['@fx/crypto']!.features = features);
    const vmmCryptoFeatures = () => (readJson(join(root, 'apps/vmm/dist/guard.json'))['features'] as Json)['@fx/crypto'];
    // Both apps on openssl, so the union over the workspace has one backend and the vmm builds.
    await withJson(join(root, '../_crypto/package.json'), (m) => (m.guard.features.fips = []), async () => {
      await withJson<NxJson>(join(root, 'nx.json'), (nxJson) => (nxJson.plugins = [{ plugin: PLUGIN, options: { unification: 'workspace' } }]), async () => {
        const cache = cacheDir(root);
        await withJson(sevtool, backendFeatures(['openssl']), () => {
          expect(statuses(nx(root, cache, 'build', '@fx/vmm'))).toEqual({ '@fx/vmm:build': 'cache-miss' });
        });
        // The vmm's files are untouched; only the union over the workspace gains "fips".
        await withJson(sevtool, backendFeatures(['openssl', 'fips']), () => {
          expect(statuses(nx(root, cache, 'build', '@fx/vmm'))).toEqual({ '@fx/vmm:build': 'cache-miss' });
          expect(vmmCryptoFeatures()).toEqual(['default', 'fips', 'openssl']);
        });
      });
      // The same from the command line, with `package` configured: the features of the overriding
      // mode reach the hash through preTasksExecution and the GUARD_NX_UNIFICATION input (plugins
      // isolated in workers, as Nx runs them by default).
      const cache = cacheDir(root);
      await withJson(sevtool, backendFeatures(['openssl']), () => {
        expect(statuses(nx(root, cache, 'build', '@fx/vmm', '--unification=workspace', { isolate: true }))).toEqual({ '@fx/vmm:build': 'cache-miss' });
        expect(statuses(nx(root, cache, 'build', '@fx/vmm', '--unification=workspace'))).toEqual({ '@fx/vmm:build': 'local-cache-hit' });
      });
      await withJson(sevtool, backendFeatures(['openssl', 'fips']), () => {
        expect(statuses(nx(root, cache, 'build', '@fx/vmm', '--unification=workspace', { isolate: true }))).toEqual({ '@fx/vmm:build': 'cache-miss' });
        expect(vmmCryptoFeatures()).toEqual(['default', 'fips', 'openssl']);
      });
    });
  });

  it('keeps Nx working when a manifest is bad: projects are listed, builds fail with the located problem', async () => {
    await withJson(join(root, 'apps/vmm/package.json'), (m) => (m.guard.dependencies['@fx/crypto']!.features = ['opensssl']), () => {
      const cache = cacheDir(root);
      const projects = nx(root, cache, 'show', 'projects');
      expect(projects.code).toBe(0);
      expect(projects.output).toContain('@fx/sevtool');
      expect(projects.output).toContain('@tsvmm/backend-guard/nx: cannot resolve features');
      const run = nx(root, cache, 'run-many', '-t', 'build');
      expect(run.code).toBe(1);
      expect(run.tasks).toMatchObject({ '@fx/vmm:build': { status: 1 }, '@fx/sevtool:build': { status: 1 } });
      expect(run.output).toMatch(/apps\/vmm\/package\.json:\d+:\d+: error\[unknown-feature\]: @fx\/crypto has no feature "opensssl"/);
    });
  });
});

describe('nx with a library that adds a second backend', () => {
  it('fails the build with the ensure_single_backend diagnostic and its symbol', () => {
    const root = nxWorkspace('library-feature-adds-backend');
    const run = nx(root, cacheDir(root), 'build', '@fx/vmm');
    expect(run.code).not.toBe(0);
    expect(run.tasks['@fx/vmm:build']).toEqual({ cacheStatus: 'cache-miss', status: 1 });
    expect(run.output).toContain('error[ensure_single_backend]');
    expect(run.output).toContain(ENSURE_SINGLE_BACKEND_SYMBOL);
    expect(run.output).toContain('__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto');
  });
});

describe('nx with an app that has workers and an asset', () => {
  it('adds the worker entries as file inputs and hashes the assets at run time', async () => {
    const root = fixtureWorkspace('workers-and-assets', { install: false });
    const context = { workspaceRoot: root, nxJsonConfiguration: { namedInputs: readJson(join(REPO, 'nx.json'))['namedInputs'] as never } };
    const [node] = await createNodes[1](['apps/vmm/package.json'], undefined, context);
    const build = node![1].projects!['apps/vmm']!.targets!['build']!;
    expect(build.outputs).toEqual(['{projectRoot}/dist']);
    expect(build.inputs!.slice(0, 4)).toEqual(['production', '^production', '{workspaceRoot}/pnpm-workspace.yaml', { env: OVERRIDE_ENV }]);
    expect(build.inputs!.slice(4, 6)).toEqual(['{projectRoot}/src/hasher.ts', '{projectRoot}/src/echo/worker_main.ts']);
    const runtime = (build.inputs![6] as { runtime: string }).runtime;
    expect(runtime).toMatch(/^node --no-warnings -e '[^']+' apps\/vmm\/data\/banner\.txt$/);
    // The command Nx runs, from the workspace root: one digest line per asset.
    expect(execFileSync('sh', ['-c', runtime], { cwd: root, encoding: 'utf8' })).toBe(
      `${createHash('sha256').update('fixture banner\n').digest('hex')} apps/vmm/data/banner.txt\n`,
    );
    rmSync(join(root, 'apps/vmm/data/banner.txt'));
    expect(execFileSync('sh', ['-c', runtime], { cwd: root, encoding: 'utf8' })).toBe('missing apps/vmm/data/banner.txt\n');
  });

  // With FORCE_COLOR in the environment, as under an outer Nx (CI), and NO_COLOR (nx() sets it), Node
  // warns with its pid on every run; the asset digest must not change with it (it did: a miss every run).
  it('misses the cache when a worker\'s sources or a git-ignored asset change, and the bundles run', () => {
    const forceColor = process.env['FORCE_COLOR'];
    process.env['FORCE_COLOR'] = '1';
    onTestFinished(() => {
      if (forceColor === undefined) delete process.env['FORCE_COLOR'];
      else process.env['FORCE_COLOR'] = forceColor;
    });
    const root = nxWorkspace('workers-and-assets');
    // As the VMM's native addon: a build product that git (and so Nx's file inputs) ignores.
    writeFileSync(join(root, 'apps/vmm/.gitignore'), 'data/\n');
    const cache = cacheDir(root);
    const build = () => nx(root, cache, 'build', '@fx/vmm');
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss' });
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit' });
    const run = () => execFileSync(process.execPath, [join(root, 'apps/vmm/dist/main.mjs'), 'abc'], { encoding: 'utf8' }).trim().split('\n');
    expect(run()).toEqual(['main noble', `hasher noble ${SHA256_ABC}`, 'echo cba', 'banner fixture banner']);

    const banner = join(root, 'apps/vmm/data/banner.txt');
    writeFileSync(banner, 'new banner\n');
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss' });
    expect(run()[3]).toBe('banner new banner');
    writeFileSync(banner, 'fixture banner\n');
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit' });
    expect(run()[3]).toBe('banner fixture banner');

    const reverse = join(root, 'apps/vmm/src/echo/reverse.ts');
    const before = readFileSync(reverse, 'utf8');
    writeFileSync(reverse, before.replace("join('')", "join('-')"));
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'cache-miss' });
    expect(run()[2]).toBe('echo c-b-a');
    writeFileSync(reverse, before);
    expect(statuses(build())).toEqual({ '@fx/vmm:build': 'local-cache-hit' });
    expect(run()[2]).toBe('echo cba');
  });
});
