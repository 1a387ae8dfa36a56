/**
 * Builds one app with esbuild and the backend-guard plugin, and records what the build proved: the
 * backend chosen, the resolved features, each bundle's inputs.
 *
 * Output, under the app's folder: `dist/main.mjs` (the bundle of `guard.app.entry`), one
 * `dist/<name>.mjs` per `guard.app.workers` entry (separate bundles with the same options and the
 * same single backend; no code is shared between them), a copy of every `guard.app.assets` file
 * (basename kept), and `dist/guard.json` (the proof).
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { build, type LogLevel, type Metafile, type PartialMessage, type Plugin } from 'esbuild';
import { checkApps, type AppCheck, type AppRequest } from '../app/check-apps.ts';
import { backendGuardPlugin, esbuildLocation, PLUGIN_NAME } from '../esbuild/plugin.ts';
import { locate } from '../manifest/locate.ts';
import type { Manifest } from '../manifest/manifest.ts';
import { loadWorkspace } from '../manifest/workspace.ts';
import { ResolveRequestError } from '../resolver/resolve.ts';

export interface BuildAppOptions extends AppRequest {
  app: string;
  /** Output folder; default `<app>/dist`. */
  outdir?: string;
  /** esbuild's log level; `error` prints located errors with code frames (the CLI), `silent` does not (tests). */
  logLevel?: LogLevel;
}

/** One worker's bundle. */
export interface WorkerBuildResult {
  /** Absolute path of the bundle, `dist/<name>.mjs`. */
  outfile: string;
  /** Workspace-relative paths of every file esbuild read into it, sorted (what `guard.json` records). */
  inputs: string[];
  /** esbuild's metafile of this bundle. */
  metafile: Metafile;
}

export interface BuildAppResult {
  app: string;
  /** The main bundle, `dist/main.mjs`. */
  outfile: string;
  /** The main bundle's inputs (workspace-relative, sorted), as `guard.json` records them. */
  inputs: string[];
  /** Each worker's bundle, `dist/<name>.mjs`, by worker name. */
  workers: Record<string, WorkerBuildResult>;
  /** Absolute paths of the copied assets, in declaration order. */
  assets: string[];
  /** `owner/feature` of every backend group, e.g. `@tsvmm/crypto/openssl`. */
  backends: string[];
  /** Enabled features of every active package. */
  features: Record<string, string[]>;
  /** esbuild's metafile of the main bundle. */
  metafile: Metafile;
}

/** The app's resolved features, sorted: what the Nx cache hash and `guard.json` record. */
export function resolvedFeatures(request: AppRequest, app: string): Record<string, string[]> {
  const [check] = checkApps(request, [app]);
  return featureRecord(check!.resolution.packages);
}

function featureRecord(packages: ReadonlyMap<string, ReadonlySet<string>>): Record<string, string[]> {
  return Object.fromEntries([...packages].sort(([a], [b]) => a.localeCompare(b)).map(([pkg, features]) => [pkg, [...features].sort()]));
}

/** `guard.app.assets[0]` for the pointer `["guard", "app", "assets", 0]`. */
function fieldName(pointer: readonly (string | number)[]): string {
  return pointer.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('');
}

/** What is at `path`: a file, a folder, or nothing. */
function kindOf(path: string): 'file' | 'folder' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Worker entries and assets that are not files, as located errors at their package.json field
 * (`error[missing-worker]`, `error[missing-asset]`). A missing main entry stays esbuild's own error.
 * esbuild drops a plugin message's `id`, so the code is part of the text, as in the backend diagnostic.
 */
function missingFiles(manifest: Manifest, workspaceRoot: string): PartialMessage[] {
  const shown = (path: string) => relative(workspaceRoot, path).split(sep).join('/');
  const errors: PartialMessage[] = [];
  const check = (path: string, pointer: readonly (string | number)[], id: string, what: string) => {
    const kind = kindOf(path);
    if (kind === 'file') return;
    errors.push({
      id,
      pluginName: PLUGIN_NAME,
      text: `error[${id}]: ${fieldName(pointer)} of ${manifest.name}: ${kind === 'missing' ? 'no file' : 'a folder, not a file,'} at "${shown(path)}" (expected ${what}, relative to package.json)`,
      location: esbuildLocation(locate(manifest.file, pointer)),
    });
  };
  for (const worker of manifest.app!.workers) check(worker.entry, worker.pointer, 'missing-worker', `the worker's entry module`);
  for (const asset of manifest.app!.assets) check(asset.path, asset.pointer, 'missing-asset', 'a file to copy into dist/');
  return errors;
}

/** Reports `errors` when the build starts, so esbuild prints them (with code frames) and fails. */
function failAtStart(errors: PartialMessage[]): Plugin {
  return { name: `${PLUGIN_NAME}-app`, setup: (build) => build.onStart(() => ({ errors })) };
}

/** Builds `options.app`; rejects with esbuild's `BuildFailure` (located errors) when it cannot. */
export async function buildApp(options: BuildAppOptions): Promise<BuildAppResult> {
  const root = options.workspaceRoot;
  const manifest = loadWorkspace(root).packages.get(options.app);
  if (manifest?.app === undefined) throw new ResolveRequestError(`${options.app} is not an app of this workspace (no "guard.app" in its package.json)`);
  const app = manifest.app;
  const outdir = options.outdir ?? join(manifest.dir, 'dist');
  let check: AppCheck | undefined;
  // Every bundle is its own esbuild run with the same options, so each metafile is that bundle's
  // alone (as `guard.json` records it) and no code is shared. Nothing is written until all succeed.
  const bundle = (entry: string, name: string, extra: Plugin[] = []) =>
    build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: join(outdir, `${name}.mjs`),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      metafile: true,
      logLevel: options.logLevel ?? 'error',
      // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __guardCreateRequire } from 'node:module'; const require = __guardCreateRequire(import.meta.url);" },
      plugins: [...extra, backendGuardPlugin({ ...options, onCheck: (c) => (check ??= c) })],
    });
  // The main bundle first: it reports a wrong backend count and every missing worker entry or
  // asset, once; the workers are built only when it succeeded.
  const main = await bundle(app.entry, 'main', [failAtStart(missingFiles(manifest, root))]);
  const workerBuilds = await Promise.all(app.workers.map((w) => bundle(w.entry, w.name)));
  const inputsOf = (metafile: Metafile) => Object.keys(metafile.inputs).map((i) => relative(root, join(root, i))).sort();

  mkdirSync(outdir, { recursive: true });
  for (const result of [main, ...workerBuilds]) for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  const assets = app.assets.map((asset) => {
    const to = join(outdir, basename(asset.path));
    copyFileSync(asset.path, to);
    return { from: asset.path, to };
  });
  const workers = Object.fromEntries(
    app.workers.map((w, i) => [w.name, { outfile: join(outdir, `${w.name}.mjs`), inputs: inputsOf(workerBuilds[i]!.metafile), metafile: workerBuilds[i]!.metafile }]),
  );
  const backends = check!.choices.map((c) => `${c.group.owner}/${c.feature}`);
  const features = featureRecord(check!.resolution.packages);
  const inputs = inputsOf(main.metafile);
  const record = {
    app: options.app,
    unification: options.unification ?? 'package',
    backends,
    features,
    inputs,
    // Outputs are named relative to guard.json's folder; inputs and asset sources relative to the workspace.
    workers: Object.fromEntries(Object.entries(workers).map(([name, w]) => [name, { outfile: basename(w.outfile), inputs: w.inputs }])),
    assets: Object.fromEntries(assets.map(({ from, to }) => [basename(to), relative(root, from).split(sep).join('/')])),
  };
  writeFileSync(join(outdir, 'guard.json'), JSON.stringify(record, null, 2) + '\n');
  return { app: options.app, outfile: join(outdir, 'main.mjs'), inputs, workers, assets: assets.map((a) => a.to), backends, features, metafile: main.metafile };
}
