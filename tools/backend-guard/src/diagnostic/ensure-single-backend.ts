/**
 * The `ensure_single_backend` diagnostic: an app whose features give zero or several crypto
 * backends. It keeps openvmm's link-error symbol (what people search for), names each backend and
 * every chain of dependency edges and features that turned it on, with file:line:column, and says
 * how to fix it. Violated "at most one of" groups get the same treatment as `exclusive_group`.
 *
 * One function computes the diagnostics of an app; the build, the lint rule and `guard check` all
 * call it, so all three say the same thing.
 */
import { formatLocation, type SourceLocation } from '../manifest/locate.ts';
import type { ExclusiveGroup } from '../manifest/manifest.ts';
import type { Workspace } from '../manifest/workspace.ts';
import { chainsTo, readableSteps, stepLocation, type ChainStep } from '../resolver/chains.ts';
import { featureNode, type Resolution } from '../resolver/resolve.ts';

/** openvmm's symbol: a wrong backend count there fails to link with this undefined symbol. */
export const ENSURE_SINGLE_BACKEND_SYMBOL = '__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto';

export type BackendDiagnosticCode = 'ensure_single_backend' | 'exclusive_group';

/** One chain that enabled one feature of a group. */
export interface EnabledBy {
  feature: string;
  chains: { steps: { text: string; location: SourceLocation }[] }[];
  totalChains: number;
}

/** A wrong count in one exclusive group of one app. */
export interface BackendDiagnostic {
  code: BackendDiagnosticCode;
  app: string;
  /** The group's owner and name; undefined when no backend provider is in the app's graph at all. */
  group: ExclusiveGroup | undefined;
  enabled: EnabledBy[];
  /** One line: what is wrong. */
  summary: string;
  /** The full text: summary, symbol, chains, help. */
  message: string;
}

/** The backend groups: every `exactlyOne` group (the crypto package's backends). */
export function backendGroups(workspace: Workspace): ExclusiveGroup[] {
  return [...workspace.packages.values()].flatMap((m) => m.groups.filter((g) => g.rule === 'exactlyOne'));
}

/** The app's single backend, if it has exactly one: `{ group, feature }`. */
export function selectedBackend(resolution: Resolution, group: ExclusiveGroup): string | undefined {
  const features = resolution.features(group.owner);
  const on = group.features.filter((f) => features?.has(f));
  return on.length === 1 ? on[0] : undefined;
}

/** Every wrong count for `app` in `resolution`; empty when the app is sound. */
export function checkApp(resolution: Resolution, app: string, root?: string): BackendDiagnostic[] {
  const workspace = resolution.workspace;
  const out: BackendDiagnostic[] = [];
  const states = resolution.groups();
  const owners = [...new Set(backendGroups(workspace).map((g) => g.owner))];
  if (!states.some((s) => s.group.rule === 'exactlyOne')) {
    const summary = owners.length > 0
      ? `${app} has no crypto backend: ${owners.join(', ')} is not in its dependency graph`
      : `${app} has no crypto backend: no workspace package declares an "exactlyOne" backend group`;
    const help = owners.length > 0
      ? `add ${owners[0]} to "dependencies" of ${app} and choose one backend in guard.dependencies["${owners[0]}"].features`
      : 'declare the crypto package\'s backends in its package.json as guard.exclusive.<name>.exactlyOne';
    out.push({ code: 'ensure_single_backend', app, group: undefined, enabled: [], summary, message: render('ensure_single_backend', summary, [], help, root) });
  }
  for (const state of states) {
    if (state.ok) continue;
    const { group, enabled } = state;
    const isBackend = group.rule === 'exactlyOne';
    const code: BackendDiagnosticCode = isBackend ? 'ensure_single_backend' : 'exclusive_group';
    const rule = isBackend ? 'exactly one of' : 'at most one of';
    const noun = isBackend ? 'backend' : 'feature';
    const count = enabled.length === 0 ? `no ${noun}` : `${enabled.length} ${noun}s (${enabled.join(', ')})`;
    const summary = `${app} enables ${count} of ${group.owner}, whose group "${group.name}" allows ${rule}: ${group.features.join(', ')}`;
    const enabledBy = enabled.map((feature) => explain(resolution, group.owner, feature));
    out.push({ code, app, group, enabled: enabledBy, summary, message: render(code, summary, enabledBy, help(resolution, app, group, enabled, root), root, noun) });
  }
  return out;
}

function explain(resolution: Resolution, owner: string, feature: string): EnabledBy {
  const { chains, total } = chainsTo(resolution, featureNode(owner, feature));
  return {
    feature,
    totalChains: total,
    chains: chains.map((chain) => ({ steps: readableSteps(chain).map((step) => describeStep(resolution, step)) })),
  };
}

function describeStep(resolution: Resolution, step: ChainStep): { text: string; location: SourceLocation } {
  const owner = [...resolution.workspace.packages.values()].find((m) => m.file === step.site.file)?.name ?? step.site.file;
  return { text: `${owner}: ${step.site.text}`, location: stepLocation(step) };
}

function help(resolution: Resolution, app: string, group: ExclusiveGroup, enabled: string[], root?: string): string {
  const file = resolution.workspace.packages.get(app)?.file ?? app;
  const appFile = root !== undefined && file.startsWith(root + '/') ? file.slice(root.length + 1) : file;
  const inspect = `Inspect: pnpm guard why ${group.owner} --app ${app}`;
  if (enabled.length === 0) {
    return `choose one: in ${appFile}, set guard.dependencies["${group.owner}"].features to one of "${group.features.join('", "')}", or build with --features ${group.owner}/<${group.features.join('|')}>`;
  }
  const lines = group.rule === 'exactlyOne'
    ? ['keep exactly one. Backends are chosen by apps, not libraries: remove the others from the entries above,', "or make a library's choice an opt-in feature that the app turns on (off by default)."]
    : [`${group.owner} allows at most one of ${group.features.join(', ')}: turn all but one off in the entries above.`];
  return [...lines, inspect].join('\n        ');
}

function render(code: BackendDiagnosticCode, summary: string, enabledBy: EnabledBy[], helpText: string, root?: string, noun = 'backend'): string {
  const lines = [`error[${code}]: ${summary}`];
  if (code === 'ensure_single_backend') lines.push(`  = undefined symbol: ${ENSURE_SINGLE_BACKEND_SYMBOL}`);
  for (const by of enabledBy) {
    lines.push('', `  ${noun} "${by.feature}" is enabled by ${by.totalChains} chain${by.totalChains === 1 ? '' : 's'}:`);
    by.chains.forEach((chain, i) => {
      lines.push(`    chain ${i + 1}:`);
      const width = Math.max(...chain.steps.map((s) => formatLocation(s.location, root).length));
      for (const step of chain.steps) lines.push(`      ${formatLocation(step.location, root).padEnd(width)}  ${step.text}`);
    });
    if (by.totalChains > by.chains.length) lines.push(`    (${by.totalChains - by.chains.length} more chains not shown)`);
  }
  lines.push('', `  help: ${helpText}`);
  return lines.join('\n');
}
