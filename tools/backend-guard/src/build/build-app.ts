/**
 * Builds one app into a single ESM bundle with esbuild and the backend-guard plugin, and records
 * what the build proved: the backend chosen, the resolved features, the bundle's inputs.
 *
 * Output, under the app's folder: `dist/main.mjs` (the bundle), `dist/guard.json` (the proof).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type LogLevel, type Metafile } from 'esbuild';
import { checkApps, type AppCheck, type AppRequest } from '../app/check-apps.ts';
import { backendGuardPlugin } from '../esbuild/plugin.ts';
import { loadWorkspace } from '../manifest/workspace.ts';
import { ResolveRequestError } from '../resolver/resolve.ts';

export interface BuildAppOptions extends AppRequest {
  app: string;
  /** Output folder; default `<app>/dist`. */
  outdir?: string;
  /** esbuild's log level; `error` prints located errors with code frames (the CLI), `silent` does not (tests). */
  logLevel?: LogLevel;
}

export interface BuildAppResult {
  app: string;
  outfile: string;
  /** `owner/feature` of every backend group, e.g. `@tsvmm/crypto/openssl`. */
  backends: string[];
  /** Enabled features of every active package. */
  features: Record<string, string[]>;
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

/** Builds `options.app`; rejects with esbuild's `BuildFailure` (located errors) when it cannot. */
export async function buildApp(options: BuildAppOptions): Promise<BuildAppResult> {
  const manifest = loadWorkspace(options.workspaceRoot).packages.get(options.app);
  if (manifest?.app === undefined) throw new ResolveRequestError(`${options.app} is not an app of this workspace (no "guard.app" in its package.json)`);
  const outdir = options.outdir ?? join(manifest.dir, 'dist');
  const outfile = join(outdir, 'main.mjs');
  let check: AppCheck | undefined;
  const result = await build({
    absWorkingDir: options.workspaceRoot,
    entryPoints: [manifest.app.entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: options.logLevel ?? 'error',
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __guardCreateRequire } from 'node:module'; const require = __guardCreateRequire(import.meta.url);" },
    plugins: [backendGuardPlugin({ ...options, onCheck: (c) => (check = c) })],
  });
  const backends = check!.choices.map((c) => `${c.group.owner}/${c.feature}`);
  const features = featureRecord(check!.resolution.packages);
  mkdirSync(outdir, { recursive: true });
  const inputs = Object.keys(result.metafile.inputs).sort();
  writeFileSync(
    join(outdir, 'guard.json'),
    JSON.stringify({ app: options.app, unification: options.unification ?? 'package', backends, features, inputs: inputs.map((i) => relative(options.workspaceRoot, join(options.workspaceRoot, i))) }, null, 2) + '\n',
  );
  return { app: options.app, outfile, backends, features, metafile: result.metafile };
}
