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
import type { DependencyDecl, ExclusiveGroup, FeatureValue, Manifest } from '../manifest/manifest.ts';
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

/**
 * The workspace as the resolver walks it, built once per workspace (package by package, on first use)
 * and shared by every resolution: node ids, causes and links to other packages depend only on the
 * manifests. A resolution keeps its scratch state on these nodes, stamped with its own epoch (resolving
 * is synchronous), so a node reached again costs a field compare instead of a map lookup.
 */
interface Node {
  id: NodeId;
  /** Epoch of the resolution that last reached the node; `slot` belongs to that resolution. */
  epoch: number;
  /** Where the resolution keeps the node's causes. */
  slot: number;
}

interface CompiledPackage extends Node {
  kind: 'package';
  name: string;
  /** Parallel to the manifest's dependencies; empty for a package outside the workspace. */
  edges: CompiledEdge[];
  edgesByName: Map<string, EdgeGroup>;
  features: Map<string, CompiledFeature>;
  /** The features on in the resolution of `epoch`. */
  enabled: Set<string>;
}

/** A package's dependency declarations of one name (a normal and a dev one may share it). */
interface EdgeGroup {
  edges: CompiledEdge[];
  /** Weak `dep?/feature` entries waiting for one of the edges, in the resolution of `pendingEpoch`. */
  pendingEpoch: number;
  pending: { feature: string; cause: Cause }[];
}

interface CompiledEdge extends Node {
  kind: 'edge';
  decl: DependencyDecl;
  group: EdgeGroup;
  /** The dependency, and the features of it that the edge turns on; linked on first use. */
  target: CompiledPackage | undefined;
  targetDefault: CompiledFeature | undefined;
  targetFeatures: (CompiledFeature | undefined)[];
  /** Epoch of the resolution in which the edge was expanded (is active). */
  activeEpoch: number;
  active: ActiveEdge;
  /** The package turns the (non-optional) edge on. */
  fromPackage: Cause;
  /** The edge turns on the dependency, its default features, and each feature it lists. */
  toPackage: Cause;
  toDefault: Cause;
  toFeatures: Cause[];
}

interface CompiledFeature extends Node {
  kind: 'feature';
  owner: CompiledPackage;
  feature: string;
  /** Each value, with the feature of the same package it names (`kind: 'feature'`). */
  values: { value: FeatureValue; cause: Cause; local: CompiledFeature | undefined }[];
}

type Task = CompiledPackage | CompiledEdge | CompiledFeature;

class CompiledWorkspace {
  private readonly compiled = new Map<string, CompiledPackage>();

  constructor(private readonly workspace: Workspace) {}

  /** The package `name` (also one outside the workspace), compiled on first use. */
  package(name: string): CompiledPackage {
    let pkg = this.compiled.get(name);
    if (pkg === undefined) this.compiled.set(name, (pkg = compilePackage(name, this.workspace.packages.get(name))));
    return pkg;
  }

  /** The dependency of `edge`. */
  target(edge: CompiledEdge): CompiledPackage {
    if (edge.target === undefined) {
      const target = this.package(edge.decl.name);
      edge.target = target;
      edge.targetDefault = target.features.get('default');
      edge.targetFeatures = edge.decl.features.map((ref) => target.features.get(ref.feature));
    }
    return edge.target;
  }
}

const compiledWorkspaces = new WeakMap<Workspace, CompiledWorkspace>();
let lastEpoch = 0;

function describeValue(value: FeatureValue): string {
  if (value.kind === 'feature') return `"${value.feature}"`;
  if (value.kind === 'dep') return `"dep:${value.dep}"`;
  return `"${value.dep}${value.weak ? '?' : ''}/${value.feature}"`;
}

function compilePackage(name: string, manifest: Manifest | undefined): CompiledPackage {
  const pkg: CompiledPackage = { kind: 'package', id: packageNode(name), epoch: 0, slot: 0, name, edges: [], edgesByName: new Map(), features: new Map(), enabled: new Set() };
  if (manifest === undefined) return pkg;
  const { file } = manifest;
  for (const decl of manifest.dependencies) {
    const id = edgeNode(name, decl);
    const site: Site = { file, pointer: decl.pointer, text: `depends on ${decl.name}` };
    let group = pkg.edgesByName.get(decl.name);
    if (group === undefined) pkg.edgesByName.set(decl.name, (group = { edges: [], pendingEpoch: 0, pending: [] }));
    const edge: CompiledEdge = {
      kind: 'edge',
      id,
      epoch: 0,
      slot: 0,
      decl,
      group,
      target: undefined,
      targetDefault: undefined,
      targetFeatures: [],
      activeEpoch: 0,
      active: { from: name, to: decl.name, decl },
      fromPackage: { from: pkg.id, site },
      toPackage: { from: id, site },
      toDefault: { from: id, site: { file, pointer: decl.pointer, text: `depends on ${decl.name} with its default features` } },
      toFeatures: decl.features.map((ref) => ({ from: id, site: { file, pointer: ref.pointer, text: `depends on ${decl.name} with feature "${ref.feature}"` } })),
    };
    group.edges.push(edge);
    pkg.edges.push(edge);
  }
  for (const [feature, values] of manifest.features) {
    const id = featureNode(name, feature);
    pkg.features.set(feature, {
      kind: 'feature',
      id,
      epoch: 0,
      slot: 0,
      owner: pkg,
      feature,
      values: values.map((value) => ({ value, cause: { from: id, site: { file, pointer: value.pointer, text: `feature "${feature}" enables ${describeValue(value)}` } }, local: undefined })),
    });
  }
  for (const feature of pkg.features.values()) {
    for (const entry of feature.values) if (entry.value.kind === 'feature') entry.local = pkg.features.get(entry.value.feature);
  }
  return pkg;
}

function resolveTogether(workspace: Workspace, request: Resolution['request']): Resolution {
  const graph = compiledWorkspaces.get(workspace) ?? new CompiledWorkspace(workspace);
  compiledWorkspaces.set(workspace, graph);
  const epoch = ++lastEpoch;
  const roots = new Set(request.roots);
  const enabled = new Map<string, Set<string>>();
  const edges: ActiveEdge[] = [];
  /** Every node reached, in order, and its causes: one cause alone, a list once there are more. */
  const reachedIds: NodeId[] = [];
  const reachedCauses: (Cause | Cause[])[] = [];
  const work: Task[] = [];
  /** Features reached on a package that is not (yet) active; they apply once it is. */
  const parked = new Map<CompiledPackage, CompiledFeature[]>();

  /** Records a cause; true the first time `node` is reached (the caller then schedules its expansion). */
  const firstReach = (node: Node, cause: Cause): boolean => {
    if (node.epoch === epoch) {
      const earlier = reachedCauses[node.slot]!;
      if (Array.isArray(earlier)) earlier.push(cause);
      else reachedCauses[node.slot] = [earlier, cause];
      return false;
    }
    node.epoch = epoch;
    node.slot = reachedIds.length;
    reachedIds.push(node.id);
    reachedCauses.push(cause);
    return true;
  };
  const reachPackage = (pkg: CompiledPackage, cause: Cause) => {
    if (!firstReach(pkg, cause)) return;
    pkg.enabled = new Set();
    enabled.set(pkg.name, pkg.enabled);
    const waiting = parked.get(pkg);
    if (waiting !== undefined) for (const parkedTask of waiting) work.push(parkedTask);
    parked.delete(pkg);
    work.push(pkg);
  };
  /** Only declared features exist (`node` is undefined otherwise); "default" may be requested of any package, as in Cargo. */
  const reachFeatureNode = (node: CompiledFeature | undefined, cause: Cause) => {
    if (node !== undefined && firstReach(node, cause)) work.push(node);
  };
  const reachFeature = (pkg: CompiledPackage, feature: string, cause: Cause) => reachFeatureNode(pkg.features.get(feature), cause);
  const reachEdge = (edge: CompiledEdge, cause: Cause) => {
    if (firstReach(edge, cause)) work.push(edge);
  };
  const inScope = (pkg: CompiledPackage, decl: DependencyDecl) => decl.kind === 'normal' || (request.dev && roots.has(pkg.name));
  /** `dep/feature` of `pkg` (non-weak): turns on the dependency and the feature on it. */
  const enableDepFeature = (pkg: CompiledPackage, dep: string, feature: string, cause: Cause) => {
    let declared: CompiledEdge | undefined;
    let optional = false;
    for (const edge of pkg.edgesByName.get(dep)?.edges ?? []) {
      if (!inScope(pkg, edge.decl)) continue;
      declared = edge;
      optional ||= edge.decl.optional;
      reachEdge(edge, cause);
    }
    // Cargo: "dep/feature" on an optional dependency also turns on the feature named like the dependency
    // if the table has one: the implicit feature, and also an explicit feature named like a dependency
    // hidden with "dep:" (Cargo's activate_dep_feature looks the name up in the feature table; checked
    // against cargo tree by test/resolver/cargo-oracle.test.ts).
    if (optional) reachFeature(pkg, dep, cause);
    if (declared !== undefined) reachFeature(graph.target(declared), feature, cause);
  };

  // The request itself.
  for (const root of request.roots) {
    const manifest = workspace.packages.get(root)!;
    const pkg = graph.package(root);
    reachPackage(pkg, { from: undefined, site: { file: manifest.file, pointer: ['name'], text: 'root of this resolution' } });
    if (!request.noDefaultFeatures) {
      reachFeature(pkg, 'default', { from: packageNode(root), site: { file: manifest.file, pointer: manifest.featurePointers.get('default') ?? ['name'], text: 'default features of the root' } });
    }
    if (request.allFeatures) {
      for (const feature of manifest.features.keys()) {
        reachFeature(pkg, feature, { from: undefined, site: { file: manifest.file, pointer: manifest.featurePointers.get(feature) ?? ['name'], text: '--all-features' } });
      }
    }
  }
  for (const spec of request.features) {
    requestFeature(workspace, request.roots, spec, (pkg, feature, cause) => reachFeature(graph.package(pkg), feature, cause), (manifest, dep, feature, cause) => enableDepFeature(graph.package(manifest.name), dep, feature, cause));
  }

  while (work.length > 0) {
    const task = work.pop()!;
    if (task.kind === 'package') {
      for (const edge of task.edges) {
        if (!edge.decl.optional && inScope(task, edge.decl)) reachEdge(edge, edge.fromPackage);
      }
    } else if (task.kind === 'edge') {
      const { decl } = task;
      const target = graph.target(task);
      task.activeEpoch = epoch;
      edges.push(task.active);
      reachPackage(target, task.toPackage);
      if (decl.defaultFeatures) reachFeatureNode(task.targetDefault, task.toDefault);
      for (let i = 0; i < decl.features.length; i++) reachFeatureNode(task.targetFeatures[i], task.toFeatures[i]!);
      if (task.group.pendingEpoch === epoch) for (const weak of task.group.pending) reachFeature(target, weak.feature, weak.cause);
    } else {
      const pkg = task.owner;
      if (pkg.epoch !== epoch) {
        parked.set(pkg, [...(parked.get(pkg) ?? []), task]);
        continue;
      }
      pkg.enabled.add(task.feature);
      for (const { value, cause, local } of task.values) {
        if (value.kind === 'feature') {
          reachFeatureNode(local, cause);
        } else if (value.kind === 'dep') {
          for (const edge of pkg.edgesByName.get(value.dep)?.edges ?? []) {
            if (edge.decl.optional && inScope(pkg, edge.decl)) reachEdge(edge, cause);
          }
        } else if (value.weak) {
          const group = pkg.edgesByName.get(value.dep);
          const decls = (group?.edges ?? []).filter((edge) => inScope(pkg, edge.decl));
          if (group === undefined || decls.length === 0) continue;
          if (decls.some((edge) => edge.activeEpoch === epoch)) {
            reachFeature(graph.target(decls[0]!), value.feature, cause);
          } else {
            if (group.pendingEpoch !== epoch) {
              group.pendingEpoch = epoch;
              group.pending = [];
            }
            group.pending.push({ feature: value.feature, cause });
          }
        } else {
          enableDepFeature(pkg, value.dep, value.feature, cause);
        }
      }
    }
  }
  return new Resolution(workspace, request, enabled, edges, new CausesByNode(reachedIds, reachedCauses));
}

/**
 * The causes of one resolution by node, indexed on first use: most callers read only the features, and
 * building the map is a large part of resolving.
 */
class CausesByNode implements ReadonlyMap<NodeId, readonly Cause[]> {
  private map: Map<NodeId, readonly Cause[]> | undefined;

  constructor(
    private readonly ids: readonly NodeId[],
    private readonly causes: readonly (Cause | readonly Cause[])[],
  ) {}

  private get index(): Map<NodeId, readonly Cause[]> {
    if (this.map === undefined) {
      const map = new Map<NodeId, readonly Cause[]>();
      this.ids.forEach((id, i) => {
        const causes = this.causes[i]!;
        map.set(id, Array.isArray(causes) ? causes : [causes as Cause]);
      });
      this.map = map;
    }
    return this.map;
  }

  get size() {
    return this.ids.length;
  }

  get(node: NodeId) {
    return this.index.get(node);
  }

  has(node: NodeId) {
    return this.index.has(node);
  }

  forEach(callback: (causes: readonly Cause[], node: NodeId, map: ReadonlyMap<NodeId, readonly Cause[]>) => void, thisArg?: unknown) {
    this.index.forEach((causes, node) => callback.call(thisArg, causes, node, this));
  }

  entries() {
    return this.index.entries();
  }

  keys() {
    return this.index.keys();
  }

  values() {
    return this.index.values();
  }

  [Symbol.iterator]() {
    return this.index[Symbol.iterator]();
  }
}

function requestFeature(
  workspace: Workspace,
  roots: readonly string[],
  spec: string,
  reachFeature: (pkg: string, feature: string, cause: Cause) => void,
  enableDepFeature: (manifest: Manifest, dep: string, feature: string, cause: Cause) => void,
) {
  const slash = spec.lastIndexOf('/');
  const targets = slash < 0 ? roots.filter((r) => workspace.packages.get(r)!.features.has(spec)) : [spec.slice(0, slash)];
  const feature = slash < 0 ? spec : spec.slice(slash + 1);
  if (targets.length === 0) throw new ResolveRequestError(`--features ${spec}: no root (${roots.join(', ')}) has a feature "${spec}"`);
  for (const pkg of targets) {
    const manifest = workspace.packages.get(pkg);
    if (manifest === undefined) throw new ResolveRequestError(`--features ${spec}: "${pkg}" is not a workspace package`);
    if (!manifest.features.has(feature)) throw new ResolveRequestError(`--features ${spec}: ${pkg} has no feature "${feature}" (it has: ${[...manifest.features.keys()].join(', ') || 'none'})`);
    const cause = { from: undefined, site: { file: manifest.file, pointer: manifest.featurePointers.get(feature) ?? ['name'], text: `--features ${spec}` } };
    // Cargo: for a root that declares a dependency `pkg`, `--features pkg/feature` is that root's feature
    // value `pkg/feature`, so it also turns on an optional `pkg` (and its implicit feature). A root gets the
    // feature itself; a package neither a root nor a root's dependency gets it wherever it is active.
    const dependents = slash < 0 ? [] : roots.map((r) => workspace.packages.get(r)!).filter((r) => r.dependencies.some((d) => d.name === pkg));
    for (const dependent of dependents) enableDepFeature(dependent, pkg, feature, cause);
    if (dependents.length === 0 || roots.includes(pkg)) reachFeature(pkg, feature, cause);
  }
}
