/**
 * `guard`: the command line of backend-guard (`pnpm guard <command>` at the workspace root).
 *
 *   guard check                 resolve every app; list each with a wrong backend count; exit 1 if any
 *   guard features <app>        the enabled features of every package in the app's build
 *   guard why <pkg> [--app A]   the inverted feature tree of <pkg>, per app (cargo tree -e features -i)
 *   guard build <app>... | --all
 *                               build apps with esbuild, each with its proven backend
 *
 * Exit codes: 0 success, 1 a wrong backend count or a failed build, 2 bad manifests or usage.
 */
import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { appsOf, checkApps, type AppRequest } from '../app/check-apps.ts';
import { buildApp } from '../build/build-app.ts';
import { ManifestError } from '../manifest/errors.ts';
import { findWorkspaceRoot, loadWorkspace } from '../manifest/workspace.ts';
import { ResolveRequestError, UNIFICATIONS, type Unification } from '../resolver/resolve.ts';
import { renderWhyTree, whyTree } from '../why/why.ts';

const USAGE = `usage: guard <command> [options]

commands:
  check                      resolve every app and check each has exactly one crypto backend
  features <app>             enabled features of every package in <app>'s build
  why <package> [--app <app>]
                             which features of <package> are on, and every chain that turned each on
  build <app>... | --all     build apps (dist/main.mjs, dist/<worker>.mjs, assets, dist/guard.json),
                             each with its proven backend

options:
  --features <list>          comma-separated: <feature> of the app, or <package>/<feature>
  --no-default-features      do not turn on the apps' default features
  --all-features             turn on every feature of the apps
  --unification <mode>       package (each app alone; default) | selected (union over the apps of
                             this command, as Cargo does) | workspace (union over every package)
  --selected <apps>          with --unification selected: the apps unified (default: every app)
  --json                     machine-readable output (features, why, check)
  --root <dir>               workspace root (default: the folder with pnpm-workspace.yaml)
  -h, --help                 this text`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      features: { type: 'string', multiple: true },
      'no-default-features': { type: 'boolean' },
      'all-features': { type: 'boolean' },
      unification: { type: 'string' },
      selected: { type: 'string', multiple: true },
      app: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const unification = (values.unification ?? 'package') as Unification;
  if (!UNIFICATIONS.includes(unification)) throw new UsageError(`--unification must be one of ${UNIFICATIONS.join(', ')}, not "${values.unification}"`);
  const request: AppRequest = {
    workspaceRoot: values.root !== undefined ? resolvePath(values.root) : findWorkspaceRoot(process.cwd()),
    unification,
    features: (values.features ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f.length > 0),
    noDefaultFeatures: values['no-default-features'] ?? false,
    allFeatures: values['all-features'] ?? false,
  };
  if (values.selected !== undefined) request.selected = values.selected.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
  return { command: positionals[0], args: positionals.slice(1), values, request };
}

function print(text: string) {
  process.stdout.write(text + '\n');
}

async function main(argv: string[]): Promise<number> {
  const { command, args, values, request } = parse(argv);
  if (values.help === true || command === undefined) {
    print(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const workspace = loadWorkspace(request.workspaceRoot);
  switch (command) {
    case 'check': {
      const checks = checkApps(request);
      if (values.json === true) {
        print(JSON.stringify(checks.map((c) => ({ app: c.app.name, ok: c.diagnostics.length === 0, backends: c.choices.filter((x) => x.feature !== undefined).map((x) => `${x.group.owner}/${x.feature}`), diagnostics: c.diagnostics.map((d) => ({ code: d.code, summary: d.summary, message: d.message })) })), null, 2));
      } else {
        for (const check of checks) {
          if (check.diagnostics.length === 0) print(`ok     ${check.app.name}: ${check.choices.map((c) => `${c.group.owner}/${c.feature}`).join(', ')}`);
          else print(`wrong  ${check.app.name}: ${check.diagnostics.map((d) => d.summary).join('; ')}`);
        }
        for (const check of checks) for (const d of check.diagnostics) print('\n' + d.message);
        const bad = checks.filter((c) => c.diagnostics.length > 0).length;
        print(`\n${checks.length} app${checks.length === 1 ? '' : 's'} checked (unification: ${request.unification}), ${bad} with a wrong backend count`);
      }
      return checks.some((c) => c.diagnostics.length > 0) ? 1 : 0;
    }
    case 'features': {
      if (args.length !== 1) throw new UsageError('features takes one app');
      const [check] = checkApps(request, args);
      const features = Object.fromEntries([...check!.resolution.packages].sort(([a], [b]) => a.localeCompare(b)).map(([p, f]) => [p, [...f].sort()]));
      if (values.json === true) print(JSON.stringify({ app: args[0], unification: request.unification, features }, null, 2));
      else for (const [pkg, list] of Object.entries(features)) print(`${pkg}${list.length > 0 ? `: ${list.join(', ')}` : ''}`);
      return 0;
    }
    case 'why': {
      if (args.length !== 1) throw new UsageError('why takes one package');
      const [pkg] = args as [string];
      const apps = values.app ?? appsOf(workspace).map((a) => a.name);
      const out = checkApps(request, apps).map((check) => ({ app: check.app.name, tree: whyTree(check.resolution, pkg, workspace.root) }));
      if (values.json === true) {
        print(JSON.stringify(out.map((o) => ({ app: o.app, package: pkg, active: o.tree !== undefined, tree: o.tree ?? null })), null, 2));
      } else {
        for (const { app, tree } of out) print(`# app ${app}\n${tree === undefined ? `${pkg} is not in ${app}'s build` : renderWhyTree(tree)}\n`);
      }
      return 0;
    }
    case 'build': {
      const apps = values.all === true ? appsOf(workspace).map((a) => a.name) : args;
      if (apps.length === 0) throw new UsageError('build takes app names, or --all');
      let failed = 0;
      for (const app of apps) {
        try {
          const result = await buildApp({ ...request, app });
          const extra = [...Object.keys(result.workers).map((w) => `${w}.mjs`), ...(result.assets.length > 0 ? [`${result.assets.length} asset${result.assets.length === 1 ? '' : 's'}`] : [])];
          print(`built  ${app} -> ${result.outfile.slice(workspace.root.length + 1)}${extra.length > 0 ? ` (+ ${extra.join(', ')})` : ''}  backend: ${result.backends.join(', ')}`);
        } catch (error) {
          if (!(error instanceof Error && 'errors' in error)) throw error;
          failed++;
          print(`failed ${app} (errors above)`);
        }
      }
      return failed > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ManifestError) process.stderr.write(error.message + '\n');
    else if (error instanceof UsageError || error instanceof ResolveRequestError) process.stderr.write(`guard: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`guard: ${error.message}\n\n${USAGE}\n`);
    else throw error;
    process.exit(2);
  },
);
