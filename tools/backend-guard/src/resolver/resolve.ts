/**
 * Feature resolution, as Cargo's resolver 2 does it, with the provenance of every enabled feature.
 *
 * Given root packages and the request (`--features`, `--no-default-features`, `--all-features`), it
 * computes which packages are active and which features each has. Features are unified per package
 * over everything one resolution covers; the unification mode (Cargo RFC 3692) says what that is:
 *
 * - `package`: each root alone (how an app is built; the default);
 * - `selected`: the union over all roots of one invocation (Cargo's default);
 * - `workspace`: the union over every workspace package.
 *
 * Dev-dependencies are followed only for the roots, and only when `dev` is set (tests), so they never
 * leak into an app's build. Every activation records its causes (which node, which package.json
 * entry), so a diagnostic can name every chain that turned a feature on.
 */
import type { JsonPointer } from '../manifest/locate.ts';
import type { DependencyDecl, ExclusiveGroup, Manifest } from '../manifest/manifest.ts';
import type { Workspace } from '../manifest/workspace.ts';

export type Unification = 'package' | 'selected' | 'workspace';
export const UNIFICATIONS: readonly Unification[] = ['package', 'selected', 'workspace'];

export interface ResolveRequest {
  /** Root package names (apps to build, or libraries to test). */
  roots: readonly string[];
  /** `--features`: `feature` (of each root that has it) or `package/feature`. */
  features?: readonly string[];
  noDefaultFeatures?: boolean;
  allFeatures?: boolean;
  unification?: Unification;
  /** Follow the roots' dev-dependencies (a test build). */
  dev?: boolean;
}

/** A package.json entry that caused an activation. */
export interface Site {
  file: string;
  pointer: JsonPointer;
  /** What the entry says, for people: `feature "tls" enables "@tsvmm/crypto/openssl"`. */
  text: string;
}

/** One reason a node is on: the node that caused it (none for the request itself) and the entry. */
export interface Cause {
  from: NodeId | undefined;
  site: Site;
}

/**
 * Node identifiers: `pkg` (package active), `pkg\0feature` (feature on), and
 * `pkg\0>kind>dep` (dependency edge active).
 */
export type NodeId = string;

export const packageNode = (pkg: string): NodeId => pkg;
export const featureNode = (pkg: string, feature: string): NodeId => `${pkg}\0${feature}`;
const edgeNode = (pkg: string, decl: DependencyDecl): NodeId => `${pkg}\0>${decl.kind}>${decl.name}`;

export type ParsedNode =
  | { kind: 'package'; pkg: string }
  | { kind: 'feature'; pkg: string; feature: string }
  | { kind: 'edge'; pkg: string; depKind: DependencyDecl['kind']; dep: string };

export function parseNode(id: NodeId): ParsedNode {
  const zero = id.indexOf('\0');
  if (zero < 0) return { kind: 'package', pkg: id };
  const pkg = id.slice(0, zero);
  const rest = id.slice(zero + 1);
  if (rest.startsWith('>')) {
    const second = rest.indexOf('>', 1);
    return { kind: 'edge', pkg, depKind: rest.slice(1, second) as DependencyDecl['kind'], dep: rest.slice(second + 1) };
  }
  return { kind: 'feature', pkg, feature: rest };
}

/** An active dependency edge: `from` depends on `to`. */
export interface ActiveEdge {
  from: string;
  to: string;
  decl: DependencyDecl;
}

/** The state of one exclusive group of an active package. */
export interface GroupState {
  group: ExclusiveGroup;
  enabled: string[];
  /** Whether the count satisfies the group's rule. */
  ok: boolean;
}

/** The outcome of one resolution. */
export class Resolution {
  constructor(
    readonly workspace: Workspace,
    readonly request: Required<Omit<ResolveRequest, 'features'>> & { features: readonly string[] },
    /** Active packages (workspace and external) and their enabled features. */
    readonly packages: ReadonlyMap<string, ReadonlySet<string>>,
    readonly edges: readonly ActiveEdge[],
    private readonly causes: ReadonlyMap<NodeId, readonly Cause[]>,
  ) {}

  /** The enabled features of `pkg`, or undefined when it is not active. */
  features(pkg: string): ReadonlySet<string> | undefined {
    return this.packages.get(pkg);
  }

  causesOf(node: NodeId): readonly Cause[] {
    return this.causes.get(node) ?? [];
  }

  /** Every exclusive group of an active package, with what is enabled in it. */
  groups(): GroupState[] {
    const out: GroupState[] = [];
    for (const [pkg, features] of this.packages) {
      for (const group of this.workspace.packages.get(pkg)?.groups ?? []) {
        const enabled = group.features.filter((f) => features.has(f));
        const ok = group.rule === 'exactlyOne' ? enabled.length === 1 : enabled.length <= 1;
        out.push({ group, enabled, ok });
      }
    }
    return out;
  }
}

/** A request that names something the workspace does not have. */
export class ResolveRequestError extends Error {
  override readonly name = 'ResolveRequestError';
}

/** Resolves `request`; returns one resolution per root (shared between roots unless `package`). */
export function resolve(workspace: Workspace, request: ResolveRequest): Map<string, Resolution> {
  const full = {
    roots: request.roots,
    features: request.features ?? [],
    noDefaultFeatures: request.noDefaultFeatures ?? false,
    allFeatures: request.allFeatures ?? false,
    unification: request.unification ?? 'package',
    dev: request.dev ?? false,
  };
  for (const root of full.roots) {
    if (!workspace.packages.has(root)) throw new ResolveRequestError(`"${root}" is not a workspace package (known: ${[...workspace.packages.keys()].sort().join(', ')})`);
  }
  const out = new Map<string, Resolution>();
  if (full.unification === 'package') {
    for (const root of full.roots) out.set(root, resolveTogether(workspace, { ...full, roots: [root] }));
    return out;
  }
  const together = full.unification === 'workspace' ? [...workspace.packages.keys()] : [...full.roots];
  const shared = resolveTogether(workspace, { ...full, roots: together });
  for (const root of full.roots) out.set(root, shared);
  return out;
}

type Task =
  | { kind: 'package'; pkg: string }
  | { kind: 'feature'; pkg: string; feature: string }
  | { kind: 'edge'; pkg: string; decl: DependencyDecl };

function resolveTogether(workspace: Workspace, request: Resolution['request']): Resolution {
  const { packages } = workspace;
  const roots = new Set(request.roots);
  const enabled = new Map<string, Set<string>>();
  const causes = new Map<NodeId, Cause[]>();
  const activeEdges = new Set<NodeId>();
  const edges: ActiveEdge[] = [];
  /** Weak `dep?/feature` entries waiting for their edge: keyed by `pkg\0dep`. */
  const pendingWeak = new Map<string, { feature: string; cause: Cause }[]>();
  const work: Task[] = [];
  /** Features reached on a package that is not (yet) active; they apply once it is. */
  const parked = new Map<string, Task[]>();

  /** Records a cause; schedules the node's expansion the first time it is reached. */
  const reach = (node: NodeId, cause: Cause, task: Task) => {
    const list = causes.get(node);
    if (list !== undefined) {
      list.push(cause);
      return;
    }
    causes.set(node, [cause]);
    if (task.kind === 'package') {
      enabled.set(task.pkg, new Set());
      for (const parkedTask of parked.get(task.pkg) ?? []) work.push(parkedTask);
      parked.delete(task.pkg);
    }
    work.push(task);
  };
  const reachFeature = (pkg: string, feature: string, cause: Cause) => {
    const manifest = packages.get(pkg);
    // Only declared features exist; "default" may be requested of any package, as in Cargo.
    if (manifest === undefined || !manifest.features.has(feature)) return;
    reach(featureNode(pkg, feature), cause, { kind: 'feature', pkg, feature });
  };
  const inScope = (pkg: string, decl: DependencyDecl) => decl.kind === 'normal' || (request.dev && roots.has(pkg));
  const declsNamed = (manifest: Manifest, dep: string) => manifest.dependencies.filter((d) => d.name === dep && inScope(manifest.name, d));

  // The request itself.
  for (const root of request.roots) {
    const manifest = packages.get(root)!;
    reach(packageNode(root), { from: undefined, site: { file: manifest.file, pointer: ['name'], text: 'root of this resolution' } }, { kind: 'package', pkg: root });
    if (!request.noDefaultFeatures) {
      reachFeature(root, 'default', { from: packageNode(root), site: { file: manifest.file, pointer: manifest.featurePointers.get('default') ?? ['name'], text: 'default features of the root' } });
    }
    if (request.allFeatures) {
      for (const feature of manifest.features.keys()) {
        reachFeature(root, feature, { from: undefined, site: { file: manifest.file, pointer: manifest.featurePointers.get(feature) ?? ['name'], text: '--all-features' } });
      }
    }
  }
  for (const spec of request.features) requestFeature(workspace, request.roots, spec, reachFeature);

  while (work.length > 0) {
    const task = work.pop()!;
    const manifest = packages.get(task.pkg);
    if (task.kind === 'package') {
      if (manifest === undefined) continue;
      for (const decl of manifest.dependencies) {
        if (decl.optional || !inScope(task.pkg, decl)) continue;
        reach(edgeNode(task.pkg, decl), { from: packageNode(task.pkg), site: { file: manifest.file, pointer: decl.pointer, text: `depends on ${decl.name}` } }, { kind: 'edge', pkg: task.pkg, decl });
      }
    } else if (task.kind === 'edge') {
      const { pkg, decl } = task;
      const from = edgeNode(pkg, decl);
      const file = manifest!.file;
      activeEdges.add(from);
      edges.push({ from: pkg, to: decl.name, decl });
      reach(packageNode(decl.name), { from, site: { file, pointer: decl.pointer, text: `depends on ${decl.name}` } }, { kind: 'package', pkg: decl.name });
      if (decl.defaultFeatures) reachFeature(decl.name, 'default', { from, site: { file, pointer: decl.pointer, text: `depends on ${decl.name} with its default features` } });
      for (const ref of decl.features) reachFeature(decl.name, ref.feature, { from, site: { file, pointer: ref.pointer, text: `depends on ${decl.name} with feature "${ref.feature}"` } });
      for (const weak of pendingWeak.get(`${pkg}\0${decl.name}`) ?? []) reachFeature(decl.name, weak.feature, weak.cause);
    } else {
      const { pkg, feature } = task;
      const on = enabled.get(pkg);
      if (on === undefined) {
        parked.set(pkg, [...(parked.get(pkg) ?? []), task]);
        continue;
      }
      on.add(feature);
      const from = featureNode(pkg, feature);
      const file = manifest!.file;
      for (const value of manifest!.features.get(feature)!) {
        const site = (text: string): Cause => ({ from, site: { file, pointer: value.pointer, text: `feature "${feature}" enables ${text}` } });
        if (value.kind === 'feature') {
          reachFeature(pkg, value.feature, site(`"${value.feature}"`));
          continue;
        }
        const decls = declsNamed(manifest!, value.dep);
        if (value.kind === 'dep') {
          for (const decl of decls) if (decl.optional) reach(edgeNode(pkg, decl), site(`"dep:${value.dep}"`), { kind: 'edge', pkg, decl });
          continue;
        }
        const text = `"${value.dep}${value.weak ? '?' : ''}/${value.feature}"`;
        if (value.weak) {
          const key = `${pkg}\0${value.dep}`;
          if (decls.some((d) => activeEdges.has(edgeNode(pkg, d)))) reachFeature(value.dep, value.feature, site(text));
          else if (decls.length > 0) pendingWeak.set(key, [...(pendingWeak.get(key) ?? []), { feature: value.feature, cause: site(text) }]);
          continue;
        }
        for (const decl of decls) reach(edgeNode(pkg, decl), site(text), { kind: 'edge', pkg, decl });
        // Cargo: "dep/feature" on an optional dependency also turns on its implicit feature.
        if (manifest!.implicitFeatures.has(value.dep)) reachFeature(pkg, value.dep, site(text));
        if (decls.length > 0) reachFeature(value.dep, value.feature, site(text));
      }
    }
  }
  return new Resolution(workspace, request, enabled, edges, causes);
}

function requestFeature(
  workspace: Workspace,
  roots: readonly string[],
  spec: string,
  reachFeature: (pkg: string, feature: string, cause: Cause) => void,
) {
  const slash = spec.lastIndexOf('/');
  const targets = slash < 0 ? roots.filter((r) => workspace.packages.get(r)!.features.has(spec)) : [spec.slice(0, slash)];
  const feature = slash < 0 ? spec : spec.slice(slash + 1);
  if (targets.length === 0) throw new ResolveRequestError(`--features ${spec}: no root (${roots.join(', ')}) has a feature "${spec}"`);
  for (const pkg of targets) {
    const manifest = workspace.packages.get(pkg);
    if (manifest === undefined) throw new ResolveRequestError(`--features ${spec}: "${pkg}" is not a workspace package`);
    if (!manifest.features.has(feature)) throw new ResolveRequestError(`--features ${spec}: ${pkg} has no feature "${feature}" (it has: ${[...manifest.features.keys()].join(', ') || 'none'})`);
    reachFeature(pkg, feature, { from: undefined, site: { file: manifest.file, pointer: manifest.featurePointers.get(feature) ?? ['name'], text: `--features ${spec}` } });
  }
}
