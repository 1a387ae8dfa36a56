/**
 * `guard why <pkg>`: the inverted feature tree of one package, like
 * `cargo tree -e features -i <pkg>`: the package, each enabled feature, and under every node what
 * turned it on, down to the root, with the package.json entry (file:line:column) of each step.
 */
import { locate } from '../manifest/locate.ts';
import { featureNode, packageNode, parseNode, type NodeId, type Resolution, type Site } from '../resolver/resolve.ts';

export interface WhyNode {
  /** `package`, `feature` or `edge` (a dependency edge), or `request` (the command line / root). */
  kind: 'package' | 'feature' | 'edge' | 'request';
  label: string;
  /** The entry that links this node to its parent (absent on the top node). */
  site?: { file: string; line: number; column: number; text: string };
  /** True when this node was expanded earlier in the tree (Cargo's `(*)`). */
  repeated?: boolean;
  children: WhyNode[];
}

function label(node: NodeId): { kind: WhyNode['kind']; label: string } {
  const parsed = parseNode(node);
  if (parsed.kind === 'package') return { kind: 'package', label: parsed.pkg };
  if (parsed.kind === 'feature') return { kind: 'feature', label: `${parsed.pkg} feature "${parsed.feature}"` };
  return { kind: 'edge', label: `${parsed.pkg} -> ${parsed.dep}${parsed.depKind === 'dev' ? ' (dev)' : ''}` };
}

function siteOf(site: Site, root: string | undefined) {
  const location = locate(site.file, site.pointer);
  const file = root !== undefined && location.file.startsWith(root + '/') ? location.file.slice(root.length + 1) : location.file;
  return { file, line: location.line, column: location.column, text: site.text };
}

/** The inverted tree of `pkg` in `resolution`; undefined when `pkg` is not active. */
export function whyTree(resolution: Resolution, pkg: string, root?: string): WhyNode | undefined {
  const features = resolution.features(pkg);
  if (features === undefined) return undefined;
  const expanded = new Set<NodeId>();
  const build = (node: NodeId, site: Site | undefined, path: Set<NodeId>): WhyNode => {
    const out: WhyNode = { ...label(node), children: [] };
    if (site !== undefined) out.site = siteOf(site, root);
    if (expanded.has(node) || path.has(node)) {
      out.repeated = true;
      return out;
    }
    expanded.add(node);
    path.add(node);
    for (const cause of resolution.causesOf(node)) {
      if (cause.from === undefined) out.children.push({ kind: 'request', label: cause.site.text, site: siteOf(cause.site, root), children: [] });
      else out.children.push(build(cause.from, cause.site, path));
    }
    path.delete(node);
    return out;
  };
  const top: WhyNode = build(packageNode(pkg), undefined, new Set());
  // Features hang under the package, as cargo tree -e features -i shows them.
  for (const feature of [...features].sort()) top.children.push(build(featureNode(pkg, feature), undefined, new Set()));
  return top;
}

/** Renders a tree with box-drawing prefixes. */
export function renderWhyTree(tree: WhyNode): string {
  const lines: string[] = [];
  const line = (node: WhyNode, prefix: string, branch: string) => {
    const where = node.site === undefined ? '' : `  [${node.site.file}:${node.site.line}:${node.site.column}: ${node.site.text}]`;
    lines.push(`${prefix}${branch}${node.label}${node.repeated === true ? ' (*)' : ''}${where}`);
  };
  const walk = (node: WhyNode, prefix: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      line(child, prefix, last ? '└── ' : '├── ');
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  line(tree, '', '');
  walk(tree, '');
  return lines.join('\n');
}
